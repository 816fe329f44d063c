/**
 * Arithmetic modulo the P-256 prime p = 2^256 - 2^224 + 2^192 + 2^96 - 1 (FIPS 186-4 D.1.2.3), without
 * BigInt: Espruino 2v29 has none, and @noble/curves' BigInt code fails on JerryScript 3.0 (see
 * shared/engines/README.md). Written by hand because no library offers P-256 on these engines.
 *
 * Representation: 16 limbs of 16 bits, little-endian, in an Int32Array (canonical: every limb in
 * [0, 65535], value in [0, p)). A limb product is < 2^32 and a column of 16 of them < 2^36, so every
 * intermediate is an exact integer in a double; `x & 0xffff` takes the low 16 bits of any such integer
 * (ToInt32 is exact modulo 2^32) and `(x - lo) / 65536` is the exact (floor) carry, also for negatives.
 * 16-bit limbs were measured against 24-bit ones: 24-bit multiplies faster, but the fast reduction
 * below needs 32-bit word boundaries, which 16-bit limbs keep.
 *
 * Reduction uses the special form of p (FIPS 186-4 D.2.3, "fast reduction modulo p256"): the 512-bit
 * product c15..c0 (32-bit words) is s1 + 2s2 + 2s3 + s4 + s5 - s6 - s7 - s8 - s9, applied here to the low
 * and high 16-bit halves of each word independently (the combination is linear), then carries are
 * folded back with 2^256 = 2^224 - 2^192 - 2^96 + 1 (mod p). Every routine runs the same steps whatever
 * the values (a fixed number of folds, a masked final subtraction): constant shape for secret operands.
 *
 * Results go to an `out` argument that may alias the inputs; nothing allocates after module load.
 * @module
 */

export type Fe = Int32Array;

/** A new field element (zero, or from 16 limbs). */
export function feNew(): Fe {
  return new Int32Array(16);
}

/** A field element from 64 hex digits (constants only). Declared before its uses: Espruino does not hoist it
 * out of the bundle's module scope. */
export function feFromHex(hex: string): Fe {
  const r = new Int32Array(16);
  for (let i = 0; i < 16; i++) r[i] = parseInt(hex.substr(60 - 4 * i, 4), 16);
  return r;
}

/** p as 16-bit limbs, little-endian (FIPS 186-4 D.1.2.3). */
export const P = feFromHex('ffffffff00000001000000000000000000000000ffffffffffffffffffffffff');
/** b of y^2 = x^3 - 3x + b (FIPS 186-4 D.1.2.3). */
export const B = feFromHex('5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b');

// Scratch: the 32-column product and the 16 signed limbs being reduced.
const T = new Float64Array(32);
const V = new Float64Array(16);

/**
 * V (16 signed limbs of magnitude < 2^41, so |value| < 2^282) to a canonical element in r. Two folds
 * always suffice: the first carry c has |c| < 2^26, so after folding it (c 2^224 < 2^250) the value lies
 * in (-2^250, 2^256 + 2^250) and the next carry is -1, 0 or 1; folding that leaves [0, 2^256).
 * (Product columns are < 2^36.1, and the reduction's word combinations weigh them by at most 7.)
 */
function settle(r: Fe): void {
  for (let round = 0; round < 3; round++) {
    let c = 0;
    for (let i = 0; i < 16; i++) {
      const x = V[i] + c;
      const lo = x & 0xffff;
      c = (x - lo) / 65536;
      V[i] = lo;
    }
    // 2^256 = 2^224 - 2^192 - 2^96 + 1 (mod p): limbs 14, 12, 6 and 0. A zero carry adds nothing.
    V[0] += c;
    V[6] -= c;
    V[12] -= c;
    V[14] += c;
  }
  // Value now in [0, 2^256) < 2p: subtract p once, keep the difference unless it borrowed (masked).
  let borrow = 0;
  for (let i = 0; i < 16; i++) {
    const x = V[i] - P[i] + borrow;
    const lo = x & 0xffff;
    borrow = (x - lo) / 65536;
    r[i] = lo;
  }
  const keep = -(borrow & 1); // all ones when r = V - p went negative: keep V
  for (let i = 0; i < 16; i++) r[i] = r[i] ^ ((r[i] ^ V[i]) & keep);
}

/**
 * r = a + b mod p. Additions and subtractions outnumber multiplications in the point formulas, so they
 * get their own two-pass form: the sum and the sum minus p are carried in one pass, and the right one
 * is kept by a mask (a + b < 2p, so one subtraction suffices).
 */
