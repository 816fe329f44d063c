/**
 * The Koblitz curve sect283k1 (SEC 2 v2 §3.2.1): y^2 + xy = x^3 + a x^2 + b over GF(2^283) with a = 0,
 * b = 1, cofactor 4. The curve of ZigBee SE crypto suite 2 (CBKE with ECQV certificates and ECMQV).
 *
 * Written by hand (see gf2m.ts for why): @noble/curves has no binary curves, and Node's OpenSSL
 * sect283k1 only computes ECDH secrets, which the tests use as an independent oracle for `multiply`.
 *
 * Points are affine `{ x, y }` with `null` for the point at infinity O. Scalar multiplication is the
 * Lopez-Dahab Montgomery ladder in projective x-only coordinates with y recovered at the end (Lopez &
 * Dahab, "Fast multiplication on elliptic curves over GF(2^m) without precomputation", CHES 1999;
 * HMV "Guide to ECC" Alg. 3.40); it runs one ladder step per bit of the scalar, whatever the bits. @module
 */
import {
  FIELD_BYTES, fe, feAdd, feCopy, feFrom, feInv, feIsZero, feMul, feSqr, feTo, fromBytes, halfTrace, inv, mul, sqr, toBytes, trace,
} from './gf2m.ts';

export interface Point {
  x: bigint;
  y: bigint;
}

/** SEC 2 v2 §3.2.1. The generator is also what OpenSSL gives for private key 1 (checked in the tests). */
export const B = 1n;
export const G: Point = {
  x: 0x0503213f78ca44883f1a3b8162f188e553cd265f23c1567a16876913b0c2ac2458492836n,
  y: 0x01ccda380f1c9e318d90f95d07e5426fe87e45c0e8184698e45962364e34116177dd2259n,
};
export const N = 0x01ffffffffffffffffffffffffffffffffffe9ae2ed07577265dff7f94451e061e163c61n;
export const COFACTOR = 4n;
/** A compressed point: 0x02 | 0x03, then x (SEC 1 §2.3.3). */
export const POINT_BYTES = 1 + FIELD_BYTES;

export function isOnCurve(p: Point): boolean {
  // y^2 + xy = x^3 + b  (a = 0)
  const lhs = sqr(p.y) ^ mul(p.x, p.y);
  const rhs = mul(sqr(p.x), p.x) ^ B;
  return lhs === rhs;
}

export function negate(p: Point | null): Point | null {
  return p === null ? null : { x: p.x, y: p.x ^ p.y };
}

export function equals(p: Point | null, q: Point | null): boolean {
  if (p === null || q === null) return p === q;
  return p.x === q.x && p.y === q.y;
}

/** Affine addition (HMV §3.1.2, a = 0). */
export function addPoints(p: Point | null, q: Point | null): Point | null {
  if (p === null) return q;
  if (q === null) return p;
  if (p.x === q.x) {
    if (p.y === q.y) return double(p);
    return null; // q = -p
  }
  const l = mul(p.y ^ q.y, inv(p.x ^ q.x));
  const x = sqr(l) ^ l ^ p.x ^ q.x;
  const y = mul(l, p.x ^ x) ^ x ^ p.y;
  return { x, y };
}

export function double(p: Point | null): Point | null {
  if (p === null || p.x === 0n) return null; // (0, 1) has order 2
  const l = p.x ^ mul(p.y, inv(p.x));
  const x = sqr(l) ^ l;
  const y = sqr(p.x) ^ mul(l ^ 1n, x);
  return { x, y };
}

