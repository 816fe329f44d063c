/**
 * A cache of static-static ECDH secrets Z, per (own private key, peer public key) pair. GBCS keys are
 * static, so a device or the harness agrees with each party once; every message still gets its own
 * derived key (the KDF is cheap, and derived keys are never cached: they depend on the counter).
 * A plain object keyed by hex (Espruino has no Map), bounded so a stream of hostile peer keys cannot
 * grow it without limit, in front of which the last pair asked is compared byte by byte (a device
 * checks message after message against the same pair; this skips building the hex key).
 * @module
 */
import { bytesEqual, copyBytes, toHex } from '../../lib/bytes.ts';

export interface SharedSecrets {
  /** Z for the pair, or undefined when the peer key is not a valid P-256 point. */
  agree(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array | undefined;
}

type Ecdh = (privateKey: Uint8Array, publicKey: Uint8Array) => Uint8Array | undefined;

/** A cache over the board's `ecdh`, holding at most `limit` pairs (cleared when full; default 16). */
export function sharedSecrets(ecdh: Ecdh, limit?: number): SharedSecrets {
  const max = limit || 16;
  let entries: Record<string, Uint8Array> = {};
  let count = 0;
  let lastPrivate: Uint8Array = new Uint8Array(0);
  let lastPublic: Uint8Array = new Uint8Array(0);
  let lastZ: Uint8Array | undefined;
  return {
    agree(privateKey, publicKey) {
      if (lastZ && bytesEqual(privateKey, lastPrivate) && bytesEqual(publicKey, lastPublic)) return lastZ;
      const id = toHex(privateKey) + ':' + toHex(publicKey);
      let z: Uint8Array | undefined = Object.prototype.hasOwnProperty.call(entries, id) ? entries[id] : undefined;
      if (!z) {
        z = ecdh(privateKey, publicKey);
        if (!z) return undefined;
        if (count >= max) {
          entries = {};
          count = 0;
        }
        entries[id] = z;
        count++;
      }
      lastPrivate = copyBytes(privateKey);
      lastPublic = copyBytes(publicKey);
      lastZ = z;
      return z;
    },
  };
}
