/**
 * The two CA hierarchies, which never mix (seed §3.3; GBCS-FACTS "Hierarchy"):
 *   Root OCA -> Issuing OCA -> organisation certificates
 *   Root DCA -> Issuing DCA(s) -> device certificates
 * Each CA is a certificate row plus a `cas` row holding its PKCS#8 key in the repository. A CaHandle
 * is a loaded CA: its certificate, name, key id and (unless destroyed) a cached signing KeyObject.
 * @module
 */
import type { KeyObject } from 'node:crypto';
import { toPem } from './der.ts';
import { readCertificate } from './certificate.ts';
import { generateP256, keyIdentifier, loadPrivateKey, privateKeyPkcs8, publicPoint, signDer, spkiDer } from './keys.ts';
import { assembleCertificate, caTbs, CA_NAMES, randomSerial, yearsLessASecond, startOfDay } from './profiles.ts';
import type { CaRow, Repository } from './repository.ts';

export type CaKind = CaRow['kind'];

export interface CaHandle {
  serial: string;
  kind: CaKind;
  label: string;
  der: Buffer;
  pem: string;
  name: Buffer;
  keyId: Buffer;
  /** null once the key is destroyed (a retired Issuing DCA) */
  key: KeyObject | null;
  generation: number;
}

/** Validity of CA certificates (no reference CA is published; see profiles.ts): roots 25 years,
 *  Issuing OCA 15 years (outlives its 10-year organisation certificates); the DCA side never expires
 *  like its device certificates. */
export const CA_VALIDITY_YEARS = { 'root-oca': 25, 'issuing-oca': 15 } as const;

export interface CaSpec {
  kind: CaKind;
  label: string;
  policy: string;
  /** the Root OCA's x500UniqueIdentifier */
  eui?: string;
  generation?: number;
}

/** Creates a CA (self-signed if `issuer` is absent), stores it, returns its handle. */
export function createCa(repo: Repository, spec: CaSpec, now: number, issuer?: CaHandle): CaHandle {
  const pair = generateP256();
  const point = publicPoint(pair.publicKey);
  const keyId = keyIdentifier(point);
  const name =
    spec.kind === 'root-oca' ? CA_NAMES.rootOca(spec.label, spec.eui ?? 'ffffffffffffff00')
    : spec.kind === 'issuing-oca' ? CA_NAMES.issuingOca(spec.label)
    : spec.kind === 'root-dca' ? CA_NAMES.rootDca(spec.label)
    : CA_NAMES.issuingDca(spec.label);
  const root = !issuer;
  if (root !== spec.kind.startsWith('root')) throw new Error(`createCa: ${spec.kind} ${root ? 'needs' : 'must not have'} an issuer`);
  if (issuer && !issuer.key) throw new Error(`createCa: issuer ${issuer.label} has no key`);
  const serial = randomSerial();
  const nb = new Date(now);
  const tbs = caTbs({
    serial,
    subjectName: name,
    issuerName: issuer ? issuer.name : name,
    spki: spkiDer(pair.publicKey),
    subjectKeyId: keyId,
    ...(issuer ? { issuerKeyId: issuer.keyId } : {}),
    policy: spec.policy,
    notBefore: nb,
    notAfter: spec.kind === 'root-oca' || spec.kind === 'issuing-oca'
      ? yearsLessASecond(startOfDay(nb), CA_VALIDITY_YEARS[spec.kind]) : 'never',
    root,
  });
  const der = assembleCertificate(tbs, signDer(tbs, (issuer?.key ?? pair.privateKey) as KeyObject));
  const serialHex = serial.toString('hex');
  const generation = spec.generation ?? 1;
  repo.transaction(() => {
    repo.addCertificate({
      serial: serialHex, kind: spec.kind, subject_eui: spec.eui ?? null, role: spec.kind === 'root-oca' ? '00' : spec.kind === 'issuing-oca' ? '07' : null,
      key_usage: 'keyCertSign', issuer_serial: issuer ? issuer.serial : serialHex, device_type: null, der, issued_at: now,
    });
    repo.addCa({ serial: serialHex, kind: spec.kind, label: spec.label, private_key: privateKeyPkcs8(pair.privateKey), activated_at: now, issued_count: 0, retired_at: null, generation });
  });
  return { serial: serialHex, kind: spec.kind, label: spec.label, der, pem: toPem(der, 'CERTIFICATE'), name, keyId, key: pair.privateKey, generation };
}

/** Loads a CA handle from the repository. */
export function loadCa(repo: Repository, row: CaRow): CaHandle {
  const cert = repo.certificate(row.serial);
  if (!cert) throw new Error(`loadCa: certificate ${row.serial} missing`);
  const f = readCertificate(cert.der);
  if (!f?.subjectKeyId) throw new Error(`loadCa: certificate ${row.serial} unreadable`);
  return {
    serial: row.serial, kind: row.kind, label: row.label, der: cert.der, pem: toPem(cert.der, 'CERTIFICATE'),
    name: Buffer.from(f.subject), keyId: Buffer.from(f.subjectKeyId, 'hex'),
    key: row.private_key ? loadPrivateKey(row.private_key) : null, generation: row.generation,
  };
}
