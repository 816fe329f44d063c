/**
 * ZigBee NWK frames (ZigBee spec 05-3474 §3.3.1): frame control (u16 LE: frame type bits 0-1, protocol
 * version bits 2-5, discover route 6-7, multicast 8, security 9, source route 10, destination IEEE 11,
 * source IEEE 12, end device initiator 13), destination and source short addresses, radius, sequence,
 * optional IEEE addresses (LE), multicast control, source route subframe, then the auxiliary security
 * header (security.ts) when secured. Encode/decode pair; security applied with `sealNwk`/`openNwk`. @module
 */
import { decodeAux, encodeAux, open, seal, type AuxHeader } from './security.ts';

export const NWK_FRAME = { DATA: 0, COMMAND: 1 } as const;
export const NWK_PROTOCOL_VERSION = 2;

export interface NwkFrame {
  frameType: number;
  discoverRoute?: number;
  dst16: number;
  src16: number;
  radius: number;
  sequence: number;
  dst64?: bigint;
  src64?: bigint;
  endDeviceInitiator?: boolean;
  relays?: number[];
  aux?: AuxHeader;
  /** plaintext payload when unsecured; ciphertext || MIC when `aux` is set and not yet opened */
  payload: Uint8Array;
}

export type NwkReason = 'nwk-short' | 'nwk-protocol-version' | 'nwk-mic';

function put64(out: number[], v: bigint): void {
  for (let i = 0; i < 8; i++) out.push(Number((v >> BigInt(8 * i)) & 0xffn));
}

function get64(b: Uint8Array, at: number): bigint {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[at + i]);
  return v;
}

/** The header bytes (through the auxiliary header when `aux` is set) and where the aux header starts. */
export function encodeNwkHeader(f: NwkFrame): { header: Uint8Array; auxAt: number } {
  const fc = (f.frameType & 3) | (NWK_PROTOCOL_VERSION << 2) | ((f.discoverRoute ?? 0) << 6) | (f.aux ? 0x200 : 0)
    | (f.relays ? 0x400 : 0) | (f.dst64 !== undefined ? 0x800 : 0) | (f.src64 !== undefined ? 0x1000 : 0) | (f.endDeviceInitiator ? 0x2000 : 0);
  const out = [fc & 0xff, fc >> 8, f.dst16 & 0xff, f.dst16 >> 8, f.src16 & 0xff, f.src16 >> 8, f.radius, f.sequence & 0xff];
  if (f.dst64 !== undefined) put64(out, f.dst64);
  if (f.src64 !== undefined) put64(out, f.src64);
  if (f.relays) {
    out.push(f.relays.length, 0);
    for (const r of f.relays) out.push(r & 0xff, r >> 8);
  }
  const auxAt = out.length;
  if (f.aux) out.push(...encodeAux(f.aux));
  return { header: Uint8Array.from(out), auxAt };
}

export function encodeNwk(f: NwkFrame): Uint8Array {
  const h = encodeNwkHeader(f).header;
  const out = new Uint8Array(h.length + f.payload.length);
  out.set(h, 0);
  out.set(f.payload, h.length);
  return out;
}

/** A secured frame: `f.aux` set, `f.payload` plaintext; returns the bytes on the air. */
export function sealNwk(f: NwkFrame, networkKey: Uint8Array): Uint8Array {
  if (!f.aux || f.aux.source === undefined) throw new Error('sealNwk: a secured NWK frame needs aux with a source (extended nonce)');
  const { header, auxAt } = encodeNwkHeader(f);
  return encodeNwk({ ...f, payload: seal(networkKey, header, auxAt, f.aux.source, f.aux.frameCounter, f.payload) });
}

export function decodeNwk(b: Uint8Array): { ok: true; frame: NwkFrame; header: Uint8Array; auxAt: number } | { ok: false; reason: NwkReason } {
  if (b.length < 8) return { ok: false, reason: 'nwk-short' };
  const fc = b[0] | (b[1] << 8);
  if (((fc >> 2) & 0x0f) !== NWK_PROTOCOL_VERSION) return { ok: false, reason: 'nwk-protocol-version' };
  const f: NwkFrame = {
    frameType: fc & 3, discoverRoute: (fc >> 6) & 3, dst16: b[2] | (b[3] << 8), src16: b[4] | (b[5] << 8),
    radius: b[6], sequence: b[7], payload: new Uint8Array(0),
  };
  if (fc & 0x2000) f.endDeviceInitiator = true;
  let at = 8;
  if (fc & 0x800) {
    if (b.length < at + 8) return { ok: false, reason: 'nwk-short' };
    f.dst64 = get64(b, at);
    at += 8;
  }
  if (fc & 0x1000) {
    if (b.length < at + 8) return { ok: false, reason: 'nwk-short' };
    f.src64 = get64(b, at);
    at += 8;
  }
  if (fc & 0x100) at += 1; // multicast control
  if (fc & 0x400) {
    if (b.length < at + 2) return { ok: false, reason: 'nwk-short' };
    const n = b[at];
    f.relays = [];
    for (let i = 0; i < n; i++) f.relays.push(b[at + 2 + 2 * i] | (b[at + 3 + 2 * i] << 8));
    at += 2 + 2 * n;
  }
  const auxAt = at;
  if (fc & 0x200) {
    const a = decodeAux(b, at);
    if (!a) return { ok: false, reason: 'nwk-short' };
    f.aux = a.aux;
    at += a.length;
  }
  if (at > b.length) return { ok: false, reason: 'nwk-short' };
  f.payload = new Uint8Array(b.subarray(at));
  return { ok: true, frame: f, header: new Uint8Array(b.subarray(0, at)), auxAt };
}

/** The plaintext payload of a secured NWK frame, or 'nwk-mic'. */
export function openNwk(d: { frame: NwkFrame; header: Uint8Array; auxAt: number }, networkKey: Uint8Array): { ok: true; payload: Uint8Array } | { ok: false; reason: 'nwk-mic' } {
  const aux = d.frame.aux;
  if (!aux || aux.source === undefined) return { ok: false, reason: 'nwk-mic' };
  const p = open(networkKey, d.header, d.auxAt, aux.source, aux.frameCounter, d.frame.payload);
  return p ? { ok: true, payload: p } : { ok: false, reason: 'nwk-mic' };
}