/** k * P for any k >= 0 (not reduced mod N, so cofactor multiples work on any point). */
export function multiply(p: Point | null, k: bigint): Point | null {
  if (k < 0n) throw new Error('sect283k1.multiply: negative scalar');
  if (p === null || k === 0n) return null;
  if (p.x === 0n) return k % 2n === 0n ? null : p; // the point of order 2
  const x = feFrom(p.x);
  // (X1:Z1) = P, (X2:Z2) = 2P; invariant (X2:Z2) - (X1:Z1) = P. All in words (gf2m.ts `Fe`).
  const x1 = feCopy(fe(), x);
  const z1 = feFrom(1n);
  const z2 = feSqr(fe(), x);
  const x2 = feSqr(fe(), z2);
  x2[0] ^= 1; // + b
  const a = fe();
  const b = fe();
  const t = fe();
  const bits = k.toString(2);
  for (let i = 1; i < bits.length; i++) {
    // bit 1: (X1:Z1) <- (X1:Z1) + (X2:Z2), (X2:Z2) <- 2 (X2:Z2); bit 0: the same with the pairs swapped
    const one = bits[i] === '1';
    const ax = one ? x1 : x2;
    const az = one ? z1 : z2;
    const bx = one ? x2 : x1;
    const bz = one ? z2 : z1;
    // Madd: Z = (Xa Zb + Xb Za)^2, X = x Z + (Xa Zb)(Xb Za)
    feMul(a, ax, bz);
    feMul(b, bx, az);
    feSqr(az, feAdd(t, a, b));
    feMul(t, a, b);
    feAdd(ax, feMul(ax, x, az), t);
    // Mdouble: X = X^4 + b Z^4 = (X^2 + Z^2)^2 with b = 1, Z = X^2 Z^2
    feSqr(a, bx);
    feSqr(b, bz);
    feMul(bz, a, b);
    feSqr(bx, feAdd(t, a, b));
  }
  if (feIsZero(z1)) return null;
  if (feIsZero(z2)) return negate(p); // kP = -P
  // y recovery (Lopez-Dahab Mxy): x3 = X1/Z1;
  // y3 = (x + x3) [ (X1 + x Z1)(X2 + x Z2) + (x^2 + y)(Z1 Z2) ] (x Z1 Z2)^-1 + y
  const y = feFrom(p.y);
  const z1z2 = feMul(fe(), z1, z2);
  const x3 = feMul(fe(), x1, feInv(fe(), z1));
  const u = feMul(fe(), feAdd(fe(), x1, feMul(fe(), x, z1)), feAdd(fe(), x2, feMul(fe(), x, z2)));
  feAdd(u, u, feMul(fe(), feAdd(fe(), feSqr(fe(), x), y), z1z2));
  const y3 = feMul(fe(), feMul(fe(), feAdd(fe(), x, x3), u), feInv(fe(), feMul(fe(), x, z1z2)));
  feAdd(y3, y3, y);
  return { x: feTo(x3), y: feTo(y3) };
}

export function multiplyBase(k: bigint): Point | null {
  return multiply(G, k);
}

/** SEC 1 §2.3.3, compressed form: y~ = 0 when x = 0, else the rightmost bit of y * x^-1. */
export function encodePoint(p: Point): Uint8Array {
  const out = new Uint8Array(POINT_BYTES);
  const yBit = p.x === 0n ? 0n : mul(p.y, inv(p.x)) & 1n;
  out[0] = 0x02 | Number(yBit);
  out.set(toBytes(p.x), 1);
  return out;
}

export type PointReason = 'point-length' | 'point-prefix' | 'point-not-on-curve';

/**
 * SEC 1 §2.3.4 (binary field, compressed): x, then z with z^2 + z = x + b x^-2 (half-trace), y = x z.
 * Only the 37-byte compressed form: that is all ZigBee CBKE carries.
 */
export function decodePoint(bytes: Uint8Array): { ok: true; point: Point } | { ok: false; reason: PointReason } {
  if (bytes.length !== POINT_BYTES) return { ok: false, reason: 'point-length' };
  if (bytes[0] !== 0x02 && bytes[0] !== 0x03) return { ok: false, reason: 'point-prefix' };
  const x = fromBytes(bytes.subarray(1));
  if (x === undefined) return { ok: false, reason: 'point-not-on-curve' };
  const yBit = BigInt(bytes[0] & 1);
  if (x === 0n) {
    if (yBit !== 0n) return { ok: false, reason: 'point-not-on-curve' };
    return { ok: true, point: { x: 0n, y: 1n } }; // y^2 = b = 1
  }
  const beta = x ^ mul(B, inv(sqr(x)));
  if (trace(beta) !== 0n) return { ok: false, reason: 'point-not-on-curve' };
  let z = halfTrace(beta);
  if ((z & 1n) !== yBit) z ^= 1n;
  const point = { x, y: mul(x, z) };
  if (!isOnCurve(point)) return { ok: false, reason: 'point-not-on-curve' };
  return { ok: true, point };
}

export type PublicKeyReason = PointReason | 'point-at-infinity' | 'point-not-in-subgroup';

/** SEC 1 §3.2.2.1 public key validation: on the curve, not O, and N * Q = O (cofactor 4, so this matters). */
export function validatePublicKey(p: Point | null): { ok: true; point: Point } | { ok: false; reason: PublicKeyReason } {
  if (p === null) return { ok: false, reason: 'point-at-infinity' };
  if (!isOnCurve(p)) return { ok: false, reason: 'point-not-on-curve' };
  if (multiply(p, N) !== null) return { ok: false, reason: 'point-not-in-subgroup' };
  return { ok: true, point: p };
}

/** The x coordinate as 36 bytes (an ECDH / ECMQV shared secret Z, SEC 1 §3.3.1 step 3). */
export function xBytes(p: Point): Uint8Array {
  return toBytes(p.x);
}

/** Decode-and-validate used by every protocol entry point. */
export function parsePublicKey(bytes: Uint8Array): { ok: true; point: Point } | { ok: false; reason: PublicKeyReason } {
  const d = decodePoint(bytes);
  if (!d.ok) return d;
  return validatePublicKey(d.point);
}

