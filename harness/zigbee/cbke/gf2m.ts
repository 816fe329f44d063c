/**
 * Arithmetic in GF(2^283) with the sect283k1 reduction polynomial f(x) = x^283 + x^12 + x^7 + x^5 + 1
 * (SEC 2 v2 §3.2.1 / §2.2 "sect283k1"; polynomial basis, SEC 1 v2 §2.1.2).
 *
 * Written by hand because no library does it for us: @noble/curves has only prime-field curves (no
 * binary curves at all), and Node's OpenSSL offers sect283k1 only behind ECDH (a shared x-coordinate),
 * not the point additions ECQV and ECMQV need. Harness only (Node); not portable firmware.
 *
 * Two representations: BigInts (bit i = coefficient of x^i, always < 2^283) at the API, and `Fe`, nine
 * 32-bit words little-endian, for the hot loops (the scalar-multiplication ladder works in words only).
 * Multiplication is the left-to-right comb with a 4-bit window (Hankerson-Menezes-Vanstone, "Guide to
 * ECC", Alg. 2.36), squaring spreads bits by a byte table (Alg. 2.39), reduction folds word by word
 * (Alg. 2.43's method for this f), inversion is Itoh-Tsujii (a^(2^m - 2)). Measured: multiplication
 * about 1 µs in words against 12 µs for a BigInt comb. @module
 */

export const M = 283;
/** Bytes of an encoded field element (SEC 1 §2.3.5: ceil(283 / 8)). */
export const FIELD_BYTES = 36;
const MASK = (1n << 283n) - 1n;

export type Fe = Uint32Array;
const WORDS = 9;

export function fe(): Fe {
  return new Uint32Array(WORDS);
}

export function feFrom(a: bigint): Fe {
  const out = fe();
  const hex = a.toString(16).padStart(72, '0');
  for (let i = 0; i < WORDS; i++) out[i] = parseInt(hex.slice(64 - 8 * i, 72 - 8 * i), 16);
  return out;
}

export function feTo(a: Fe): bigint {
  let hex = '';
  for (let i = WORDS - 1; i >= 0; i--) hex += a[i].toString(16).padStart(8, '0');
  return BigInt('0x' + hex);
}

export function feIsZero(a: Fe): boolean {
  for (let i = 0; i < WORDS; i++) if (a[i] !== 0) return false;
  return true;
}

export function feAdd(out: Fe, a: Fe, b: Fe): Fe {
  for (let i = 0; i < WORDS; i++) out[i] = a[i] ^ b[i];
  return out;
}

export function feCopy(out: Fe, a: Fe): Fe {
  out.set(a);
  return out;
}

const C = new Uint32Array(18);
const T = new Uint32Array(16 * 10);

/** C (18 words, degree < 576) mod f into out (9 words). */
function reduceWords(out: Fe): void {
  for (let i = 17; i >= 9; i--) {
    const t = C[i];
    C[i - 9] ^= (t << 5) ^ (t << 10) ^ (t << 12) ^ (t << 17);
    C[i - 8] ^= (t >>> 27) ^ (t >>> 22) ^ (t >>> 20) ^ (t >>> 15);
  }
  const t = C[8] >>> 27;
  C[0] ^= t ^ (t << 5) ^ (t << 7) ^ (t << 12);
  C[8] &= 0x07ffffff;
  for (let i = 0; i < WORDS; i++) out[i] = C[i];
}

export function feMul(out: Fe, a: Fe, b: Fe): Fe {
  // T[u] = u(x) * b(x) for the 16 polynomials u of degree < 4 (10 words each)
  T.fill(0, 0, 20);
  for (let i = 0; i < WORDS; i++) T[10 + i] = b[i];
  for (let u = 2; u < 16; u++) {
    const d = u * 10;
    if (u & 1) {
      const p = (u - 1) * 10;
      for (let i = 0; i < 10; i++) T[d + i] = T[p + i] ^ T[10 + i];
    } else {
      const p = (u >> 1) * 10;
      T[d] = T[p] << 1;
      for (let i = 1; i < 10; i++) T[d + i] = (T[p + i] << 1) | (T[p + i - 1] >>> 31);
    }
  }
  C.fill(0);
  for (let k = 7; k >= 0; k--) {
    const sh = 4 * k;
    for (let j = 0; j < WORDS; j++) {
      const u = (a[j] >>> sh) & 15;
      if (u !== 0) {
        const d = u * 10;
        for (let i = 0; i < 10; i++) C[j + i] ^= T[d + i];
      }
    }
    if (k !== 0) {
      for (let i = 17; i > 0; i--) C[i] = (C[i] << 4) | (C[i - 1] >>> 28);
      C[0] <<= 4;
    }
  }
  reduceWords(out);
  return out;
}

