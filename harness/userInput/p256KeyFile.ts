/**
 * Reading a P-256 private key the user names (`--key FILE`), with the problems a person makes said in
 * their terms: a certificate given where the key was wanted, an RSA or another curve's key, a file that
 * is not a PEM key at all. Without this the user saw OpenSSL's decoder code or noble's
 * `"privateKey" expected Uint8Array of length 32, got length=256`.
 * @module
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileProblem, type Read } from './files.ts';

export interface P256Key {
  key: KeyObject;
  /** The 32-byte private scalar (what BoardCrypto takes). */
  scalar: Uint8Array;
}

const MAKE_ONE = 'make one with: openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem';

/** A PEM (PKCS#8 or SEC 1) P-256 private key, or 64 hex digits; `option` names where it came from. */
export function readP256PrivateKey(path: string, option = '--key'): Read<P256Key> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { ok: false, message: option + ' ' + fileProblem(path, e) };
  }
  return parseP256PrivateKey(text, option + ' ' + path + ': ', path);
}

/** The same from the file's text; `where` starts each message (e.g. `--key k.pem: `). */
export function parseP256PrivateKey(text: string, where: string, path = 'the file'): Read<P256Key> {
  const t = text.trim();
  if (/^[0-9A-Fa-f]{64}$/.test(t)) {
    try {
      const d = Buffer.from(t, 'hex');
      const key = createPrivateKey({ key: sec1(d), format: 'der', type: 'sec1' });
      return { ok: true, value: { key, scalar: new Uint8Array(d) } };
    } catch {
      return { ok: false, message: where + '64 hex digits that are not a P-256 private key (0 < d < n)' };
    }
  }
  if (/-----BEGIN CERTIFICATE-----/.test(t)) {
    return { ok: false, message: where + 'is a certificate, expected its private key (in the keystore layout, the .key file beside the .pem)' };
  }
  if (/-----BEGIN (CERTIFICATE REQUEST|PUBLIC KEY)-----/.test(t)) {
    return { ok: false, message: where + 'is a ' + (/REQUEST/.test(t) ? 'certificate request' : 'public key') + ', expected a private key' };
  }
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(t)) {
    return { ok: false, message: where + 'is encrypted; decrypt it first: openssl pkey -in ' + path + ' -out plain.key' };
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(t);
  } catch {
    return { ok: false, message: where + 'is not a PEM private key (expected "BEGIN PRIVATE KEY" or "BEGIN EC PRIVATE KEY"); ' + MAKE_ONE };
  }
  if (key.asymmetricKeyType !== 'ec') {
    return { ok: false, message: where + 'is an ' + String(key.asymmetricKeyType).toUpperCase() + ' key; GBCS keys are P-256 (ECDSA) keys: ' + MAKE_ONE };
  }
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'P-256') return { ok: false, message: where + 'is a key on curve ' + jwk.crv + '; GBCS keys are on P-256 (prime256v1): ' + MAKE_ONE };
  return { ok: true, value: { key, scalar: new Uint8Array(Buffer.from(jwk.d as string, 'base64url')) } };
}

/** SEC 1 ECPrivateKey DER for a P-256 scalar (RFC 5915: version 1, privateKey, [0] prime256v1). */
function sec1(d: Buffer): Buffer {
  return Buffer.concat([Buffer.from('30310201010420', 'hex'), d, Buffer.from('a00a06082a8648ce3d030107', 'hex')]);
}
