/**
 * The SMKI certificate profiles, as DER builders. Field by field they follow the reference
 * certificates of DCC's ZAZ1 test PKI in shared/vectors (checked in test/smki-profiles.test.ts) and
 * GBCS-FACTS "SMKI certificates":
 *
 *   device (Device CP; GBCS "Requirements applicable to Device Certificates"): issuer = Issuing DCA,
 *     empty subject, notAfter 99991231235959Z (GeneralizedTime), extensions in this order:
 *     keyUsage (critical, exactly digitalSignature or keyAgreement), subjectKeyIdentifier,
 *     subjectAltName (critical, one otherName hardwareModuleName, RFC 4108 §5, hwSerialNum = the EUI-64),
 *     certificatePolicies (critical, a single policy: the environment's), authorityKeyIdentifier.
 *   organisation (Organisation CP): issuer = Issuing OCA; subject [CN (UTF8, optional)], OU = role
 *     (UTF8, two hex digits), x500UniqueIdentifier (2.5.4.45, BIT STRING) = the entity EUI-64, one RDN
 *     each; 10 years less a second from midnight UTC; keyUsage (critical), SKI, certificatePolicies
 *     (critical), AKI.
 *   CA certificates: no reference CA certificate is published (shared/vectors has none); these follow
 *     RFC 5280 §4.2.1.9/§4.2.1.3 for CAs plus the SMKI names seen as issuers in the references
 *     (Issuing OCA "OU=07, CN=Z1", Issuing DCA "CN=E357", PrintableString): basicConstraints critical
 *     (cA; pathLen 0 on Issuing CAs), keyUsage critical keyCertSign|cRLSign, SKI, AKI (not on roots),
 *     certificatePolicies critical. The Root OCA carries OU=00 (role "root", GBCS-FACTS) and an
 *     x500UniqueIdentifier so a device's root trust-anchor cell has a subject unique id (inferred).
 *
 * Key identifiers are 8 bytes (keys.keyIdentifier). Serial numbers: 16 random bytes, positive.
 * @module
 */
import { randomFillSync } from 'node:crypto';
import {
  bits, bool, explicit, NEVER_EXPIRES, octets, oid, printable, seq, set, smallInt, time, uint, utf8,
} from './der.ts';
import {
  TOOLKIT_TEST_DEVICE_POLICY, TOOLKIT_TEST_ORGANISATION_POLICY, ZAZ1_TEST_DEVICE_POLICY, ZAZ1_TEST_ORGANISATION_POLICY,
} from '../../gbcs/smki/certificatePolicies.ts';

export const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organizationalUnitName: '2.5.4.11',
  x500UniqueIdentifier: '2.5.4.45',
  keyUsage: '2.5.29.15',
  subjectKeyIdentifier: '2.5.29.14',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  crlNumber: '2.5.29.20',
  crlReason: '2.5.29.21',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  hardwareModuleName: '1.3.6.1.5.5.7.8.4',
  /** hwType in the reference device certificates' hardwareModuleName (observed). */
  smkiDeviceHwType: '1.2.826.0.1.8641679.1.2.2.1',
  extensionRequest: '1.2.840.113549.1.9.14',
} as const;

export type KeyUsageName = 'digitalSignature' | 'keyAgreement';

/** Which certificate-policy OIDs the SMKI writes (see gbcs/smki/certificatePolicies.ts). */
export interface PolicySet {
  name: 'toolkit' | 'zaz1';
  organisation: string;
  device: string;
}
export const POLICY_SETS: Record<'toolkit' | 'zaz1', PolicySet> = {
  /** Default: RFC 7229 test OIDs — the certificate itself says "for testing only". */
  toolkit: { name: 'toolkit', organisation: TOOLKIT_TEST_ORGANISATION_POLICY, device: TOOLKIT_TEST_DEVICE_POLICY },
  /** The OIDs DCC's ZAZ1 test PKI uses, for devices provisioned for that test environment. Also test-only. */
  zaz1: { name: 'zaz1', organisation: ZAZ1_TEST_ORGANISATION_POLICY, device: ZAZ1_TEST_DEVICE_POLICY },
};

export const ECDSA_SHA256 = seq(oid(OID.ecdsaWithSha256));

