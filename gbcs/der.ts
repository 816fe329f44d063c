/**
 * A portable DER reader and writer (ITU-T X.690 §8 and §10) for the ASN.1 that GBCS carries: the
 * bodies of CS02b–e, CS06 and CCS01–03 (GBCS §12–§14 ASN.1 modules) and SMKI X.509 certificates
 * (RFC 5280 profiles in the SMKI Certificate Policy / GBCS §4.3.2). Written by hand because the
 * firmware must run it on Espruino and JerryScript, where the ASN.1 libraries (asn1js, pkijs,
 * node-forge) do not fit or need BigInt/Map; it reads only definite, minimal (DER) lengths and
 * low-number tags, which is all these structures use.
 * Every reader works on a window `[at, end)` of a buffer, reports offsets into that buffer, and answers
 * malformed input with a typed rejection (`bad-der`, `truncated`, `length-overrun`), never an exception.
 * @module
 */
import { concatBytes } from '../lib/bytes.ts';
import { reject } from './reject.ts';
import type { Rejection } from './reject.ts';

/** Universal tags (X.690 §8) and the constructed forms we meet. */
export const TAG_BOOLEAN = 0x01;
export const TAG_INTEGER = 0x02;
export const TAG_BIT_STRING = 0x03;
export const TAG_OCTET_STRING = 0x04;
export const TAG_NULL = 0x05;
export const TAG_OID = 0x06;
export const TAG_ENUMERATED = 0x0a;
export const TAG_UTF8_STRING = 0x0c;
export const TAG_PRINTABLE_STRING = 0x13;
export const TAG_IA5_STRING = 0x16;
export const TAG_UTC_TIME = 0x17;
export const TAG_GENERALIZED_TIME = 0x18;
export const TAG_SEQUENCE = 0x30;
export const TAG_SET = 0x31;

/** Context-specific tag byte `[n]` (n < 31), constructed or primitive. */
export function contextTag(n: number, constructed: boolean): number {
  return (constructed ? 0xa0 : 0x80) | n;
}

/** One TLV: tag byte, where it starts, where its value starts and where it ends (exclusive). */
export interface Tlv {
  ok: true;
  tag: number;
  start: number;
  valueStart: number;
  end: number;
}

/**
 * How lengths may be written: 'der' the shortest form only (what we write, and every command the device
 * reads); 'ber' also the long form where the short one would do (0x81 0x05, 0x82 0x00 0xDE: X.690 §8.1.3.5
 * allows it, and real devices use it: 12 RTDS 4.5.0 device responses and the 6.23 0x00CB alert do). Only a
 * reader of what a device sends (the DCC side) uses 'ber'. Indefinite lengths stay refused either way.
 */
export type LengthRule = 'der' | 'ber';

/**
 * The TLV at `bytes[at]`, which must end by `end` (default: the buffer's end). Definite lengths, up to 4
 * length bytes, in the shortest form unless `lengths` is 'ber'; low-number tags.
 */
export function readTlv(bytes: Uint8Array, at: number, end?: number, lengths?: LengthRule): Tlv | Rejection {
  const limit = end === undefined ? bytes.length : end;
  if (at >= limit) return reject('truncated', at);
  const tag = bytes[at];
  if ((tag & 0x1f) === 0x1f) return reject('bad-der', at);
  if (at + 1 >= limit) return reject('truncated', at + 1);
  const first = bytes[at + 1];
  let length = 0;
  let valueStart = at + 2;
  if (first < 0x80) {
    length = first;
  } else {
    const n = first & 0x7f;
    if (n === 0 || n > 4) return reject('bad-der', at + 1);
    if (at + 2 + n > limit) return reject('truncated', at + 2);
    if (bytes[at + 2] === 0 && lengths !== 'ber') return reject('bad-der', at + 1);
    for (let i = 0; i < n; i++) length = length * 256 + bytes[at + 2 + i];
    if (length < 0x80 && lengths !== 'ber') return reject('bad-der', at + 1);
    valueStart = at + 2 + n;
  }
  if (valueStart + length > limit) return reject('length-overrun', at + 1);
  return { ok: true, tag: tag, start: at, valueStart: valueStart, end: valueStart + length };
}

/** The TLV at `at` if it has tag `tag`, else `bad-der` at `at`. */
export function expectTlv(bytes: Uint8Array, at: number, end: number, tag: number): Tlv | Rejection {
  const t = readTlv(bytes, at, end);
  if (!t.ok) return t;
  if (t.tag !== tag) return reject('bad-der', at);
  return t;
}

