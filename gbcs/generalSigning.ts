/**
 * The GBCS General Signing APDU (GBCS §7.2.3, the "grouping header" plus content and signature), the
 * part of every GBCS message that a signature covers. Layout, offsets from its DF tag:
 * ```
 * DF  09 CRA counter(8)  08 originator(8)  08 recipient(8)  00 | 0C date-time(12)
 *     LEN other-information   LEN content   [signature: nothing | 00 | 40 r(32) s(32)]
 * ```
 * other-information = message code (2) [+ supplementary remote party id (8) [+ its counter (8)
 * [+ supplementary originator counter (8) | the remote party's KA certificate (DER)]]] (GBCS §7.2.3,
 * checked against RTDS 4.5.0: 2, 18, 26 and 424/425 bytes occur).
 * The signed bytes (GBCS §7.2.5) are the APDU from offset 1 (the 09) to the end of the content.
 * Decoding returns views into the input (no copies) and the ranges the crypto layer needs.
 * @module
 */
import { counterFromBytes, writeCounter } from './counter64.ts';
import type { Counter64 } from './counter64.ts';
import { readTlv } from './der.ts';
import { decodeLength, encodeLength, minimalLengthWidth } from './lengths.ts';
import { reject } from './reject.ts';
import type { Rejection } from './reject.ts';

export const GENERAL_SIGNING_TAG = 0xdf;
/** Transaction id length: CRA flag (1) + originator counter (8). */
export const TRANSACTION_ID_LENGTH = 9;
export const SYSTEM_TITLE_LENGTH = 8;
/** DLMS date-time (IEC 62056-6-2 §4.1.6.1): 12 bytes. */
export const DATE_TIME_LENGTH = 12;
/** ECDSA P-256 signature r||s. */
export const SIGNATURE_LENGTH = 64;

export const CRA_COMMAND = 1;
export const CRA_RESPONSE = 2;
export const CRA_ALERT = 3;

/** absent: a pre-command (no signature field at all); null: the `00` field; ecdsa: `40` + r||s. */
export type SignatureForm = 'absent' | 'null' | 'ecdsa';

export interface Supplementary {
  /** Supplementary remote party id (EUI-64), e.g. the supplier behind an ACB-originated command. */
  remoteParty: Uint8Array;
  /** That party's counter. */
  remotePartyCounter?: Counter64;
  /** Supplementary originator counter (responses to supplementary-party commands). */
  originatorCounter?: Counter64;
  /** The remote party's KA certificate, DER (commands whose response payload is encrypted to it). */
  kaCertificate?: Uint8Array;
}

/** What a General Signing APDU says: enough to encode it again, byte for byte. */
export interface GeneralSigningFields {
  /** 1 command, 2 response, 3 alert. */
  cra: number;
  counter: Counter64;
  originator: Uint8Array;
  recipient: Uint8Array;
  /** The 12-byte DLMS date-time, or undefined when absent (00). */
  dateTime?: Uint8Array;
  messageCode: number;
  supplementary?: Supplementary;
  content: Uint8Array;
  signatureForm: SignatureForm;
  /** r||s (64 bytes) when signatureForm is 'ecdsa'. */
  signature?: Uint8Array;
  /** Widths (1..3) of the other-information and content lengths; shortest form when not given. */
  lengthWidths?: { otherInformation: number; content: number };
}

/** A byte range `[start, end)` in the buffer that was decoded. */
export interface Range {
  start: number;
  end: number;
}

export interface DecodedGeneralSigning extends GeneralSigningFields {
  ok: true;
  lengthWidths: { otherInformation: number; content: number };
  /** Where each part sits in the decoded buffer. */
  ranges: {
    /** The whole APDU, DF .. signature. */
    apdu: Range;
    /** Offset 1 (the 09) to the end of the content: what the signature covers. */
    signed: Range;
    otherInformation: Range;
    content: Range;
    /** The signature field including its length byte (empty at the end of the content when absent). */
    signatureField: Range;
  };
  /** The whole APDU bytes (a view). */
  apdu: Uint8Array;
  /** The signed bytes (a view). */
  signed: Uint8Array;
}

