/**
 * GBCS element lengths: DLMS A-XDR/BER-style definite lengths as used in the General Signing and
 * General Ciphering APDUs (GBCS §7.2 "Message structure"): one byte `00..7F`, or `81 xx`, or `82 xx xx`.
 * Decoding reports the width used so a message re-encodes byte-for-byte even if it used a longer form
 * than needed; encoding picks the shortest form unless told a width.
 * @module
 */
import { reject } from './reject.ts';
import type { Rejection } from './reject.ts';

/** The largest length the `82 xx xx` form carries. */
export const MAX_LENGTH = 0xffff;

export interface DecodedLength {
  ok: true;
  value: number;
  /** Bytes the length itself took: 1, 2 or 3. */
  width: number;
  /** Offset just after the length bytes (where the value starts). */
  next: number;
}

/**
 * The length at `bytes[at]`, reading no further than `end` (default: the end of `bytes`).
 * Rejections: `truncated` if the length bytes pass `end`, `bad-length-form` for 80 or 83..FF.
 */
export function decodeLength(bytes: Uint8Array, at: number, end?: number): DecodedLength | Rejection {
  const limit = end === undefined ? bytes.length : end;
  if (at >= limit) return reject('truncated', at);
  const first = bytes[at];
  if (first < 0x80) return { ok: true, value: first, width: 1, next: at + 1 };
  if (first === 0x81) {
    if (at + 2 > limit) return reject('truncated', at);
    return { ok: true, value: bytes[at + 1], width: 2, next: at + 2 };
  }
  if (first === 0x82) {
    if (at + 3 > limit) return reject('truncated', at);
    return { ok: true, value: (bytes[at + 1] << 8) | bytes[at + 2], width: 3, next: at + 3 };
  }
  return reject('bad-length-form', at);
}

/** The width of the shortest form for `value`. */
export function minimalLengthWidth(value: number): number {
  return value < 0x80 ? 1 : value < 0x100 ? 2 : 3;
}

/**
 * The bytes of `value` as a length, in `width` bytes (default: the shortest form). Throws on a caller
 * bug: a value out of 0..65535 or a width too small for it.
 */
export function encodeLength(value: number, width?: number): Uint8Array {
  if (!(value >= 0 && value <= MAX_LENGTH) || Math.floor(value) !== value) {
    throw new Error('encodeLength: length must be an integer 0..65535, got ' + value);
  }
  const w = width === undefined ? minimalLengthWidth(value) : width;
  if (w === 1 && value < 0x80) return new Uint8Array([value]);
  if (w === 2 && value < 0x100) return new Uint8Array([0x81, value]);
  if (w === 3) return new Uint8Array([0x82, value >> 8, value & 0xff]);
  throw new Error('encodeLength: ' + value + ' does not fit a ' + w + '-byte length');
}