/** The children of a constructed TLV, in order; every byte of its value must belong to one. */
export function readChildren(bytes: Uint8Array, parent: Tlv, lengths?: LengthRule): Tlv[] | Rejection {
  const out: Tlv[] = [];
  if ((parent.tag & 0x20) === 0) return reject('bad-der', parent.start);
  let at = parent.valueStart;
  while (at < parent.end) {
    const t = readTlv(bytes, at, parent.end, lengths);
    if (!t.ok) return t;
    out.push(t);
    at = t.end;
  }
  return out;
}

/** The value bytes of a TLV (a view). */
export function valueOf(bytes: Uint8Array, t: Tlv): Uint8Array {
  return bytes.subarray(t.valueStart, t.end);
}

/** The whole TLV bytes (a view). */
export function bytesOf(bytes: Uint8Array, t: Tlv): Uint8Array {
  return bytes.subarray(t.start, t.end);
}

/** An INTEGER's value as unsigned magnitude bytes (DER sign byte removed); negative is `bad-der`. */
export function readUnsignedInteger(bytes: Uint8Array, t: Tlv): Uint8Array | Rejection {
  if (t.tag !== TAG_INTEGER && t.tag !== TAG_ENUMERATED && (t.tag & 0xe0) !== 0x80) return reject('bad-der', t.start);
  const n = t.end - t.valueStart;
  if (n === 0) return reject('bad-der', t.valueStart);
  const v = bytes[t.valueStart];
  if (v & 0x80) return reject('bad-der', t.valueStart);
  if (n > 1 && v === 0 && (bytes[t.valueStart + 1] & 0x80) === 0) return reject('bad-der', t.valueStart);
  return v === 0 && n > 1 ? bytes.subarray(t.valueStart + 1, t.end) : bytes.subarray(t.valueStart, t.end);
}

/** A small non-negative INTEGER/ENUMERATED (up to 2^48) as a number. */
export function readSmallInteger(bytes: Uint8Array, t: Tlv): number | Rejection {
  const m = readUnsignedInteger(bytes, t);
  if (!(m instanceof Uint8Array)) return m;
  if (m.length > 6) return reject('bad-der', t.valueStart);
  let v = 0;
  for (let i = 0; i < m.length; i++) v = v * 256 + m[i];
  return v;
}

/** An OBJECT IDENTIFIER as dotted text (X.690 §8.19). */
export function readOid(bytes: Uint8Array, t: Tlv): string | Rejection {
  if (t.tag !== TAG_OID) return reject('bad-der', t.start);
  if (t.valueStart === t.end) return reject('bad-der', t.valueStart);
  const arcs: number[] = [];
  let v = 0;
  let fresh = true;
  for (let i = t.valueStart; i < t.end; i++) {
    const b = bytes[i];
    if (fresh && b === 0x80) return reject('bad-der', i);
    v = v * 128 + (b & 0x7f);
    if (v > 0xffffffffffff) return reject('bad-der', i);
    fresh = (b & 0x80) === 0;
    if (fresh) {
      if (arcs.length === 0) {
        const x = v < 40 ? 0 : v < 80 ? 1 : 2;
        arcs.push(x);
        arcs.push(v - 40 * x);
      } else {
        arcs.push(v);
      }
      v = 0;
    }
  }
  if (!fresh) return reject('bad-der', t.end - 1);
  return arcs.join('.');
}

export interface BitString {
  unusedBits: number;
  bytes: Uint8Array;
}

/** A BIT STRING's unused-bit count and bytes. */
export function readBitString(bytes: Uint8Array, t: Tlv): BitString | Rejection {
  if (t.tag !== TAG_BIT_STRING) return reject('bad-der', t.start);
  if (t.valueStart === t.end) return reject('bad-der', t.valueStart);
  const unused = bytes[t.valueStart];
  if (unused > 7 || (unused > 0 && t.end - t.valueStart === 1)) return reject('bad-der', t.valueStart);
  return { unusedBits: unused, bytes: bytes.subarray(t.valueStart + 1, t.end) };
}

/**
 * A UTCTime or GeneralizedTime (the `Z` forms DER requires) as `YYYYMMDDHHMMSSZ`; UTCTime years
 * 50..99 are 19xx, 00..49 are 20xx (RFC 5280 §4.1.2.5.1).
 */
export function readTime(bytes: Uint8Array, t: Tlv): string | Rejection {
  const n = t.end - t.valueStart;
  let text = '';
  for (let i = t.valueStart; i < t.end; i++) {
    const c = bytes[i];
    if ((c < 0x30 || c > 0x39) && !(i === t.end - 1 && c === 0x5a)) return reject('bad-der', i);
    text += String.fromCharCode(c);
  }
  if (text.charAt(text.length - 1) !== 'Z') return reject('bad-der', t.end - 1);
  if (t.tag === TAG_UTC_TIME && n === 13) return (parseInt(text.substring(0, 2), 10) >= 50 ? '19' : '20') + text;
  if (t.tag === TAG_GENERALIZED_TIME && n === 15) return text;
  return reject('bad-der', t.start);
}

