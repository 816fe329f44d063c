/**
 * A premises: what the factory makes and commissions for one home, behind one interface, so the fleet
 * never knows what is inside. The GB premises is a Communications Hub (CHF + GPF) with an ESME, a GSME
 * and a PPMID/IHD on its HAN; today the factory makes the hub-less ESME the lab makes
 * (harness/lab/factory.ts, reached by the DCC player over the in-process transport), and that is the
 * one `PremisesKind` here (`esmePremises`). When the hub lands, a `hubPremises` implements the same
 * three steps — key pairs and certificate requests for each device on its board, installation with the
 * certificates the SMKI issued, and power-on from stored state with the DCC side wired through the hub —
 * and the fleet, its scenario, its store and its report take it unchanged.
 *
 * A premises at rest is plain data (`PremisesState`): each device's storage medium (what its flash
 * holds), the device certificates' public keys the DCC knows, and what the DCC remembers of it
 * (originator counters, supply state, last alert counter: dccPlayer.ts `DccMemory`). Opening one boots
 * its devices from that state; closing it takes the state back. Nothing else survives between phases,
 * so a shard can be retaken by any worker from the store.
 * @module
 */
import { nodeBoard } from '../../boards/node/index.ts';
import { nodeCrypto } from '../../boards/node/nodeCrypto.ts';
import { memoryMedium } from '../../boards/journaledStorage.ts';
import { memoryLinkPair } from '../../boards/memoryLink.ts';
import type { BoardCrypto } from '../../boards/board.ts';
import { fromHex, toHex } from '../../lib/bytes.ts';
import { boot, generatePrivateKey, manufactureDevice } from '../../device/index.ts';
import { buildDeviceCsr } from '../smki/csr.ts';
import { initialAnchors, keyObject } from '../lab/factory.ts';
import { DccPlayer } from '../dcc/dccPlayer.ts';
import type { DccMemory } from '../dcc/dccPlayer.ts';
import type { Party, User } from '../dcc/users.ts';
import { inProcessTransport } from '../transport/inProcess.ts';
import type { SuspensionRegister } from '../dcc/suspension.ts';
import type { CertifiedProductsList } from '../cpl/certifiedProductsList.ts';
import type { OpenWorld } from './world.ts';

/** One device of a premises at rest. */
export interface DeviceState {
  eui: string;
  deviceType: 'ESME';
  /** The board's storage medium (the device's flash), every blob packed in one buffer (`packMedium`). */
  medium: Uint8Array;
  dsPublic: Uint8Array;
  kaPublic: Uint8Array;
}

/** A premises at rest: its devices and what the DCC remembers of them. */
export interface PremisesState {
  devices: DeviceState[];
  dcc: DccMemory;
}

/** A certificate request the factory sends to the SMKI (batched with the rest of its shard's). */
export interface CertificateRequest {
  deviceType: string;
  csr: Uint8Array;
}

/** Made but not yet installed: the scalars stay on their boards' side until the certificates come back. */
export interface PreparedPremises {
  eui: string;
  requests: CertificateRequest[];
  /** Private: what `install` needs. */
  keys: Array<{ scalar: Uint8Array; publicKey: Uint8Array }>;
}

/** A premises powered on, with the DCC side connected. */
export interface LivePremises {
  /** The DCC player for the premises' meter (the ESME). */
  dcc: DccPlayer;
  /** Wakes the devices (their RTC tick): future-dated actions fall due. */
  tick(): void;
  /** The state to store; the premises is closed. */
  close(): PremisesState;
}

export interface OpenOptions {
  nowMs: () => number;
  users: User[];
  parties: Record<string, Party>;
  suspension?: SuspensionRegister;
  /** The DCC's CPL replica for this job (world.ts `cplAt`). */
  cpl: CertifiedProductsList;
  /** Crypto for the devices' boards and the DCC side (a counting wrapper in the bench); default fresh OpenSSL per premises. */
  crypto?: () => BoardCrypto;
}

export interface PremisesKind {
  name: string;
  /** Device types of one premises, for people. */
  devices: string[];
  prepare(world: OpenWorld, eui: string, crypto?: BoardCrypto): PreparedPremises;
  install(world: OpenWorld, prepared: PreparedPremises, certificates: Uint8Array[], crypto?: BoardCrypto): { ok: true; state: PremisesState } | { ok: false; reason: string };
  open(world: OpenWorld, state: PremisesState, o: OpenOptions): LivePremises;
}

/**
 * A medium's blobs in one buffer: per blob, its name's length (1 byte), the name (Latin-1), the length
 * (4 bytes, big-endian) and the bytes. One buffer per device rather than one per blob: at rest a premises
 * then costs about its bytes (some 25 small typed arrays cost several KiB of object headers more).
 */
export function packMedium(blobs: Record<string, Uint8Array>): Uint8Array {
  const names = Object.keys(blobs).sort();
  let n = 0;
  for (const k of names) n += 1 + k.length + 4 + blobs[k].length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const k of names) {
    out[at++] = k.length;
    for (let i = 0; i < k.length; i++) out[at++] = k.charCodeAt(i);
    const b = blobs[k];
    out[at++] = (b.length >>> 24) & 0xff;
    out[at++] = (b.length >>> 16) & 0xff;
    out[at++] = (b.length >>> 8) & 0xff;
    out[at++] = b.length & 0xff;
    out.set(b, at);
    at += b.length;
  }
  return out;
}