function field(bytes: Uint8Array, at: number, end: number, size: number, reason: 'bad-transaction-id-length' | 'bad-system-title-length'): Rejection | undefined {
  if (at >= end) return reject('truncated', at);
  if (bytes[at] !== size) return reject(reason, at);
  if (at + 1 + size > end) return reject('truncated', at + 1);
  return undefined;
}

/**
 * Decodes the General Signing APDU that must fill `bytes[start, end)` exactly (defaults: the whole
 * buffer). Offsets in rejections and ranges are positions in `bytes`.
 */
export function decodeGeneralSigning(bytes: Uint8Array, start?: number, end?: number): DecodedGeneralSigning | Rejection {
  const s = start === undefined ? 0 : start;
  const e = end === undefined ? bytes.length : end;
  if (s >= e) return reject('truncated', s);
  if (bytes[s] !== GENERAL_SIGNING_TAG) return reject('unknown-apdu-tag', s);
  let at = s + 1;
  let bad = field(bytes, at, e, TRANSACTION_ID_LENGTH, 'bad-transaction-id-length');
  if (bad) return bad;
  const cra = bytes[at + 1];
  if (cra !== CRA_COMMAND && cra !== CRA_RESPONSE && cra !== CRA_ALERT) return reject('bad-cra-flag', at + 1);
  const counter = counterFromBytes(bytes, at + 2);
  at += 1 + TRANSACTION_ID_LENGTH;
  bad = field(bytes, at, e, SYSTEM_TITLE_LENGTH, 'bad-system-title-length');
  if (bad) return bad;
  const originator = bytes.subarray(at + 1, at + 9);
  at += 9;
  bad = field(bytes, at, e, SYSTEM_TITLE_LENGTH, 'bad-system-title-length');
  if (bad) return bad;
  const recipient = bytes.subarray(at + 1, at + 9);
  at += 9;
  if (at >= e) return reject('truncated', at);
  let dateTime: Uint8Array | undefined;
  if (bytes[at] === DATE_TIME_LENGTH) {
    if (at + 1 + DATE_TIME_LENGTH > e) return reject('truncated', at + 1);
    dateTime = bytes.subarray(at + 1, at + 1 + DATE_TIME_LENGTH);
    at += 1 + DATE_TIME_LENGTH;
  } else if (bytes[at] === 0) {
    at += 1;
  } else {
    return reject('bad-date-time-length', at);
  }
  // other-information
  const oiLen = decodeLength(bytes, at, e);
  if (!oiLen.ok) return oiLen;
  const oiStart = oiLen.next;
  const oiEnd = oiStart + oiLen.value;
  if (oiEnd > e) return reject('length-overrun', at);
  const oi = decodeOtherInformation(bytes, oiStart, oiEnd);
  if (!oi.ok) return oi;
  at = oiEnd;
  // content
  const cLen = decodeLength(bytes, at, e);
  if (!cLen.ok) return cLen;
  const cStart = cLen.next;
  const cEnd = cStart + cLen.value;
  if (cEnd > e) return reject('length-overrun', at);
  at = cEnd;
  // signature
  let signatureForm: SignatureForm = 'absent';
  let signature: Uint8Array | undefined;
  if (at < e) {
    const sLen = decodeLength(bytes, at, e);
    if (!sLen.ok) return sLen;
    if (sLen.next + sLen.value > e) return reject('length-overrun', at);
    if (sLen.width !== 1 || (sLen.value !== 0 && sLen.value !== SIGNATURE_LENGTH)) return reject('bad-signature-length', at);
    if (sLen.next + sLen.value < e) return reject('trailing-bytes', sLen.next + sLen.value);
    if (sLen.value === 0) {
      signatureForm = 'null';
    } else {
      signatureForm = 'ecdsa';
      signature = bytes.subarray(sLen.next, e);
    }
  }
  const result: DecodedGeneralSigning = {
    ok: true,
    cra: cra,
    counter: counter,
    originator: originator,
    recipient: recipient,
    messageCode: oi.messageCode,
    content: bytes.subarray(cStart, cEnd),
    signatureForm: signatureForm,
    lengthWidths: { otherInformation: oiLen.width, content: cLen.width },
    ranges: {
      apdu: { start: s, end: e },
      signed: { start: s + 1, end: cEnd },
      otherInformation: { start: oiStart, end: oiEnd },
      content: { start: cStart, end: cEnd },
      signatureField: { start: cEnd, end: e },
    },
    apdu: bytes.subarray(s, e),
    signed: bytes.subarray(s + 1, cEnd),
  };
  if (dateTime) result.dateTime = dateTime;
  if (oi.supplementary) result.supplementary = oi.supplementary;
  if (signature) result.signature = signature;
  return result;
}

