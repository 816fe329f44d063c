/**
 * The project's one X.509 certificate reader (RFC 5280 §4.1 layout, SMKI certificate profiles, GBCS
 * §4.3.2): the to-be-signed bytes and the issuer's ECDSA signature over them (to check a certification
 * path), the P-256 public key, the subject's role (OU) and entity id (x500UniqueIdentifier, organisation
 * certificates) or hwSerialNum (subjectAltName hardwareModuleName, device certificates), key usage,
 * subject and authority key identifiers, the certificate policies (test or live, GBCS-FACTS), and the
 * structural parts a CA needs back (serial, issuer and subject names, SPKI, validity, every extension).
 *
 * Why here: the device must read certificates handed to it (trust-anchor replacement, CS02b; its own
 * certificates, CS02d) on every engine, and the test SMKI (harness/smki/certificate.ts) reads the ones it
 * issues, so this is portable, built on the codec's DER reader, and shared by both. Fields are views into
 * the DER (no copies). Anything malformed is a `bad-certificate` value, never an exception.
 * @module
 */
import { bytesEqual } from '../../lib/bytes.ts';
import { derBitString, TAG_BIT_STRING, TAG_BOOLEAN, TAG_GENERALIZED_TIME, TAG_INTEGER, TAG_OCTET_STRING, TAG_SEQUENCE, TAG_SET, TAG_UTC_TIME, bytesOf, readBitString, readChildren, readOid, readTlv, valueOf } from '../der.ts';
import type { Tlv } from '../der.ts';

/** RFC 5280 key usage bits as the first byte of the BIT STRING (bit 0 is 0x80). */
export const KEY_USAGE_DIGITAL_SIGNATURE = 0x80;
export const KEY_USAGE_KEY_AGREEMENT = 0x08;
export const KEY_USAGE_KEY_CERT_SIGN = 0x04;

export const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
export const OID_P256 = '1.2.840.10045.3.1.7';
export const OID_ECDSA_SHA256 = '1.2.840.10045.4.3.2';
const OID_OU = '2.5.4.11';
const OID_UNIQUE_ID = '2.5.4.45';
export const OID_KEY_USAGE = '2.5.29.15';
const OID_SKI = '2.5.29.14';
const OID_AKI = '2.5.29.35';
export const OID_SAN = '2.5.29.17';
const OID_POLICIES = '2.5.29.32';
export const OID_HARDWARE_MODULE_NAME = '1.3.6.1.5.5.7.8.4';

/** One extension as carried (RFC 5280 §4.1.2.9): its OID, criticality and the extnValue contents. */
export interface CertificateExtension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

/** A validity bound as written: the tag (UTCTime 0x17 or GeneralizedTime 0x18) and its characters. */
export interface CertificateTime {
  tag: number;
  text: string;
}

export interface Certificate {
  /** The whole certificate, DER. */
  der: Uint8Array;
  /** serialNumber INTEGER contents (as written, with any DER sign byte). */
  serial: Uint8Array;
  /** issuer Name, whole DER. */
  issuer: Uint8Array;
  /** subject Name, whole DER. */
  subject: Uint8Array;
  /** subjectPublicKeyInfo, whole DER. */
  spki: Uint8Array;
  notBefore: CertificateTime;
  notAfter: CertificateTime;
  extensions: CertificateExtension[];
  /** TBSCertificate bytes: what the issuer signed. */
  tbs: Uint8Array;
  /** The issuer's signature as r||s (64 bytes). */
  signature: Uint8Array;
  /** Uncompressed P-256 point (65 bytes). */
  publicKey: Uint8Array;
  /** First byte of the keyUsage BIT STRING (0 when absent). */
  keyUsage: number;
  /** Subject OU as a role number (organisation certificates: 2 hex digits), or -1. */
  role: number;
  /** The subject's entity id: x500UniqueIdentifier (organisations) or hwSerialNum (devices); undefined otherwise. */
  entityId?: Uint8Array;
  subjectKeyId?: Uint8Array;
  authorityKeyId?: Uint8Array;
  /** certificatePolicies policy OIDs. */
  policies: string[];
  /** True when the subject is empty (device certificates). */
  emptySubject: boolean;
}

export type CertificateResult = { ok: true; certificate: Certificate } | { ok: false; reason: 'bad-certificate' };

const BAD: CertificateResult = { ok: false, reason: 'bad-certificate' };

