/**
 * DLMS COSEM Data (IEC 62056-6-2 §4.1.5 / 62056-5-3 A-XDR), the values GBCS DLMS content carries (GBCS §8).
 * One codec, as a byte-exact pair: `decodeData` reads any tag below into the typed model `DlmsData`, keeping
 * the width of every length and count, and `encodeData` writes it back to the same bytes (checked on the
 * RTDS files of folders 8.9 and 8.11). Beside it, the byte builders the device and the DCC write with
 * (`octetString`, `enumData`, `structureData`, …: each an `encodeData` of its typed value) and `readData`,
 * the same decode seen as plain values (`DataValue`) for the types either side reads. Lengths and counts
 * are GBCS's (`gbcs/lengths.ts`): one byte up to 0x7F, else 0x81 n or 0x82 n n. Anything else is a typed
 * failure, never a guess. Portable (plain objects, no Map).
 * ```
 * null-data 00 | array 01 n {Data}* | structure 02 n {Data}* | double-long-unsigned 06 u32 |
 * octet-string 09 n bytes | integer 0F i8 | unsigned 11 u8 | long-unsigned 12 u16 | enum 16 u8 | …
 * ```
 * @module
 */
import { concatBytes, copyBytes } from '../../lib/bytes.ts';
import { decodeLength, encodeLength } from '../lengths.ts';
import { reject } from '../reject.ts';
import type { Rejection } from '../reject.ts';

export const TAG_NULL = 0x00;
export const TAG_ARRAY = 0x01;
export const TAG_STRUCTURE = 0x02;
export const TAG_BOOLEAN = 0x03;
export const TAG_BIT_STRING = 0x04;
export const TAG_DOUBLE_LONG = 0x05;
export const TAG_DOUBLE_LONG_UNSIGNED = 0x06;
export const TAG_OCTET_STRING = 0x09;
export const TAG_VISIBLE_STRING = 0x0a;
export const TAG_UTF8_STRING = 0x0c;
export const TAG_INTEGER = 0x0f;
export const TAG_LONG = 0x10;
export const TAG_UNSIGNED = 0x11;
export const TAG_LONG_UNSIGNED = 0x12;
export const TAG_LONG64 = 0x14;
export const TAG_LONG64_UNSIGNED = 0x15;
export const TAG_ENUM = 0x16;
export const TAG_DATE_TIME = 0x19;
export const TAG_DATE = 0x1a;
export const TAG_TIME = 0x1b;

/** Fixed sizes of the scalar tags (bytes after the tag); -1 for a tag that is not a fixed-size scalar. */
function fixedSize(tag: number): number {
  switch (tag) {
    case TAG_NULL:
      return 0;
    case TAG_BOOLEAN:
    case TAG_INTEGER:
    case TAG_UNSIGNED:
    case TAG_ENUM:
      return 1;
    case TAG_LONG:
    case TAG_LONG_UNSIGNED:
      return 2;
    case TAG_DOUBLE_LONG:
    case TAG_DOUBLE_LONG_UNSIGNED:
    case TAG_TIME:
      return 4;
    case TAG_DATE:
      return 5;
    case TAG_LONG64:
    case TAG_LONG64_UNSIGNED:
      return 8;
    case TAG_DATE_TIME:
      return 12;
  }
  return -1;
}

/**
 * One A-XDR Data value. Scalars and strings keep their bytes in `raw` (for a bit-string, the bit count
 * is `bits`); arrays and structures keep `items`. `lengthWidth` is the width of the element count or
 * string length as read (1..3), so re-encoding is exact.
 */
export interface DlmsData {
  tag: number;
  raw?: Uint8Array;
  bits?: number;
  items?: DlmsData[];
  lengthWidth?: number;
}

/** A Data seen as a plain value: null, a number (integers and enums), bytes (octet-string) or a list (array, structure). */
export type DataValue = null | number | Uint8Array | DataValue[];

export interface Decoded<T> {
  ok: true;
  value: T;
  next: number;
}

