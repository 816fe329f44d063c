/**
 * The DCC's Contingency Key Pair (SEC L10; gbcs/smki/contingencyKey.ts for what a device does with it):
 * a P-256 key pair whose public key goes into the Root OCA certificate wrapped under a 16-byte symmetric
 * key, as the RFC 5934 extension id-pe-wrappedApexContinKey { wrapAlgorithm id-aes128-wrap-pad (RFC 5649),
 * wrappedContinPubKey = the wrapped SubjectPublicKeyInfo }. The symmetric key stays secret until a CS02b
 * anyByContingency discloses it.
 *
 * `newRootOca` makes the replacement root such a command installs.
 * `reissueRootWithContingency` gives a Root OCA certificate with the same name and key as the test SMKI's
 * (so everything it issued still chains) carrying the extension: what a lab or a test puts in a device's
 * root cell to exercise contingency.
 * @module
 */
import { createCipheriv, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readCertificate } from '../../gbcs/smki/certificate.ts';
import { OID_AES128_WRAP_PAD, OID_WRAPPED_APEX_CONTIN_KEY } from '../../gbcs/smki/contingencyKey.ts';
import { octets, oid, seq } from './der.ts';
import type { CaHandle } from './hierarchy.ts';
import { generateP256, keyIdentifier, publicPoint, signDer, spkiDer } from './keys.ts';
import { assembleCertificate, CA_NAMES, caTbs, randomSerial } from './profiles.ts';

export interface ContingencyKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The 16-byte AES key that wraps the public key in the Root OCA certificate. */
  symmetricKey: Buffer;
}

export function generateContingencyKey(): ContingencyKey {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey: pair.privateKey, publicKey: pair.publicKey, symmetricKey: randomBytes(16) };
}

/** ApexContingencyKey ::= SEQUENCE { wrapAlgorithm AlgorithmIdentifier, wrappedContinPubKey OCTET STRING } */
export function apexContingencyKeyDer(k: ContingencyKey): Buffer {
  const wrap = createCipheriv('id-aes128-wrap-pad', k.symmetricKey, Buffer.from('a65959a6', 'hex'));
  const wrapped = Buffer.concat([wrap.update(spkiDer(k.publicKey)), wrap.final()]);
  return seq(seq(oid(OID_AES128_WRAP_PAD)), octets(wrapped));
}

/** The non-critical certificate extension carrying it. */
export function apexContingencyExtension(k: ContingencyKey): Buffer {
  return seq(oid(OID_WRAPPED_APEX_CONTIN_KEY), octets(apexContingencyKeyDer(k)));
}

/**
 * The Root OCA `root` again (same subject, key and validity start; new serial) with the wrapped contingency
 * key added; signed by the root's own key.
 */
export function reissueRootWithContingency(root: CaHandle, k: ContingencyKey, policy: string, now: Date): Buffer {
  if (root.kind !== 'root-oca' || !root.key) throw new Error('reissueRootWithContingency: needs the Root OCA with its key');
  const c = readCertificate(root.der);
  if (!c.ok) throw new Error('reissueRootWithContingency: unreadable root');
  const tbs = caTbs({
    serial: randomSerial(),
    subjectName: root.name,
    issuerName: root.name,
    spki: c.certificate.spki,
    subjectKeyId: root.keyId,
    policy,
    notBefore: now,
    notAfter: new Date(now.getTime() + 25 * 365 * 86400_000),
    root: true,
    extraExtensions: [apexContingencyExtension(k)],
  });
  return assembleCertificate(tbs, signDer(tbs, root.key));
}

/**
 * A new self-signed Root OCA certificate with a new key pair (the replacement root a contingency command
 * installs after the old root's key is compromised), in the Root OCA profile.
 */
export function newRootOca(label: string, eui: string, policy: string, now: Date): Buffer {
  const pair = generateP256();
  const name = CA_NAMES.rootOca(label, eui);
  const tbs = caTbs({
    serial: randomSerial(),
    subjectName: name,
    issuerName: name,
    spki: spkiDer(pair.publicKey),
    subjectKeyId: keyIdentifier(publicPoint(pair.publicKey)),
    policy,
    notBefore: now,
    notAfter: new Date(now.getTime() + 25 * 365 * 86400_000),
    root: true,
  });
  return assembleCertificate(tbs, signDer(tbs, pair.privateKey));
}
