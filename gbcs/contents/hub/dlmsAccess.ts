/**
 * DLMS/COSEM as the CHF's GBCS contents carry it (IEC 62056-5-3 ACCESS service and A-XDR `Data`, GBCS §7.2.7),
 * decoded and encoded as a byte-exact pair: every length keeps the width it was read with, so a decoded
 * content re-encodes to the same bytes (checked on every sampled RTDS file of folders 8.9 and 8.11).
 *
 *   access-request    = D9 long-invoke-id(4) date-time(00 | 0C+12) n {spec}  n {Data}
 *   access-response   = DA long-invoke-id(4) date-time(00 | 0C+12) 00 n {Data}  n {kind result}
 *   data-notification = 0F long-invoke-id(4) date-time(00 | 0C+12) Data            (alerts)
 *   spec              = kind(1 get, 2 set, 3 action) class-id(2) OBIS(6) attribute|method(1)
 *
 * Why here and not on the device's `device/pipeline/dlms.ts`: that reader is not total (no typed rejection
 * at an offset) and cannot re-encode what it read; the wire-layer move of DLMS into `gbcs/` is in progress
 * elsewhere, and this module is the hub's half of it, to be merged with that codec when it lands.
 * Total: any bytes give a value or a `Rejection` with its offset. Portable (plain objects, no Map).
 * @module
 */
import { concatBytes, copyBytes } from '../../../lib/bytes.ts';
import { decodeLength, encodeLength } from '../../lengths.ts';
import { reject } from '../../reject.ts';
import type { Rejection } from '../../reject.ts';

export const ACCESS_REQUEST = 0xd9;
export const ACCESS_RESPONSE = 0xda;
export const DATA_NOTIFICATION = 0x0f;

/** A-XDR Data tags used by the hub contents (IEC 62056-6-2 §4.1.5 "Data"). */
export const DATA_NULL = 0x00;
export const DATA_ARRAY = 0x01;
export const DATA_STRUCTURE = 0x02;
export const DATA_BOOLEAN = 0x03;
export const DATA_BIT_STRING = 0x04;
export const DATA_DOUBLE_LONG = 0x05;
export const DATA_DOUBLE_LONG_UNSIGNED = 0x06;
export const DATA_OCTET_STRING = 0x09;
export const DATA_VISIBLE_STRING = 0x0a;
export const DATA_UTF8_STRING = 0x0c;
export const DATA_INTEGER = 0x0f;
export const DATA_LONG = 0x10;
export const DATA_UNSIGNED = 0x11;
export const DATA_LONG_UNSIGNED = 0x12;
export const DATA_LONG64 = 0x14;
export const DATA_LONG64_UNSIGNED = 0x15;
export const DATA_ENUM = 0x16;
export const DATA_DATE_TIME = 0x19;
export const DATA_DATE = 0x1a;
export const DATA_TIME = 0x1b;

