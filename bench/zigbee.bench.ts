/**
 * ZigBee figures (Node only; issue 16 item 6), all measured in this run, medians:
 *  - sect283k1 scalar multiplication (harness/zigbee/cbke, GF(2^283) in 32-bit words), and OpenSSL's
 *    sect283k1 ECDH through node:crypto beside it;
 *  - the ECMQV shared secret (one side), and CBKE suite 2 with both sides in this process (certificate
 *    reconstruction and key validation, ephemeral keys, ECMQV, KDF and MACs on each side);
 *  - a zigbee-herdsman Controller's start (zoh adapter) on the emulated RCP, network formation included;
 *  - a simulated meter's join on the simulated air (100 ms scan window, association, APS Transport Key
 *    under its install-code key), and a sleepy GSME's (50 ms poll period).
 *  - over the air through harness/zigbee/se (the lab's bearer): per device on one hub, CCS01 + join
 *    (+ Device_annce) and CBKE suite 2 between the simulated meter and the herdsman hub (cluster 0x0800);
 *    the GBCS round trip through the SE tunnel (TransferData down, flow-control ack, the frame echoed
 *    back up) for RTDS messages of three sizes: one frame, one GBT-wrapped frame (zoh's 74..100), and
 *    GBT blocks (over herdsman's 250 bytes);
 *  - devices per hub: how many meters were commissioned on one Controller in this run (all of them), and
 *    for 1, 4, 8 and 16 meters on one hub: how many were commissioned and answered a GBCS round trip, the
 *    time per device, the round trip through each tunnel, and the same round trip in process beside it.
 * The join figures include the install-code workaround (harness/zigbee/README.md).
 * Run alone: node --import tsx bench/zigbee.bench.ts
 * @module
 */
import { createECDH } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setLogger } from 'zigbee-herdsman';
import { linkKey, withCrc } from '../hub/installCode.ts';
import { CbkeSession, runCbke } from '../harness/zigbee/cbke/cbke.ts';
import { ecmqvSharedSecret } from '../harness/zigbee/cbke/ecmqv.ts';
import { randomScalar } from '../harness/zigbee/cbke/ecqv.ts';
import { aes128EncryptBlock } from '../harness/zigbee/cbke/mmo.ts';
import { G, multiply, type Point } from '../harness/zigbee/cbke/sect283k1.ts';
import { TestZigbeeCa } from '../harness/zigbee/cbke/testCa.ts';
import { setTrustCentreLinkKey, startHerdsmanHub } from '../harness/zigbee/herdsman.ts';
import { SimulatedAir } from '../harness/zigbee/radio/air.ts';
import { SimulatedHanDevice } from '../harness/zigbee/stack/device.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { memoryLinkPair } from '../boards/memoryLink.ts';
import { decodeMessage } from '../gbcs/message.ts';
import { decodeGbtFrame, GbtReassembler } from '../gbcs/gbt.ts';
import { startZigbeeBearer } from '../harness/zigbee/se/zigbeeBearer.ts';
import type { Transport } from '../harness/transport/transport.ts';

setLogger({ debug: () => undefined, info: () => undefined, warning: () => undefined, error: () => undefined });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)] * 100) / 100;
}

async function timed(n: number, fn: () => void | Promise<void>): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

const figures: Record<string, number> = {};

async function curve(): Promise<void> {
  if (figures.mult !== undefined) return;
  const k = randomScalar();
  await timed(5, () => void multiply(G, k)); // warm-up
  figures.mult = await timed(40, () => void multiply(G, randomScalar()));
  const peer = createECDH('sect283k1');
  peer.generateKeys();
  figures.openssl = await timed(200, () => {
    const e = createECDH('sect283k1');
    e.generateKeys();
    e.computeSecret(peer.getPublicKey());
  });
  const P = (d: bigint) => multiply(G, d) as Point;
  const d1 = randomScalar();
  const d2 = randomScalar();
  const own = { staticPrivate: d1, ephemeralPrivate: d2, ephemeralPublic: P(d2) };
  const q1 = P(randomScalar());
  const q2 = P(randomScalar());
  figures.ecmqv = await timed(20, () => void ecmqvSharedSecret(own, q1, q2));
  const ca = new TestZigbeeCa();
  const hub = ca.enrol(Uint8Array.from(Buffer.from('00db1234567890a2', 'hex')));
  const meter = ca.enrol(Uint8Array.from(Buffer.from('00db1234567890a0', 'hex')));
  figures.cbke = await timed(10, () => {
    const r = runCbke(new CbkeSession('initiator', meter, ca.trust(), hub.eui64), new CbkeSession('responder', hub, ca.trust(), meter.eui64));
    if (!r.ok) throw new Error('bench CBKE failed: ' + r.reason);
  });
}

