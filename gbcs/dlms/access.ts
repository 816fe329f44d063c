/**
 * The DLMS/COSEM ACCESS service (IEC 62056-5-3, as GBCS §8 carries DLMS content): the access-request the
 * DCC writes and the device reads, and the access-response the device writes and the DCC reads. One
 * result per specification; the long-invoke-id is echoed (GBCS fills it from the originator counter).
 * ```
 * access-request  = D9 long-invoke-id(4) date-time(00 | 0C+12) count {spec}* count {Data}*
 * spec            = kind(1) class(2) OBIS(6) attribute|method(1) [access-selector(1), its parameters a Data]
 * access-response = DA long-invoke-id(4) date-time(00) 00 count {Data}* count {kind result}*
 * ```
 * Spec kinds: 1 get, 2 set, 3 action; 4..6 are the with-selection forms. The long-invoke-id of a command
 * is 0x20 (the flag byte every RTDS 4.5.0 command carries) then the low 24 bits of the originator counter.
 * Portable.
 * @module
 */
import { concatBytes } from '../../lib/bytes.ts';
import type { Counter64 } from '../counter64.ts';
import { NULL_DATA, readData } from './data.ts';
import type { DlmsData } from './data.ts';

export const ACCESS_REQUEST = 0xd9;
export const ACCESS_RESPONSE = 0xda;

export const KIND_GET = 1;
export const KIND_SET = 2;
export const KIND_ACTION = 3;
export const KIND_GET_WITH_SELECTION = 4;

/** DLMS Data-Access-Result / Action-Result values used here. */
export const RESULT_SUCCESS = 0;
export const RESULT_HARDWARE_FAULT = 1;
export const RESULT_OBJECT_UNDEFINED = 4;
export const RESULT_OTHER = 250;

export interface AccessSpec {
  /** 1 get, 2 set, 3 action (the with-selection forms are folded onto 1 and 2). */
  kind: number;
  classId: number;
  /** The six OBIS bytes as hex, e.g. '0000600a03ff'. */
  obis: string;
  /** Attribute (get/set) or method (action). */
  member: number;
}

export interface AccessRequest {
  invokeId: Uint8Array;
  specs: AccessSpec[];
}

/** The long-invoke-id a command carries for `counter`. */
export function invokeIdFor(counter: Counter64): Uint8Array {
  const lo = counter.lo;
  return new Uint8Array([0x20, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff]);
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

/** One request specification (kind 1..6), with the access selector of the with-selection forms. */
export function accessSpec(kind: number, classId: number, obis: string, member: number, selector?: number): Uint8Array {
  const head = new Uint8Array([kind, (classId >> 8) & 0xff, classId & 0xff]);
  const tail = selector === undefined ? new Uint8Array([member]) : new Uint8Array([member, selector]);
  return concatBytes([head, obisBytes(obis), tail]);
}

/** An access-request of one specification and its Data (null-data for a get, the parameters for an action). */
export function accessRequest(counter: Counter64, spec: Uint8Array, data: Uint8Array): Uint8Array {
  return concatBytes([new Uint8Array([ACCESS_REQUEST]), invokeIdFor(counter), new Uint8Array([0x00, 0x01]), spec, new Uint8Array([0x01]), data]);
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

function hex(b: Uint8Array, at: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += (b[at + i] < 16 ? '0' : '') + b[at + i].toString(16);
  return s;
}

/** The specifications of a DLMS access-request, or undefined if `c` is not one. */
export function readAccessRequest(c: Uint8Array): AccessRequest | undefined {
  if (c.length < 7 || c[0] !== ACCESS_REQUEST) return undefined;
  let at = 5;
  if (c[at] === 0x0c) at += 13;
  else if (c[at] === 0) at += 1;
  else return undefined;
  if (at >= c.length) return undefined;
  const count = c[at++];
  if (count > 0x7f) return undefined;
  const specs: AccessSpec[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 10 > c.length) return undefined;
    const tag = c[at];
    if (tag < 1 || tag > 6) return undefined;
    specs.push({ kind: tag === 4 ? 1 : tag === 5 ? 2 : tag === 6 ? 3 : tag, classId: (c[at + 1] << 8) | c[at + 2], obis: hex(c, at + 3, 6), member: c[at + 9] });
    at += 10;
    if (tag === 4 || tag === 5) {
      // access-selector (1 byte) followed by its parameters as one Data in the list below; nothing inline
      if (at >= c.length) return undefined;
      at += 1;
    }
  }
  return { invokeId: c.subarray(1, 5), specs: specs };
}

export interface AccessResult {
  /** Encoded DLMS Data for this spec (null-data `00` for set/action or a failed get). */
  data: Uint8Array;
  result: number;
}

/** An access-response answering `req` with one result per specification. */
export function accessResponse(req: AccessRequest, results: AccessResult[]): Uint8Array {
  const parts: Uint8Array[] = [new Uint8Array([ACCESS_RESPONSE]), req.invokeId, new Uint8Array([0, 0, results.length])];
  for (let i = 0; i < results.length; i++) parts.push(results[i].data);
  const tail = new Uint8Array(1 + 2 * results.length);
  tail[0] = results.length;
  for (let i = 0; i < results.length; i++) {
    tail[1 + 2 * i] = req.specs[i].kind;
    tail[2 + 2 * i] = results[i].result;
  }
  parts.push(tail);
  return concatBytes(parts);
}

export interface AccessResponse {
  invokeId: Uint8Array;
  data: DlmsData[];
  results: Array<{ kind: number; result: number }>;
}

/** Decodes an access-response, or says why it is not one. */
export function readAccessResponse(c: Uint8Array): AccessResponse | string {
  if (c.length < 8 || c[0] !== ACCESS_RESPONSE) return 'not a DLMS access-response (DA)';
  let at = 5;
  if (c[at] !== 0x00) return 'unexpected date-time in the access-response';
  at += 2;
  const n = c[at++];
  const data: DlmsData[] = [];
  for (let i = 0; i < n; i++) {
    const d = readData(c, at);
    if (!d) return 'undecodable DLMS Data at byte ' + at;
    data.push(d.value);
    at = d.next;
  }
  if (at >= c.length) return 'no result list';
  const m = c[at++];
  if (at + 2 * m !== c.length) return 'result list length does not match';
  const results: Array<{ kind: number; result: number }> = [];
  for (let i = 0; i < m; i++) results.push({ kind: c[at + 2 * i], result: c[at + 2 * i + 1] });
  return { invokeId: c.subarray(1, 5), data: data, results: results };
}
