/**
 * The content of the alerts this device sends, in the shapes the DCC's RTDS 4.5.0 alert files show:
 *
 * - Generic alerts, DLMS (message code 0x1000 Generic Critical Alert, 0x1001 Generic Non Critical Alert;
 *   RTDS NA_GCA-DLMS 8F30, NA_GNCA-DLMS 810E): a DLMS Data-Notification
 *     0F  long-invoke-id-and-priority (4)  date-time 00 (absent)
 *         structure(2) { long-unsigned alertCode, octet-string(12) DLMS date-time of the event }
 *   The RTDS invoke-id-and-priority is 0x20 followed by the low 24 bits of the alert's own originator
 *   counter (0x200007D0 in an alert with counter 0x7D0, 0x200007D2 with 0x7D2): we do the same.
 * - Future-dated update security credentials (message code 0x00CB; RTDS 6.23_CS02bSupplierByTransCoS
 *   8F66_FUTURE_DATED_SUCCESS_ALERT), ASN.1 DER:
 *     SEQUENCE { alertCode INTEGER (0x8F66 actioned / 0x8F67 not actioned), executionDateTime
 *                GeneralizedTime (the scheduled time), executionOutcome (as in the CS02b response) }
 *   The RTDS file writes its SEQUENCE lengths in the long form (82 00 DE); DER's shortest form carries the
 *   same values (compared structurally in the tests).
 * Alert codes (GBCS alert code table, as transcribed in SmartDCCInnovation/gbcs-parser `alertCodes`):
 * 0x8F66 Future-date HAN Interface Command Successfully Actioned, 0x8F67 ... not Successfully Actioned,
 * 0x8F3D Trusted Source Authentication Failure, 0x8F30 Source Does not have Authority for Command,
 * 0x8F1E Integrity check of content or format of command failed, 0x8F53 Failed Authentication or
 * Authorisation not covered by other codes. Portable.
 * @module
 */
import { concatBytes } from '../../lib/bytes.ts';
import type { Counter64 } from '../../gbcs/counter64.ts';
import { dlmsDateTime } from '../../gbcs/dateTime.ts';
import { derGeneralizedTime, derSequence, derSmallInteger } from '../../gbcs/der.ts';

export const MESSAGE_CODE_GENERIC_CRITICAL_ALERT = 0x1000;
export const MESSAGE_CODE_GENERIC_NON_CRITICAL_ALERT = 0x1001;
export const MESSAGE_CODE_FUTURE_DATED_CREDENTIALS_ALERT = 0x00cb;

export const ALERT_FUTURE_DATED_ACTIONED = 0x8f66;
export const ALERT_FUTURE_DATED_NOT_ACTIONED = 0x8f67;
export const ALERT_AUTHENTICATION_FAILURE = 0x8f3d;
export const ALERT_NO_AUTHORITY = 0x8f30;
export const ALERT_INTEGRITY_FAILURE = 0x8f1e;
export const ALERT_OTHER_AUTH_FAILURE = 0x8f53;

/** DLMS data-notification tag (IEC 62056-5-3). */
const DATA_NOTIFICATION = 0x0f;

/** The DLMS content of a generic alert (0x1000 / 0x1001) raised at `timeSec`, sent with `counter`. */
export function genericAlertContent(counter: Counter64, alertCode: number, timeSec: number): Uint8Array {
  const lo = counter.lo;
  return concatBytes([
    new Uint8Array([DATA_NOTIFICATION, 0x20, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff, 0x00]),
    new Uint8Array([0x02, 0x02, 0x12, (alertCode >> 8) & 0xff, alertCode & 0xff, 0x09, 0x0c]),
    dlmsDateTime(timeSec),
  ]);
}

/** The alert code of a generic DLMS alert content, or undefined when it is not one. */
export function genericAlertCode(content: Uint8Array): number | undefined {
  if (content.length !== 25 || content[0] !== DATA_NOTIFICATION || content[6] !== 0x02 || content[8] !== 0x12) return undefined;
  return (content[9] << 8) | content[10];
}

/** The 0x00CB alert content: the outcome of a future-dated CS02b executed at `executionTime`. */
export function futureDatedCredentialsAlert(actioned: boolean, executionTime: string, executionOutcome: Uint8Array): Uint8Array {
  return derSequence([
    derSmallInteger(actioned ? ALERT_FUTURE_DATED_ACTIONED : ALERT_FUTURE_DATED_NOT_ACTIONED),
    derGeneralizedTime(executionTime),
    executionOutcome,
  ]);
}
