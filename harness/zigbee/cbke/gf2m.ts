/**
 * Arithmetic in GF(2^283) with the sect283k1 reduction polynomial f(x) = x^283 + x^12 + x^7 + x^5 + 1
 * (SEC 2 v2 §3.2.1 / §2.2 "sect283k1"; polynomial basis, SEC 1 v2 §2.1.2).
 *
 * Written by hand because no library does it for us: @noble/curves has only prime-field curves (no
 * binary curves at all), and Node's OpenSSL offers sect283k1 only behind ECDH (a shared x-coordinate),
 * not the point additions ECQV and ECMQV need. Harness only (Node, BigInt); not portable firmware.
 *
 * Elements are BigInts whose bit i is the coefficient of x^i, always reduced (< 2^283).
 * Multiplication is a left-to-right comb with a 4-bit window (Hankerson-Menezes-Vanstone, "Guide to ECC",
 * Alg. 2.36); squaring spreads bits (Alg. 2.39); inversion is Itoh-Tsujii (a^(2^m - 2)). @module
 */

export const M = 283;
/** Bytes of an encoded field element (SEC 1 §2.3.5: ceil(283 / 8)). */
export const FIELD_BYTES = 36;
const MASK = (1n << 283n) - 1n;

export function add(a: bigint, b: bigint): bigint {
  return a ^ b;
}

/** x^283 = x^12 + x^7 + x^5 + 1: fold the high part down until the value is below 2^283. */
function reduce(c: bigint): bigint {
  let h = c >> 283n;
  while (h !== 0n) {
    c = (c & MASK) ^ h ^ (h << 5n) ^ (h << 7n) ^ (h << 12n);
    h = c >> 283n;
  }
  return c;
}

export function mul(a: bigint, b: bigint): bigint {
  if (a === 0n || b === 0n) return 0n;
  const t: bigint[] = new Array(16);
  t[0] = 0n;
  t[1] = a;
  for (let u = 2; u < 16; u++) t[u] = u & 1 ? t[u - 1] ^ a : t[u >> 1] << 1n;
  const digits = b.toString(16);
  let c = 0n;
  for (let i = 0; i < digits.length; i++) c = (c << 4n) ^ t[parseInt(digits[i], 16)];
  return reduce(c);
}

/** Each hex digit of a, with a zero bit inserted after every bit: 4 bits spread to 8 (two hex digits). */
const SPREAD: string[] = [];
for (let d = 0; d < 16; d++) {
  let s = 0;
  for (let bit = 0; bit < 4; bit++) if (d & (1 << bit)) s |= 1 << (2 * bit);
  SPREAD.push(s.toString(16).padStart(2, '0'));
}

export function sqr(a: bigint): bigint {
  if (a === 0n) return 0n;
  const digits = a.toString(16);
  let spread = '';
  for (let i = 0; i < digits.length; i++) spread += SPREAD[parseInt(digits[i], 16)];
  return reduce(BigInt('0x' + spread));
}

/** a^(2^k): k squarings. */
export function sqrN(a: bigint, k: number): bigint {
  for (let i = 0; i < k; i++) a = sqr(a);
  return a;
}

/**
 * a^-1 = a^(2^283 - 2) = (a^(2^282 - 1))^2 by Itoh-Tsujii: beta_k = a^(2^k - 1), beta_2k = beta_k^(2^k) *
 * beta_k, beta_(k+1) = beta_k^2 * a, walking the bits of 282. Throws on 0 (a caller bug: 0 has no inverse).
 */
export function inv(a: bigint): bigint {
  if (a === 0n) throw new Error('gf2m.inv: zero has no inverse');
  const bits = (M - 1).toString(2);
  let beta = a;
  let k = 1;
  for (let i = 1; i < bits.length; i++) {
    beta = mul(sqrN(beta, k), beta);
    k *= 2;
    if (bits[i] === '1') {
      beta = mul(sqr(beta), a);
      k += 1;
    }
  }
  return sqr(beta);
}

/** Tr(a) = sum of a^(2^i), i = 0..m-1; 0 or 1. */
export function trace(a: bigint): bigint {
  let t = a;
  let s = a;
  for (let i = 1; i < M; i++) {
    s = sqr(s);
    t ^= s;
  }
  return t;
}

/** Half-trace (m odd): H(a) = sum of a^(2^(2i)), i = 0..(m-1)/2; solves z^2 + z = a when Tr(a) = 0 (SEC 1 §2.3.4 / HMV Alg. 3.86). */
export function halfTrace(a: bigint): bigint {
  let h = a;
  let s = a;
  for (let i = 1; i <= (M - 1) / 2; i++) {
    s = sqr(sqr(s));
    h ^= s;
  }
  return h;
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
