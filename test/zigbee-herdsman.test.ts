/**
 * A real zigbee-herdsman Controller (11.1.1, `zoh` adapter = zigbee-on-host 0.3.0) against our emulated
 * 802.15.4 RCP (harness/zigbee/radio/) over tcp://127.0.0.1: it starts, forms the network with the hub's
 * EUI-64 as coordinator address, opens and closes permit join (the Mgmt_Permit_Joining broadcast reaches
 * the simulated air), and takes an install code, whose link key in zigbee-on-host's trust centre equals
 * hub/installCode.ts's. Also pins a fact the hub must act on: herdsman silently replaces a bad install-code
 * CRC, so the CRC check is ours to make before the Controller sees a code.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Zcl, setLogger, type Controller } from 'zigbee-herdsman';
import { crc16X25, linkKey, parseInstallCode } from '../hub/installCode.ts';
import { aes128EncryptBlock } from '../harness/zigbee/cbke/mmo.ts';
import { SimulatedAir } from '../harness/zigbee/radio/air.ts';
import type { EmulatedRcp } from '../harness/zigbee/radio/rcp.ts';
import { WELL_KNOWN_TC_LINK_KEY, setTrustCentreLinkKey, startHerdsmanHub, type HerdsmanHub } from '../harness/zigbee/herdsman.ts';
import { PROP } from '../harness/zigbee/radio/spinel.ts';
import { SimulatedHanDevice } from '../harness/zigbee/stack/device.ts';

const errors: string[] = [];
setLogger({
  debug: (m, ns) => void (process.env.DBG_ZH && new RegExp(process.env.DBG_ZH).test(ns) && console.log('D', ns, typeof m === 'function' ? m() : m)),
  info: () => undefined,
  warning: () => undefined,
  error: (m, ns) => void errors.push(ns + ': ' + m),
});

const HUB_EUI = '00db1234567890a2';
const METER_EUI = '00db1234567890a0';
const CODE = '83FED3407A939723A5C639B26916D505C3B5'; // HAN-FACTS vector (code || CRC)

const dir = mkdtempSync(join(tmpdir(), 'smets-zigbee-'));
const air = new SimulatedAir();
const NETWORK_KEY = Uint8Array.from({ length: 16 }, (_, i) => (i * 17 + 3) & 0xff);
let hub: HerdsmanHub;
let controller: Controller;
let rcp: EmulatedRcp;
let startMs = 0;

// zigbee-on-host's stack, reached for checks only (not part of herdsman's API)
type ZohContext = {
  getAppLinkKey(a: bigint, b: bigint): Buffer | undefined;
  associationPermit: boolean;
  trustCenterPolicies: { allowJoins: boolean };
  netParams: { eui64: bigint; panId: number; channel: number };
  deviceTable: Map<bigint, { address16: number; authorized: boolean }>;
};
const zoh = () => (controller as unknown as { adapter: { driver: { context: ZohContext } } }).adapter.driver.context;

test.before(async () => {
  hub = await startHerdsmanHub({ air, dir, hubEui: HUB_EUI, panId: 0x1a62, channel: 11, networkKey: NETWORK_KEY });
  controller = hub.controller;
  rcp = hub.rcp;
  startMs = hub.startMs;
  assert.is(hub.result, 'reset', 'a new network is formed');
});

test.after(async () => {
  await hub?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the Controller starts on the emulated RCP and forms the network (coordinator = hub EUI-64, PAN, channel)', async () => {
  console.log('  herdsman Controller start on the emulated RCP: ' + startMs.toFixed(0) + ' ms');
  const params = await controller.getNetworkParameters();
  assert.is(params.panID, 0x1a62);
  assert.is(params.channel, 11);
  assert.is(params.extendedPanID.replace(/^0x/, ''), HUB_EUI);
  const coordinator = controller.getDevicesByType('Coordinator')[0];
  assert.is(coordinator?.ieeeAddr, '0x' + HUB_EUI);
  assert.is(zoh().netParams.eui64, BigInt('0x' + HUB_EUI));
  // what zigbee-on-host asked of the RCP at start and formation
  for (const p of [PROP.PROTOCOL_VERSION, PROP.NCP_VERSION, PROP.INTERFACE_TYPE, PROP.RCP_API_VERSION, PROP.RCP_MIN_HOST_API_VERSION, PROP.PHY_TX_POWER, PROP.PHY_RSSI, PROP.PHY_RX_SENSITIVITY]) {
    assert.ok(rcp.asked.get.has(p), 'GET ' + p);
  }
  for (const p of [PROP.PHY_ENABLED, PROP.PHY_CHAN, PROP.MAC_15_4_LADDR, PROP.MAC_15_4_SADDR, PROP.MAC_15_4_PANID, PROP.MAC_RX_ON_WHEN_IDLE_MODE, PROP.MAC_RAW_STREAM_ENABLED]) {
    assert.ok(rcp.asked.set.has(p), 'SET ' + p);
  }
  assert.is(rcp.channel(), 11);
  assert.is(rcp.stats.badHdlc, 0);
  assert.equal(errors, []);
});

test('permit join opens and closes; the opening goes out on the air', async () => {
  const changes: boolean[] = [];
  controller.on('permitJoinChanged', (e) => changes.push(e.permitted));
  const before = air.stats.frames;
  await controller.permitJoin(60);
  assert.ok(controller.getPermitJoin());
  assert.ok(zoh().associationPermit && zoh().trustCenterPolicies.allowJoins, 'the trust centre lets devices associate');
  const end = controller.getPermitJoinEnd() as number;
  assert.ok(end > Date.now() + 50_000 && end <= Date.now() + 60_000);
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(air.stats.frames > before, 'Mgmt_Permit_Joining_req broadcast on the simulated air');
  await controller.permitJoin(0);
  assert.is(controller.getPermitJoin(), false);
  assert.is(zoh().associationPermit, false);
  assert.equal(changes, [true, false]);
});

test('an install code added through the Controller gives the link key hub/installCode.ts derives', async () => {
  const ic = parseInstallCode(CODE);
  assert.ok(ic.ok);
  if (!ic.ok) return;
  await controller.addInstallCode('Z:' + METER_EUI + '$I:' + CODE);
  const key = zoh().getAppLinkKey(BigInt('0x' + METER_EUI), BigInt('0x' + HUB_EUI));
  assert.ok(key, 'trust centre holds a link key for the meter');
  assert.is(Buffer.from(key as Buffer).toString('hex'), Buffer.from(linkKey(aes128EncryptBlock, ic)).toString('hex'));
  assert.is(Buffer.from(key as Buffer).toString('hex'), '66b6900981e1ee3ca4206b6b861c02bb');
});

test('herdsman replaces a bad install-code CRC instead of refusing it: the hub must refuse it first', async () => {
  const bad = CODE.slice(0, -4) + 'C3B6';
  assert.equal(parseInstallCode(bad), { ok: false, reason: 'install-code-crc' });
  const eui = '00db1234567890a4';
  await controller.addInstallCode('Z:' + eui + '$I:' + bad); // no error
  const key = zoh().getAppLinkKey(BigInt('0x' + eui), BigInt('0x' + HUB_EUI));
  assert.is(Buffer.from(key as Buffer).toString('hex'), '66b6900981e1ee3ca4206b6b861c02bb', 'the key of the corrected code');
});

const ESME = BigInt('0x' + METER_EUI);
/** a promise, or a failure naming what did not happen within ms (no test waits forever) */
const within = <T>(p: Promise<T> | undefined, ms: number, what: string): Promise<T | undefined> =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(what + ': nothing within ' + ms + ' ms')), ms))]);
let announced: SimulatedHanDevice | undefined;
const icKey = (code: string) => {
  const ic = parseInstallCode(code);
  if (!ic.ok) throw new Error('test install code: ' + ic.reason);
  return linkKey(aes128EncryptBlock, ic);
};

