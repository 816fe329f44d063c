/**
 * AES-128-GCM (NIST SP 800-38D) over the board's block cipher, portable to every engine: GBCS uses it
 * for command/response MACs (empty plaintext, 12-byte tag, GBCS §4.3.3) and for payload encryption
 * (AAD 31). Written by hand because Espruino's native crypto has ECB/CBC/CTR AES but no GCM, and no
 * GCM library fits the JerryScript heap.
 *
 * GHASH multiplies in GF(2^128) with 4-bit tables (Shoup's method, as in McGrew & Viega, "The Galois/
 * Counter Mode of Operation", §4.1), taken a byte at a time: per key, the 16 multiples of H and the same
 * times x^4 (32 entries; H changes with every GBCS message key, so a 256-entry table would cost more to
 * build than it saves); per byte, one 8-bit shift reduced through a key-independent 256-entry table and
 * two table XORs. A byte step rather than two nibble steps halves the interpreted loop work, which is
 * what GHASH costs on Espruino (its interpreter executes each statement from source). The
 * decryption checks the tag with a full-length comparison before any plaintext is produced, and
 * answers `undefined` on a mismatch (an expected rejection, not an error).
 * @module
 */
import { bytesEqual } from '../../lib/bytes.ts';

export type BlockCipher = (key: Uint8Array, block: Uint8Array) => Uint8Array;

// R8[r]: the reduction of the 8 bits that an 8-bit right shift drops, as the top 16 bits of the 128-bit
// value (stored shifted down by 16): bit b of the dropped byte is x^(135-b) = x^128 x^(7-b), and
// x^128 = 1 + x + x^2 + x^7 (R = E1 || 0^120, SP 800-38D §6.3).
const R8 = new Uint16Array(256);
for (let r = 0; r < 256; r++) {
  let v = 0;
  for (let b = 0; b < 8; b++) if ((r >> b) & 1) v ^= 0xe100 >> (7 - b);
  R8[r] = v;
}

/**
 * The multiples 0..15 of H (4 words each, most significant first; M[8] = H, M[4] = H x, ...) at 0..63,
 * and the same multiples times x^4 at 64..127.
 */
function hTable(h: Uint8Array): Int32Array {
  const m = new Int32Array(128);
  const r8 = R8;
  // locals declared once (see ghashUpdate): H as 4 words, then H x, H x^2, H x^3 (x: shift right by 1)
  let a = (h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3];
  let b = (h[4] << 24) | (h[5] << 16) | (h[6] << 8) | h[7];
  let c = (h[8] << 24) | (h[9] << 16) | (h[10] << 8) | h[11];
  let d = (h[12] << 24) | (h[13] << 16) | (h[14] << 8) | h[15];
  let i = 32, j = 0, k = 0, t = 0;
  for (;;) {
    m[i] = a;
    m[i + 1] = b;
    m[i + 2] = c;
    m[i + 3] = d;
    if (i === 4) break;
    t = d & 1;
    d = (d >>> 1) | (c << 31);
    c = (c >>> 1) | (b << 31);
    b = (b >>> 1) | (a << 31);
    a = (a >>> 1) ^ (t ? 0xe1000000 | 0 : 0);
    i >>= 1;
  }
  // the other multiples: M[i + j] = M[i] + M[j]
  for (i = 8; i < 64; i <<= 1) {
    for (j = 4; j < i; j += 4) {
      k = i + j;
      m[k] = m[i] ^ m[j];
      m[k + 1] = m[i + 1] ^ m[j + 1];
      m[k + 2] = m[i + 2] ^ m[j + 2];
      m[k + 3] = m[i + 3] ^ m[j + 3];
    }
  }
  // times x^4: shift right by 4, the 4 bits dropped reduced (R8's entry for them, x^4 apart)
  for (k = 0; k < 64; k += 4) {
    m[k + 67] = (m[k + 3] >>> 4) | (m[k + 2] << 28);
    m[k + 66] = (m[k + 2] >>> 4) | (m[k + 1] << 28);
    m[k + 65] = (m[k + 1] >>> 4) | (m[k] << 28);
    m[k + 64] = (m[k] >>> 4) ^ (r8[(m[k + 3] & 15) << 4] << 16);
  }
  return m;
}