/** The Data at `at`, reading no further than `end`. Nesting deeper than 8 is refused (bounded stack). */
export function decodeData(b: Uint8Array, at: number, end: number, depth?: number): Decoded<DlmsData> | Rejection {
  const d = depth === undefined ? 0 : depth;
  if (at >= end) return reject('truncated', at);
  const tag = b[at];
  if (tag === TAG_ARRAY || tag === TAG_STRUCTURE) {
    if (d >= 8) return reject('bad-dlms-data', at);
    const n = decodeLength(b, at + 1, end);
    if (!n.ok) return n;
    const items: DlmsData[] = [];
    let p = n.next;
    for (let i = 0; i < n.value; i++) {
      const item = decodeData(b, p, end, d + 1);
      if (!item.ok) return item;
      items.push(item.value);
      p = item.next;
    }
    return { ok: true, value: { tag: tag, items: items, lengthWidth: n.width }, next: p };
  }
  if (tag === TAG_OCTET_STRING || tag === TAG_VISIBLE_STRING || tag === TAG_UTF8_STRING) {
    const n = decodeLength(b, at + 1, end);
    if (!n.ok) return n;
    if (n.next + n.value > end) return reject('length-overrun', at + 1);
    return { ok: true, value: { tag: tag, raw: copyBytes(b, n.next, n.next + n.value), lengthWidth: n.width }, next: n.next + n.value };
  }
  if (tag === TAG_BIT_STRING) {
    const n = decodeLength(b, at + 1, end);
    if (!n.ok) return n;
    const bytes = (n.value + 7) >> 3;
    if (n.next + bytes > end) return reject('length-overrun', at + 1);
    return { ok: true, value: { tag: tag, raw: copyBytes(b, n.next, n.next + bytes), bits: n.value, lengthWidth: n.width }, next: n.next + bytes };
  }
  const size = fixedSize(tag);
  if (size < 0) return reject('bad-dlms-data', at);
  if (at + 1 + size > end) return reject('truncated', at);
  return { ok: true, value: { tag: tag, raw: copyBytes(b, at + 1, at + 1 + size) }, next: at + 1 + size };
}

export function encodeData(v: DlmsData): Uint8Array {
  if (v.tag === TAG_ARRAY || v.tag === TAG_STRUCTURE) {
    const items = v.items || [];
    const parts: Uint8Array[] = [new Uint8Array([v.tag]), encodeLength(items.length, v.lengthWidth)];
    for (let i = 0; i < items.length; i++) parts.push(encodeData(items[i]));
    return concatBytes(parts);
  }
  const raw = v.raw || new Uint8Array(0);
  if (v.tag === TAG_OCTET_STRING || v.tag === TAG_VISIBLE_STRING || v.tag === TAG_UTF8_STRING) {
    return concatBytes([new Uint8Array([v.tag]), encodeLength(raw.length, v.lengthWidth), raw]);
  }
  if (v.tag === TAG_BIT_STRING) {
    const bits = v.bits === undefined ? raw.length * 8 : v.bits;
    return concatBytes([new Uint8Array([v.tag]), encodeLength(bits, v.lengthWidth), raw]);
  }
  const size = fixedSize(v.tag);
  if (size < 0 || raw.length !== size) throw new Error('encodeData: tag ' + v.tag + ' needs ' + size + ' bytes, got ' + raw.length);
  return concatBytes([new Uint8Array([v.tag]), raw]);
}