test('permit join closed: a simulated device sees the hub\'s beacon without association permit and does not join', async () => {
  const dev = new SimulatedHanDevice(air, 0x00db1234567890a6n, icKey(CODE));
  const r = await dev.join({ extendedPanId: BigInt('0x' + HUB_EUI) });
  assert.equal(r, { ok: false, reason: 'association-not-permitted' });
  const other = await dev.join({ extendedPanId: 0x1122334455667788n });
  assert.equal(other, { ok: false, reason: 'no-beacon' }, 'another Extended PAN ID is not ours');
});

test('zigbee-on-host 0.3.0 sends the transport key under the well-known TC link key, not the install-code key', async () => {
  await controller.permitJoin(60);
  // the meter knows only its install-code key: the transport key comes, but does not open
  const meter = new SimulatedHanDevice(air, ESME, icKey(CODE));
  const r = await meter.join({ extendedPanId: BigInt('0x' + HUB_EUI), transportKeyWaitMs: 1000 });
  assert.equal(r, { ok: false, reason: 'transport-key-mic' });
  // a device holding ZigBeeAlliance09 opens it: our MAC/NWK/APS codecs and CCM* agree with zigbee-on-host's
  const legacy = new SimulatedHanDevice(air, 0x00db1234567890b1n, WELL_KNOWN_TC_LINK_KEY);
  const l = await legacy.join({ extendedPanId: BigInt('0x' + HUB_EUI) });
  assert.ok(l.ok, JSON.stringify(l));
  if (!l.ok) return;
  assert.is(Buffer.from(l.networkKey).toString('hex'), Buffer.from(NETWORK_KEY).toString('hex'));
  assert.equal(legacy.dropped, {}, 'no frame on the air failed our MAC/NWK/APS checks');
});