/**
 * GHASH state: Y (4 words), updated with each 16-byte block (zero-padded) of `data`. X = Y xor block is
 * consumed a byte at a time from the highest degree (the last byte): for byte b with nibbles hi, lo,
 * Z = Z x^8 + M[lo] x^4 + M[hi], which is the two nibble steps Z = (Z x^4 + M[lo]) x^4 + M[hi] in one.
 */
function ghashUpdate(y: Int32Array, m: Int32Array, data: Uint8Array): void {
  // Every local declared here, none in the loops, and R8 aliased: Espruino looks a name up through each
  // enclosing scope's list in turn (a bundle's top scope holds hundreds), and makes a scope per `let` block.
  const r8 = R8;
  const n = data.length;
  const x = new Int32Array(4);
  let d = data, o = 0, w = 0, j = 0, v = 0, r = 0, lo = 0, hi = 0, z0 = 0, z1 = 0, z2 = 0, z3 = 0;
  for (let at = 0; at < n; at += 16) {
    d = data;
    o = at;
    if (at + 16 > n) {
      // the last, partial block, zero-padded
      d = new Uint8Array(16);
      for (j = 0; at + j < n; j++) d[j] = data[at + j];
      o = 0;
    }
    for (w = 0; w < 4; w++, o += 4) x[w] = y[w] ^ ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]);
    z0 = z1 = z2 = z3 = 0;
    // the word's 4 bytes, low byte first, unrolled (lo, hi: the table offsets of its nibbles)
    for (w = 3; w >= 0; w--) {
      v = x[w];
      r = z3 & 255;
      lo = 64 + ((v << 2) & 60);
      hi = (v >>> 2) & 60;
      z3 = ((z3 >>> 8) | (z2 << 24)) ^ m[lo + 3] ^ m[hi + 3];
      z2 = ((z2 >>> 8) | (z1 << 24)) ^ m[lo + 2] ^ m[hi + 2];
      z1 = ((z1 >>> 8) | (z0 << 24)) ^ m[lo + 1] ^ m[hi + 1];
      z0 = (z0 >>> 8) ^ (r8[r] << 16) ^ m[lo] ^ m[hi];
      r = z3 & 255;
      lo = 64 + ((v >>> 6) & 60);
      hi = (v >>> 10) & 60;
      z3 = ((z3 >>> 8) | (z2 << 24)) ^ m[lo + 3] ^ m[hi + 3];
      z2 = ((z2 >>> 8) | (z1 << 24)) ^ m[lo + 2] ^ m[hi + 2];
      z1 = ((z1 >>> 8) | (z0 << 24)) ^ m[lo + 1] ^ m[hi + 1];
      z0 = (z0 >>> 8) ^ (r8[r] << 16) ^ m[lo] ^ m[hi];
      r = z3 & 255;
      lo = 64 + ((v >>> 14) & 60);
      hi = (v >>> 18) & 60;
      z3 = ((z3 >>> 8) | (z2 << 24)) ^ m[lo + 3] ^ m[hi + 3];
      z2 = ((z2 >>> 8) | (z1 << 24)) ^ m[lo + 2] ^ m[hi + 2];
      z1 = ((z1 >>> 8) | (z0 << 24)) ^ m[lo + 1] ^ m[hi + 1];
      z0 = (z0 >>> 8) ^ (r8[r] << 16) ^ m[lo] ^ m[hi];
      r = z3 & 255;
      lo = 64 + ((v >>> 22) & 60);
      hi = (v >>> 26) & 60;
      z3 = ((z3 >>> 8) | (z2 << 24)) ^ m[lo + 3] ^ m[hi + 3];
      z2 = ((z2 >>> 8) | (z1 << 24)) ^ m[lo + 2] ^ m[hi + 2];
      z1 = ((z1 >>> 8) | (z0 << 24)) ^ m[lo + 1] ^ m[hi + 1];
      z0 = (z0 >>> 8) ^ (r8[r] << 16) ^ m[lo] ^ m[hi];
    }
    y[0] = z0;
    y[1] = z1;
    y[2] = z2;
    y[3] = z3;
  }
}

