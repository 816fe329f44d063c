/**
 * Join and unjoin contents (GBCS §13.7, use cases CS03A1, CS03A2, CS03B, CS03C, CS04AC, CS04B and CS07),
 * ASN.1 DER, as the DCC's RTDS 4.5.0 shows them (folders 8.7.1_CS03A2Critical, 8.7.1_CS03CCritical,
 * 8.7.2_CS03B, 8.8.2_CS04*, 8.9_CS07; field names and value lists checked against the DCC GBCS message
 * parser's join decoders and the GBCS JoinDevice payload table):
 *
 *   JoinDeviceCommand    SEQUENCE { joinMethodAndRole INTEGER { methodAInitiator 0, methodAResponder 1,
 *                                   methodB 2, methodC 3 },
 *                                   otherDeviceEntityIdentifier OCTET STRING (8),
 *                                   otherDeviceType DeviceType,
 *                                   otherDeviceKeyAgreementCertificate Certificate OPTIONAL }
 *                        -- the certificate is present if and only if the join is between a GSME and a PPMID
 *   JoinDeviceResponse   INTEGER (JOIN_* below)
 *   UnjoinDeviceCommand  OCTET STRING (8): the entity identifier to remove from the Device Log
 *   UnjoinDeviceResponse INTEGER { success 0, notInDeviceLog 1, otherFailure 2 }
 *   ReadDeviceJoinDetailsCommand   NULL
 *   ReadDeviceJoinDetailsResponse  SEQUENCE { responseCode INTEGER { success 0, readFailure 1 },
 *                                   deviceLogEntries SEQUENCE OF SEQUENCE { deviceId OCTET STRING (8),
 *                                   deviceType DeviceType } OPTIONAL }
 *   DeviceType           INTEGER { gSME 0, eSME 1, chf 2, gpf 3, hcalcs 4, ppmid 5, type2 6 }
 * Portable.
 * @module
 */
import { derNull, derOctetString, derSequence, derSmallInteger, readChildren, readSmallInteger, readTlv, TAG_INTEGER, TAG_NULL, TAG_OCTET_STRING, TAG_SEQUENCE, valueOf } from '../der.ts';
import { copyBytes } from '../../lib/bytes.ts';

export const MESSAGE_CODE_CS03A1 = 0x000d;
export const MESSAGE_CODE_CS03B = 0x000e;
export const MESSAGE_CODE_CS04AC = 0x000f;
export const MESSAGE_CODE_CS04B = 0x0010;
export const MESSAGE_CODE_CS07 = 0x0013;
export const MESSAGE_CODE_CS03A2 = 0x00ab;
export const MESSAGE_CODE_CS03C = 0x00af;

/** JoinMethodAndRole. */
export const METHOD_A_INITIATOR = 0;
export const METHOD_A_RESPONDER = 1;
export const METHOD_B = 2;
export const METHOD_C = 3;

/** GBCS DeviceType. */
export const DEVICE_GSME = 0;
export const DEVICE_ESME = 1;
export const DEVICE_CHF = 2;
export const DEVICE_GPF = 3;
export const DEVICE_HCALCS = 4;
export const DEVICE_PPMID = 5;
export const DEVICE_TYPE2 = 6;
export const DEVICE_TYPE_NAMES = ['GSME', 'ESME', 'CHF', 'GPF', 'HCALCS', 'PPMID', 'Type 2'];

/** JoinDeviceResponse codes. */
export const JOIN_SUCCESS = 0;
export const JOIN_INVALID_MESSAGE_CODE_FOR_METHOD = 1;
export const JOIN_INVALID_METHOD_AND_ROLE = 2;
export const JOIN_INCOMPATIBLE_WITH_EXISTING_ENTRY = 3;
export const JOIN_DEVICE_LOG_FULL = 4;
export const JOIN_WRITE_FAILURE = 5;
export const JOIN_KA_NO_RESOURCES = 6;
export const JOIN_KA_UNKNOWN_ISSUER = 7;
export const JOIN_KA_UNSUPPORTED_SUITE = 8;
export const JOIN_KA_BAD_MESSAGE = 9;
export const JOIN_KA_BAD_KEY_CONFIRM = 10;
export const JOIN_INVALID_OR_MISSING_CERTIFICATE = 11;
export const JOIN_NO_PARTNER_LINK_KEY = 12;
export const JOIN_NO_CBKE_RESPONSE = 13;

/** UnjoinDeviceResponse codes. */
export const UNJOIN_SUCCESS = 0;
export const UNJOIN_NOT_IN_DEVICE_LOG = 1;
export const UNJOIN_OTHER_FAILURE = 2;

/** ReadDeviceJoinDetailsResponse codes. */
export const READ_JOIN_SUCCESS = 0;
export const READ_JOIN_FAILURE = 1;

export interface JoinCommand {
  method: number;
  /** The other device's entity identifier (EUI-64). */
  other: Uint8Array;
  otherType: number;
  /** The other device's Key Agreement certificate, whole DER (Method C joins only). */
  certificate?: Uint8Array;
}

export interface JoinedDeviceSummary {
  eui: Uint8Array;
  deviceType: number;
}

export function encodeJoinCommand(c: JoinCommand): Uint8Array {
  const parts = [derSmallInteger(c.method), derOctetString(c.other), derSmallInteger(c.otherType)];
  if (c.certificate) parts.push(c.certificate);
  return derSequence(parts);
}

