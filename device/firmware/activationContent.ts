/**
 * CS06 Activate Firmware content and the firmware alerts' content, as the DCC's RTDS 4.5.0 shows them
 * (folder 11.3_CS06; GBCS-FACTS "CS06"), DER:
 *   command   SEQUENCE { firmwareHash OCTET STRING (32), originatorCounter INTEGER (= the header's),
 *                        executionDateTime GeneralizedTime OPTIONAL }   -- 99991231235959Z cancels
 *   response  immediate: SEQUENCE { activationStatus INTEGER, firmwareVersion OCTET STRING };
 *             future-dated and cancellation: NULL
 *   00CA      Future Dated Firmware Activation Alert: SEQUENCE { alertCode INTEGER (8F66 success,
 *             8F67 error), executionDateTime GeneralizedTime, originatorCounter INTEGER,
 *             SEQUENCE { activationStatus INTEGER, firmwareVersion OCTET STRING } }
 *   00CE      Firmware Distribution Receipt Alert: SEQUENCE { firmwareHash OCTET STRING (32) } — the device's
 *             own SHA-256 of the image (GBCS-FACTS). No reference vector: the layout is OURS (UNCONFIRMED).
 * Activation status: 0 success, 1 no image held, 2 hash mismatch, 3 failure. Portable.
 * @module
 */
import { derGeneralizedTime, derNull, derOctetString, derSequence, derSmallInteger, derUnsignedInteger, readChildren, readSmallInteger, readTime, readTlv, readUnsignedInteger, TAG_GENERALIZED_TIME, TAG_INTEGER, TAG_NULL, TAG_OCTET_STRING, TAG_SEQUENCE, valueOf } from '../gbcs/der.ts';

export const STATUS_SUCCESS = 0;
export const STATUS_NO_IMAGE = 1;
export const STATUS_HASH_MISMATCH = 2;
export const STATUS_FAILURE = 3;
export const ALERT_FUTURE_SUCCESS = 0x8f66;
export const ALERT_FUTURE_ERROR = 0x8f67;
export const CODE_ACTIVATE_FIRMWARE = 0x0012;
export const CODE_FUTURE_ACTIVATION_ALERT = 0x00ca;
export const CODE_RECEIPT_ALERT_ESME = 0x00ce;
export const CANCEL_TIME = '99991231235959Z';

export interface Cs06Command {
  hash: Uint8Array;
  /** The content's originator counter, unsigned magnitude bytes. */
  counter: Uint8Array;
  /** YYYYMMDDHHMMSSZ, when future-dated (or CANCEL_TIME). */
  executionTime?: string;
}

export function encodeCs06(hash: Uint8Array, counter: Uint8Array, executionTime?: string): Uint8Array {
  const parts = [derOctetString(hash), derUnsignedInteger(counter)];
  if (executionTime) parts.push(derGeneralizedTime(executionTime));
  return derSequence(parts);
}

export function decodeCs06(content: Uint8Array): Cs06Command | string {
  const top = readTlv(content, 0);
  if (!top.ok || top.tag !== TAG_SEQUENCE || top.end !== content.length) return 'not a DER SEQUENCE';
  const kids = readChildren(content, top);
  if (!(kids instanceof Array) || kids.length < 2 || kids.length > 3) return 'expected 2 or 3 fields';
  if (kids[0].tag !== TAG_OCTET_STRING || kids[0].end - kids[0].valueStart !== 32) return 'firmware hash must be a 32-byte OCTET STRING';
  if (kids[1].tag !== TAG_INTEGER) return 'originator counter must be an INTEGER';
  const counter = readUnsignedInteger(content, kids[1]);
  if (!(counter instanceof Uint8Array)) return 'bad originator counter';
  const out: Cs06Command = { hash: new Uint8Array(valueOf(content, kids[0])), counter: new Uint8Array(counter) };
  if (kids.length === 3) {
    if (kids[2].tag !== TAG_GENERALIZED_TIME) return 'execution date-time must be a GeneralizedTime';
    const t = readTime(content, kids[2]);
    if (typeof t !== 'string') return 'bad execution date-time';
    out.executionTime = t;
  }
  return out;
}

export function activationResult(status: number, version: Uint8Array): Uint8Array {
  return derSequence([derSmallInteger(status), derOctetString(version)]);
}

export function nullContent(): Uint8Array {
  return derNull();
}

/** Reads an immediate CS06 response: status and version, or 'null' for a future-dated/cancellation one. */
export function decodeActivationResponse(content: Uint8Array): { status: number; version: Uint8Array } | 'null' | string {
  const top = readTlv(content, 0);
  if (!top.ok) return 'not DER';
  if (top.tag === TAG_NULL) return 'null';
  if (top.tag !== TAG_SEQUENCE) return 'expected NULL or a SEQUENCE';
  const kids = readChildren(content, top);
  if (!(kids instanceof Array) || kids.length !== 2 || kids[1].tag !== TAG_OCTET_STRING) return 'expected { status, version }';
  const status = readSmallInteger(content, kids[0]);
  if (typeof status !== 'number') return 'bad status';
  return { status: status, version: new Uint8Array(valueOf(content, kids[1])) };
}

export function futureActivationAlert(alertCode: number, executionTime: string, counter: Uint8Array, status: number, version: Uint8Array): Uint8Array {
  return derSequence([derSmallInteger(alertCode), derGeneralizedTime(executionTime), derUnsignedInteger(counter), activationResult(status, version)]);
}

export function receiptAlert(hash: Uint8Array): Uint8Array {
  return derSequence([derOctetString(hash)]);
}

export function decodeReceiptAlert(content: Uint8Array): Uint8Array | undefined {
  const top = readTlv(content, 0);
  if (!top.ok || top.tag !== TAG_SEQUENCE) return undefined;
  const kids = readChildren(content, top);
  if (!(kids instanceof Array) || kids.length !== 1 || kids[0].tag !== TAG_OCTET_STRING || kids[0].end - kids[0].valueStart !== 32) return undefined;
  return new Uint8Array(valueOf(content, kids[0]));
}

/** Seconds since 1970 of a YYYYMMDDHHMMSSZ time (UTC). */
export function timeToUnix(t: string): number {
  const y = parseInt(t.substring(0, 4), 10);
  const mo = parseInt(t.substring(4, 6), 10);
  const d = parseInt(t.substring(6, 8), 10);
  // Days from civil (proleptic Gregorian), Howard Hinnant's algorithm, in plain arithmetic.
  const yy = mo <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  return days * 86400 + parseInt(t.substring(8, 10), 10) * 3600 + parseInt(t.substring(10, 12), 10) * 60 + parseInt(t.substring(12, 14), 10);
}

/** YYYYMMDDHHMMSSZ of a unix time (UTC). */
export function unixToTime(sec: number): string {
  const days = Math.floor(sec / 86400);
  const rem = sec - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const two = (n: number) => (n < 10 ? '0' : '') + n;
  return y + two(m) + two(d) + two(Math.floor(rem / 3600)) + two(Math.floor((rem % 3600) / 60)) + two(rem % 60) + 'Z';
}