/** The counter block IV || ctr (SP 800-38D §7.1: J0 = IV || 0^31 || 1 for a 96-bit IV). */
function counterBlock(iv: Uint8Array, ctr: number): Uint8Array {
  const b = new Uint8Array(16);
  b.set(iv, 0);
  b[12] = (ctr >>> 24) & 255;
  b[13] = (ctr >>> 16) & 255;
  b[14] = (ctr >>> 8) & 255;
  b[15] = ctr & 255;
  return b;
}

/** GCTR from counter 2 (SP 800-38D §6.5, inc32(J0)) over `input`. */
function gctr(aes: BlockCipher, key: Uint8Array, iv: Uint8Array, input: Uint8Array): Uint8Array {
  const out = new Uint8Array(input.length);
  for (let at = 0, ctr = 2; at < input.length; at += 16, ctr++) {
    const ks = aes(key, counterBlock(iv, ctr));
    const end = Math.min(16, input.length - at);
    for (let i = 0; i < end; i++) out[at + i] = input[at + i] ^ ks[i];
  }
  return out;
}

/** The full 16-byte tag over AAD and ciphertext (SP 800-38D §7.1 steps 5-6). */
function fullTag(aes: BlockCipher, key: Uint8Array, iv: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const h = aes(key, new Uint8Array(16));
  const m = hTable(h);
  const y = new Int32Array(4);
  ghashUpdate(y, m, aad);
  ghashUpdate(y, m, ciphertext);
  // len(A) || len(C) in bits, 64-bit big-endian each (lengths here are far below 2^29 bytes: 32 bits do).
  const lengths = new Uint8Array(16);
  const aBits = aad.length * 8;
  const cBits = ciphertext.length * 8;
  lengths[4] = aBits >>> 24;
  lengths[5] = (aBits >>> 16) & 255;
  lengths[6] = (aBits >>> 8) & 255;
  lengths[7] = aBits & 255;
  lengths[12] = cBits >>> 24;
  lengths[13] = (cBits >>> 16) & 255;
  lengths[14] = (cBits >>> 8) & 255;
  lengths[15] = cBits & 255;
  ghashUpdate(y, m, lengths);
  const ek = aes(key, counterBlock(iv, 1));
  const tag = new Uint8Array(16);
  for (let i = 0; i < 16; i++) tag[i] = ek[i] ^ ((y[i >> 2] >>> (24 - 8 * (i & 3))) & 255);
  return tag;
}

function checkArgs(fn: string, key: Uint8Array, iv: Uint8Array, tagLength: number): void {
  if (!(key instanceof Uint8Array) || key.length !== 16) throw new TypeError(fn + ': "key" expected Uint8Array of length 16');
  if (!(iv instanceof Uint8Array) || iv.length !== 12) throw new TypeError(fn + ': "iv" expected Uint8Array of length 12');
  if (!(tagLength >= 4 && tagLength <= 16)) throw new TypeError(fn + ': tag length must be 4..16 bytes, got ' + tagLength);
}

export interface Sealed {
  ciphertext: Uint8Array;
  tag: Uint8Array;
}

/** Authenticated encryption (SP 800-38D §7.1) with a 12-byte IV; the tag cut to `tagLength` bytes. */
export function gcmEncrypt(aes: BlockCipher, key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, tagLength: number): Sealed {
  checkArgs('gcmEncrypt', key, iv, tagLength);
  const ciphertext = gctr(aes, key, iv, plaintext);
  const tag = fullTag(aes, key, iv, aad, ciphertext).subarray(0, tagLength);
  return { ciphertext: ciphertext, tag: new Uint8Array(tag) };
}

/**
 * Authenticated decryption (SP 800-38D §7.2): the plaintext, or undefined when the tag does not match.
 * The whole tag is compared (no early exit) before any decryption.
 */
export function gcmDecrypt(aes: BlockCipher, key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array, aad: Uint8Array, tag: Uint8Array): Uint8Array | undefined {
  checkArgs('gcmDecrypt', key, iv, tag.length);
  const expected = fullTag(aes, key, iv, aad, ciphertext).subarray(0, tag.length);
  if (!bytesEqual(expected, tag)) return undefined;
  return gctr(aes, key, iv, ciphertext);
}
