/**
 * A cache of static-static ECDH secrets Z, per (own private key, peer public key) pair. GBCS keys are
 * static, so a device or the harness agrees with each party once; every message still gets its own
 * derived key (the KDF is cheap, and derived keys are never cached: they depend on the counter).
 * A plain object keyed by hex (Espruino has no Map), bounded so a stream of hostile peer keys cannot
 * grow it without limit.
 * @module
 */
import { toHex } from '../bytes.ts';

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
  return {
    agree(privateKey, publicKey) {
      const id = toHex(privateKey) + ':' + toHex(publicKey);
      if (Object.prototype.hasOwnProperty.call(entries, id)) return entries[id];
      const z = ecdh(privateKey, publicKey);
      if (!z) return undefined;
      if (count >= max) {
        entries = {};
        count = 0;
      }
      entries[id] = z;
      count++;
      return z;
    },
  };
}
