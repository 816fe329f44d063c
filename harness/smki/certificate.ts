/**
 * Reads the fields of an X.509 certificate (RFC 5280 §4.1) that the SMKI itself needs back: serial,
 * issuer and subject names (as DER), subject public key, key identifiers, policies, extensions.
 * A lean DER walk; independent parsers (pkijs, openssl) check the same certificates in tests.
 * @module
 */
import { children, content, decodeOid, readNode, TAG, whole, type Node } from './der.ts';
import { OID } from './profiles.ts';

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

/** undefined if the bytes are not a certificate this module can walk. */
export function readCertificate(der: Uint8Array): CertificateFields | undefined {
  const top = readNode(der, 0);
  if (!top || top.tag !== TAG.SEQUENCE) return undefined;
  const parts = children(der, top);
  if (!parts || parts.length !== 3) return undefined;
  const tbsN = parts[0]!;
  const f = children(der, tbsN);
  if (!f || f.length < 7 || f[0]!.tag !== 0xa0) return undefined;
  const [, serialN, , issuerN, validityN, subjectN, spkiN] = f as Node[];
  const v = children(der, validityN!);
  if (!v || v.length !== 2) return undefined;
  const text = (n: Node) => ({ tag: n.tag, text: Buffer.from(content(der, n)).toString('latin1') });
  const extensions: CertificateFields['extensions'] = [];
  const extWrap = f.find((n) => n.tag === 0xa3);
  if (extWrap) {
    const seqN = children(der, extWrap)?.[0];
    for (const e of (seqN && children(der, seqN)) ?? []) {
      const c = children(der, e);
      if (!c || c.length < 2) return undefined;
      const critical = c.length === 3 && der[c[1]!.body] === 0xff;
      extensions.push({ oid: decodeOid(content(der, c[0]!)), critical, value: content(der, c[c.length - 1]!) });
    }
  }
  const out: CertificateFields = {
    serial: Buffer.from(content(der, serialN!)).toString('hex').replace(/^00(?=[89a-f])/, ''),
    tbs: whole(der, tbsN),
    issuer: whole(der, issuerN!),
    subject: whole(der, subjectN!),
    spki: whole(der, spkiN!),
    notBefore: text(v[0]!),
    notAfter: text(v[1]!),
    extensions,
    policies: [],
  };
  const ski = extensions.find((e) => e.oid === OID.subjectKeyIdentifier);
  if (ski) out.subjectKeyId = Buffer.from(ski.value.subarray(2)).toString('hex');
  const aki = extensions.find((e) => e.oid === OID.authorityKeyIdentifier);
  if (aki) {
    const s = readNode(aki.value, 0);
    const k = s && children(aki.value, s)?.find((n) => n.tag === 0x80);
    if (k) out.authorityKeyId = Buffer.from(content(aki.value, k)).toString('hex');
  }
  const pol = extensions.find((e) => e.oid === OID.certificatePolicies);
  if (pol) {
    const s = readNode(pol.value, 0);
    for (const pi of (s && children(pol.value, s)) ?? []) {
      const o = children(pol.value, pi)?.[0];
      if (o && o.tag === TAG.OID) out.policies.push(decodeOid(content(pol.value, o)));
    }
  }
  return out;
}
