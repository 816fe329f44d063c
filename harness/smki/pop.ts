/**
 * Proof of possession (RFC 2986 §4.2): a request's ECDSA-SHA256 signature over its
 * certificationRequestInfo, verified with the P-256 point the request carries. Every request brings a
 * new key, so getting that key into OpenSSL costs as much as the verify itself; two import paths:
 *
 *  - `verifyPop` (one request, sync): JWK import. OpenSSL runs its full public-key check on it
 *    (EC_KEY_set_public_key_affine_coordinates -> EC_KEY_check_key, which includes n·Q = O, a
 *    variable-base scalar multiplication): ~85 µs per key here.
 *  - `importPoints` + `verifyWith` (batches, async): WebCrypto 'raw' import. Node decodes the point
 *    with EC_POINT_oct2point, which refuses a point that is not on the curve, then runs
 *    EVP_PKEY_public_check_quick (not infinity, coordinates in range, on the curve): ~55 µs per key
 *    including WebCrypto's JS (the import itself runs synchronously inside the promise). The skipped
 *    n·Q = O check adds nothing for P-256: the curve's group has prime order n (cofactor 1), so every
 *    finite point on the curve already has order n.
 * Both paths refuse an off-curve point as 'unsupported-key' and a wrong signature as
 * 'proof-of-possession-failed' (test/smki-pop.test.ts). Figures: bench/smki.bench.ts.
 * @module
 */
import { createPublicKey, KeyObject, verify, webcrypto } from 'node:crypto';

export type PopRejection = 'unsupported-key' | 'proof-of-possession-failed';

/** An uncompressed P-256 point: 04 || X || Y (SEC 1 §2.3.3); the only form device CSRs carry. */
function isUncompressed(point: Uint8Array): boolean {
  return point.length === 65 && point[0] === 4;
}

/** ECDSA-SHA256 over `signed` with an imported key; a signature that does not parse is just a failure. */
export function verifyWith(key: KeyObject, signed: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify('sha256', signed, key, signature);
  } catch {
    return false;
  }
}

/** One request: JWK import (full OpenSSL key check), then the verify. */
export function verifyPop(point: Uint8Array, signed: Uint8Array, signature: Uint8Array): PopRejection | undefined {
  if (!isUncompressed(point)) return 'unsupported-key';
  let key: KeyObject;
  try {
    const b = Buffer.from(point.buffer, point.byteOffset, 65);
    key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b.toString('base64url', 1, 33), y: b.toString('base64url', 33, 65) }, format: 'jwk' });
  } catch {
    return 'unsupported-key'; // not a point on P-256
  }
  return verifyWith(key, signed, signature) ? undefined : 'proof-of-possession-failed';
}

const P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const USAGES: webcrypto.KeyUsage[] = ['verify'];

/**
 * Many requests: imports each point through WebCrypto 'raw'; undefined for a point OpenSSL refuses
 * (not on the curve) or that is not in uncompressed form. Start all imports before awaiting any:
 * measured ~15 µs per key cheaper than awaiting one at a time.
 */
export function importPoints(points: (Uint8Array | undefined)[]): Promise<(KeyObject | undefined)[]> {
  return Promise.all(points.map((p) => (p && isUncompressed(p)
    ? webcrypto.subtle.importKey('raw', p as Uint8Array<ArrayBuffer>, P256, false, USAGES).then((k) => KeyObject.from(k), () => undefined)
    : undefined)));
}