test('with the trust-centre key set to the install-code key (workaround), the meter joins with its install code', async () => {
  const eui = 0x00db1234567890a3n;
  await controller.addInstallCode('Z:00db1234567890a3$I:' + CODE);
  await setTrustCentreLinkKey(hub, icKey(CODE));
  const dev = new SimulatedHanDevice(air, eui, icKey(CODE));
  const r = await dev.join({ extendedPanId: BigInt('0x' + HUB_EUI) });
  assert.ok(r.ok, JSON.stringify(r));
  if (!r.ok) return;
  announced = dev;
  console.log('  simulated meter: association + transport key in ' + r.ms.toFixed(0) + ' ms');
  assert.is(Buffer.from(r.networkKey).toString('hex'), Buffer.from(NETWORK_KEY).toString('hex'));
  assert.is(r.trustCentre, BigInt('0x' + HUB_EUI));
  assert.is(r.pan, 0x1a62);
  assert.is(zoh().deviceTable.get(eui)?.address16, r.short, 'the trust centre lists the meter at the address it gave');
  assert.equal(dev.dropped, {});
  // Device_annce, NWK-secured by us: herdsman reports the join and interviews the meter (NWK-secured by zoh);
  // the meter answers the node, active-endpoint and simple descriptor requests
  const joined = new Promise<string>((resolve) => controller.once('deviceJoined', (e) => resolve(e.device.ieeeAddr)));
  const interviewed = new Promise<string>((resolve) => controller.on('deviceInterview', (e) => {
    if (e.device.ieeeAddr === '0x00db1234567890a3' && e.status !== 'started') resolve(e.status);
  }));
  const t0 = performance.now();
  await dev.announce();
  assert.is(await within(joined, 3000, 'deviceJoined'), '0x00db1234567890a3');
  assert.is(await within(interviewed, 10000, 'deviceInterview'), 'successful');
  console.log('  herdsman interview of the meter: ' + (performance.now() - t0).toFixed(0) + ' ms');
  const ep = controller.getDeviceByIeeeAddr('0x00db1234567890a3')?.getEndpoint(1);
  assert.is(ep?.profileID, 0x0109);
  assert.equal(ep?.inputClusters, [0x0702, 0x0704, 0x0800]);
  assert.is(controller.getDeviceByIeeeAddr('0x00db1234567890a3')?.type, 'EndDevice');
  assert.equal(dev.dropped, {});
  // a device with another code still gets nothing it can open
  const wrong = '000102030405060708090A0B0C0D0E0F';
  const crc = crc16X25(Buffer.from(wrong, 'hex'));
  const wrongCode = wrong + (crc & 0xff).toString(16).padStart(2, '0') + (crc >> 8).toString(16).padStart(2, '0');
  const intruder = new SimulatedHanDevice(air, 0x00db1234567890a5n, icKey(wrongCode));
  const i = await intruder.join({ extendedPanId: BigInt('0x' + HUB_EUI), transportKeyWaitMs: 1000 });
  assert.equal(i, { ok: false, reason: 'transport-key-mic' });
  assert.is(intruder.dropped['transport-key-mic'], 1);
  await setTrustCentreLinkKey(hub, WELL_KNOWN_TC_LINK_KEY);
  await controller.permitJoin(0);
});

