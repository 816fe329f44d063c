/**
 * AES key unwrap: RFC 3394 (AES Key Wrap) and RFC 5649 (AES Key Wrap with Padding), over the board's
 * AES-128 block decryption. The device needs it for one job: a CS02b anyByContingency command carries the
 * plaintext symmetric key that unwraps the contingency public key held, wrapped, in the Root OCA
 * certificate (RFC 5934 id-pe-wrappedApexContinKey; SEC "Contingency Key Pair"). Written by hand because
 * the unwrap is a dozen lines over the board's block cipher and no key-wrap library runs on the engines.
 *
 * Both unwraps check the integrity value (RFC 3394 §2.2.3 IV A6A6A6A6A6A6A6A6; RFC 5649 §3 AIV A65959A6
 * || MLI, MLI within the last block, zero padding): a wrong key or an altered ciphertext gives undefined,
 * never bytes.
 * @module
 */

/** Decrypts one 16-byte block under a 16-byte key (the board's aes128DecryptBlock). */
export type BlockDecrypt = (key: Uint8Array, block: Uint8Array) => Uint8Array;

/** RFC 3394 §2.2.2 W^-1: A (8 bytes) and the n plaintext semiblocks, before any integrity check. */
function unwrapCore(decrypt: BlockDecrypt, kek: Uint8Array, c: Uint8Array): { a: Uint8Array; r: Uint8Array } {
  const n = c.length / 8 - 1;
  // Copies (not .slice: on Espruino a typed array's slice is a plain Array).
  const a = new Uint8Array(c.subarray(0, 8));
  const r = new Uint8Array(c.subarray(8));
  const b = new Uint8Array(16);
  for (let j = 5; j >= 0; j--) {
    for (let i = n; i >= 1; i--) {
      b.set(a, 0);
      // A ^ t, t = n*j + i as a 64-bit big-endian integer (t < 2^32 for any input a device accepts).
      let t = n * j + i;
      for (let k = 7; k >= 0 && t > 0; k--) {
        b[k] ^= t & 255;
        t = Math.floor(t / 256);
      }
      b.set(r.subarray(8 * (i - 1), 8 * i), 8);
      const out = decrypt(kek, b);
      a.set(out.subarray(0, 8));
      r.set(out.subarray(8, 16), 8 * (i - 1));
    }
  }
  return { a: a, r: r };
}

function validKek(kek: Uint8Array): boolean {
  return kek instanceof Uint8Array && kek.length === 16;
}

/** RFC 3394 key unwrap with the default IV; undefined on a bad length or a failed integrity check. */
export function aesKeyUnwrap(decrypt: BlockDecrypt, kek: Uint8Array, wrapped: Uint8Array): Uint8Array | undefined {
  if (!validKek(kek) || wrapped.length < 24 || wrapped.length % 8 !== 0) return undefined;
  const u = unwrapCore(decrypt, kek, wrapped);
  for (let i = 0; i < 8; i++) if (u.a[i] !== 0xa6) return undefined;
  return u.r;
}

/** RFC 5649 key unwrap (with padding); undefined on a bad length or a failed integrity check. */
export function aesKeyUnwrapPadded(decrypt: BlockDecrypt, kek: Uint8Array, wrapped: Uint8Array): Uint8Array | undefined {
  if (!validKek(kek) || wrapped.length < 16 || wrapped.length % 8 !== 0) return undefined;
  let a: Uint8Array;
  let p: Uint8Array;
  if (wrapped.length === 16) {
    // One semiblock of plaintext: a single AES decryption (RFC 5649 §4.2).
    const out = decrypt(kek, wrapped);
    a = out.subarray(0, 8);
    p = out.subarray(8);
  } else {
    const u = unwrapCore(decrypt, kek, wrapped);
    a = u.a;
    p = u.r;
  }
  if (a[0] !== 0xa6 || a[1] !== 0x59 || a[2] !== 0x59 || a[3] !== 0xa6) return undefined;
  const mli = ((a[4] << 24) >>> 0) + (a[5] << 16) + (a[6] << 8) + a[7];
  if (mli <= p.length - 8 || mli > p.length) return undefined;
  for (let i = mli; i < p.length; i++) if (p[i] !== 0) return undefined;
  return new Uint8Array(p.subarray(0, mli));
}
