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
 * (The firmware receipt alerts 00CE / 00CF are firmwareReceipt.ts.)
 * Activation status: 0 success, 1 no image held, 2 hash mismatch, 3 failure. Portable.
 * @module
 */
import { derGeneralizedTime, derNull, derOctetString, derSequence, derSmallInteger, derUnsignedInteger, readChildren, readSmallInteger, readTime, readTlv, readUnsignedInteger, TAG_GENERALIZED_TIME, TAG_INTEGER, TAG_NULL, TAG_OCTET_STRING, TAG_SEQUENCE, valueOf } from '../der.ts';

export const STATUS_SUCCESS = 0;
export const STATUS_NO_IMAGE = 1;
export const STATUS_HASH_MISMATCH = 2;
export const STATUS_FAILURE = 3;
export const ALERT_FUTURE_SUCCESS = 0x8f66;
export const ALERT_FUTURE_ERROR = 0x8f67;
export const CODE_ACTIVATE_FIRMWARE = 0x0012;
export const CODE_FUTURE_ACTIVATION_ALERT = 0x00ca;

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

/**
 * Reads an immediate CS06 response: status and version, or 'null' for a future-dated/cancellation one.
 * A device writes it: BER long-form lengths are accepted (der.ts LengthRule), and the whole content must be read.
 */
export function decodeActivationResponse(content: Uint8Array): { status: number; version: Uint8Array } | 'null' | string {
  const top = readTlv(content, 0, content.length, 'ber');
  if (!top.ok || top.end !== content.length) return 'not DER (BER lengths allowed)';
  if (top.tag === TAG_NULL) return 'null';
  if (top.tag !== TAG_SEQUENCE) return 'expected NULL or a SEQUENCE';
  const kids = readChildren(content, top, 'ber');
  if (!(kids instanceof Array) || kids.length !== 2 || kids[1].tag !== TAG_OCTET_STRING) return 'expected { status, version }';
  const status = readSmallInteger(content, kids[0]);
  if (typeof status !== 'number') return 'bad status';
  return { status: status, version: new Uint8Array(valueOf(content, kids[1])) };
}

export function futureActivationAlert(alertCode: number, executionTime: string, counter: Uint8Array, status: number, version: Uint8Array): Uint8Array {
  return derSequence([derSmallInteger(alertCode), derGeneralizedTime(executionTime), derUnsignedInteger(counter), activationResult(status, version)]);
}