// ---- writer ---------------------------------------------------------------------------------------

/** DER length bytes for `n`. */
export function encodeDerLength(n: number): Uint8Array {
  if (n < 0x80) return new Uint8Array([n]);
  const out: number[] = [];
  let v = n;
  while (v > 0) {
    out.unshift(v & 0xff);
    v = Math.floor(v / 256);
  }
  out.unshift(0x80 | out.length);
  return new Uint8Array(out);
}

/** A TLV from a tag and its value (parts are concatenated). */
export function derTlv(tag: number, parts: Uint8Array[]): Uint8Array {
  const value = concatBytes(parts);
  return concatBytes([new Uint8Array([tag]), encodeDerLength(value.length), value]);
}

export function derSequence(parts: Uint8Array[]): Uint8Array {
  return derTlv(TAG_SEQUENCE, parts);
}

/** An INTEGER (or `tag`, e.g. a context tag) from unsigned magnitude bytes. */
export function derUnsignedInteger(magnitude: Uint8Array, tag?: number): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const m = magnitude.length === 0 ? new Uint8Array([0]) : magnitude.subarray(i);
  const body = m[0] & 0x80 ? concatBytes([new Uint8Array([0]), m]) : m;
  return derTlv(tag === undefined ? TAG_INTEGER : tag, [body]);
}

/** An INTEGER (or ENUMERATED, or a context tag) from a small non-negative number. */
export function derSmallInteger(n: number, tag?: number): Uint8Array {
  if (!(n >= 0 && n <= 0xffffffffffff) || Math.floor(n) !== n) throw new Error('derSmallInteger: expected 0..2^48-1, got ' + n);
  const m: number[] = [];
  let v = n;
  do {
    m.unshift(v % 256);
    v = Math.floor(v / 256);
  } while (v > 0);
  return derUnsignedInteger(new Uint8Array(m), tag);
}

export function derOctetString(b: Uint8Array, tag?: number): Uint8Array {
  return derTlv(tag === undefined ? TAG_OCTET_STRING : tag, [b]);
}

export function derBitString(b: Uint8Array, unusedBits?: number): Uint8Array {
  return derTlv(TAG_BIT_STRING, [new Uint8Array([unusedBits === undefined ? 0 : unusedBits]), b]);
}

export function derBoolean(v: boolean): Uint8Array {
  return new Uint8Array([TAG_BOOLEAN, 1, v ? 0xff : 0]);
}

export function derNull(): Uint8Array {
  return new Uint8Array([TAG_NULL, 0]);
}

/** An OBJECT IDENTIFIER from dotted text. Throws on a caller bug (not a valid OID). */
export function derOid(dotted: string): Uint8Array {
  const arcs = dotted.split('.');
  if (arcs.length < 2) throw new Error('derOid: need at least two arcs: ' + dotted);
  const nums: number[] = [];
  for (let i = 0; i < arcs.length; i++) {
    const v = parseInt(arcs[i], 10);
    if (!(v >= 0) || String(v) !== arcs[i]) throw new Error('derOid: bad arc in ' + dotted);
    nums.push(v);
  }
  if (nums[0] > 2 || (nums[0] < 2 && nums[1] > 39)) throw new Error('derOid: bad first arcs in ' + dotted);
  const out: number[] = [];
  const first = nums[0] * 40 + nums[1];
  for (let i = 1; i < nums.length; i++) {
    let v = i === 1 ? first : nums[i];
    const group: number[] = [v & 0x7f];
    v = Math.floor(v / 128);
    while (v > 0) {
      group.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    for (let j = 0; j < group.length; j++) out.push(group[j]);
  }
  return derTlv(TAG_OID, [new Uint8Array(out)]);
}

/**
 * `YYYYMMDDHHMMSSZ`: 14 digits and Z. Checked by hand, not with /^[0-9]{14}Z$/: Espruino 2v29's regex
 * has no bounded repeats ({n}, {n,m}) and answers false for every text (build/engineCompat.ts refuses them).
 */
function isGeneralizedTimeText(text: string): boolean {
  if (typeof text !== 'string' || text.length !== 15 || text.charAt(14) !== 'Z') return false;
  for (let i = 0; i < 14; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A GeneralizedTime from `YYYYMMDDHHMMSSZ`. */
export function derGeneralizedTime(text: string): Uint8Array {
  if (!isGeneralizedTimeText(text)) throw new Error('derGeneralizedTime: expected YYYYMMDDHHMMSSZ, got ' + text);
  const b = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i);
  return derTlv(TAG_GENERALIZED_TIME, [b]);
}
