/**
 * The fields of an X.509 certificate (RFC 5280 §4.1) that the SMKI itself needs back: serial, issuer and
 * subject names (as DER), subject public key, key identifiers, policies, extensions — as the SMKI code
 * likes them (hex strings, latin1 times). A view over the project's one certificate reader,
 * gbcs/smki/certificate.ts (portable, shared with the device); independent parsers (pkijs, openssl)
 * check the same certificates in tests.
 * @module
 */
import { readCertificate as readX509 } from '../../gbcs/smki/certificate.ts';

export interface CertificateFields {
  serial: string;
  tbs: Uint8Array;
  issuer: Uint8Array;
  subject: Uint8Array;
  spki: Uint8Array;
  notBefore: { tag: number; text: string };
  notAfter: { tag: number; text: string };
  extensions: { oid: string; critical: boolean; value: Uint8Array }[];
  subjectKeyId?: string;
  authorityKeyId?: string;
  policies: string[];
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** undefined if the bytes are not a certificate the reader accepts (SMKI: P-256, ecdsa-with-SHA256). */
export function readCertificate(der: Uint8Array): CertificateFields | undefined {
  const r = readX509(der);
  if (!r.ok) return undefined;
  const c = r.certificate;
  const out: CertificateFields = {
    serial: hex(c.serial).replace(/^00(?=[89a-f])/, ''),
    tbs: c.tbs,
    issuer: c.issuer,
    subject: c.subject,
    spki: c.spki,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    extensions: c.extensions,
    policies: c.policies,
  };
  if (c.subjectKeyId) out.subjectKeyId = hex(c.subjectKeyId);
  if (c.authorityKeyId) out.authorityKeyId = hex(c.authorityKeyId);
  return out;
}
