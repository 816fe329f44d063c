/**
 * P-256 from the engine's C library, behind the same `P256` interface as the portable code
 * (boards/portable/p256.ts), for the engines built by `npm run engines`: Espruino's `P256` module and the
 * JerryScript host's `P256` global, both the project's C core over mbedTLS
 * (build/engine-patches/native-p256/). The native calls answer an ArrayBuffer or a number naming a
 * refusal; this wrapper turns those into the portable code's own answers, so both paths refuse the same
 * inputs the same way (boards/board.ts): a malformed or off-curve public key makes `verify` false and
 * `ecdh` undefined, a malformed signature makes `verify` false, a private key of the wrong length or
 * outside [1, n-1] throws with the same words. Signatures are RFC 6979 deterministic on both paths
 * (mbedTLS's HMAC_DRBG seeding is RFC 6979's), so they give the same bytes.
 * @module
 */
import type { P256 } from './portable/p256.ts';
import { expectBytes } from './portable/p256.ts';

/** What the engines' native `P256` offers (the C core's calls). */
export interface NativeP256Module {
  publicKey(privateKey: Uint8Array): ArrayBuffer | number;
  sign(privateKey: Uint8Array, hash: Uint8Array): ArrayBuffer | number;
  verify(publicKey: Uint8Array, hash: Uint8Array, signature: Uint8Array): number;
  ecdh(privateKey: Uint8Array, publicKey: Uint8Array): ArrayBuffer | number;
  checkPublic(publicKey: Uint8Array): number;
}

// The C core's answers (smets_p256.h).
const OK = 0;
const INVALID = 1;
const BAD_PRIVATE_KEY = 2;

function refused(fn: string, code: number): Error {
  return code === BAD_PRIVATE_KEY
    ? new Error(fn + ': private key is not in [1, n-1]')
    : new Error(fn + ': native P-256 failed (' + (code === INVALID ? 'invalid input' : 'out of memory') + ')');
}

function bytes(fn: string, r: ArrayBuffer | number): Uint8Array {
  if (typeof r === 'number') throw refused(fn, r);
  return new Uint8Array(r);
}

export function nativeP256(native: NativeP256Module, sha256: (data: Uint8Array) => Uint8Array): P256 {
  return {
    publicKey(privateKey) {
      expectBytes('p256PublicKey', 'privateKey', privateKey, 32);
      return bytes('p256PublicKey', native.publicKey(privateKey));
    },
    sign(privateKey, message) {
      expectBytes('p256Sign', 'privateKey', privateKey, 32);
      return bytes('p256Sign', native.sign(privateKey, sha256(message)));
    },
    verify(publicKey, message, signature) {
      if (!(signature instanceof Uint8Array) || signature.length !== 64) return false;
      if (!(publicKey instanceof Uint8Array) || publicKey.length !== 65) return false;
      const r = native.verify(publicKey, sha256(message), signature);
      if (r === OK) return true;
      if (r === INVALID) return false;
      throw refused('p256Verify', r);
    },
    ecdh(privateKey, publicKey) {
      expectBytes('ecdh', 'privateKey', privateKey, 32);
      // The private key is checked first, as the portable code does: a bad one throws whatever the peer.
      if (!(publicKey instanceof Uint8Array) || publicKey.length !== 65) publicKey = new Uint8Array(65);
      const r = native.ecdh(privateKey, publicKey);
      if (r === INVALID) return undefined;
      return bytes('ecdh', r);
    },
  };
}
