/**
 * ZigBee APS frames (ZigBee spec 05-3474 §2.2.5): frame control (frame type bits 0-1: data, command, ack;
 * delivery mode bits 2-3; ack format 4; security 5; ack request 6; extended header 7), then for data
 * frames destination endpoint (unicast/broadcast) or group, cluster, profile, source endpoint; the APS
 * counter; the extended header (fragmentation bits 0-1 of the extended frame control, block number, and on
 * an ACK the ack bitfield; §2.2.5.1.8); the auxiliary security header when secured (security.ts); the
 * payload. Fragmentation values: 1 = first fragment, 2 = a later one (the spec); zigbee-on-host 0.3.0
 * also sends 3 for its last fragment and numbers its first block 0, where the spec has the first
 * fragment's block number carry the block count: `Reassembly` takes both. And the Transport Key
 * command (§4.4.10.1: command 0x05, key type, key, then per type: network key = sequence, destination
 * and source EUI-64; TC link key = destination and source EUI-64). @module
 */
import { decodeAux, encodeAux, open, seal, type AuxHeader } from './security.ts';

export const APS_FRAME = { DATA: 0, COMMAND: 1, ACK: 2 } as const;
export const APS_DELIVERY = { UNICAST: 0, BROADCAST: 2, GROUP: 3 } as const;
export const APS_CMD = { TRANSPORT_KEY: 0x05, UPDATE_DEVICE: 0x06, REQUEST_KEY: 0x08, SWITCH_KEY: 0x09, VERIFY_KEY: 0x0f, CONFIRM_KEY: 0x10 } as const;
export const KEY_TYPE = { STANDARD_NETWORK: 0x01, APP_LINK: 0x03, TC_LINK: 0x04 } as const;

export interface ApsFrame {
  frameType: number;
  deliveryMode: number;
  ackRequest?: boolean;
  dstEndpoint?: number;
  group?: number;
  cluster?: number;
  profile?: number;
  srcEndpoint?: number;
  counter: number;
  /** extended header: 1 first fragment, 2 later fragment (3: zigbee-on-host's last fragment) */
  fragmentation?: number;
  blockNumber?: number;
  ackBitfield?: number;
  aux?: AuxHeader;
  payload: Uint8Array;
}

export type ApsReason = 'aps-short' | 'aps-mic';

export function encodeApsHeader(f: ApsFrame): { header: Uint8Array; auxAt: number } {
  const ext = f.fragmentation !== undefined && f.fragmentation !== 0;
  const fc = (f.frameType & 3) | ((f.deliveryMode & 3) << 2) | (f.aux ? 0x20 : 0) | (f.ackRequest ? 0x40 : 0) | (ext ? 0x80 : 0);
  const out = [fc];
  if (f.frameType === APS_FRAME.DATA || f.frameType === APS_FRAME.ACK) {
    if (f.deliveryMode === APS_DELIVERY.GROUP) out.push((f.group ?? 0) & 0xff, (f.group ?? 0) >> 8);
    else out.push(f.dstEndpoint ?? 0);
    const c = f.cluster ?? 0;
    const p = f.profile ?? 0;
    out.push(c & 0xff, c >> 8, p & 0xff, p >> 8, f.srcEndpoint ?? 0);
  }
  out.push(f.counter & 0xff);
  if (ext) {
    out.push((f.fragmentation as number) & 3, f.blockNumber ?? 0);
    if (f.frameType === APS_FRAME.ACK) out.push(f.ackBitfield ?? 1);
  }
  const auxAt = out.length;
  if (f.aux) out.push(...encodeAux(f.aux));
  return { header: Uint8Array.from(out), auxAt };
}

export function encodeAps(f: ApsFrame): Uint8Array {
  const h = encodeApsHeader(f).header;
  const out = new Uint8Array(h.length + f.payload.length);
  out.set(h, 0);
  out.set(f.payload, h.length);
  return out;
}

/** Secured APS frame (f.aux with a source, payload plaintext) as sent. */
export function sealAps(f: ApsFrame, key: Uint8Array): Uint8Array {
  if (!f.aux || f.aux.source === undefined) throw new Error('sealAps: a secured APS frame needs aux with a source (extended nonce)');
  const { header, auxAt } = encodeApsHeader(f);
  return encodeAps({ ...f, payload: seal(key, header, auxAt, f.aux.source, f.aux.frameCounter, f.payload) });
}

export function decodeAps(b: Uint8Array): { ok: true; frame: ApsFrame; header: Uint8Array; auxAt: number } | { ok: false; reason: ApsReason } {
  if (b.length < 2) return { ok: false, reason: 'aps-short' };
  const fc = b[0];
  const f: ApsFrame = { frameType: fc & 3, deliveryMode: (fc >> 2) & 3, counter: 0, payload: new Uint8Array(0) };
  if (fc & 0x40) f.ackRequest = true;
  let at = 1;
  if (f.frameType === APS_FRAME.DATA || (f.frameType === APS_FRAME.ACK && !(fc & 0x10))) {
    if (f.deliveryMode === APS_DELIVERY.GROUP) {
      if (b.length < at + 2) return { ok: false, reason: 'aps-short' };
      f.group = b[at] | (b[at + 1] << 8);
      at += 2;
    } else {
      f.dstEndpoint = b[at];
      at += 1;
    }
    if (b.length < at + 5) return { ok: false, reason: 'aps-short' };
    f.cluster = b[at] | (b[at + 1] << 8);
    f.profile = b[at + 2] | (b[at + 3] << 8);
    f.srcEndpoint = b[at + 4];
    at += 5;
  }
  if (b.length < at + 1) return { ok: false, reason: 'aps-short' };
  f.counter = b[at];
  at += 1;
  if (fc & 0x80) {
    if (b.length < at + 1) return { ok: false, reason: 'aps-short' };
    const frag = b[at] & 3;
    at += 1;
    if (frag !== 0) {
      if (b.length < at + 1) return { ok: false, reason: 'aps-short' };
      f.fragmentation = frag;
      f.blockNumber = b[at];
      at += 1;
      if (f.frameType === APS_FRAME.ACK) {
        if (b.length < at + 1) return { ok: false, reason: 'aps-short' };
        f.ackBitfield = b[at];
        at += 1;
      }
    }
  }
  const auxAt = at;
  if (fc & 0x20) {
    const a = decodeAux(b, at);
    if (!a) return { ok: false, reason: 'aps-short' };
    f.aux = a.aux;
    at += a.length;
  }
  f.payload = new Uint8Array(b.subarray(at));
  return { ok: true, frame: f, header: new Uint8Array(b.subarray(0, at)), auxAt };
}