const SQ = new Uint16Array(256);
for (let v = 0; v < 256; v++) {
  let s = 0;
  for (let bit = 0; bit < 8; bit++) if (v & (1 << bit)) s |= 1 << (2 * bit);
  SQ[v] = s;
}

export function feSqr(out: Fe, a: Fe): Fe {
  for (let i = 0; i < WORDS; i++) {
    const w = a[i];
    C[2 * i] = SQ[w & 255] | (SQ[(w >>> 8) & 255] << 16);
    C[2 * i + 1] = SQ[(w >>> 16) & 255] | (SQ[w >>> 24] << 16);
  }
  reduceWords(out);
  return out;
}

/** a^-1 by Itoh-Tsujii (see `inv`); throws on 0 (a caller bug). */
export function feInv(out: Fe, a: Fe): Fe {
  if (feIsZero(a)) throw new Error('gf2m.feInv: zero has no inverse');
  const bits = (M - 1).toString(2);
  const beta = feCopy(fe(), a);
  const t = fe();
  let k = 1;
  for (let i = 1; i < bits.length; i++) {
    feCopy(t, beta);
    for (let j = 0; j < k; j++) feSqr(t, t);
    feMul(beta, t, beta);
    k *= 2;
    if (bits[i] === '1') {
      feSqr(beta, beta);
      feMul(beta, beta, a);
      k += 1;
    }
  }
  return feSqr(out, beta);
}

export function add(a: bigint, b: bigint): bigint {
  return a ^ b;
}

export function mul(a: bigint, b: bigint): bigint {
  return feTo(feMul(fe(), feFrom(a), feFrom(b)));
}

export function sqr(a: bigint): bigint {
  return feTo(feSqr(fe(), feFrom(a)));
}

/** a^(2^k): k squarings. */
export function sqrN(a: bigint, k: number): bigint {
  const w = feFrom(a);
  for (let i = 0; i < k; i++) feSqr(w, w);
  return feTo(w);
}

/**
 * a^-1 = a^(2^283 - 2) = (a^(2^282 - 1))^2 by Itoh-Tsujii: beta_k = a^(2^k - 1), beta_2k = beta_k^(2^k) *
 * beta_k, beta_(k+1) = beta_k^2 * a, walking the bits of 282. Throws on 0 (a caller bug: 0 has no inverse).
 */
export function inv(a: bigint): bigint {
  if (a === 0n) throw new Error('gf2m.inv: zero has no inverse');
  return feTo(feInv(fe(), feFrom(a)));
}

/** Tr(a) = sum of a^(2^i), i = 0..m-1; 0 or 1. */
export function trace(a: bigint): bigint {
  const s = feFrom(a);
  const t = feFrom(a);
  for (let i = 1; i < M; i++) feAdd(t, t, feSqr(s, s));
  return feTo(t);
}

/** Half-trace (m odd): H(a) = sum of a^(2^(2i)), i = 0..(m-1)/2; solves z^2 + z = a when Tr(a) = 0 (SEC 1 §2.3.4 / HMV Alg. 3.86). */
export function halfTrace(a: bigint): bigint {
  const s = feFrom(a);
  const h = feFrom(a);
  for (let i = 1; i <= (M - 1) / 2; i++) feAdd(h, h, feSqr(s, feSqr(s, s)));
  return feTo(h);
}

/** SEC 1 §2.3.5: field element to a 36-byte big-endian octet string. */
export function toBytes(a: bigint): Uint8Array {
  const hex = a.toString(16).padStart(FIELD_BYTES * 2, '0');
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** SEC 1 §2.3.6: octet string to field element; undefined when it is not 36 bytes or has bits at x^283 or above. */
export function fromBytes(b: Uint8Array): bigint | undefined {
  if (b.length !== FIELD_BYTES) return undefined;
  const v = BigInt('0x' + Buffer.from(b).toString('hex'));
  return v > MASK ? undefined : v;
}