/** A JoinDeviceCommand, or why it is not one. The certificate is returned as bytes; its reading is the caller's. */
export function decodeJoinCommand(b: Uint8Array): JoinCommand | string {
  const top = readTlv(b, 0, b.length);
  if (!top.ok || top.tag !== TAG_SEQUENCE || top.end !== b.length) return 'not a DER SEQUENCE';
  const kids = readChildren(b, top);
  if (!(kids instanceof Array)) return 'bad DER inside the SEQUENCE';
  if (kids.length < 3 || kids.length > 4) return 'expected 3 or 4 fields';
  if (kids[0].tag !== TAG_INTEGER) return 'joinMethodAndRole must be an INTEGER';
  const method = readSmallInteger(b, kids[0]);
  if (typeof method !== 'number') return 'bad joinMethodAndRole';
  if (kids[1].tag !== TAG_OCTET_STRING || kids[1].end - kids[1].valueStart !== 8) return 'otherDeviceEntityIdentifier must be an 8-byte OCTET STRING';
  if (kids[2].tag !== TAG_INTEGER) return 'otherDeviceType must be an INTEGER';
  const otherType = readSmallInteger(b, kids[2]);
  if (typeof otherType !== 'number') return 'bad otherDeviceType';
  const out: JoinCommand = { method: method, other: copyBytes(valueOf(b, kids[1])), otherType: otherType };
  if (kids.length === 4) {
    if (kids[3].tag !== TAG_SEQUENCE) return 'the certificate must be a SEQUENCE';
    out.certificate = copyBytes(b, kids[3].start, kids[3].end);
  }
  return out;
}

/** A response that is one INTEGER (JoinDeviceResponse, UnjoinDeviceResponse). */
export function encodeResponseCode(code: number): Uint8Array {
  return derSmallInteger(code);
}

export function decodeResponseCode(b: Uint8Array): number | string {
  const t = readTlv(b, 0, b.length);
  if (!t.ok || t.tag !== TAG_INTEGER || t.end !== b.length) return 'not a DER INTEGER';
  const n = readSmallInteger(b, t);
  return typeof n === 'number' ? n : 'bad INTEGER';
}

export function encodeUnjoinCommand(other: Uint8Array): Uint8Array {
  return derOctetString(other);
}

/** The entity identifier of an UnjoinDeviceCommand, or why it is not one. */
export function decodeUnjoinCommand(b: Uint8Array): Uint8Array | string {
  const t = readTlv(b, 0, b.length);
  if (!t.ok || t.tag !== TAG_OCTET_STRING || t.end !== b.length) return 'not a DER OCTET STRING';
  if (t.end - t.valueStart !== 8) return 'the entity identifier must be 8 bytes';
  return copyBytes(valueOf(b, t));
}

export function encodeReadJoinDetailsCommand(): Uint8Array {
  return derNull();
}

export function isReadJoinDetailsCommand(b: Uint8Array): boolean {
  return b.length === 2 && b[0] === TAG_NULL && b[1] === 0;
}

/** ReadDeviceJoinDetailsResponse: the code, and the entries when `entries` is given (success). */
export function encodeReadJoinDetailsResponse(code: number, entries?: JoinedDeviceSummary[]): Uint8Array {
  const parts = [derSmallInteger(code)];
  if (entries) {
    const rows: Uint8Array[] = [];
    for (let i = 0; i < entries.length; i++) rows.push(derSequence([derOctetString(entries[i].eui), derSmallInteger(entries[i].deviceType)]));
    parts.push(derSequence(rows));
  }
  return derSequence(parts);
}

export function decodeReadJoinDetailsResponse(b: Uint8Array): { code: number; entries?: JoinedDeviceSummary[] } | string {
  const top = readTlv(b, 0, b.length);
  if (!top.ok || top.tag !== TAG_SEQUENCE || top.end !== b.length) return 'not a DER SEQUENCE';
  const kids = readChildren(b, top);
  if (!(kids instanceof Array) || kids.length < 1 || kids.length > 2 || kids[0].tag !== TAG_INTEGER) return 'expected SEQUENCE { INTEGER, SEQUENCE OF entry OPTIONAL }';
  const code = readSmallInteger(b, kids[0]);
  if (typeof code !== 'number') return 'bad response code';
  if (kids.length === 1) return { code: code };
  if (kids[1].tag !== TAG_SEQUENCE) return 'device log entries must be a SEQUENCE OF';
  const rows = readChildren(b, kids[1]);
  if (!(rows instanceof Array)) return 'bad DER in the entries';
  const entries: JoinedDeviceSummary[] = [];
  for (let i = 0; i < rows.length; i++) {
    if (rows[i].tag !== TAG_SEQUENCE) return 'entry ' + i + ' must be a SEQUENCE';
    const f = readChildren(b, rows[i]);
    if (!(f instanceof Array) || f.length !== 2 || f[0].tag !== TAG_OCTET_STRING || f[0].end - f[0].valueStart !== 8 || f[1].tag !== TAG_INTEGER) return 'entry ' + i + ': expected { OCTET STRING (8), INTEGER }';
    const t = readSmallInteger(b, f[1]);
    if (typeof t !== 'number') return 'entry ' + i + ': bad device type';
    entries.push({ eui: copyBytes(valueOf(b, f[0])), deviceType: t });
  }
  return { code: code, entries: entries };
}
