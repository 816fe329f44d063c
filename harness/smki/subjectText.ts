/**
 * A certificate's subject for people: node:crypto prints the x500UniqueIdentifier (2.5.4.45, a BIT
 * STRING holding the entity's EUI-64, GBCS SMKI profile) as raw bytes (`x500UniqueIdentifier=³Õ…`);
 * here it is the EUI-64 in 16 hex digits, and the RDNs are joined on one line.
 * @module
 */
import type { X509Certificate } from 'node:crypto';
import { readCertificate } from './certificate.ts';

/** OID 2.5.4.45 then BIT STRING of 9 bytes with 0 unused bits: 06 03 55 04 2D 03 09 00 <EUI-64>. */
const UID_PREFIX = [0x06, 0x03, 0x55, 0x04, 0x2d, 0x03, 0x09, 0x00];

/** The EUI-64s of every x500UniqueIdentifier in a Name's DER, in order. */
export function uniqueIdentifierEuis(der: Uint8Array): string[] {
  const out: string[] = [];
  outer: for (let i = 0; i + UID_PREFIX.length + 8 <= der.length; i++) {
    for (let j = 0; j < UID_PREFIX.length; j++) if (der[i + j] !== UID_PREFIX[j]) continue outer;
    out.push(Buffer.from(der.subarray(i + UID_PREFIX.length, i + UID_PREFIX.length + 8)).toString('hex').toUpperCase());
  }
  return out;
}

/** `CN=..., OU=7F, x500UniqueIdentifier=90B3D51F30070000` on one line. */
export function subjectText(cert: X509Certificate): string {
  const lines = (cert.subject ?? '').split('\n').filter(Boolean);
  if (lines.length === 0) return '(empty subject: a device certificate)';
  // The subject Name's DER (harness/smki/certificate.ts), searched for its UID attribute.
  const fields = readCertificate(new Uint8Array(cert.raw));
  const eui = fields ? uniqueIdentifierEuis(fields.subject)[0] : undefined;
  return lines.map((l) => (l.startsWith('x500UniqueIdentifier=') ? 'x500UniqueIdentifier=' + (eui ?? '(not an EUI-64)') : l)).join(', ');
}