test('a 200-byte ZCL payload from the hub reaches the meter in APS fragments, each acknowledged, and is reassembled', async () => {
  const dev = announced;
  assert.ok(dev, 'the meter from the install-code test');
  if (!dev) return;
  const BUFFER = Zcl.BuffaloZclDataType.BUFFER;
  const cluster = { testBulk: { ID: 0xfc10, name: 'testBulk', attributes: {}, commands: { bulk: { ID: 0, name: 'bulk', parameters: [{ name: 'data', type: BUFFER }] } }, commandsResponse: {} } };
  const data = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 7 + 1) & 0xff));
  const got = dev.receive((m) => m.cluster === 0xfc10, 5000);
  await controller.sendRaw({
    ieeeAddress: '0x00db1234567890a3', networkAddress: zoh().deviceTable.get(0x00db1234567890a3n)?.address16, dstEndpoint: 1, srcEndpoint: 1,
    profileId: 0x0109, clusterKey: 'testBulk', disableResponse: true,
    zcl: { frameType: Zcl.FrameType.SPECIFIC, direction: Zcl.Direction.CLIENT_TO_SERVER, disableDefaultResponse: true, tsn: 9, commandKey: 'bulk', payload: { data } },
  } as Parameters<Controller['sendRaw']>[0], cluster as never);
  const m = await got;
  assert.ok(m, 'reassembled');
  assert.is(m?.profile, 0x0109);
  assert.is(Buffer.from(m?.payload ?? []).subarray(3).toString('hex'), data.toString('hex'), 'ZCL header (3 bytes) then the 200 bytes');
  // herdsman 11.1.1 builds ZCL frames in a 250-byte buffer and silently cuts longer ones (GBCS messages can be longer)
  const long = Zcl.Frame.create(Zcl.FrameType.SPECIFIC, Zcl.Direction.CLIENT_TO_SERVER, true, undefined, 5, 'bulk', 'testBulk', { data: Buffer.alloc(300) }, cluster as never);
  assert.is(long.toBuffer().length, 250);
});