// Typed values.
export function octetStringValue(b: Uint8Array): DlmsData {
  return { tag: TAG_OCTET_STRING, raw: b };
}
export function enumValue(n: number): DlmsData {
  return { tag: TAG_ENUM, raw: new Uint8Array([n & 0xff]) };
}
export function unsignedValue(n: number): DlmsData {
  return { tag: TAG_UNSIGNED, raw: new Uint8Array([n & 0xff]) };
}
/** integer (signed 8-bit). */
export function integerValue(n: number): DlmsData {
  return { tag: TAG_INTEGER, raw: new Uint8Array([n & 0xff]) };
}
export function longUnsignedValue(n: number): DlmsData {
  return { tag: TAG_LONG_UNSIGNED, raw: new Uint8Array([(n >> 8) & 0xff, n & 0xff]) };
}
export function doubleLongUnsignedValue(n: number): DlmsData {
  return { tag: TAG_DOUBLE_LONG_UNSIGNED, raw: new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]) };
}
export function booleanValue(v: boolean): DlmsData {
  return { tag: TAG_BOOLEAN, raw: new Uint8Array([v ? 0xff : 0x00]) };
}
export function nullValue(): DlmsData {
  return { tag: TAG_NULL, raw: new Uint8Array(0) };
}
export function structureValue(items: DlmsData[]): DlmsData {
  return { tag: TAG_STRUCTURE, items: items };
}
export function arrayValue(items: DlmsData[]): DlmsData {
  return { tag: TAG_ARRAY, items: items };
}

/** The unsigned value of a 1-, 2- or 4-byte scalar; the signed value for integer/long/double-long. */
export function dataNumber(v: DlmsData): number {
  const r = v.raw || new Uint8Array(0);
  let n = 0;
  for (let i = 0; i < r.length; i++) n = n * 256 + r[i];
  if ((v.tag === TAG_INTEGER || v.tag === TAG_LONG || v.tag === TAG_DOUBLE_LONG) && r.length > 0 && r[0] & 0x80) n -= Math.pow(2, 8 * r.length);
  return n;
}

/**
 * The plain value of a decoded Data, or undefined for a type the device and the DCC do not read (only
 * null, array, structure, octet-string, double-long-unsigned, long-unsigned, unsigned, enum, integer).
 */
export function dataValue(v: DlmsData): DataValue | undefined {
  if (v.tag === TAG_NULL) return null;
  if (v.tag === TAG_ARRAY || v.tag === TAG_STRUCTURE) {
    const items = v.items || [];
    const out: DataValue[] = [];
    for (let i = 0; i < items.length; i++) {
      const e = dataValue(items[i]);
      if (e === undefined) return undefined;
      out.push(e);
    }
    return out;
  }
  if (v.tag === TAG_OCTET_STRING) return v.raw || new Uint8Array(0);
  if (v.tag === TAG_DOUBLE_LONG_UNSIGNED || v.tag === TAG_LONG_UNSIGNED || v.tag === TAG_UNSIGNED || v.tag === TAG_ENUM || v.tag === TAG_INTEGER) return dataNumber(v);
  return undefined;
}

// Byte builders: the encoded Data the device and the DCC write.
export const NULL_DATA = encodeData(nullValue());

/** octet-string Data (tag 09). */
export function octetString(b: Uint8Array): Uint8Array {
  return encodeData(octetStringValue(b));
}

/** enum Data (tag 16). */
export function enumData(v: number): Uint8Array {
  return encodeData(enumValue(v));
}

/** integer Data (tag 0F, signed 8-bit). */
export function integerData(v: number): Uint8Array {
  return encodeData(integerValue(v));
}

function listOf(tag: number, elements: Uint8Array[]): Uint8Array {
  return concatBytes([new Uint8Array([tag]), encodeLength(elements.length)].concat(elements));
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
  return encodeData(doubleLongUnsignedValue(v));
}

/** long-unsigned Data (tag 12, u16 big-endian). */
export function longUnsigned(v: number): Uint8Array {
  return encodeData(longUnsignedValue(v));
}

export interface DataRead {
  value: DataValue;
  /** The index after the Data. */
  next: number;
}

/** The Data at `at` in `c` as a plain value, or undefined when it is undecodable or of a type `dataValue` does not read. */
export function readData(c: Uint8Array, at: number): DataRead | undefined {
  const d = decodeData(c, at, c.length);
  if (!d.ok) return undefined;
  const v = dataValue(d.value);
  return v === undefined ? undefined : { value: v, next: d.next };
}