export function feAdd(r: Fe, a: Fe, b: Fe): void {
  let c = 0;
  let d = 0;
  for (let i = 0; i < 16; i++) {
    const x = a[i] + b[i] + c;
    const lo = x & 0xffff;
    c = (x - lo) / 65536;
    V[i] = lo;
    const y = lo - P[i] + d;
    const ylo = y & 0xffff;
    d = (y - ylo) / 65536;
    r[i] = ylo;
  }
  // a + b - p = (r) + (c + d) 2^256: negative (keep the sum) exactly when c + d = -1.
  const keep = -((c + d) & 1);
  for (let i = 0; i < 16; i++) r[i] = r[i] ^ ((r[i] ^ V[i]) & keep);
}

/** r = a - b mod p: the difference and the difference plus p in one pass, kept by the borrow. */
export function feSub(r: Fe, a: Fe, b: Fe): void {
  let c = 0;
  let d = 0;
  for (let i = 0; i < 16; i++) {
    const x = a[i] - b[i] + c;
    const lo = x & 0xffff;
    c = (x - lo) / 65536;
    V[i] = lo;
    const y = lo + P[i] + d;
    const ylo = y & 0xffff;
    d = (y - ylo) / 65536;
    r[i] = ylo;
  }
  // c = -1 when a < b: keep the difference plus p (in r); else keep the difference (in V).
  const keep = -(c & 1);
  for (let i = 0; i < 16; i++) r[i] = V[i] ^ ((V[i] ^ r[i]) & keep);
}

/** r = k * a for a small constant k (k * a < 8 * 2^256). */
export function feMulSmall(r: Fe, a: Fe, k: number): void {
  for (let i = 0; i < 16; i++) V[i] = a[i] * k;
  settle(r);
}

export function feCopy(r: Fe, a: Fe): void {
  for (let i = 0; i < 16; i++) r[i] = a[i];
}

export function feIsZero(a: Fe): boolean {
  let d = 0;
  for (let i = 0; i < 16; i++) d |= a[i];
  return d === 0;
}

export function feEqual(a: Fe, b: Fe): boolean {
  let d = 0;
  for (let i = 0; i < 16; i++) d |= a[i] ^ b[i];
  return d === 0;
}

/** r = a when mask is -1, unchanged when mask is 0 (constant-shape selection). */
export function feSelect(r: Fe, a: Fe, mask: number): void {
  for (let i = 0; i < 16; i++) r[i] = r[i] ^ ((r[i] ^ a[i]) & mask);
}

/** r = a * b mod p. */
export function feMul(r: Fe, a: Fe, b: Fe): void {
  const t = T;
  for (let i = 0; i < 32; i++) t[i] = 0;
  // Schoolbook rows, the inner loop unrolled: on Espruino this cut a 16x16 product from 2.2 to 1.5 ms.
  const b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3], b4 = b[4], b5 = b[5], b6 = b[6], b7 = b[7];
  const b8 = b[8], b9 = b[9], b10 = b[10], b11 = b[11], b12 = b[12], b13 = b[13], b14 = b[14], b15 = b[15];
  for (let i = 0; i < 16; i++) {
    const x = a[i];
    t[i] += x * b0; t[i + 1] += x * b1; t[i + 2] += x * b2; t[i + 3] += x * b3;
    t[i + 4] += x * b4; t[i + 5] += x * b5; t[i + 6] += x * b6; t[i + 7] += x * b7;
    t[i + 8] += x * b8; t[i + 9] += x * b9; t[i + 10] += x * b10; t[i + 11] += x * b11;
    t[i + 12] += x * b12; t[i + 13] += x * b13; t[i + 14] += x * b14; t[i + 15] += x * b15;
  }
  reduceProduct(r);
}

/** r = a^2 mod p: the cross products once, doubled (136 limb products instead of 256). */
export function feSqr(r: Fe, a: Fe): void {
  const t = T;
  for (let i = 0; i < 32; i++) t[i] = 0;
  for (let i = 0; i < 16; i++) {
    const x = a[i];
    const x2 = x + x;
    t[i + i] += x * x;
    for (let j = i + 1; j < 16; j++) t[i + j] += x2 * a[j];
  }
  reduceProduct(r);
}

