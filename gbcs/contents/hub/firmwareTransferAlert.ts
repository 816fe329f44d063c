/**
 * CCS08 Firmware Transfer Alert (message code 0x0128, a critical alert signed by the CHF; GBCS §11; RTDS
 * NA_CCS08), ASN.1 DER as the RTDS file shows it:
 *   SEQUENCE { INTEGER alert code, GeneralizedTime when, OCTET STRING(8) target device,
 *              OCTET STRING firmware version, INTEGER outcome }
 * RTDS: alert code 0x8F8A, 20150101000000Z, device 00DB1234567890A4, version 0123ABCD, outcome 0. The use
 * case names four occasions (image discarded, hardware version mismatch, transfer failed, transfer
 * successful); which alert code / outcome number names which is not in our texts: we send 0x8F8A with
 * outcome 0 for a successful transfer, as RTDS's sample, and the OUTCOME_* numbers below for the others
 * (ours, UNCONFIRMED).
 * @module
 */
import { derGeneralizedTime, derOctetString, derSequence, derSmallInteger, expectTlv, readChildren, readSmallInteger, readTime, TAG_GENERALIZED_TIME, TAG_INTEGER, TAG_OCTET_STRING, valueOf } from '../../der.ts';
import { TAG_SEQUENCE } from '../../der.ts';
import { copyBytes } from '../../../lib/bytes.ts';
import { reject } from '../../reject.ts';
import type { Rejection } from '../../reject.ts';

export const MESSAGE_CODE_CCS08 = 0x0128;
export const ALERT_CODE_CCS08 = 0x8f8a;
export const OUTCOME_SUCCESS = 0;
export const OUTCOME_FAILED = 1;
export const OUTCOME_HARDWARE_MISMATCH = 2;
export const OUTCOME_DISCARDED = 3;

export interface FirmwareTransferAlert {
  alertCode: number;
  /** YYYYMMDDHHMMSSZ */
  time: string;
  device: Uint8Array;
  version: Uint8Array;
  outcome: number;
}

function pad(n: number, w: number): string {
  let s = '' + n;
  while (s.length < w) s = '0' + s;
  return s;
}

/** YYYYMMDDHHMMSSZ of seconds since 1970 (UTC). */
export function generalizedTimeOf(sec: number): string {
  const d = new Date(sec * 1000);
  return pad(d.getUTCFullYear(), 4) + pad(d.getUTCMonth() + 1, 2) + pad(d.getUTCDate(), 2) + pad(d.getUTCHours(), 2) + pad(d.getUTCMinutes(), 2) + pad(d.getUTCSeconds(), 2) + 'Z';
}

export function encodeFirmwareTransferAlert(a: FirmwareTransferAlert): Uint8Array {
  return derSequence([derSmallInteger(a.alertCode), derGeneralizedTime(a.time), derOctetString(a.device), derOctetString(a.version), derSmallInteger(a.outcome)]);
}

export function decodeFirmwareTransferAlert(b: Uint8Array): FirmwareTransferAlert | Rejection {
  const outer = expectTlv(b, 0, b.length, TAG_SEQUENCE);
  if (!outer.ok) return outer;
  if (outer.end !== b.length) return reject('trailing-bytes', outer.end);
  const f = readChildren(b, outer);
  if (!Array.isArray(f)) return f;
  if (f.length !== 5 || f[0].tag !== TAG_INTEGER || f[1].tag !== TAG_GENERALIZED_TIME || f[2].tag !== TAG_OCTET_STRING || f[2].end - f[2].valueStart !== 8 || f[3].tag !== TAG_OCTET_STRING || f[4].tag !== TAG_INTEGER) {
    return reject('bad-der', outer.valueStart);
  }
  const code = readSmallInteger(b, f[0]);
  if (typeof code !== 'number') return code;
  const time = readTime(b, f[1]);
  if (typeof time !== 'string') return time;
  const outcome = readSmallInteger(b, f[4]);
  if (typeof outcome !== 'number') return outcome;
  return { alertCode: code, time: time, device: copyBytes(valueOf(b, f[2])), version: copyBytes(valueOf(b, f[3])), outcome: outcome };
}
