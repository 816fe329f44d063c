/**
 * The DLMS/COSEM ACCESS service (IEC 62056-5-3, as GBCS §8 / §7.2.7 carry DLMS content): the access-request
 * the DCC writes and the device and the CHF read, and the access-response they write and the DCC reads.
 * `decodeAccessRequest`/`encodeAccessRequest` and `decodeAccessResponse`/`encodeAccessResponse` are the
 * byte-exact pairs (every count keeps the width it was read with; total: any bytes give a value or a
 * `Rejection` at an offset). The builders (`accessRequest`, `getAttribute`, `action`, `accessResponse`)
 * write from encoded Data, and `readAccessRequest`/`readAccessResponse` are the decoders seen the device's
 * and the DCC's way.
 * ```
 * access-request  = D9 long-invoke-id(4) date-time(00 | 0C+12) count {spec}* count {Data}*
 * spec            = kind(1) class(2) OBIS(6) attribute|method(1) [access-selector(1) access-parameters(Data)]
 * access-response = DA long-invoke-id(4) date-time(00 | 0C+12) 00 count {Data}* count {kind result}*
 * ```
 * Spec kinds: 1 get, 2 set, 3 action; 4..6 are the with-selection forms. The long-invoke-id of a command
 * is 0x20 (the flag byte every RTDS 4.5.0 command carries) then the low 24 bits of the originator counter.
 * Portable.
 * @module
 */
import { concatBytes, copyBytes } from '../../lib/bytes.ts';
import type { Counter64 } from '../counter64.ts';
import { decodeLength, encodeLength } from '../lengths.ts';
import { describeRejection, reject } from '../reject.ts';
import type { Rejection } from '../reject.ts';
import { dataValue, decodeData, encodeData, NULL_DATA, nullValue } from './data.ts';
import type { DataValue, Decoded, DlmsData } from './data.ts';

export const ACCESS_REQUEST = 0xd9;
export const ACCESS_RESPONSE = 0xda;

export const KIND_GET = 1;
export const KIND_SET = 2;
export const KIND_ACTION = 3;
export const KIND_GET_WITH_SELECTION = 4;
export const KIND_SET_WITH_SELECTION = 5;

/** DLMS Data-Access-Result / Action-Result values used here. */
export const RESULT_SUCCESS = 0;
export const RESULT_HARDWARE_FAULT = 1;
export const RESULT_OBJECT_UNDEFINED = 4;
export const RESULT_OTHER = 250;

export interface AccessSpec {
  /** 1 get, 2 set, 3 action; 4..6 their with-selection forms. */
  kind: number;
  classId: number;
  /** The six OBIS bytes. */
  obis: Uint8Array;
  /** Attribute (get/set) or method (action). */
  member: number;
  /** The access-selector of a with-selection get or set (kinds 4, 5), and its parameters (a Data, inline). */
  selector?: number;
  parameters?: DlmsData;
}

export interface AccessRequest {
  invokeId: Uint8Array;
  /** The 12-byte date-time, or undefined when absent (00). */
  dateTime?: Uint8Array;
  specs: AccessSpec[];
  data: DlmsData[];
  widths: { specs: number; data: number };
}

/** One entry of an access-response's result list. */
export interface AccessOutcome {
  kind: number;
  result: number;
}

export interface AccessResponse {
  invokeId: Uint8Array;
  dateTime?: Uint8Array;
  data: DlmsData[];
  results: AccessOutcome[];
  widths: { data: number; results: number };
}

/** The long-invoke-id a command carries for `counter`. */
export function invokeIdFor(counter: Counter64): Uint8Array {
  const lo = counter.lo;
  return new Uint8Array([0x20, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff]);
}

/** The get, set or action a spec kind (1..6) asks for: its with-selection form folded onto 1..3. */
export function baseKind(kind: number): number {
  return kind > 3 ? kind - 3 : kind;
}

/** The head every DLMS APDU here shares: tag, long-invoke-id, date-time (absent or 12 bytes). */
export function decodeApduHead(b: Uint8Array, tag: number): Decoded<{ invokeId: Uint8Array; dateTime?: Uint8Array }> | Rejection {
  if (b.length < 6) return reject('truncated', 0);
  if (b[0] !== tag) return reject('bad-dlms-apdu', 0);
  if (b[5] === 0x00) return { ok: true, value: { invokeId: copyBytes(b, 1, 5) }, next: 6 };
  if (b[5] !== 0x0c) return reject('bad-date-time-length', 5);
  if (b.length < 18) return reject('truncated', 5);
  return { ok: true, value: { invokeId: copyBytes(b, 1, 5), dateTime: copyBytes(b, 6, 18) }, next: 18 };
}

export function encodeApduHead(tag: number, invokeId: Uint8Array, dateTime?: Uint8Array): Uint8Array {
  if (invokeId.length !== 4) throw new Error('encodeApduHead: long-invoke-id must be 4 bytes, got ' + invokeId.length);
  if (dateTime && dateTime.length !== 12) throw new Error('encodeApduHead: date-time must be 12 bytes, got ' + dateTime.length);
  return concatBytes([new Uint8Array([tag]), invokeId, dateTime ? concatBytes([new Uint8Array([0x0c]), dateTime]) : new Uint8Array([0])]);
}