/**
 * The 32 columns in T reduced modulo p into r (FIPS 186-4 D.2.3). The columns are not carried first:
 * the word combination is linear, so it applies to the raw columns (each < 2^37, so every combination
 * stays below 2^41, exact in a double), and `settle` carries once at the end.
 */
function reduceProduct(r: Fe): void {
  const t = T;
  // Word k of the product is (t[2k], t[2k+1]); w_j below is output word j, written per 16-bit half h.
  for (let h = 0; h < 2; h++) {
    const c0 = t[h], c1 = t[2 + h], c2 = t[4 + h], c3 = t[6 + h], c4 = t[8 + h], c5 = t[10 + h], c6 = t[12 + h], c7 = t[14 + h];
    const c8 = t[16 + h], c9 = t[18 + h], c10 = t[20 + h], c11 = t[22 + h];
    const c12 = t[24 + h], c13 = t[26 + h], c14 = t[28 + h], c15 = t[30 + h];
    V[h] = c0 + c8 + c9 - c11 - c12 - c13 - c14;
    V[2 + h] = c1 + c9 + c10 - c12 - c13 - c14 - c15;
    V[4 + h] = c2 + c10 + c11 - c13 - c14 - c15;
    V[6 + h] = c3 + 2 * (c11 + c12) + c13 - c15 - c8 - c9;
    V[8 + h] = c4 + 2 * (c12 + c13) + c14 - c9 - c10;
    V[10 + h] = c5 + 2 * (c13 + c14) + c15 - c10 - c11;
    V[12 + h] = c6 + 3 * c14 + 2 * c15 + c13 - c8 - c9;
    V[14 + h] = c7 + 3 * c15 + c8 - c10 - c11 - c12 - c13;
  }
  settle(r);
}

const I1 = new Int32Array(16);
const I2 = new Int32Array(16);
const I3 = new Int32Array(16);
const I4 = new Int32Array(16);

function sqrN(r: Fe, a: Fe, n: number): void {
  feSqr(r, a);
  for (let i = 1; i < n; i++) feSqr(r, r);
}

/**
 * r = a^(p-2) = a^-1 mod p (Fermat; 0 maps to 0). The exponent is public, so the chain below is the same
 * for every input: p - 2 = ffffffff 00000001 00000000 00000000 00000000 ffffffff ffffffff fffffffd,
 * built from runs of ones (x_k = a^(2^k - 1)): 255 squarings and 12 multiplications.
 */
export function feInv(r: Fe, a: Fe): void {
  const x2 = I1, x3 = I2, t = I3, x32 = I4;
  feSqr(x2, a); feMul(x2, x2, a); // x2
  feSqr(x3, x2); feMul(x3, x3, a); // x3
  sqrN(t, x3, 3); feMul(t, t, x3); // x6
  sqrN(x32, t, 6); feMul(x32, x32, t); // x12
  sqrN(x32, x32, 3); feMul(x32, x32, x3); // x15
  sqrN(t, x32, 15); feMul(t, t, x32); // x30
  sqrN(x32, t, 2); feMul(x32, x32, x2); // x32
  // t (x30) kept for the tail; x3 reused as the accumulator.
  sqrN(x3, x32, 32); feMul(x3, x3, a); // ffffffff 00000001
  sqrN(x3, x3, 96); // ... 96 zero bits
  sqrN(x3, x3, 32); feMul(x3, x3, x32); // ffffffff
  sqrN(x3, x3, 32); feMul(x3, x3, x32); // ffffffff
  sqrN(x3, x3, 30); feMul(x3, x3, t); // 30 ones
  sqrN(x3, x3, 2); feMul(r, x3, a); // 01
}

/** 32 big-endian bytes to limbs; false (r unspecified) when the value is >= p. */
export function feFromBytes(r: Fe, bytes: Uint8Array, at: number): boolean {
  for (let i = 0; i < 16; i++) r[i] = (bytes[at + 30 - 2 * i] << 8) | bytes[at + 31 - 2 * i];
  return lessThan(r, P);
}

export function feToBytes(out: Uint8Array, at: number, a: Fe): void {
  for (let i = 0; i < 16; i++) {
    out[at + 30 - 2 * i] = a[i] >> 8;
    out[at + 31 - 2 * i] = a[i] & 0xff;
  }
}

/** a < m for canonical limb vectors (public values only: it returns early). */
export function lessThan(a: Int32Array, m: Int32Array): boolean {
  for (let i = 15; i >= 0; i--) {
    if (a[i] !== m[i]) return a[i] < m[i];
  }
  return false;
}
