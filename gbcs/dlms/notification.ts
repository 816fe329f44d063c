/**
 * The DLMS Data-Notification that carries a DLMS device's alerts (IEC 62056-5-3 DataNotification; GBCS
 * §7.2.x alert format for DLMS COSEM devices, as every RTDS 4.5.0 DLMS alert shows it):
 * ```
 * 0F  long-invoke-id-and-priority(4)  date-time 00 (absent)
 *     structure(2 + n) { long-unsigned alertCode, octet-string(12) DLMS date-time of the event, n more Data }
 * ```
 * The extra Data are the alert's own content (none for the generic alerts 0x1000/0x1001, the device's
 * image hash for the Firmware Distribution Receipt Alert 0x00CE). The invoke-id-and-priority is 0x20 then
 * the low 24 bits of the alert's own originator counter (RTDS: 0x200007D0 for counter 0x7D0). Portable.
 * @module
 */
import { concatBytes } from '../../lib/bytes.ts';
import type { Counter64 } from '../counter64.ts';
import { dlmsDateTime } from '../dateTime.ts';
import { invokeIdFor } from './access.ts';
import { longUnsigned, octetString, readAxdrLength, readData, TAG_STRUCTURE } from './data.ts';
import type { DlmsData } from './data.ts';

export const DATA_NOTIFICATION = 0x0f;

export interface AlertNotification {
  invokeId: Uint8Array;
  alertCode: number;
  /** The 12-byte DLMS date-time of the event. */
  time: Uint8Array;
  /** The Data after the date-time, decoded. */
  extra: DlmsData[];
}

/** The Data-Notification of an alert raised at `timeSec` and sent with `counter`; `extra`: encoded Data. */
export function alertNotification(counter: Counter64, alertCode: number, timeSec: number, extra: Uint8Array[]): Uint8Array {
  const parts = [new Uint8Array([DATA_NOTIFICATION]), invokeIdFor(counter), new Uint8Array([0x00, TAG_STRUCTURE, 2 + extra.length]), longUnsigned(alertCode), octetString(dlmsDateTime(timeSec))];
  return concatBytes(parts.concat(extra));
}

/** Reads an alert Data-Notification, or says why `c` is not one. */
export function readAlertNotification(c: Uint8Array): AlertNotification | string {
  if (c.length < 8 || c[0] !== DATA_NOTIFICATION) return 'not a DLMS Data-Notification (0F)';
  if (c[5] !== 0x00) return 'the Data-Notification carries a date-time (GBCS alerts carry none)';
  if (c[6] !== TAG_STRUCTURE) return 'the notification body is not a structure';
  const n = readAxdrLength(c, 7);
  if (!n || n.length < 2) return 'the notification structure has fewer than 2 elements';
  const code = readData(c, n.next);
  if (!code || typeof code.value !== 'number' || c[n.next] !== 0x12) return 'the alert code is not a long-unsigned';
  const time = readData(c, code.next);
  if (!time || !(time.value instanceof Uint8Array) || time.value.length !== 12) return 'the alert time is not a 12-byte octet-string';
  const extra: DlmsData[] = [];
  let at = time.next;
  for (let i = 2; i < n.length; i++) {
    const d = readData(c, at);
    if (!d) return 'undecodable Data at byte ' + at;
    extra.push(d.value);
    at = d.next;
  }
  if (at !== c.length) return (c.length - at) + ' bytes after the notification body';
  return { invokeId: c.subarray(1, 5), alertCode: code.value, time: time.value, extra: extra };
}