export function unpackMedium(packed: Uint8Array): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  let at = 0;
  while (at < packed.length) {
    const nameLength = packed[at++];
    const name = String.fromCharCode(...packed.subarray(at, at + nameLength));
    at += nameLength;
    const length = ((packed[at] << 24) | (packed[at + 1] << 16) | (packed[at + 2] << 8) | packed[at + 3]) >>> 0;
    at += 4;
    if (at + length > packed.length) throw new Error('unpackMedium: truncated at blob ' + name);
    out[name] = packed.subarray(at, at + length);
    at += length;
  }
  return out;
}

/** The manufacturer's image-slot capacity on each simulated ESME. */
const SLOT_CAPACITY = 512 * 1024;

function board(medium: ReturnType<typeof memoryMedium>, crypto: BoardCrypto | undefined, link = memoryLinkPair().device, nowMs: () => number = Date.now) {
  const b = nodeBoard({ medium, link, log: () => undefined, clock: { nowSec: () => Math.floor(nowMs() / 1000) } });
  return crypto ? { ...b, crypto } : b;
}

/** Today's premises: one ESME, no hub (see the module header). */
export const esmePremises: PremisesKind = {
  name: 'esme',
  devices: ['ESME'],
  prepare(_world, eui, crypto) {
    const b = board(memoryMedium(), crypto);
    const keys: PreparedPremises['keys'] = [];
    const requests: CertificateRequest[] = [];
    for (const use of ['digitalSignature', 'keyAgreement'] as const) {
      const scalar = generatePrivateKey(b);
      if (!scalar) throw new Error('premises: no key pair for ' + eui + ': the board\'s random source state does not fit its medium (storage-full)');
      const publicKey = b.crypto.p256PublicKey(scalar);
      keys.push({ scalar, publicKey });
      requests.push({ deviceType: 'ESME', csr: new Uint8Array(buildDeviceCsr(eui, use, keyObject(scalar, publicKey))) });
    }
    return { eui, requests, keys };
  },
  install(world, prepared, certificates, crypto) {
    const medium = memoryMedium();
    const b = board(medium, crypto);
    const a = world.parties;
    const made = manufactureDevice(b, {
      eui: fromHex(prepared.eui)!, environment: 'test', dsPrivate: prepared.keys[0].scalar, kaPrivate: prepared.keys[1].scalar,
      dsCertificate: certificates[0], kaCertificate: certificates[1],
      anchors: initialAnchors({ recovery: a.recovery, acb: a.acb, wanProvider: a.wanProvider, transCoS: a.transCoS, networkOperator: a.networkOperator }, world.rootCertificate),
      firmware: { manufacturerKey: world.manufacturerPublic, capacity: SLOT_CAPACITY },
    });
    if (!made.ok) return { ok: false, reason: made.reason + (made.cell ? ' (' + made.cell + ')' : '') };
    return {
      ok: true,
      state: { devices: [{ eui: prepared.eui, deviceType: 'ESME', medium: packMedium(medium.snapshot()), dsPublic: prepared.keys[0].publicKey, kaPublic: prepared.keys[1].publicKey }], dcc: { counters: {}, supply: 'unknown' } },
    };
  },
  open(world, state, o) {
    const d = state.devices[0];
    const medium = memoryMedium();
    const blobs = unpackMedium(d.medium);
    for (const name of Object.keys(blobs)) medium.put(name, blobs[name]);
    const link = memoryLinkPair();
    const crypto = o.crypto ? o.crypto() : nodeCrypto();
    const booted = boot(board(medium, crypto, link.device, o.nowMs));
    if (!booted.manufactured) throw new Error('esmePremises.open: the stored state of ' + d.eui + ' is not a manufactured device');
    const dcc = new DccPlayer({
      crypto, transport: inProcessTransport(link.host), acb: o.parties.acb, users: o.users, parties: o.parties, issuingOca: world.issuingOca,
      device: { eui: d.eui, euiBytes: fromHex(d.eui)!, deviceType: 'ESME', dsPublic: d.dsPublic, kaPublic: d.kaPublic },
      nowUnix: () => Math.floor(o.nowMs() / 1000), cpl: o.cpl, deviceModel: world.spec.deviceModel, suspension: o.suspension, memory: state.dcc,
    });
    return {
      dcc,
      tick: () => booted.device.tick(),
      close: () => ({ devices: [{ ...d, medium: packMedium(medium.snapshot()) }], dcc: dcc.memory() }),
    };
  },
};

/** The premises kinds `--premises-kind` offers (the hub's joins this list when it lands). */
export const PREMISES_KINDS: Record<string, PremisesKind> = { esme: esmePremises };

/** Stored form of a premises (JSON: NATS KV values, the report). */
export interface PremisesStateJson {
  devices: Array<{ eui: string; deviceType: 'ESME'; medium: string; dsPublic: string; kaPublic: string }>;
  dcc: DccMemory;
}

export function stateToJson(s: PremisesState): PremisesStateJson {
  return {
    devices: s.devices.map((d) => ({ eui: d.eui, deviceType: d.deviceType, medium: Buffer.from(d.medium).toString('base64'), dsPublic: toHex(d.dsPublic), kaPublic: toHex(d.kaPublic) })),
    dcc: s.dcc,
  };
}

export function stateFromJson(j: PremisesStateJson): PremisesState {
  return {
    devices: j.devices.map((d) => ({ eui: d.eui, deviceType: d.deviceType, medium: new Uint8Array(Buffer.from(d.medium, 'base64')), dsPublic: fromHex(d.dsPublic)!, kaPublic: fromHex(d.kaPublic)! })),
    dcc: j.dcc,
  };
}

/** Bytes a premises holds at rest (its devices' packed media and public keys), for the memory figure. */
export function stateBytes(s: PremisesState): number {
  let n = 0;
  for (const d of s.devices) n += d.dsPublic.length + d.kaPublic.length + d.medium.length;
  return n;
}