export function openAps(d: { frame: ApsFrame; header: Uint8Array; auxAt: number }, key: Uint8Array): { ok: true; payload: Uint8Array } | { ok: false; reason: 'aps-mic' } {
  const aux = d.frame.aux;
  if (!aux || aux.source === undefined) return { ok: false, reason: 'aps-mic' };
  const p = open(key, d.header, d.auxAt, aux.source, aux.frameCounter, d.frame.payload);
  return p ? { ok: true, payload: p } : { ok: false, reason: 'aps-mic' };
}

/**
 * Reassembles fragmented APS data (ZigBee spec §2.2.8.4.5) per source and APS counter. `add` returns the
 * whole payload once every block is in, else undefined; `expired` drops transmissions older than `ms`.
 */
export class Reassembly {
  private parts: Record<string, { blocks: Uint8Array[]; total?: number; at: number }> = {};

  add(source: number, f: ApsFrame, now = Date.now()): Uint8Array | undefined {
    if (f.fragmentation === undefined || f.fragmentation === 0) return f.payload;
    const key = source + ':' + f.counter;
    // a first fragment starts a new transmission: what an unfinished one with this counter left (the
    // sender gave up, and its 8-bit counter came round again) must not mix into it (found at 20 % loss)
    if (f.fragmentation === 1) delete this.parts[key];
    const p = (this.parts[key] ??= { blocks: [], at: now });
    const n = f.blockNumber ?? 0;
    if (f.fragmentation === 1) {
      p.blocks[0] = f.payload;
      if (n > 1) p.total = n; // the spec: the first fragment carries the block count
    } else {
      p.blocks[n] = f.payload;
      if (f.fragmentation === 3) p.total = n + 1; // zigbee-on-host's "last"
    }
    if (p.total === undefined) return undefined;
    for (let i = 0; i < p.total; i++) if (!p.blocks[i]) return undefined;
    delete this.parts[key];
    let length = 0;
    for (let i = 0; i < p.total; i++) length += p.blocks[i].length;
    const out = new Uint8Array(length);
    let at = 0;
    for (let i = 0; i < p.total; i++) {
      out.set(p.blocks[i], at);
      at += p.blocks[i].length;
    }
    return out;
  }

  expired(ms: number, now = Date.now()): number {
    let n = 0;
    for (const k of Object.keys(this.parts)) {
      if (now - this.parts[k].at > ms) {
        delete this.parts[k];
        n++;
      }
    }
    return n;
  }
}

export interface TransportKey {
  keyType: number;
  key: Uint8Array;
  keySequence?: number;
  destination: bigint;
  source: bigint;
}

function get64(b: Uint8Array, at: number): bigint {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[at + i]);
  return v;
}

function put64(out: number[], v: bigint): void {
  for (let i = 0; i < 8; i++) out.push(Number((v >> BigInt(8 * i)) & 0xffn));
}

/** Command payload starting at the command id. */
export function decodeTransportKey(p: Uint8Array): { ok: true; transportKey: TransportKey } | { ok: false; reason: 'aps-not-transport-key' | 'aps-short' | 'aps-key-type' } {
  if (p.length < 1 || p[0] !== APS_CMD.TRANSPORT_KEY) return { ok: false, reason: 'aps-not-transport-key' };
  if (p.length < 18) return { ok: false, reason: 'aps-short' };
  const keyType = p[1];
  const key = new Uint8Array(p.subarray(2, 18));
  if (keyType === KEY_TYPE.STANDARD_NETWORK) {
    if (p.length < 35) return { ok: false, reason: 'aps-short' };
    return { ok: true, transportKey: { keyType, key, keySequence: p[18], destination: get64(p, 19), source: get64(p, 27) } };
  }
  if (keyType === KEY_TYPE.TC_LINK) {
    if (p.length < 34) return { ok: false, reason: 'aps-short' };
    return { ok: true, transportKey: { keyType, key, destination: get64(p, 18), source: get64(p, 26) } };
  }
  return { ok: false, reason: 'aps-key-type' };
}

export function encodeTransportKey(t: TransportKey): Uint8Array {
  const out = [APS_CMD.TRANSPORT_KEY, t.keyType, ...t.key];
  if (t.keyType === KEY_TYPE.STANDARD_NETWORK) out.push(t.keySequence ?? 0);
  put64(out, t.destination);
  put64(out, t.source);
  return Uint8Array.from(out);
}