/** `n` Data from `p`: the list and the index after it. */
function decodeDataList(b: Uint8Array, p: number, n: number): Decoded<DlmsData[]> | Rejection {
  const data: DlmsData[] = [];
  for (let i = 0; i < n; i++) {
    const d = decodeData(b, p, b.length);
    if (!d.ok) return d;
    data.push(d.value);
    p = d.next;
  }
  return { ok: true, value: data, next: p };
}

export function decodeAccessRequest(b: Uint8Array): AccessRequest | Rejection {
  const head = decodeApduHead(b, ACCESS_REQUEST);
  if (!head.ok) return head;
  const n = decodeLength(b, head.next);
  if (!n.ok) return n;
  let p = n.next;
  const specs: AccessSpec[] = [];
  for (let i = 0; i < n.value; i++) {
    if (p + 10 > b.length) return reject('truncated', p);
    const kind = b[p];
    if (kind < 1 || kind > 6) return reject('bad-dlms-apdu', p);
    const s: AccessSpec = { kind: kind, classId: (b[p + 1] << 8) | b[p + 2], obis: copyBytes(b, p + 3, p + 9), member: b[p + 9] };
    p += 10;
    if (kind === KIND_GET_WITH_SELECTION || kind === KIND_SET_WITH_SELECTION) {
      // Selective-Access-Descriptor: access-selector(1) then access-parameters, one Data
      if (p >= b.length) return reject('truncated', p);
      s.selector = b[p];
      const parameters = decodeData(b, p + 1, b.length);
      if (!parameters.ok) return parameters;
      s.parameters = parameters.value;
      p = parameters.next;
    }
    specs.push(s);
  }
  const m = decodeLength(b, p);
  if (!m.ok) return m;
  const data = decodeDataList(b, m.next, m.value);
  if (!data.ok) return data;
  if (data.next !== b.length) return reject('trailing-bytes', data.next);
  const out: AccessRequest = { invokeId: head.value.invokeId, specs: specs, data: data.value, widths: { specs: n.width, data: m.width } };
  if (head.value.dateTime) out.dateTime = head.value.dateTime;
  return out;
}

export function encodeAccessRequest(r: { invokeId: Uint8Array; dateTime?: Uint8Array; specs: AccessSpec[]; data: DlmsData[]; widths?: { specs: number; data: number } }): Uint8Array {
  const parts: Uint8Array[] = [encodeApduHead(ACCESS_REQUEST, r.invokeId, r.dateTime), encodeLength(r.specs.length, r.widths ? r.widths.specs : undefined)];
  for (let i = 0; i < r.specs.length; i++) {
    const s = r.specs[i];
    if (s.obis.length !== 6) throw new Error('encodeAccessRequest: OBIS must be 6 bytes');
    parts.push(new Uint8Array([s.kind, (s.classId >> 8) & 0xff, s.classId & 0xff]), s.obis, new Uint8Array([s.member]));
    if (s.selector !== undefined) parts.push(new Uint8Array([s.selector]), encodeData(s.parameters || nullValue()));
  }
  parts.push(encodeLength(r.data.length, r.widths ? r.widths.data : undefined));
  for (let i = 0; i < r.data.length; i++) parts.push(encodeData(r.data[i]));
  return concatBytes(parts);
}

export function decodeAccessResponse(b: Uint8Array): AccessResponse | Rejection {
  const head = decodeApduHead(b, ACCESS_RESPONSE);
  if (!head.ok) return head;
  const p = head.next;
  // access-request-specification OPTIONAL: GBCS responses never echo it (RTDS: always 00).
  if (p >= b.length) return reject('truncated', p);
  if (b[p] !== 0x00) return reject('bad-dlms-apdu', p);
  const n = decodeLength(b, p + 1);
  if (!n.ok) return n;
  const data = decodeDataList(b, n.next, n.value);
  if (!data.ok) return data;
  const m = decodeLength(b, data.next);
  if (!m.ok) return m;
  let q = m.next;
  const results: AccessOutcome[] = [];
  for (let i = 0; i < m.value; i++) {
    if (q + 2 > b.length) return reject('truncated', q);
    if (b[q] < 1 || b[q] > 6) return reject('bad-dlms-apdu', q);
    results.push({ kind: b[q], result: b[q + 1] });
    q += 2;
  }
  if (q !== b.length) return reject('trailing-bytes', q);
  const out: AccessResponse = { invokeId: head.value.invokeId, data: data.value, results: results, widths: { data: n.width, results: m.width } };
  if (head.value.dateTime) out.dateTime = head.value.dateTime;
  return out;
}