export interface NameAttr {
  type: string;
  /** 'printable' | 'utf8' string, or 'eui' for x500UniqueIdentifier as BIT STRING */
  form: 'printable' | 'utf8' | 'eui';
  value: string;
}
/** RDNSequence, one attribute per RDN (as in every reference certificate). */
export function name(attrs: NameAttr[]): Buffer {
  return seq(...attrs.map((a) => {
    const v = a.form === 'printable' ? printable(a.value) : a.form === 'utf8' ? utf8(a.value) : bits(euiBytes(a.value));
    return set(seq(oid(a.type), v));
  }));
}

export function euiBytes(eui: string): Buffer {
  if (!/^[0-9a-fA-F]{16}$/.test(eui)) throw new TypeError(`euiBytes: "${eui}" is not 16 hex digits`);
  return Buffer.from(eui, 'hex');
}

export function extension(id: string, critical: boolean, value: Uint8Array): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

/** keyUsage BIT STRINGs (RFC 5280 §4.2.1.3), minimal DER: digitalSignature(0), keyAgreement(4), keyCertSign(5)|cRLSign(6). */
export const KEY_USAGE_VALUE = {
  digitalSignature: Buffer.from('03020780', 'hex'),
  keyAgreement: Buffer.from('03020308', 'hex'),
  ca: Buffer.from('03020106', 'hex'),
} as const;

export const keyUsageExt = (u: keyof typeof KEY_USAGE_VALUE) => extension(OID.keyUsage, true, KEY_USAGE_VALUE[u]);
export const skiExt = (ki: Uint8Array) => extension(OID.subjectKeyIdentifier, false, octets(ki));
/** AKI with keyIdentifier only ([0] IMPLICIT), as in the references. */
export const akiExt = (ki: Uint8Array) =>
  extension(OID.authorityKeyIdentifier, false, seq(Buffer.concat([Buffer.from([0x80, ki.length]), ki])));
export const policiesExt = (policy: string) => extension(OID.certificatePolicies, true, seq(seq(oid(policy))));
export const basicConstraintsExt = (pathLen?: number) =>
  extension(OID.basicConstraints, true, seq(bool(true), ...(pathLen === undefined ? [] : [smallInt(pathLen)])));

/** GeneralNames with one otherName hardwareModuleName {hwType, hwSerialNum = EUI-64} (RFC 4108 §5). */
export function hardwareModuleNameSan(eui: Uint8Array, hwType: string = OID.smkiDeviceHwType): Buffer {
  return seq(explicit(0, Buffer.concat([oid(OID.hardwareModuleName), explicit(0, seq(oid(hwType), octets(eui)))])));
}
export const sanExt = (eui: Uint8Array) => extension(OID.subjectAltName, true, hardwareModuleNameSan(eui));

/** 16 random bytes, first byte 01..7F: a positive INTEGER of exactly 16 content bytes. */
export function randomSerial(into: Buffer = Buffer.alloc(16), at = 0): Buffer {
  randomFillSync(into, at, 16);
  into[at] = 1 + (into[at]! % 0x7f);
  return into;
}

export interface TbsFields {
  serial: Uint8Array;
  issuer: Buffer;
  notBefore: Buffer;
  notAfter: Buffer;
  subject: Buffer;
  spki: Uint8Array;
  extensions: Buffer[];
}
/** TBSCertificate (RFC 5280 §4.1), always v3. */
export function tbsCertificate(f: TbsFields): Buffer {
  return seq(
    explicit(0, smallInt(2)),
    uint(f.serial),
    ECDSA_SHA256,
    f.issuer,
    seq(f.notBefore, f.notAfter),
    f.subject,
    Buffer.from(f.spki),
    explicit(3, seq(...f.extensions)),
  );
}

/** Certificate ::= SEQUENCE { tbs, ecdsa-with-SHA256, BIT STRING signature } */
export function assembleCertificate(tbs: Uint8Array, signatureDer: Uint8Array): Buffer {
  return seq(tbs, ECDSA_SHA256, bits(signatureDer));
}

/** Midnight UTC of the day of `d` (the references' notBefore form). */
export function startOfDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}
/** `years` after `from`, less one second (the references: 151030000000Z .. 251029235959Z). */
export function yearsLessASecond(from: Date, years: number): Date {
  return new Date(Date.UTC(from.getUTCFullYear() + years, from.getUTCMonth(), from.getUTCDate()) - 1000);
}

