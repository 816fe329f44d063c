/**
 * The content of the alerts this device sends, in the shapes the DCC's RTDS 4.5.0 alert files show:
 *
 * - Generic alerts, DLMS (message code 0x1000 Generic Critical Alert, 0x1001 Generic Non Critical Alert;
 *   RTDS NA_GCA-DLMS 8F30, NA_GNCA-DLMS 810E): a DLMS Data-Notification (dlms/notification.ts)
 *     structure(2) { long-unsigned alertCode, octet-string(12) DLMS date-time of the event }
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
 * Authorisation not covered by other codes. The firmware receipt alerts are firmwareReceipt.ts. Portable.
 * @module
 */
import type { Counter64 } from '../counter64.ts';
import { derGeneralizedTime, derSequence, derSmallInteger } from '../der.ts';
import { alertNotification, readAlertNotification } from '../dlms/notification.ts';

export const MESSAGE_CODE_GENERIC_CRITICAL_ALERT = 0x1000;
export const MESSAGE_CODE_GENERIC_NON_CRITICAL_ALERT = 0x1001;
export const MESSAGE_CODE_FUTURE_DATED_CREDENTIALS_ALERT = 0x00cb;

export const ALERT_FUTURE_DATED_ACTIONED = 0x8f66;
export const ALERT_FUTURE_DATED_NOT_ACTIONED = 0x8f67;
export const ALERT_AUTHENTICATION_FAILURE = 0x8f3d;
export const ALERT_NO_AUTHORITY = 0x8f30;
export const ALERT_INTEGRITY_FAILURE = 0x8f1e;
export const ALERT_OTHER_AUTH_FAILURE = 0x8f53;

/** The DLMS content of a generic alert (0x1000 / 0x1001) raised at `timeSec`, sent with `counter`. */
export function genericAlertContent(counter: Counter64, alertCode: number, timeSec: number): Uint8Array {
  return alertNotification(counter, alertCode, timeSec, []);
}

/** The alert code of a generic DLMS alert content, or undefined when it is not one. */
export function genericAlertCode(content: Uint8Array): number | undefined {
  const n = readAlertNotification(content);
  return typeof n === 'string' || n.extra.length !== 0 ? undefined : n.alertCode;
}

/** The 0x00CB alert content: the outcome of a future-dated CS02b executed at `executionTime`. */
export function futureDatedCredentialsAlert(actioned: boolean, executionTime: string, executionOutcome: Uint8Array): Uint8Array {
  return derSequence([
    derSmallInteger(actioned ? ALERT_FUTURE_DATED_ACTIONED : ALERT_FUTURE_DATED_NOT_ACTIONED),
    derGeneralizedTime(executionTime),
    executionOutcome,
  ]);
}
