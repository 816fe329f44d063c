/**
 * ZigBee SE crypto suite 2 implicit certificate (ECQV on sect283k1), 74 bytes (HAN-FACTS "ZigBee SE
 * pieces GBCS uses"; field values from Wireshark's packet-zbee-zcl-se.c):
 *
 *   0  type            1   0x00 (no extensions)
 *   1  serial          8
 *   9  curve           1   0x0D sect283k1
 *  10  hash            1   0x08 AES-MMO
 *  11  issuer          8   the CA's identifier
 *  19  validFrom       5   uint40 big-endian, seconds since 1970-01-01 UTC
 *  24  validTo         4   uint32 big-endian, seconds after validFrom; 0xFFFFFFFF = never expires
 *  28  subject         8   the device's EUI-64, big-endian
 *  36  keyUsage        1   0x08 key agreement, 0x80 digital signature
 *  37  reconstruction 37   the public-key reconstruction point P_U, compressed (SEC 1 §2.3.3)
 *
 * `decodeCertificate` checks the layout and the constants; `checkCertificate` checks it against who is
 * expected (issuer, subject), the time and the key usage. An implicit certificate carries no signature: a
 * tampered one still decodes, but reconstructs a wrong public key, and CBKE's key confirmation fails. @module
 */
import { bytesEqual, toHex } from '../../../lib/bytes.ts';
import { POINT_BYTES, decodePoint, type Point } from './sect283k1.ts';

export const CERTIFICATE_BYTES = 74;
export const CERT_TYPE_NO_EXTENSIONS = 0x00;
export const CURVE_SECT283K1 = 0x0d;
export const HASH_AES_MMO = 0x08;
export const KEY_USAGE_KEY_AGREEMENT = 0x08;
export const KEY_USAGE_DIGITAL_SIGNATURE = 0x80;
export const VALID_FOREVER = 0xffffffff;

export interface Certificate {
  type: number;
  serial: Uint8Array;
  curve: number;
  hash: number;
  issuer: Uint8Array;
  /** seconds since 1970 (uint40) */
  validFrom: number;
  /** seconds after validFrom, or VALID_FOREVER */
  validTo: number;
  subject: Uint8Array;
  keyUsage: number;
  /** P_U as carried (37 bytes) */
  reconstruction: Uint8Array;
}

export type CertificateFormatReason =
  | 'certificate-length'
  | 'certificate-type'
  | 'certificate-curve'
  | 'certificate-hash'
  | 'certificate-reconstruction-point';

export type CertificateCheckReason =
  | 'certificate-issuer'
  | 'certificate-subject'
  | 'certificate-not-yet-valid'
  | 'certificate-expired'
  | 'certificate-key-usage';

function need(b: Uint8Array, len: number, what: string): void {
  if (b.length !== len) throw new Error('encodeCertificate: ' + what + ' must be ' + len + ' bytes, got ' + b.length);
}

export function encodeCertificate(c: Certificate): Uint8Array {
  need(c.serial, 8, 'serial');
  need(c.issuer, 8, 'issuer');
  need(c.subject, 8, 'subject');
  need(c.reconstruction, POINT_BYTES, 'reconstruction');
  if (!(c.validFrom >= 0 && c.validFrom < 2 ** 40)) throw new Error('encodeCertificate: validFrom out of uint40');
  if (!(c.validTo >= 0 && c.validTo <= 0xffffffff)) throw new Error('encodeCertificate: validTo out of uint32');
  const out = new Uint8Array(CERTIFICATE_BYTES);
  const dv = new DataView(out.buffer);
  out[0] = c.type;
  out.set(c.serial, 1);
  out[9] = c.curve;
  out[10] = c.hash;
  out.set(c.issuer, 11);
  out[19] = Math.floor(c.validFrom / 2 ** 32);
  dv.setUint32(20, c.validFrom % 2 ** 32);
  dv.setUint32(24, c.validTo);
  out.set(c.subject, 28);
  out[36] = c.keyUsage;
  out.set(c.reconstruction, 37);
  return out;
}

export function decodeCertificate(
  b: Uint8Array,
): { ok: true; certificate: Certificate; point: Point } | { ok: false; reason: CertificateFormatReason } {
  if (b.length !== CERTIFICATE_BYTES) return { ok: false, reason: 'certificate-length' };
  if (b[0] !== CERT_TYPE_NO_EXTENSIONS) return { ok: false, reason: 'certificate-type' };
  if (b[9] !== CURVE_SECT283K1) return { ok: false, reason: 'certificate-curve' };
  if (b[10] !== HASH_AES_MMO) return { ok: false, reason: 'certificate-hash' };
  const reconstruction = new Uint8Array(b.subarray(37, 74));
  const p = decodePoint(reconstruction);
  if (!p.ok) return { ok: false, reason: 'certificate-reconstruction-point' };
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const certificate: Certificate = {
    type: b[0],
    serial: new Uint8Array(b.subarray(1, 9)),
    curve: b[9],
    hash: b[10],
    issuer: new Uint8Array(b.subarray(11, 19)),
    validFrom: b[19] * 2 ** 32 + dv.getUint32(20),
    validTo: dv.getUint32(24),
    subject: new Uint8Array(b.subarray(28, 36)),
    keyUsage: b[36],
    reconstruction,
  };
  return { ok: true, certificate, point: p.point };
}

export interface CertificateExpectation {
  issuer: Uint8Array;
  /** the EUI-64 the certificate must name, when the verifier knows who it talks to */
  subject?: Uint8Array;
  /** seconds since 1970 */
  now: number;
}

export function checkCertificate(c: Certificate, want: CertificateExpectation): { ok: true } | { ok: false; reason: CertificateCheckReason; detail: string } {
  if (!bytesEqual(c.issuer, want.issuer)) return { ok: false, reason: 'certificate-issuer', detail: 'issuer ' + toHex(c.issuer) + ', trusted ' + toHex(want.issuer) };
  if (want.subject && !bytesEqual(c.subject, want.subject)) return { ok: false, reason: 'certificate-subject', detail: 'subject ' + toHex(c.subject) + ', expected ' + toHex(want.subject) };
  if (want.now < c.validFrom) return { ok: false, reason: 'certificate-not-yet-valid', detail: 'valid from ' + c.validFrom + ', now ' + want.now };
  if (c.validTo !== VALID_FOREVER && want.now > c.validFrom + c.validTo) return { ok: false, reason: 'certificate-expired', detail: 'valid to ' + (c.validFrom + c.validTo) + ', now ' + want.now };
  if ((c.keyUsage & KEY_USAGE_KEY_AGREEMENT) === 0) return { ok: false, reason: 'certificate-key-usage', detail: 'key usage 0x' + c.keyUsage.toString(16) + ' lacks key agreement (0x08)' };
  return { ok: true };
}
