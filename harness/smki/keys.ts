/**
 * P-256 keys for the test SMKI: generation, the encodings the certificates and the keystore need,
 * key identifiers and ECDSA-SHA256 signatures. All through node:crypto (OpenSSL), whose KeyObjects
 * are cached by callers on the hot path.
 * @module
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/** DER SubjectPublicKeyInfo prefix for an uncompressed P-256 point (RFC 5480 §2): id-ecPublicKey, prime256v1, BIT STRING 66. */
export const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function generateP256(): KeyPair {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

/** The 91-byte SPKI DER of a P-256 public key. */
export function spkiDer(key: KeyObject): Buffer {
  return (key.type === 'private' ? createPublicKey(key) : key).export({ type: 'spki', format: 'der' });
}
/** The 65-byte uncompressed point (04 || X || Y). */
export function publicPoint(key: KeyObject): Buffer {
  return spkiDer(key).subarray(P256_SPKI_PREFIX.length);
}

/** PKCS#8 "PRIVATE KEY" PEM, the format of the published keys in shared/vectors/rtds/keystore/*.key. */
export function privateKeyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }) as string;
}
export function privateKeyPkcs8(key: KeyObject): Buffer {
  return key.export({ type: 'pkcs8', format: 'der' });
}
export function loadPrivateKey(pkcs8: Uint8Array | string): KeyObject {
  return typeof pkcs8 === 'string'
    ? createPrivateKey(pkcs8)
    : createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
}

/**
 * 8-byte key identifier, RFC 5280 §4.2.1.2 method (2): the four-bit type field 0100 followed by the
 * least significant 60 bits of the SHA-1 of the subjectPublicKey BIT STRING value. Every SKI/AKI in
 * the reference certificates (shared/vectors) is 8 bytes starting with nibble 4, and the profile test
 * recomputes theirs this way.
 */
export function keyIdentifier(point: Uint8Array): Buffer {
  const h = createHash('sha1').update(point).digest();
  const id = Buffer.from(h.subarray(12, 20));
  id[0] = 0x40 | (id[0]! & 0x0f);
  return id;
}

/** ECDSA P-256 with SHA-256, DER signature (RFC 5758 §3.2 / RFC 3279 Ecdsa-Sig-Value). */
export function signDer(data: Uint8Array, key: KeyObject): Buffer {
  return sign('sha256', data, key);
}