async function network(): Promise<void> {
  if (figures.start !== undefined) return;
  const starts: number[] = [];
  const joins: number[] = [];
  const sleepy: number[] = [];
  const code = withCrc(Uint8Array.from(Buffer.from('83FED3407A939723A5C639B26916D505', 'hex')));
  const key = linkKey(aes128EncryptBlock, { ok: true, code: code.subarray(0, 16), crc: code[16] | (code[17] << 8) });
  for (let round = 0; round < 3; round++) {
    const dir = mkdtempSync(join(tmpdir(), 'smets-zigbee-bench-'));
    const air = new SimulatedAir();
    const hub = await startHerdsmanHub({ air, dir, hubEui: '00db1234567890a2', panId: 0x1a62, channel: 11, networkKey: new Uint8Array(16).fill(round + 1) });
    starts.push(hub.startMs);
    await hub.controller.permitJoin(60);
    await setTrustCentreLinkKey(hub, key);
    for (let i = 0; i < 3; i++) {
      const eui = 0x00db123456780000n + BigInt(round * 16 + i);
      const r = await new SimulatedHanDevice(air, eui, key).join({ extendedPanId: 0x00db1234567890a2n });
      if (r.ok) joins.push(r.ms);
      const s = await new SimulatedHanDevice(air, eui + 8n, key, { sleepy: true, pollMs: 50 }).join({ extendedPanId: 0x00db1234567890a2n });
      if (s.ok) sleepy.push(s.ms);
    }
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  figures.start = median(starts);
  figures.join = joins.length ? median(joins) : NaN;
  figures.sleepy = sleepy.length ? median(sleepy) : NaN;
}

const RTDS = join(import.meta.dirname, '..', '..', 'shared', 'vectors', 'rtds', 'RTDS-4.5.0');

/** RTDS commands nearest to `sizes` bytes (real GBCS messages: the tunnel's GBT needs their headers). */
function rtdsMessages(sizes: number[]): Uint8Array[] {
  const all: Uint8Array[] = [];
  for (const d of readdirSync(RTDS)) {
    for (const f of readdirSync(join(RTDS, d))) {
      if (!f.endsWith('_COMMAND_GBCS.HEX')) continue;
      const b = Uint8Array.from(Buffer.from(readFileSync(join(RTDS, d, f), 'utf8').trim(), 'hex'));
      if (decodeMessage(b).ok) all.push(b);
    }
  }
  return sizes.map((n) => all.reduce((best, m) => (Math.abs(m.length - n) < Math.abs(best.length - n) ? m : best)));
}

const DEVICES = 6;
/** the RTDS message sizes the round trips used (bytes) */
let sizes: number[] = [];

async function overTheAir(): Promise<void> {
  if (figures.otaJoin !== undefined) return;
  const dir = mkdtempSync(join(tmpdir(), 'smets-zigbee-bench-se-'));
  const links = Array.from({ length: DEVICES }, (_, i) => ({ eui: '00db1234567891' + (i + 16).toString(16), pair: memoryLinkPair() }));
  // each device end echoes the message it gets, GBT blocks reassembled as the device runtime does (the
  // round trip measures the bearer, not a device's pipeline)
  for (const l of links) {
    let gbt: GbtReassembler | undefined;
    l.pair.device.onFrame((f) => {
      const block = decodeGbtFrame(f);
      if (!block.ok) return l.pair.device.send(f);
      if (!gbt || block.blockNumber === 1) gbt = new GbtReassembler({ maxBlockSize: 1024 });
      const r = gbt.accept(block);
      if (r.ok && r.complete) l.pair.device.send(r.apdu);
    });
  }
  const b = await startZigbeeBearer({ dir, hubEui: '00db1234567890a2', devices: links.map((l) => ({ eui: l.eui, host: l.pair.host })), progress: () => undefined });
  if (!b.ok) throw new Error('bench: ' + b.reason);
  const rows = b.bearer.report().devices;
  figures.otaJoin = median(rows.map((r) => r.joinMs));
  figures.otaCbke = median(rows.map((r) => r.cbkeMs));
  figures.devices = rows.length;
  const [small, dead, large] = rtdsMessages([60, 90, 400]);
  sizes = [small.length, dead.length, large.length];
  const transports: Transport[] = links.map((l) => b.bearer.transport(l.eui));
  const waiting: ((f: Uint8Array) => void)[] = [];
  for (const t of transports) t.onFrame((f) => waiting.shift()?.(f));
  const roundTrip = (t: Transport, m: Uint8Array) => timed(15, async () => {
    const back = new Promise<Uint8Array>((resolve) => waiting.push(resolve));
    await t.send(m);
    const f = await back;
    if (f.length !== m.length) throw new Error('bench: echo of ' + m.length + ' came back as ' + f.length);
  });
  figures.rtSmall = await roundTrip(transports[0], small);
  figures.rtDead = await roundTrip(transports[1], dead);
  figures.rtLarge = await roundTrip(transports[2], large);
  await b.bearer.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** Meters per herdsman hub in the devices-per-hub figures. */
const HUB_SIZES = [1, 4, 8, 16];
const perHub: Record<number, { commissioned: number; answered: number; perDeviceMs: number; roundTripMs: number; inProcessUs: number; failure?: string }> = {};

/**
 * N simulated meters on one herdsman hub: each commissioned in turn (CCS01 with its install code, join,
 * CBKE suite 2, tunnel); the time per device is the whole set-up over N. Then one GBCS round trip
 * (an RTDS command of about 60 bytes, echoed by the device end) through each meter's tunnel, and the
 * same echo through an in-process memory link (what the in-process lab has instead of ZigBee).
 */
async function devicesPerHub(n: number): Promise<void> {
  if (perHub[n]) return;
  const dir = mkdtempSync(join(tmpdir(), 'smets-zigbee-bench-hub-'));
  const links = Array.from({ length: n }, (_, i) => ({ eui: '00db12345678' + (0x9000 + i).toString(16), pair: memoryLinkPair() }));
  for (const l of links) l.pair.device.onFrame((f) => l.pair.device.send(f));
  const t0 = performance.now();
  const b = await startZigbeeBearer({ dir, hubEui: '00db1234567890a2', devices: links.map((l) => ({ eui: l.eui, host: l.pair.host })), progress: () => undefined });
  const setupMs = performance.now() - t0;
  if (!b.ok) {
    perHub[n] = { commissioned: 0, answered: 0, perDeviceMs: NaN, roundTripMs: NaN, inProcessUs: NaN, failure: b.reason };
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  const [small] = rtdsMessages([60]);
  const trips: number[] = [];
  let answered = 0;
  for (const l of links) {
    const t = b.bearer.transport(l.eui);
    const back = new Promise<Uint8Array | undefined>((resolve) => {
      t.onFrame((f) => resolve(f));
      setTimeout(() => resolve(undefined), 5000);
    });
    const s0 = performance.now();
    await t.send(small);
    const f = await back;
    if (f && f.length === small.length) {
      answered++;
      trips.push(performance.now() - s0);
    }
  }
  const commissioned = b.bearer.report().devices.length;
  await b.bearer.stop();
  rmSync(dir, { recursive: true, force: true });
  // the same echo in process: a memory link, no radio
  const local = memoryLinkPair();
  local.device.onFrame((f) => local.device.send(f));
  const waiting: ((f: Uint8Array) => void)[] = [];
  local.host.onFrame((f) => waiting.shift()?.(f));
  const l0 = performance.now();
  for (let i = 0; i < 200; i++) {
    const back = new Promise<Uint8Array>((resolve) => waiting.push(resolve));
    local.host.send(small);
    await back;
  }
  const inProcessUs = Math.round(((performance.now() - l0) / 200) * 1000 * 10) / 10;
  perHub[n] = { commissioned, answered, perDeviceMs: Math.round(setupMs / n), roundTripMs: trips.length ? median(trips) : NaN, inProcessUs };
}

const hubFigures = HUB_SIZES.flatMap((n) => [
  { name: 'zigbee: devices per hub, ' + n + (n === 1 ? ' meter: ' : ' meters: ') + 'commissioned and answering a GBCS round trip', unit: 'of ' + n, run: async () => (await devicesPerHub(n), Math.min(perHub[n].commissioned, perHub[n].answered)) },
  { name: 'zigbee: devices per hub, ' + n + (n === 1 ? ' meter: ' : ' meters: ') + 'time per device (CCS01 with 2 permit-join calls, join, CBKE, tunnel)', unit: 'ms', run: async () => (await devicesPerHub(n), perHub[n].perDeviceMs) },
  { name: 'zigbee: devices per hub, ' + n + (n === 1 ? ' meter: ' : ' meters: ') + 'GBCS round trip through each tunnel (median)', unit: 'ms', run: async () => (await devicesPerHub(n), perHub[n].roundTripMs) },
  { name: 'zigbee: devices per hub, ' + n + (n === 1 ? ' meter: ' : ' meters: ') + 'the same round trip in process (memory link, no radio)', unit: 'µs', run: async () => (await devicesPerHub(n), perHub[n].inProcessUs) },
]);

export const nodeBenches = [
  { name: 'zigbee: sect283k1 scalar multiplication (ours)', unit: 'ms', run: async () => (await curve(), figures.mult) },
  { name: 'zigbee: sect283k1 ECDH, OpenSSL (keygen + secret)', unit: 'ms', run: async () => (await curve(), figures.openssl) },
  { name: 'zigbee: ECMQV shared secret, one side', unit: 'ms', run: async () => (await curve(), figures.ecmqv) },
  { name: 'zigbee: CBKE suite 2, both sides in process', unit: 'ms', run: async () => (await curve(), figures.cbke) },
  { name: 'zigbee: herdsman Controller start on the emulated RCP', unit: 'ms', run: async () => (await network(), figures.start) },
  { name: 'zigbee: meter join (scan 100 ms, association, transport key)', unit: 'ms', run: async () => (await network(), figures.join) },
  { name: 'zigbee: sleepy GSME join (50 ms polls)', unit: 'ms', run: async () => (await network(), figures.sleepy) },
  { name: 'zigbee: meter join on the SE hub (scan, association, transport key), per device', unit: 'ms', run: async () => (await overTheAir(), figures.otaJoin) },
  { name: 'zigbee: CBKE suite 2 over the air (meter <-> herdsman hub), per device', unit: 'ms', run: async () => (await overTheAir(), figures.otaCbke) },
  { name: 'zigbee: devices commissioned on one hub in this run (CCS01, join, CBKE, tunnel; all that were tried)', unit: 'devices', run: async () => (await overTheAir(), figures.devices) },
  { name: 'zigbee: GBCS round trip through the SE tunnel, small message (one frame)', unit: 'ms', run: async () => (await overTheAir(), figures.rtSmall) },
  { name: 'zigbee: GBCS round trip through the SE tunnel, 74..100-byte frame (one GBT block)', unit: 'ms', run: async () => (await overTheAir(), figures.rtDead) },
  { name: 'zigbee: GBCS round trip through the SE tunnel, large message (GBT blocks)', unit: 'ms', run: async () => (await overTheAir(), figures.rtLarge) },
  ...hubFigures,
];

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const b of nodeBenches) console.log(`bench: ${b.name} = ${await b.run()} ${b.unit}`);
  console.log('bench: RTDS message sizes in the round trips: ' + sizes.join(', ') + ' bytes');
  for (const n of HUB_SIZES) if (perHub[n]?.failure) console.log('bench: devices per hub, ' + n + ' meters failed: ' + perHub[n].failure);
}