test('the meter fragments what does not fit one frame; zigbee-on-host reassembles only its own fragment form', async () => {
  const dev = announced;
  assert.ok(dev, 'the meter from the install-code test');
  if (!dev) return;
  const messages: { cluster: unknown; type: string; data: Buffer }[] = [];
  const listener = (m: { cluster: unknown; type: string; data: unknown }) => void messages.push({ cluster: m.cluster, type: m.type, data: m.data as Buffer });
  controller.on('message', listener as never);
  try {
    // a CBKE suite-2 Initiate: ZCL header + suite, times, 74-byte certificate = 81 bytes, too long for one secured frame
    const zcl = Uint8Array.from([0x11, 0x42, 0x00, 0x02, 0x00, 10, 10, ...Array.from({ length: 74 }, (_, i) => i)]);
    const send = (form: 'spec' | 'zigbee-on-host') =>
      dev.sendAps({ dst16: 0, profile: 0x0109, cluster: 0x0800, srcEndpoint: 1, dstEndpoint: 1, payload: zcl }, { fragmentForm: form });
    const spec = await send('spec');
    assert.equal(spec, { acked: true, fragments: 2 }, 'every block acknowledged by zigbee-on-host');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(messages.filter((m) => m.cluster === 0x0800), [], 'the spec form never completes there');
    const zohForm = await send('zigbee-on-host');
    assert.equal(zohForm, { acked: true, fragments: 2 });
    await new Promise((r) => setTimeout(r, 300));
    const got = messages.filter((m) => m.cluster === 0x0800);
    assert.is(got.length, 1);
    assert.is(got[0].type, 'raw', 'herdsman has no Key Establishment cluster: the frame comes raw');
    assert.is(Buffer.from(got[0].data).toString('hex'), Buffer.from(zcl).toString('hex'));
  } finally {
    controller.off('message', listener as never);
  }
});

test('on a lossy air (30% of frames and ACKs), no APS frame from the hub reaches the meter twice; herdsman\'s own resends are new APS frames', async () => {
  const dev = announced;
  assert.ok(dev, 'the meter from the install-code test');
  if (!dev) return;
  let seed = 7;
  const lcg = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const BUFFER = Zcl.BuffaloZclDataType.BUFFER;
  const cluster = { testSmall: { ID: 0xfc11, name: 'testSmall', attributes: {}, commands: { small: { ID: 0, name: 'small', parameters: [{ name: 'data', type: BUFFER }] } }, commandsResponse: {} } };
  const before = { ...air.stats };
  const duplicatesBefore = dev.dropped['aps-duplicate'] ?? 0;
  air.setLoss(0.3, lcg);
  const sent: number[] = [];
  for (let tsn = 100; tsn < 112; tsn++) {
    try {
      await controller.sendRaw({
        ieeeAddress: '0x00db1234567890a3', networkAddress: zoh().deviceTable.get(0x00db1234567890a3n)?.address16, dstEndpoint: 1, srcEndpoint: 1,
        profileId: 0x0109, clusterKey: 'testSmall', disableResponse: true,
        zcl: { frameType: Zcl.FrameType.SPECIFIC, direction: Zcl.Direction.CLIENT_TO_SERVER, disableDefaultResponse: true, tsn, commandKey: 'small', payload: { data: Buffer.of(tsn) } },
      } as Parameters<Controller['sendRaw']>[0], cluster as never);
      sent.push(tsn);
    } catch {
      // a frame the radio gave up on (NO_ACK after its retries): the sender knows, nothing arrived twice
    }
  }
  await new Promise((r) => setTimeout(r, 1500)); // zigbee-on-host's APS retries
  air.setLoss(0);
  const got = dev.inbox.filter((m) => m.cluster === 0xfc11);
  const tsns = got.map((m) => m.payload[1]);
  const frames = got.map((m) => m.src16 + ':' + m.apsCounter);
  const lost = air.stats.lost - before.lost;
  const acksLost = air.stats.acksLost - before.acksLost;
  const duplicates = (dev.dropped['aps-duplicate'] ?? 0) - duplicatesBefore;
  const resent = tsns.length - new Set(tsns).size;
  console.log('  lossy air, 12 frames: ' + sent.length + ' sent, ' + new Set(tsns).size + ' delivered, ' + lost + ' lost (' + acksLost + ' ACKs), ' +
    (air.stats.retries - before.retries) + ' radio retries, ' + duplicates + ' APS duplicates rejected, ' + resent + ' resent by herdsman as new APS frames');
  assert.is(frames.length, new Set(frames).size, 'no APS frame delivered twice');
  assert.ok(new Set(tsns).size >= sent.length - 2, 'what was sent arrived (or its loss was reported)');
  assert.ok(lost > 0);
});

