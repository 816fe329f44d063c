/**
 * Just enough DLMS/COSEM (IEC 62056-5-3 ACCESS service, as GBCS §7.2.7/§8 carries it) for the device to
 * answer a command: read the access-request's specifications (get / set / action, each with its COSEM
 * descriptor) and build the matching access-response, one result per specification, echoing the
 * long-invoke-id (which GBCS fills from the originator counter).
 *
 * access-request  = D9 long-invoke-id(4) date-time(00 | 0C+12) count {spec}* count {Data}*
 * access-response = DA long-invoke-id(4) date-time(00) 00 count {Data}* count {kind result}*
 * Spec kinds: 1 get, 2 set, 3 action (4..6 are the with-selection forms, carrying an access selector).
 * @module
 */
import { concatBytes } from '../../lib/bytes.ts';

export const ACCESS_REQUEST = 0xd9;
export const ACCESS_RESPONSE = 0xda;

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

export const NULL_DATA = new Uint8Array([0]);

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

/** DLMS octet-string Data (tag 09). */
export function octetString(b: Uint8Array): Uint8Array {
  return concatBytes([new Uint8Array([0x09, b.length]), b]);
}

/** DLMS enum Data (tag 16). */
export function enumData(v: number): Uint8Array {
  return new Uint8Array([0x16, v & 0xff]);
}

/** DLMS array Data (tag 01) of encoded elements. */
export function arrayData(elements: Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [new Uint8Array([0x01, elements.length])];
  return concatBytes(parts.concat(elements));
}

/** DLMS structure Data (tag 02) of encoded elements. */
export function structureData(elements: Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [new Uint8Array([0x02, elements.length])];
  return concatBytes(parts.concat(elements));
}

export function doubleLongUnsigned(v: number): Uint8Array {
  return new Uint8Array([0x06, (v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
}

export function longUnsigned(v: number): Uint8Array {
  return new Uint8Array([0x12, (v >> 8) & 0xff, v & 0xff]);
}