interface OtherInformation {
  ok: true;
  messageCode: number;
  supplementary?: Supplementary;
}

/** other-information in `bytes[start, end)`: message code and the supplementary forms. */
function decodeOtherInformation(bytes: Uint8Array, start: number, end: number): OtherInformation | Rejection {
  const n = end - start;
  if (n < 2) return reject('bad-other-information', start);
  const out: OtherInformation = { ok: true, messageCode: (bytes[start] << 8) | bytes[start + 1] };
  if (n === 2) return out;
  if (n < 10) return reject('bad-other-information', start + 2);
  const sup: Supplementary = { remoteParty: bytes.subarray(start + 2, start + 10) };
  out.supplementary = sup;
  if (n === 10) return out;
  if (n < 18) return reject('bad-other-information', start + 10);
  sup.remotePartyCounter = counterFromBytes(bytes, start + 10);
  if (n === 18) return out;
  if (n === 26) {
    sup.originatorCounter = counterFromBytes(bytes, start + 18);
    return out;
  }
  // Otherwise a DER certificate (a SEQUENCE) that fills the rest exactly.
  const cert = readTlv(bytes, start + 18, end);
  if (!cert.ok) return cert;
  if (cert.tag !== 0x30) return reject('bad-other-information', start + 18);
  if (cert.end !== end) return reject('trailing-bytes', cert.end);
  sup.kaCertificate = bytes.subarray(start + 18, end);
  return out;
}

function checkSize(what: string, b: Uint8Array | undefined, size: number): void {
  if (!b || b.length !== size) throw new Error('encodeGeneralSigning: ' + what + ' must be ' + size + ' bytes, got ' + (b ? b.length : 'none'));
}

/** The other-information bytes for a message code and supplementary fields. */
export function encodeOtherInformation(messageCode: number, sup?: Supplementary): Uint8Array {
  let n = 2;
  if (sup) {
    checkSize('supplementary remote party', sup.remoteParty, 8);
    n = 10;
    if (sup.remotePartyCounter) {
      n = 18;
      if (sup.originatorCounter) n = 26;
      else if (sup.kaCertificate) n = 18 + sup.kaCertificate.length;
    } else if (sup.originatorCounter || sup.kaCertificate) {
      throw new Error('encodeGeneralSigning: a supplementary originator counter or certificate needs the remote party counter');
    }
    if (sup.originatorCounter && sup.kaCertificate) throw new Error('encodeGeneralSigning: supplementary originator counter and certificate are exclusive');
  }
  const out = new Uint8Array(n);
  out[0] = (messageCode >> 8) & 0xff;
  out[1] = messageCode & 0xff;
  if (sup) {
    out.set(sup.remoteParty, 2);
    if (sup.remotePartyCounter) writeCounter(out, 10, sup.remotePartyCounter);
    if (sup.originatorCounter) writeCounter(out, 18, sup.originatorCounter);
    else if (sup.kaCertificate && sup.remotePartyCounter) out.set(sup.kaCertificate, 18);
  }
  return out;
}