test('on a lossy air (30%), 12 ZCL frames from the meter with APS ACKs: each reaches herdsman once, the lost ones resent', async () => {
  const dev = announced;
  assert.ok(dev?.joined);
  if (!dev) return;
  let seed = 11;
  const lcg = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const got: number[] = [];
  const listener = (m: { cluster: unknown; data: unknown }) => {
    if (m.cluster === 0xfc12) got.push((m.data as Buffer)[3]);
  };
  controller.on('message', listener as never);
  const before = { ...air.stats };
  const retriesBefore = dev.stats.apsRetries;
  air.setLoss(0.3, lcg);
  const results: boolean[] = [];
  try {
    for (let i = 0; i < 12; i++) {
      // ZCL: cluster-specific, client to server, no default response; TSN; command 0; one byte
      const r = await dev.sendAps({ dst16: 0, profile: 0x0109, cluster: 0xfc12, srcEndpoint: 1, dstEndpoint: 1, payload: Uint8Array.of(0x11, 0x60 + i, 0x00, i) }, { apsAck: true });
      results.push(r.acked);
    }
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    air.setLoss(0);
    controller.off('message', listener as never);
  }
  const apsRetries = dev.stats.apsRetries - retriesBefore;
  console.log('  lossy air, 12 frames up: ' + results.filter(Boolean).length + ' APS-acknowledged, ' + new Set(got).size + ' delivered, ' +
    (air.stats.lost - before.lost) + ' lost, ' + (air.stats.retries - before.retries) + ' radio retries, ' + apsRetries + ' APS resends');
  assert.is(got.length, new Set(got).size, 'no frame delivered twice: ' + JSON.stringify(got));
  for (let i = 0; i < 12; i++) if (results[i]) assert.ok(got.includes(i), 'acknowledged frame ' + i + ' was delivered');
  assert.ok(results.filter(Boolean).length >= 10);
});

test('a sleepy GSME joins by polling: its key waits at the trust centre as an indirect frame until a Data Request', async () => {
  await controller.permitJoin(60);
  const gsme = 0x00db1234567890a1n;
  await controller.addInstallCode('Z:00db1234567890a1$I:' + CODE);
  await setTrustCentreLinkKey(hub, icKey(CODE));
  const dev = new SimulatedHanDevice(air, gsme, icKey(CODE), { sleepy: true, pollMs: 50 });
  const r = await dev.join({ extendedPanId: BigInt('0x' + HUB_EUI), transportKeyWaitMs: 3000 });
  assert.ok(r.ok, JSON.stringify(r));
  if (!r.ok) return;
  console.log('  sleepy GSME: joined in ' + r.ms.toFixed(0) + ' ms after ' + dev.stats.polls + ' poll(s)');
  assert.ok(dev.stats.polls >= 1, 'the key came in answer to a poll');
  assert.is(Buffer.from(r.networkKey).toString('hex'), Buffer.from(NETWORK_KEY).toString('hex'));
  const entry = zoh().deviceTable.get(gsme) as unknown as { capabilities?: { rxOnWhenIdle: boolean } };
  assert.is(entry?.capabilities?.rxOnWhenIdle, false, 'the trust centre knows it sleeps');
  await setTrustCentreLinkKey(hub, WELL_KNOWN_TC_LINK_KEY);
  await controller.permitJoin(0);
});

