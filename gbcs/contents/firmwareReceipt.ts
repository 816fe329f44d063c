/**
 * The Firmware Distribution Receipt Alerts (FDRA; GBCS message codes 0x00CE for DLMS devices (ESME),
 * 0x00CF for ZigBee devices (GSME); alert code 0x8F72): after receiving a whole image the device tells the
 * DCC the hash it calculated over it (GBCS §11: the "Calculated Manufacturer Hash", SHA-256 of the image).
 * Laid out as the RTDS 4.5.0 NA_FDRA-DLMS and NA_FDRA-ZigBee alerts are (and as
 * SmartDCCInnovation/gbcs-parser reads them):
 * ```
 * 0x00CE  DLMS Data-Notification (dlms/notification.ts):
 *           structure(3) { long-unsigned 8F72, octet-string(12) date-time, octet-string(32) hash }
 * 0x00CF  GBZ alert (gbz/alertHeader.ts): 0109, 1 component, 8F72, UTCTime, then the hash as a DLMS
 *           octet-string 09 20 {32 bytes}
 * ```
 * Portable.
 * @module
 */
import { concatBytes } from '../../lib/bytes.ts';
import type { Counter64 } from '../counter64.ts';
import { dlmsDateTimeToSeconds } from '../dateTime.ts';
import { octetString, readData } from '../dlms/data.ts';
import { alertNotification, readAlertNotification } from '../dlms/notification.ts';
import { gbzAlertHeader, readGbzAlertHeader } from '../gbz/alertHeader.ts';

export const MESSAGE_CODE_FDRA_DLMS = 0x00ce;
export const MESSAGE_CODE_FDRA_GBZ = 0x00cf;
export const ALERT_FIRMWARE_DISTRIBUTION_RECEIPT = 0x8f72;
const HASH_LENGTH = 32;

export interface FirmwareReceipt {
  alertCode: number;
  /** When the device raised it, seconds since 1970 (UTC). */
  timeSec: number;
  /** The device's own hash of the image it received. */
  hash: Uint8Array;
}

/** The 0x00CE content a DLMS device sends with `counter` (its invoke id carries the counter). */
export function fdraDlms(counter: Counter64, timeSec: number, hash: Uint8Array): Uint8Array {
  if (hash.length !== HASH_LENGTH) throw new Error('fdraDlms: the hash is ' + hash.length + ' bytes, not 32');
  return alertNotification(counter, ALERT_FIRMWARE_DISTRIBUTION_RECEIPT, timeSec, [octetString(hash)]);
}

/** The 0x00CF content a ZigBee device sends. */
export function fdraGbz(timeSec: number, hash: Uint8Array): Uint8Array {
  if (hash.length !== HASH_LENGTH) throw new Error('fdraGbz: the hash is ' + hash.length + ' bytes, not 32');
  return concatBytes([gbzAlertHeader(1, ALERT_FIRMWARE_DISTRIBUTION_RECEIPT, timeSec), octetString(hash)]);
}

function checked(alertCode: number, timeSec: number | undefined, hash: unknown): FirmwareReceipt | string {
  if (alertCode !== ALERT_FIRMWARE_DISTRIBUTION_RECEIPT) return 'alert code 0x' + alertCode.toString(16) + ' is not 0x8f72';
  if (timeSec === undefined) return 'the time stamp is not a date-time';
  if (!(hash instanceof Uint8Array) || hash.length !== HASH_LENGTH) return 'the hash is not a 32-byte octet-string';
  return { alertCode: alertCode, timeSec: timeSec, hash: hash };
}

/** Reads a receipt alert's content by its message code (0x00CE DLMS, 0x00CF GBZ), or says why it cannot. */
export function readFirmwareReceipt(messageCode: number, content: Uint8Array): FirmwareReceipt | string {
  if (messageCode === MESSAGE_CODE_FDRA_DLMS) {
    const n = readAlertNotification(content);
    if (typeof n === 'string') return n;
    if (n.extra.length !== 1) return 'expected 1 Data after the date-time, got ' + n.extra.length;
    return checked(n.alertCode, dlmsDateTimeToSeconds(n.time), n.extra[0]);
  }
  if (messageCode === MESSAGE_CODE_FDRA_GBZ) {
    const h = readGbzAlertHeader(content);
    if (typeof h === 'string') return h;
    if (h.components !== 1) return 'expected 1 GBZ component, got ' + h.components;
    const d = readData(content, h.next);
    if (!d) return 'the hash is not a DLMS octet-string';
    if (d.next !== content.length) return (content.length - d.next) + ' bytes after the hash';
    return checked(h.alertCode, h.timeSec, d.value);
  }
  return 'message code 0x' + messageCode.toString(16) + ' is not a Firmware Distribution Receipt Alert';
}