/** Fixed sizes of the scalar tags (bytes after the tag). */
function fixedSize(tag: number): number {
  switch (tag) {
    case DATA_NULL:
      return 0;
    case DATA_BOOLEAN:
    case DATA_INTEGER:
    case DATA_UNSIGNED:
    case DATA_ENUM:
      return 1;
    case DATA_LONG:
    case DATA_LONG_UNSIGNED:
      return 2;
    case DATA_DOUBLE_LONG:
    case DATA_DOUBLE_LONG_UNSIGNED:
    case DATA_TIME:
      return 4;
    case DATA_DATE:
      return 5;
    case DATA_LONG64:
    case DATA_LONG64_UNSIGNED:
      return 8;
    case DATA_DATE_TIME:
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
  if (tag === DATA_ARRAY || tag === DATA_STRUCTURE) {
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
  if (tag === DATA_OCTET_STRING || tag === DATA_VISIBLE_STRING || tag === DATA_UTF8_STRING) {
    const n = decodeLength(b, at + 1, end);
    if (!n.ok) return n;
    if (n.next + n.value > end) return reject('length-overrun', at + 1);
    return { ok: true, value: { tag: tag, raw: copyBytes(b, n.next, n.next + n.value), lengthWidth: n.width }, next: n.next + n.value };
  }
  if (tag === DATA_BIT_STRING) {
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
  if (v.tag === DATA_ARRAY || v.tag === DATA_STRUCTURE) {
    const items = v.items || [];
    const parts: Uint8Array[] = [new Uint8Array([v.tag]), encodeLength(items.length, v.lengthWidth)];
    for (let i = 0; i < items.length; i++) parts.push(encodeData(items[i]));
    return concatBytes(parts);
  }
  const raw = v.raw || new Uint8Array(0);
  if (v.tag === DATA_OCTET_STRING || v.tag === DATA_VISIBLE_STRING || v.tag === DATA_UTF8_STRING) {
    return concatBytes([new Uint8Array([v.tag]), encodeLength(raw.length, v.lengthWidth), raw]);
  }
  if (v.tag === DATA_BIT_STRING) {
    const bits = v.bits === undefined ? raw.length * 8 : v.bits;
    return concatBytes([new Uint8Array([v.tag]), encodeLength(bits, v.lengthWidth), raw]);
  }
  const size = fixedSize(v.tag);
  if (size < 0 || raw.length !== size) throw new Error('encodeData: tag ' + v.tag + ' needs ' + size + ' bytes, got ' + raw.length);
  return concatBytes([new Uint8Array([v.tag]), raw]);
}

// Constructors and readers for the values the hub uses.
export function octetStringData(b: Uint8Array): DlmsData {
  return { tag: DATA_OCTET_STRING, raw: b };
}
export function enumData(n: number): DlmsData {
  return { tag: DATA_ENUM, raw: new Uint8Array([n & 0xff]) };
}
export function unsignedData(n: number): DlmsData {
  return { tag: DATA_UNSIGNED, raw: new Uint8Array([n & 0xff]) };
}
export function integerData(n: number): DlmsData {
  return { tag: DATA_INTEGER, raw: new Uint8Array([n & 0xff]) };
}
export function longUnsignedData(n: number): DlmsData {
  return { tag: DATA_LONG_UNSIGNED, raw: new Uint8Array([(n >> 8) & 0xff, n & 0xff]) };
}
export function booleanData(v: boolean): DlmsData {
  return { tag: DATA_BOOLEAN, raw: new Uint8Array([v ? 0xff : 0x00]) };
}
export function nullData(): DlmsData {
  return { tag: DATA_NULL, raw: new Uint8Array(0) };
}
export function structureData(items: DlmsData[]): DlmsData {
  return { tag: DATA_STRUCTURE, items: items };
}
export function arrayData(items: DlmsData[]): DlmsData {
  return { tag: DATA_ARRAY, items: items };
}

/** The unsigned value of a 1-, 2- or 4-byte scalar; the signed value for integer/long/double-long. */
export function dataNumber(v: DlmsData): number {
  const r = v.raw || new Uint8Array(0);
  let n = 0;
  for (let i = 0; i < r.length; i++) n = n * 256 + r[i];
  if ((v.tag === DATA_INTEGER || v.tag === DATA_LONG || v.tag === DATA_DOUBLE_LONG) && r.length > 0 && r[0] & 0x80) n -= Math.pow(2, 8 * r.length);
  return n;
}

export interface AccessSpec {
  /** 1 get, 2 set, 3 action. */
  kind: number;
  classId: number;
  /** The six OBIS bytes. */
  obis: Uint8Array;
  /** Attribute (get/set) or method (action). */
  member: number;
}

export interface AccessRequest {
  invokeId: Uint8Array;
  /** The 12-byte date-time, or undefined when absent (00). */
  dateTime?: Uint8Array;
  specs: AccessSpec[];
  data: DlmsData[];
  widths: { specs: number; data: number };
}

export interface AccessResult {
  kind: number;
  result: number;
}

export interface AccessResponse {
  invokeId: Uint8Array;
  dateTime?: Uint8Array;
  data: DlmsData[];
  results: AccessResult[];
  widths: { data: number; results: number };
}

function decodeHead(b: Uint8Array, tag: number): Decoded<{ invokeId: Uint8Array; dateTime?: Uint8Array }> | Rejection {
  if (b.length < 6) return reject('truncated', 0);
  if (b[0] !== tag) return reject('bad-dlms-apdu', 0);
  if (b[5] === 0x00) return { ok: true, value: { invokeId: copyBytes(b, 1, 5) }, next: 6 };
  if (b[5] !== 0x0c) return reject('bad-date-time-length', 5);
  if (b.length < 18) return reject('truncated', 5);
  return { ok: true, value: { invokeId: copyBytes(b, 1, 5), dateTime: copyBytes(b, 6, 18) }, next: 18 };
}

function encodeHead(tag: number, invokeId: Uint8Array, dateTime?: Uint8Array): Uint8Array {
  if (invokeId.length !== 4) throw new Error('encodeHead: long-invoke-id must be 4 bytes, got ' + invokeId.length);
  if (dateTime && dateTime.length !== 12) throw new Error('encodeHead: date-time must be 12 bytes, got ' + dateTime.length);
  return concatBytes([new Uint8Array([tag]), invokeId, dateTime ? concatBytes([new Uint8Array([0x0c]), dateTime]) : new Uint8Array([0])]);
}

export function decodeAccessRequest(b: Uint8Array): AccessRequest | Rejection {
  const head = decodeHead(b, ACCESS_REQUEST);
  if (!head.ok) return head;
  const n = decodeLength(b, head.next);
  if (!n.ok) return n;
  let p = n.next;
  const specs: AccessSpec[] = [];
  for (let i = 0; i < n.value; i++) {
    if (p + 10 > b.length) return reject('truncated', p);
    if (b[p] < 1 || b[p] > 3) return reject('bad-dlms-apdu', p);
    specs.push({ kind: b[p], classId: (b[p + 1] << 8) | b[p + 2], obis: copyBytes(b, p + 3, p + 9), member: b[p + 9] });
    p += 10;
  }
  const m = decodeLength(b, p);
  if (!m.ok) return m;
  p = m.next;
  const data: DlmsData[] = [];
  for (let i = 0; i < m.value; i++) {
    const d = decodeData(b, p, b.length);
    if (!d.ok) return d;
    data.push(d.value);
    p = d.next;
  }
  if (p !== b.length) return reject('trailing-bytes', p);
  const out: AccessRequest = { invokeId: head.value.invokeId, specs: specs, data: data, widths: { specs: n.width, data: m.width } };
  if (head.value.dateTime) out.dateTime = head.value.dateTime;
  return out;
}

export function encodeAccessRequest(r: { invokeId: Uint8Array; dateTime?: Uint8Array; specs: AccessSpec[]; data: DlmsData[]; widths?: { specs: number; data: number } }): Uint8Array {
  const parts: Uint8Array[] = [encodeHead(ACCESS_REQUEST, r.invokeId, r.dateTime), encodeLength(r.specs.length, r.widths ? r.widths.specs : undefined)];
  for (let i = 0; i < r.specs.length; i++) {
    const s = r.specs[i];
    if (s.obis.length !== 6) throw new Error('encodeAccessRequest: OBIS must be 6 bytes');
    parts.push(new Uint8Array([s.kind, (s.classId >> 8) & 0xff, s.classId & 0xff]), s.obis, new Uint8Array([s.member]));
  }
  parts.push(encodeLength(r.data.length, r.widths ? r.widths.data : undefined));
  for (let i = 0; i < r.data.length; i++) parts.push(encodeData(r.data[i]));
  return concatBytes(parts);
}

export function decodeAccessResponse(b: Uint8Array): AccessResponse | Rejection {
  const head = decodeHead(b, ACCESS_RESPONSE);
  if (!head.ok) return head;
  let p = head.next;
  // access-request-specification OPTIONAL: GBCS responses never echo it (RTDS: always 00).
  if (p >= b.length) return reject('truncated', p);
  if (b[p] !== 0x00) return reject('bad-dlms-apdu', p);
  const n = decodeLength(b, p + 1);
  if (!n.ok) return n;
  p = n.next;
  const data: DlmsData[] = [];
  for (let i = 0; i < n.value; i++) {
    const d = decodeData(b, p, b.length);
    if (!d.ok) return d;
    data.push(d.value);
    p = d.next;
  }
  const m = decodeLength(b, p);
  if (!m.ok) return m;
  p = m.next;
  const results: AccessResult[] = [];
  for (let i = 0; i < m.value; i++) {
    if (p + 2 > b.length) return reject('truncated', p);
    if (b[p] < 1 || b[p] > 3) return reject('bad-dlms-apdu', p);
    results.push({ kind: b[p], result: b[p + 1] });
    p += 2;
  }
  if (p !== b.length) return reject('trailing-bytes', p);
  const out: AccessResponse = { invokeId: head.value.invokeId, data: data, results: results, widths: { data: n.width, results: m.width } };
  if (head.value.dateTime) out.dateTime = head.value.dateTime;
  return out;
}

export function encodeAccessResponse(r: { invokeId: Uint8Array; dateTime?: Uint8Array; data: DlmsData[]; results: AccessResult[]; widths?: { data: number; results: number } }): Uint8Array {
  const parts: Uint8Array[] = [encodeHead(ACCESS_RESPONSE, r.invokeId, r.dateTime), new Uint8Array([0]), encodeLength(r.data.length, r.widths ? r.widths.data : undefined)];
  for (let i = 0; i < r.data.length; i++) parts.push(encodeData(r.data[i]));
  parts.push(encodeLength(r.results.length, r.widths ? r.widths.results : undefined));
  for (let i = 0; i < r.results.length; i++) parts.push(new Uint8Array([r.results[i].kind, r.results[i].result]));
  return concatBytes(parts);
}

export interface DataNotification {
  invokeId: Uint8Array;
  dateTime?: Uint8Array;
  body: DlmsData;
}

export function decodeDataNotification(b: Uint8Array): DataNotification | Rejection {
  const head = decodeHead(b, DATA_NOTIFICATION);
  if (!head.ok) return head;
  const d = decodeData(b, head.next, b.length);
  if (!d.ok) return d;
  if (d.next !== b.length) return reject('trailing-bytes', d.next);
  const out: DataNotification = { invokeId: head.value.invokeId, body: d.value };
  if (head.value.dateTime) out.dateTime = head.value.dateTime;
  return out;
}

export function encodeDataNotification(n: DataNotification): Uint8Array {
  return concatBytes([encodeHead(DATA_NOTIFICATION, n.invokeId, n.dateTime), encodeData(n.body)]);
}

/** The GBCS long-invoke-id of a message with originator counter low word `lo`: 0x20 then its low 24 bits (RTDS). */
export function invokeIdFor(lo: number): Uint8Array {
  return new Uint8Array([0x20, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff]);
}