test('with 20% of frames and ACKs lost on the air, a meter still joins: radio retries, then join attempts', async () => {
  let seed = 16;
  const lcg = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  await controller.permitJoin(60);
  await controller.addInstallCode('Z:00db1234567890a4$I:' + CODE);
  await setTrustCentreLinkKey(hub, icKey(CODE));
  const before = { ...air.stats };
  air.setLoss(0.2, lcg);
  const dev = new SimulatedHanDevice(air, 0x00db1234567890a4n, icKey(CODE));
  const reasons: string[] = [];
  let r: Awaited<ReturnType<SimulatedHanDevice['join']>> = { ok: false, reason: 'no-beacon' };
  for (let attempt = 0; attempt < 6 && !r.ok; attempt++) {
    r = await dev.join({ extendedPanId: BigInt('0x' + HUB_EUI), transportKeyWaitMs: 1500 });
    if (!r.ok) reasons.push(r.reason);
  }
  air.setLoss(0);
  const lost = air.stats.lost - before.lost;
  const retries = air.stats.retries - before.retries;
  console.log('  lossy air: joined after ' + (reasons.length + 1) + ' attempt(s) [' + reasons.join(', ') + '], ' + lost + ' frames/ACKs lost, ' + retries + ' radio retries');
  assert.ok(r.ok, JSON.stringify(reasons));
  if (r.ok) assert.is(Buffer.from(r.networkKey).toString('hex'), Buffer.from(NETWORK_KEY).toString('hex'));
  assert.ok(lost > 0, 'the air lost something');
  await setTrustCentreLinkKey(hub, WELL_KNOWN_TC_LINK_KEY);
  await controller.permitJoin(0);
});

test('a joined meter rejoins after a power cut (secured NWK rejoin) and keeps its address', async () => {
  const dev = announced;
  assert.ok(dev?.joined);
  if (!dev) return;
  const before = zoh().deviceTable.get(0x00db1234567890a3n)?.address16;
  const r = await dev.rejoin();
  assert.ok(r.ok, JSON.stringify(r));
  if (r.ok) assert.is(r.short, before);
  assert.is(dev.dropped['nwk-mic'], undefined, 'the rejoin response opened with the network key');
});

test('removal (what CCS02 asks): herdsman sends Mgmt_Leave_req, the meter answers, broadcasts its NWK Leave, the trust centre forgets it, and it cannot come back while joining is closed', async () => {
  const dev = announced;
  assert.ok(dev?.joined, 'the meter from the install-code test is on the network');
  if (!dev) return;
  const device = controller.getDeviceByIeeeAddr('0x00db1234567890a3');
  assert.ok(device, 'herdsman knows the meter');
  await within(device?.removeFromNetwork(), 5000, 'removeFromNetwork (Mgmt_Leave_rsp from the meter)');
  // herdsman drops the device from its database at once (and so emits no deviceLeave for the meter's NWK
  // Leave that follows); zigbee-on-host's trust centre forgets it when that Leave arrives
  const t0 = Date.now();
  while (zoh().deviceTable.has(0x00db1234567890a3n) && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 20));
  assert.is(dev.joined, false);
  assert.is(dev.stats.left, 1);
  assert.is(zoh().deviceTable.has(0x00db1234567890a3n), false, 'gone from the trust centre');
  assert.is(controller.getDeviceByIeeeAddr('0x00db1234567890a3'), undefined, 'gone from herdsman');
  assert.equal(await dev.join({ extendedPanId: BigInt('0x' + HUB_EUI) }), { ok: false, reason: 'association-not-permitted' });
  // but a removed device that kept the network key is let back in by a secured rejoin, joining closed
  // (zigbee-on-host 0.3.0 takes unknown secured rejoins): the hub must change the network key on CCS02
  assert.is(controller.getPermitJoin(), false);
  const back = await dev.rejoin({ useForgottenKey: true });
  assert.ok(back.ok, 'zigbee-on-host let it back: ' + JSON.stringify(back));
  assert.ok(zoh().deviceTable.has(0x00db1234567890a3n), 'in the trust centre again');
});

test.run();
