/**
 * DLMS COSEM Data (IEC 62056-6-2 / 62056-5-3 A-XDR), the values GBCS DLMS content carries (GBCS §8): one
 * encoder per type the device and the DCC write, and one reader of the types either side reads (null,
 * array, structure, octet-string, double-long-unsigned, long-unsigned, unsigned, enum, integer). Anything
 * else is a typed failure, never a guess. Lengths and counts are A-XDR's: one byte up to 0x7F, else 0x81 n
 * or 0x82 n n (a security log of more than 127 entries is an array in the long form). Portable.
 * ```
 * null-data 00 | array 01 n {Data}* | structure 02 n {Data}* | double-long-unsigned 06 u32 |
 * octet-string 09 n bytes | integer 0F i8 | unsigned 11 u8 | long-unsigned 12 u16 | enum 16 u8
 * ```
 * @module
 */
import { concatBytes } from '../../lib/bytes.ts';

export const TAG_NULL = 0x00;
export const TAG_ARRAY = 0x01;
export const TAG_STRUCTURE = 0x02;
export const TAG_DOUBLE_LONG_UNSIGNED = 0x06;
export const TAG_OCTET_STRING = 0x09;
export const TAG_INTEGER = 0x0f;
export const TAG_UNSIGNED = 0x11;
export const TAG_LONG_UNSIGNED = 0x12;
export const TAG_ENUM = 0x16;

/** A decoded Data: null, a number (integers and enums), bytes (octet-string) or a list (array, structure). */
export type DlmsData = null | number | Uint8Array | DlmsData[];

export const NULL_DATA = new Uint8Array([TAG_NULL]);

/** An A-XDR length or element count. */
export function axdrLength(n: number): Uint8Array {
  if (n < 0 || n > 0xffff || n !== Math.floor(n)) throw new Error('axdrLength: ' + n + ' is not a length GBCS carries');
  if (n <= 0x7f) return new Uint8Array([n]);
  if (n <= 0xff) return new Uint8Array([0x81, n]);
  return new Uint8Array([0x82, n >> 8, n & 0xff]);
}

/** The A-XDR length at `at`: its value and the index after it, or undefined when truncated or not 1-3 bytes. */
export function readAxdrLength(c: Uint8Array, at: number): { length: number; next: number } | undefined {
  if (at >= c.length) return undefined;
  const b = c[at];
  if (b <= 0x7f) return { length: b, next: at + 1 };
  if (b === 0x81 && at + 1 < c.length) return { length: c[at + 1], next: at + 2 };
  if (b === 0x82 && at + 2 < c.length) return { length: (c[at + 1] << 8) | c[at + 2], next: at + 3 };
  return undefined;
}

/** octet-string Data (tag 09). */
export function octetString(b: Uint8Array): Uint8Array {
  return concatBytes([new Uint8Array([TAG_OCTET_STRING]), axdrLength(b.length), b]);
}

/** enum Data (tag 16). */
export function enumData(v: number): Uint8Array {
  return new Uint8Array([TAG_ENUM, v & 0xff]);
}

/** integer Data (tag 0F, signed 8-bit). */
export function integerData(v: number): Uint8Array {
  return new Uint8Array([TAG_INTEGER, v & 0xff]);
}

function listOf(tag: number, elements: Uint8Array[]): Uint8Array {
  return concatBytes([new Uint8Array([tag]), axdrLength(elements.length)].concat(elements));
}

/** array Data (tag 01) of encoded elements. */
export function arrayData(elements: Uint8Array[]): Uint8Array {
  return listOf(TAG_ARRAY, elements);
}

/** structure Data (tag 02) of encoded elements. */
export function structureData(elements: Uint8Array[]): Uint8Array {
  return listOf(TAG_STRUCTURE, elements);
}

/** double-long-unsigned Data (tag 06, u32 big-endian). */
export function doubleLongUnsigned(v: number): Uint8Array {
  return new Uint8Array([TAG_DOUBLE_LONG_UNSIGNED, (v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
}

/** long-unsigned Data (tag 12, u16 big-endian). */
export function longUnsigned(v: number): Uint8Array {
  return new Uint8Array([TAG_LONG_UNSIGNED, (v >> 8) & 0xff, v & 0xff]);
}

export interface DataRead {
  value: DlmsData;
  /** The index after the Data. */
  next: number;
}

/** The Data at `at` in `c`, or undefined when it is truncated or of a type not listed above. */
export function readData(c: Uint8Array, at: number): DataRead | undefined {
  if (at >= c.length) return undefined;
  const tag = c[at];
  const has = function (n: number): boolean {
    return at + 1 + n <= c.length;
  };
  if (tag === TAG_NULL) return { value: null, next: at + 1 };
  if (tag === TAG_ARRAY || tag === TAG_STRUCTURE) {
    const count = readAxdrLength(c, at + 1);
    if (!count) return undefined;
    const n = count.length;
    const out: DlmsData[] = [];
    let p = count.next;
    for (let i = 0; i < n; i++) {
      const e = readData(c, p);
      if (!e) return undefined;
      out.push(e.value);
      p = e.next;
    }
    return { value: out, next: p };
  }
  if (tag === TAG_OCTET_STRING) {
    const len = readAxdrLength(c, at + 1);
    if (!len || len.next + len.length > c.length) return undefined;
    return { value: c.subarray(len.next, len.next + len.length), next: len.next + len.length };
  }
  if (tag === TAG_DOUBLE_LONG_UNSIGNED) return has(4) ? { value: ((c[at + 1] << 24) >>> 0) + (c[at + 2] << 16) + (c[at + 3] << 8) + c[at + 4], next: at + 5 } : undefined;
  if (tag === TAG_LONG_UNSIGNED) return has(2) ? { value: (c[at + 1] << 8) | c[at + 2], next: at + 3 } : undefined;
  if (tag === TAG_UNSIGNED || tag === TAG_ENUM) return has(1) ? { value: c[at + 1], next: at + 2 } : undefined;
  if (tag === TAG_INTEGER) return has(1) ? { value: (c[at + 1] << 24) >> 24, next: at + 2 } : undefined;
  return undefined;
}
