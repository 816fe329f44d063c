/**
 * The DLMS Data-Notification (IEC 62056-5-3 DataNotification) that carries a DLMS device's and the CHF's
 * alerts (GBCS §7.2.x alert format for DLMS COSEM devices, as every RTDS 4.5.0 DLMS alert shows it).
 * `decodeDataNotification`/`encodeDataNotification` are the byte-exact pair over any body; the alert
 * builder and reader below are its GBCS alert form:
 * ```
 * data-notification = 0F long-invoke-id-and-priority(4) date-time(00 | 0C+12) Data
 * alert body        = structure(2 + n) { long-unsigned alertCode, octet-string(12) DLMS date-time of the event, n more Data }
 * ```
 * The extra Data are the alert's own content (none for the generic alerts 0x1000/0x1001, the device's
 * image hash for the Firmware Distribution Receipt Alert 0x00CE). The invoke-id-and-priority is 0x20 then
 * the low 24 bits of the alert's own originator counter (RTDS: 0x200007D0 for counter 0x7D0). Portable.
 * @module
 */
import { concatBytes } from '../../lib/bytes.ts';
import type { Counter64 } from '../counter64.ts';
import { dlmsDateTime } from '../dateTime.ts';
import { describeRejection, reject } from '../reject.ts';
import type { Rejection } from '../reject.ts';
import { decodeApduHead, encodeApduHead, invokeIdFor } from './access.ts';
import { dataNumber, dataValue, decodeData, encodeData, longUnsigned, octetString, TAG_LONG_UNSIGNED, TAG_OCTET_STRING, TAG_STRUCTURE } from './data.ts';
import type { DataValue, DlmsData } from './data.ts';

export const DATA_NOTIFICATION = 0x0f;

export interface DataNotification {
  invokeId: Uint8Array;
  dateTime?: Uint8Array;
  body: DlmsData;
}

export function decodeDataNotification(b: Uint8Array): DataNotification | Rejection {
  const head = decodeApduHead(b, DATA_NOTIFICATION);
  if (!head.ok) return head;
  const d = decodeData(b, head.next, b.length);
  if (!d.ok) return d;
  if (d.next !== b.length) return reject('trailing-bytes', d.next);
  const out: DataNotification = { invokeId: head.value.invokeId, body: d.value };
  if (head.value.dateTime) out.dateTime = head.value.dateTime;
  return out;
}

export function encodeDataNotification(n: DataNotification): Uint8Array {
  return concatBytes([encodeApduHead(DATA_NOTIFICATION, n.invokeId, n.dateTime), encodeData(n.body)]);
}

export interface AlertNotification {
  invokeId: Uint8Array;
  alertCode: number;
  /** The 12-byte DLMS date-time of the event. */
  time: Uint8Array;
  /** The Data after the date-time, as plain values. */
  extra: DataValue[];
}

/** The Data-Notification of an alert raised at `timeSec` and sent with `counter`; `extra`: encoded Data. */
export function alertNotification(counter: Counter64, alertCode: number, timeSec: number, extra: Uint8Array[]): Uint8Array {
  const parts = [encodeApduHead(DATA_NOTIFICATION, invokeIdFor(counter)), new Uint8Array([TAG_STRUCTURE, 2 + extra.length]), longUnsigned(alertCode), octetString(dlmsDateTime(timeSec))];
  return concatBytes(parts.concat(extra));
}

/** Reads an alert Data-Notification, or says why `c` is not one. */
export function readAlertNotification(c: Uint8Array): AlertNotification | string {
  const n = decodeDataNotification(c);
  if ('ok' in n) return 'not a DLMS Data-Notification: ' + describeRejection(n);
  if (n.dateTime) return 'the Data-Notification carries a date-time (GBCS alerts carry none)';
  const items = n.body.items;
  if (n.body.tag !== TAG_STRUCTURE || !items) return 'the notification body is not a structure';
  if (items.length < 2) return 'the notification structure has fewer than 2 elements';
  if (items[0].tag !== TAG_LONG_UNSIGNED) return 'the alert code is not a long-unsigned';
  const time = items[1].raw;
  if (items[1].tag !== TAG_OCTET_STRING || !time || time.length !== 12) return 'the alert time is not a 12-byte octet-string';
  const extra: DataValue[] = [];
  for (let i = 2; i < items.length; i++) {
    const v = dataValue(items[i]);
    if (v === undefined) return 'Data of a type not read here (tag ' + items[i].tag + ') in the notification';
    extra.push(v);
  }
  return { invokeId: n.invokeId, alertCode: dataNumber(items[0]), time: time, extra: extra };
}