export function encodeAccessResponse(r: { invokeId: Uint8Array; dateTime?: Uint8Array; data: DlmsData[]; results: AccessOutcome[]; widths?: { data: number; results: number } }): Uint8Array {
  const parts: Uint8Array[] = [encodeApduHead(ACCESS_RESPONSE, r.invokeId, r.dateTime), new Uint8Array([0]), encodeLength(r.data.length, r.widths ? r.widths.data : undefined)];
  for (let i = 0; i < r.data.length; i++) parts.push(encodeData(r.data[i]));
  parts.push(encodeLength(r.results.length, r.widths ? r.widths.results : undefined));
  for (let i = 0; i < r.results.length; i++) parts.push(new Uint8Array([r.results[i].kind, r.results[i].result]));
  return concatBytes(parts);
}

/** The six bytes of an OBIS code written `A-B:C.D.E.F`; a malformed code is a caller bug (thrown). */
export function obisBytes(obis: string): Uint8Array {
  const parts = obis.split(/[-:.]/);
  const out = new Uint8Array(6);
  if (parts.length !== 6) throw new Error('obisBytes: expected A-B:C.D.E.F, got ' + obis);
  for (let i = 0; i < 6; i++) {
    const v = parseInt(parts[i], 10);
    if (!(v >= 0 && v <= 255) || String(v) !== parts[i]) throw new Error('obisBytes: expected A-B:C.D.E.F, got ' + obis);
    out[i] = v;
  }
  return out;
}

/** One request specification (kind 1..6), with the access selector of the with-selection forms (its parameters follow it). */
export function accessSpec(kind: number, classId: number, obis: string, member: number, selector?: number): Uint8Array {
  const head = new Uint8Array([kind, (classId >> 8) & 0xff, classId & 0xff]);
  const tail = selector === undefined ? new Uint8Array([member]) : new Uint8Array([member, selector]);
  return concatBytes([head, obisBytes(obis), tail]);
}

/** An access-request of one specification and its Data (null-data for a get, the parameters for an action). */
export function accessRequest(counter: Counter64, spec: Uint8Array, data: Uint8Array): Uint8Array {
  return concatBytes([encodeApduHead(ACCESS_REQUEST, invokeIdFor(counter)), new Uint8Array([0x01]), spec, new Uint8Array([0x01]), data]);
}

/**
 * An access-request of several specifications, each with its Data (null-data for a get, the value for a
 * set, the parameter for an action), in order: `D9 id 00 n spec* n Data*` (readAccessRequest reads it).
 */
export function accessRequestList(counter: Counter64, items: Array<{ spec: Uint8Array; data: Uint8Array }>): Uint8Array {
  const parts: Uint8Array[] = [new Uint8Array([ACCESS_REQUEST]), invokeIdFor(counter), new Uint8Array([0x00, items.length])];
  for (const it of items) parts.push(it.spec);
  parts.push(new Uint8Array([items.length]));
  for (const it of items) parts.push(it.data);
  return concatBytes(parts);
}

export function setAttribute(counter: Counter64, classId: number, obis: string, attribute: number, value: Uint8Array): Uint8Array {
  return accessRequest(counter, accessSpec(KIND_SET, classId, obis, attribute), value);
}

export function getAttribute(counter: Counter64, classId: number, obis: string, attribute: number): Uint8Array {
  return accessRequest(counter, accessSpec(KIND_GET, classId, obis, attribute), NULL_DATA);
}

export function action(counter: Counter64, classId: number, obis: string, method: number, parameter: Uint8Array): Uint8Array {
  return accessRequest(counter, accessSpec(KIND_ACTION, classId, obis, method), parameter);
}

/** The access-request in `c`, or undefined if `c` is not one (`decodeAccessRequest` says why). */
export function readAccessRequest(c: Uint8Array): AccessRequest | undefined {
  const r = decodeAccessRequest(c);
  return 'ok' in r ? undefined : r;
}

export interface AccessResult {
  /** Encoded DLMS Data for this spec (null-data `00` for set/action or a failed get). */
  data: Uint8Array;
  result: number;
}

/** An access-response answering `req` with one result per specification (kinds folded onto get/set/action). */
export function accessResponse(req: AccessRequest, results: AccessResult[]): Uint8Array {
  const parts: Uint8Array[] = [encodeApduHead(ACCESS_RESPONSE, req.invokeId), new Uint8Array([0]), encodeLength(results.length)];
  for (let i = 0; i < results.length; i++) parts.push(results[i].data);
  parts.push(encodeLength(results.length));
  for (let i = 0; i < results.length; i++) parts.push(new Uint8Array([baseKind(req.specs[i].kind), results[i].result]));
  return concatBytes(parts);
}

/** An access-response with its Data as plain values (the DCC's view). */
export interface AccessResponseValues {
  invokeId: Uint8Array;
  data: DataValue[];
  results: AccessOutcome[];
}

/** Decodes an access-response to plain values, or says why it is not one. */
export function readAccessResponse(c: Uint8Array): AccessResponseValues | string {
  const r = decodeAccessResponse(c);
  if ('ok' in r) return 'not a DLMS access-response: ' + describeRejection(r);
  const data: DataValue[] = [];
  for (let i = 0; i < r.data.length; i++) {
    const v = dataValue(r.data[i]);
    if (v === undefined) return 'DLMS Data of a type not read here (tag ' + r.data[i].tag + ')';
    data.push(v);
  }
  return { invokeId: r.invokeId, data: data, results: r.results };
}