function children(b: Uint8Array, t: Tlv | { ok: false }): Tlv[] | undefined {
  if (!t.ok) return undefined;
  const c = readChildren(b, t as Tlv);
  return c instanceof Array ? c : undefined;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** An ECDSA-Sig-Value (SEQUENCE { r INTEGER, s INTEGER }) as r||s, or undefined. */
export function signatureFromDer(b: Uint8Array): Uint8Array | undefined {
  const seq = readTlv(b, 0, b.length);
  if (!seq.ok || seq.tag !== TAG_SEQUENCE || seq.end !== b.length) return undefined;
  const parts = children(b, seq);
  if (!parts || parts.length !== 2) return undefined;
  const out = new Uint8Array(64);
  for (let i = 0; i < 2; i++) {
    const v = valueOf(b, parts[i]);
    let start = 0;
    while (start < v.length - 1 && v[start] === 0) start++;
    const n = v.length - start;
    if (parts[i].tag !== 0x02 || n > 32 || n === 0) return undefined;
    out.set(v.subarray(start), i * 32 + 32 - n);
  }
  return out;
}

/** The subject name's OU and x500UniqueIdentifier. */
function readName(b: Uint8Array, name: Tlv, into: Certificate): boolean {
  const rdns = children(b, name);
  if (!rdns) return false;
  into.emptySubject = rdns.length === 0;
  for (let i = 0; i < rdns.length; i++) {
    if (rdns[i].tag !== TAG_SET) return false;
    const atvs = children(b, rdns[i]);
    if (!atvs) return false;
    for (let j = 0; j < atvs.length; j++) {
      const atv = children(b, atvs[j]);
      if (!atv || atv.length !== 2) return false;
      const oid = readOid(b, atv[0]);
      if (typeof oid !== 'string') return false;
      const v = valueOf(b, atv[1]);
      if (oid === OID_OU) {
        if (v.length !== 2 || hexDigit(v[0]) < 0 || hexDigit(v[1]) < 0) continue;
        into.role = hexDigit(v[0]) * 16 + hexDigit(v[1]);
      } else if (oid === OID_UNIQUE_ID) {
        if (atv[1].tag === TAG_BIT_STRING) {
          const bits = readBitString(b, atv[1]);
          if ('ok' in bits || bits.bytes.length !== 8) return false;
          into.entityId = bits.bytes;
        } else if (v.length === 8) {
          into.entityId = v;
        }
      }
    }
  }
  return true;
}

function readExtension(b: Uint8Array, oid: string, value: Uint8Array, into: Certificate): boolean {
  const inner = readTlv(value, 0, value.length);
  if (!inner.ok || inner.end !== value.length) return false;
  if (oid === OID_KEY_USAGE) {
    const bits = readBitString(value, inner);
    if ('ok' in bits) return false;
    into.keyUsage = bits.bytes.length > 0 ? bits.bytes[0] : 0;
  } else if (oid === OID_SKI) {
    if (inner.tag !== TAG_OCTET_STRING) return false;
    into.subjectKeyId = valueOf(value, inner);
  } else if (oid === OID_AKI) {
    const parts = children(value, inner);
    if (!parts) return false;
    for (let i = 0; i < parts.length; i++) if (parts[i].tag === 0x80) into.authorityKeyId = valueOf(value, parts[i]);
  } else if (oid === OID_POLICIES) {
    const infos = children(value, inner);
    if (!infos) return false;
    for (let i = 0; i < infos.length; i++) {
      const info = children(value, infos[i]);
      if (!info || info.length === 0) return false;
      const p = readOid(value, info[0]);
      if (typeof p !== 'string') return false;
      into.policies.push(p);
    }
  } else if (oid === OID_SAN) {
    // GeneralNames { otherName [0] { type-id hardwareModuleName, [0] EXPLICIT HardwareModuleName { hwType OID, hwSerialNum OCTET STRING } } }
    const names = children(value, inner);
    if (!names) return false;
    for (let i = 0; i < names.length; i++) {
      if (names[i].tag !== 0xa0) continue;
      const other = children(value, names[i]);
      if (!other || other.length !== 2) return false;
      const typeId = readOid(value, other[0]);
      if (typeId !== OID_HARDWARE_MODULE_NAME) continue;
      const wrapped = children(value, other[1]);
      if (!wrapped || wrapped.length !== 1) return false;
      const hmn = children(value, wrapped[0]);
      if (!hmn || hmn.length !== 2 || hmn[1].tag !== TAG_OCTET_STRING) return false;
      into.entityId = valueOf(value, hmn[1]);
    }
  }
  return true;
}

function timeOf(b: Uint8Array, t: Tlv): CertificateTime | undefined {
  if (t.tag !== TAG_UTC_TIME && t.tag !== TAG_GENERALIZED_TIME) return undefined;
  let text = '';
  for (let i = t.valueStart; i < t.end; i++) text += String.fromCharCode(b[i]);
  return { tag: t.tag, text: text };
}

/**
 * Reads the certificate filling `der` exactly. Requires an EC P-256 key and ecdsa-with-SHA256, since GBCS
 * uses nothing else (§4.3.2.x); anything else is `bad-certificate`.
 */
export function readCertificate(der: Uint8Array): CertificateResult {
  const cert = readTlv(der, 0, der.length);
  if (!cert.ok || cert.tag !== TAG_SEQUENCE || cert.end !== der.length) return BAD;
  const top = children(der, cert);
  if (!top || top.length !== 3) return BAD;
  const alg = children(der, top[1]);
  if (!alg || alg.length < 1 || readOid(der, alg[0]) !== OID_ECDSA_SHA256) return BAD;
  const sigBits = readBitString(der, top[2]);
  if ('ok' in sigBits || sigBits.unusedBits !== 0) return BAD;
  const signature = signatureFromDer(sigBits.bytes);
  if (!signature) return BAD;
  const tbsParts = children(der, top[0]);
  if (!tbsParts) return BAD;
  // version [0] is present in v3 certificates: [0] serial sigAlg issuer validity subject spki [3]
  let i = 0;
  if (tbsParts.length > 0 && tbsParts[0].tag === 0xa0) i = 1;
  if (tbsParts.length < i + 6 || tbsParts[i].tag !== TAG_INTEGER || tbsParts[i + 2].tag !== TAG_SEQUENCE) return BAD;
  const validity = children(der, tbsParts[i + 3]);
  if (!validity || validity.length !== 2) return BAD;
  const notBefore = timeOf(der, validity[0]);
  const notAfter = timeOf(der, validity[1]);
  if (!notBefore || !notAfter) return BAD;
  const subject = tbsParts[i + 4];
  const publicKey = p256KeyOf(der, tbsParts[i + 5]);
  if (!publicKey) return BAD;
  const out: Certificate = {
    der: der,
    serial: valueOf(der, tbsParts[i]),
    issuer: bytesOf(der, tbsParts[i + 2]),
    subject: bytesOf(der, subject),
    spki: bytesOf(der, tbsParts[i + 5]),
    notBefore: notBefore,
    notAfter: notAfter,
    extensions: [],
    tbs: der.subarray(top[0].start, top[0].end),
    signature: signature,
    publicKey: publicKey,
    keyUsage: 0,
    role: -1,
    policies: [],
    emptySubject: false,
  };
  if (subject.tag !== TAG_SEQUENCE || !readName(der, subject, out)) return BAD;
  for (let j = i + 6; j < tbsParts.length; j++) {
    if (tbsParts[j].tag !== 0xa3) continue;
    const wrapper = children(der, tbsParts[j]);
    if (!wrapper || wrapper.length !== 1) return BAD;
    const exts = children(der, wrapper[0]);
    if (!exts) return BAD;
    for (let k = 0; k < exts.length; k++) {
      const ext = children(der, exts[k]);
      if (!ext || ext.length < 2) return BAD;
      const oid = readOid(der, ext[0]);
      if (typeof oid !== 'string') return BAD;
      const value = ext[ext.length - 1];
      if (value.tag !== TAG_OCTET_STRING || ext.length > 3) return BAD;
      if (ext.length === 3 && (ext[1].tag !== TAG_BOOLEAN || ext[1].end - ext[1].valueStart !== 1)) return BAD;
      const critical = ext.length === 3 && der[ext[1].valueStart] === 0xff;
      out.extensions.push({ oid: oid, critical: critical, value: valueOf(der, value) });
      if (!readExtension(der, oid, valueOf(der, value), out)) return BAD;
    }
  }
  return { ok: true, certificate: out };
}

/** The uncompressed point of a P-256 SubjectPublicKeyInfo (id-ecPublicKey, prime256v1), or undefined. */
function p256KeyOf(der: Uint8Array, spkiTlv: Tlv): Uint8Array | undefined {
  const spki = children(der, spkiTlv);
  if (!spki || spki.length !== 2) return undefined;
  const keyAlg = children(der, spki[0]);
  if (!keyAlg || keyAlg.length !== 2 || readOid(der, keyAlg[0]) !== OID_EC_PUBLIC_KEY || readOid(der, keyAlg[1]) !== OID_P256) return undefined;
  const keyBits = readBitString(der, spki[1]);
  if ('ok' in keyBits || keyBits.unusedBits !== 0 || keyBits.bytes.length !== 65 || keyBits.bytes[0] !== 4) return undefined;
  return keyBits.bytes;
}

/** The P-256 point of a whole SubjectPublicKeyInfo DER (nothing after it), or undefined. */
export function p256KeyFromSpki(der: Uint8Array): Uint8Array | undefined {
  const t = readTlv(der, 0, der.length);
  if (!t.ok || t.tag !== TAG_SEQUENCE || t.end !== der.length) return undefined;
  return p256KeyOf(der, t);
}

/** True when `issuer`'s key verifies `cert`'s signature and the key identifiers chain (RFC 5280 §4.2.1.1). */
export function issuedBy(
  verify: (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array) => boolean,
  cert: Certificate,
  issuerKey: Uint8Array,
  issuerKeyId: Uint8Array | undefined,
): boolean {
  if (issuerKeyId && cert.authorityKeyId && !bytesEqual(issuerKeyId, cert.authorityKeyId)) return false;
  return verify(issuerKey, cert.tbs, cert.signature);
}

/** The KeyUsage BIT STRING of a usage bit, minimal DER (X.690 §11.2.2: trailing zero bits dropped). */
export function keyUsageBitString(usage: number): Uint8Array {
  let unused = 0;
  while (unused < 7 && ((usage >> unused) & 1) === 0) unused++;
  return derBitString(new Uint8Array([usage]), unused);
}