export interface OrganisationProfileInput {
  serial: Uint8Array;
  issuerName: Buffer;
  issuerKeyId: Uint8Array;
  spki: Uint8Array;
  subjectKeyId: Uint8Array;
  role: string;
  eui: string;
  commonName?: string;
  keyUsage: KeyUsageName;
  policy: string;
  notBefore: Date;
  validityYears: number;
}
export function organisationTbs(p: OrganisationProfileInput): Buffer {
  const attrs: NameAttr[] = [];
  if (p.commonName) attrs.push({ type: OID.commonName, form: 'utf8', value: p.commonName });
  attrs.push({ type: OID.organizationalUnitName, form: 'utf8', value: p.role.toUpperCase() });
  attrs.push({ type: OID.x500UniqueIdentifier, form: 'eui', value: p.eui });
  const nb = startOfDay(p.notBefore);
  return tbsCertificate({
    serial: p.serial,
    issuer: p.issuerName,
    notBefore: time(nb),
    notAfter: time(yearsLessASecond(nb, p.validityYears)),
    subject: name(attrs),
    spki: p.spki,
    extensions: [keyUsageExt(p.keyUsage), skiExt(p.subjectKeyId), policiesExt(p.policy), akiExt(p.issuerKeyId)],
  });
}

export interface DeviceProfileInput {
  serial: Uint8Array;
  issuerName: Buffer;
  issuerKeyId: Uint8Array;
  spki: Uint8Array;
  subjectKeyId: Uint8Array;
  eui: Uint8Array;
  keyUsage: KeyUsageName;
  policy: string;
  notBefore: Date;
}
/** The straightforward device TBS builder; deviceTemplate.ts produces the same bytes faster (tested). */
export function deviceTbs(p: DeviceProfileInput): Buffer {
  return tbsCertificate({
    serial: p.serial,
    issuer: p.issuerName,
    notBefore: time(p.notBefore),
    notAfter: NEVER_EXPIRES,
    subject: seq(),
    spki: p.spki,
    extensions: [keyUsageExt(p.keyUsage), skiExt(p.subjectKeyId), sanExt(p.eui), policiesExt(p.policy), akiExt(p.issuerKeyId)],
  });
}

export interface CaProfileInput {
  serial: Uint8Array;
  subjectName: Buffer;
  /** the issuer's name; equal to subjectName for a root */
  issuerName: Buffer;
  spki: Uint8Array;
  subjectKeyId: Uint8Array;
  /** absent for a self-signed root */
  issuerKeyId?: Uint8Array;
  policy: string;
  notBefore: Date;
  notAfter: Date | 'never';
  root: boolean;
  /** Further extensions, DER, after the profile's (the Root OCA's wrapped contingency key: contingency.ts). */
  extraExtensions?: Buffer[];
}
export function caTbs(p: CaProfileInput): Buffer {
  const ext = [basicConstraintsExt(p.root ? undefined : 0), keyUsageExt('ca'), skiExt(p.subjectKeyId)];
  if (p.issuerKeyId) ext.push(akiExt(p.issuerKeyId));
  ext.push(policiesExt(p.policy));
  if (p.extraExtensions) ext.push(...p.extraExtensions);
  return tbsCertificate({
    serial: p.serial,
    issuer: p.issuerName,
    notBefore: time(startOfDay(p.notBefore)),
    notAfter: p.notAfter === 'never' ? NEVER_EXPIRES : time(p.notAfter),
    subject: p.subjectName,
    spki: p.spki,
    extensions: ext,
  });
}

/** Names of the four CAs (see the module header). */
export const CA_NAMES = {
  rootOca: (label: string, eui: string) => name([
    { type: OID.organizationalUnitName, form: 'printable', value: '00' },
    { type: OID.commonName, form: 'printable', value: label },
    { type: OID.x500UniqueIdentifier, form: 'eui', value: eui },
  ]),
  issuingOca: (label: string) => name([
    { type: OID.organizationalUnitName, form: 'printable', value: '07' },
    { type: OID.commonName, form: 'printable', value: label },
  ]),
  rootDca: (label: string) => name([{ type: OID.commonName, form: 'printable', value: label }]),
  issuingDca: (label: string) => name([{ type: OID.commonName, form: 'printable', value: label }]),
};