/** The bytes of a General Signing APDU. Throws on a caller bug (wrong field sizes, bad CRA). */
export function encodeGeneralSigning(f: GeneralSigningFields): Uint8Array {
  if (f.cra !== CRA_COMMAND && f.cra !== CRA_RESPONSE && f.cra !== CRA_ALERT) throw new Error('encodeGeneralSigning: CRA flag must be 1, 2 or 3, got ' + f.cra);
  if (!(f.messageCode >= 0 && f.messageCode <= 0xffff)) throw new Error('encodeGeneralSigning: message code must be 0..FFFF, got ' + f.messageCode);
  checkSize('originator', f.originator, 8);
  checkSize('recipient', f.recipient, 8);
  if (f.dateTime) checkSize('date-time', f.dateTime, DATE_TIME_LENGTH);
  if (f.signatureForm === 'ecdsa') checkSize('signature', f.signature, SIGNATURE_LENGTH);
  const oi = encodeOtherInformation(f.messageCode, f.supplementary);
  const widths = f.lengthWidths;
  const oiLen = encodeLength(oi.length, widths ? widths.otherInformation : undefined);
  const cLen = encodeLength(f.content.length, widths ? widths.content : undefined);
  const sigBytes = f.signatureForm === 'absent' ? 0 : f.signatureForm === 'null' ? 1 : 1 + SIGNATURE_LENGTH;
  const dtBytes = f.dateTime ? 1 + DATE_TIME_LENGTH : 1;
  const total = 1 + 10 + 9 + 9 + dtBytes + oiLen.length + oi.length + cLen.length + f.content.length + sigBytes;
  const out = new Uint8Array(total);
  let at = 0;
  out[at++] = GENERAL_SIGNING_TAG;
  out[at++] = TRANSACTION_ID_LENGTH;
  out[at++] = f.cra;
  writeCounter(out, at, f.counter);
  at += 8;
  out[at++] = SYSTEM_TITLE_LENGTH;
  out.set(f.originator, at);
  at += 8;
  out[at++] = SYSTEM_TITLE_LENGTH;
  out.set(f.recipient, at);
  at += 8;
  if (f.dateTime) {
    out[at++] = DATE_TIME_LENGTH;
    out.set(f.dateTime, at);
    at += DATE_TIME_LENGTH;
  } else {
    out[at++] = 0;
  }
  out.set(oiLen, at);
  at += oiLen.length;
  out.set(oi, at);
  at += oi.length;
  out.set(cLen, at);
  at += cLen.length;
  out.set(f.content, at);
  at += f.content.length;
  if (f.signatureForm === 'null') out[at++] = 0;
  if (f.signatureForm === 'ecdsa' && f.signature) {
    out[at++] = SIGNATURE_LENGTH;
    out.set(f.signature, at);
  }
  return out;
}

/** The signed bytes for fields not yet encoded (what an originator signs): 09 .. end of content. */
export function signedBytesOf(f: GeneralSigningFields): Uint8Array {
  const unsigned: GeneralSigningFields = copyFields(f);
  unsigned.signatureForm = 'absent';
  const apdu = encodeGeneralSigning(unsigned);
  return apdu.subarray(1);
}

/** A shallow copy of the fields (views stay shared). */
export function copyFields(f: GeneralSigningFields): GeneralSigningFields {
  const out: GeneralSigningFields = {
    cra: f.cra,
    counter: f.counter,
    originator: f.originator,
    recipient: f.recipient,
    messageCode: f.messageCode,
    content: f.content,
    signatureForm: f.signatureForm,
  };
  if (f.dateTime) out.dateTime = f.dateTime;
  if (f.supplementary) out.supplementary = f.supplementary;
  if (f.signature) out.signature = f.signature;
  if (f.lengthWidths) out.lengthWidths = f.lengthWidths;
  return out;
}

/** True when the lengths use the shortest forms (what encoders produce by default). */
export function usesMinimalLengths(d: DecodedGeneralSigning): boolean {
  return (
    d.lengthWidths.otherInformation === minimalLengthWidth(d.ranges.otherInformation.end - d.ranges.otherInformation.start) &&
    d.lengthWidths.content === minimalLengthWidth(d.content.length)
  );
}
