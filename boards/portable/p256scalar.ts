/**
 * Arithmetic modulo the P-256 group order n (FIPS 186-4 D.1.2.3), without BigInt, for ECDSA's few
 * scalar operations (one inversion and two or three products per signature). n has no special form
 * worth exploiting at this count, so products use Montgomery multiplication (CIOS, 16-bit limbs; Koç,
 * Acar, Kaliski, "Analyzing and comparing Montgomery multiplication algorithms", 1996).
 * Same limb layout as p256field.ts: 16 little-endian 16-bit limbs in an Int32Array.
 * @module
 */
import { feFromHex, lessThan } from './p256field.ts';

export type Sc = Int32Array;

/** n (FIPS 186-4 D.1.2.3). */
export const N = feFromHex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/** -n^-1 mod 2^16, by Newton iteration (each step doubles the correct low bits). */
const N_INV = (function (): number {
  const n0 = N[0];
  let x = 1;
  for (let i = 0; i < 5; i++) x = (x * ((2 - ((n0 * x) & 0xffff)) & 0xffff)) & 0xffff;
  return (65536 - x) & 0xffff;
})();

const W = new Float64Array(18);
const ONE = new Int32Array(16);
ONE[0] = 1;
let r2: Sc | undefined;

/** R^2 mod n (R = 2^256), computed once: R mod n = 2^256 - n, doubled 256 times modulo n. */
function rSquared(): Sc {
  if (r2) return r2;
  const x = new Int32Array(16);
  subN(x, new Int32Array(16)); // 0 - n mod 2^256 = 2^256 - n
  for (let i = 0; i < 256; i++) {
    let c = 0;
    for (let j = 0; j < 16; j++) {
      const v = x[j] * 2 + c;
      x[j] = v & 0xffff;
      c = v >> 16;
    }
    // 2x < 2n: subtract n when 2x >= n (c is the bit above 2^256).
    if (c === 1 || !lessThan(x, N)) subN(x, x);
  }
  r2 = x;
  return x;
}

/** r = a - n modulo 2^256 (callers know the true result is in [0, n)). */
function subN(r: Sc, a: Sc): void {
  let borrow = 0;
  for (let i = 0; i < 16; i++) {
    const x = a[i] - N[i] + borrow;
    const lo = x & 0xffff;
    borrow = (x - lo) / 65536;
    r[i] = lo;
  }
}

/** r = a * b * R^-1 mod n, for a, b < n. */
function montMul(r: Sc, a: Sc, b: Sc): void {
  const t = W;
  for (let i = 0; i < 18; i++) t[i] = 0;
  for (let i = 0; i < 16; i++) {
    const ai = a[i];
    let c = 0;
    for (let j = 0; j < 16; j++) {
      const x = t[j] + ai * b[j] + c;
      const lo = x & 0xffff;
      c = (x - lo) / 65536;
      t[j] = lo;
    }
    let x = t[16] + c;
    t[16] = x & 0xffff;
    t[17] = (x - t[16]) / 65536;
    const m = (t[0] * N_INV) & 0xffff;
    x = t[0] + m * N[0];
    c = (x - (x & 0xffff)) / 65536;
    for (let j = 1; j < 16; j++) {
      x = t[j] + m * N[j] + c;
      const lo = x & 0xffff;
      c = (x - lo) / 65536;
      t[j - 1] = lo;
    }
    x = t[16] + c;
    t[15] = x & 0xffff;
    t[16] = t[17] + (x - t[15]) / 65536;
  }
  // t < 2n: subtract n unless that borrows (masked, constant shape).
  let borrow = 0;
  for (let i = 0; i < 16; i++) {
    const x = t[i] - N[i] + borrow;
    const lo = x & 0xffff;
    borrow = (x - lo) / 65536;
    r[i] = lo;
  }
  const keep = -((t[16] + borrow) & 1) & -(borrow & 1); // borrowed past the top word: keep t
  for (let i = 0; i < 16; i++) r[i] = r[i] ^ ((r[i] ^ t[i]) & keep);
}

/** r = a * b mod n, for a, b < n. */
export function scMul(r: Sc, a: Sc, b: Sc): void {
  montMul(r, a, b);
  montMul(r, r, rSquared());
}

/** r = a + b mod n, for a, b < n. */
export function scAdd(r: Sc, a: Sc, b: Sc): void {
  let c = 0;
  for (let i = 0; i < 16; i++) {
    const x = a[i] + b[i] + c;
    r[i] = x & 0xffff;
    c = x >> 16;
  }
  if (c === 1 || !lessThan(r, N)) subN(r, r);
}

const E1 = new Int32Array(16);
const E2 = new Int32Array(16);

/** r = a^(n-2) = a^-1 mod n (Fermat). The exponent is public, so the square-and-multiply pattern is too. */
export function scInv(r: Sc, a: Sc): void {
  const base = E1;
  const acc = E2;
  montMul(base, a, rSquared()); // a R
  montMul(acc, ONE, rSquared()); // R (one, in Montgomery form)
  // n - 2: the top 15 limbs of n, and the low limb 0x2551 - 2.
  for (let i = 15; i >= 0; i--) {
    const limb = i === 0 ? N[0] - 2 : N[i];
    for (let bit = 15; bit >= 0; bit--) {
      montMul(acc, acc, acc);
      if ((limb >> bit) & 1) montMul(acc, acc, base);
    }
  }
  montMul(r, acc, ONE);
}

/** 32 big-endian bytes to limbs, reduced once modulo n (enough for any 256-bit value, which is < 2n). */
export function scFromBytesReduced(r: Sc, bytes: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++) r[i] = (bytes[at + 30 - 2 * i] << 8) | bytes[at + 31 - 2 * i];
  if (!lessThan(r, N)) subN(r, r);
}

/** 32 big-endian bytes to limbs; false when the value is 0 or >= n (not a valid private key, r or s). */
export function scFromBytesChecked(r: Sc, bytes: Uint8Array, at: number): boolean {
  let any = 0;
  for (let i = 0; i < 16; i++) {
    r[i] = (bytes[at + 30 - 2 * i] << 8) | bytes[at + 31 - 2 * i];
    any |= r[i];
  }
  return any !== 0 && lessThan(r, N);
}

export function scIsZero(a: Sc): boolean {
  let d = 0;
  for (let i = 0; i < 16; i++) d |= a[i];
  return d === 0;
}
