/**
 * P-256 ECDSA (SHA-256) and ECDH without BigInt, for the engines that have no native elliptic-curve code
 * (Espruino 2v29 MCU builds, JerryScript 3.0): written by hand because @noble/curves needs BigInt, which
 * Espruino lacks and which fails on JerryScript (shared/engines/README.md).
 *
 * - Points are projective (X:Y:Z) with the complete addition and doubling formulas for a = -3 of
 *   Renes, Costello, Batina, "Complete addition formulas for prime order elliptic curves" (EUROCRYPT
 *   2016, Algorithms 4 and 6): no exceptional cases (doubling, inverse, infinity) to branch on, so the
 *   same code is safe for secret scalars and for hostile public points.
 * - Secret scalars (signing, public key, ECDH) use a fixed 4-bit window: 64 windows of 4 doublings and
 *   one addition of a table entry chosen by a masked scan of all 16 (constant shape).
 * - Verification interleaves 4-bit windows of u1 (for G) and u2 (for Q) (Shamir's trick, Möller's
 *   interleaving), skipping zero digits since u1, u2 are public; it compares r with X/Z without an
 *   inversion (X == r Z, or (r + n) Z when r + n < p).
 * - Signing nonces are deterministic (RFC 6979 §3.2, HMAC-SHA-256), so a weak board RNG cannot leak a key.
 *   s is not normalised to low-s: GBCS does not ask for it, and verification accepts both halves
 *   (the RTDS vectors carry high-s signatures).
 * - Inputs are checked (SEC 1 v2 §3.2.2, §4.1.4; invalid-curve attacks): public keys must be 65 bytes,
 *   04 || X || Y with X, Y < p and on the curve (so never the point at infinity); r and s in [1, n-1].
 * @module
 */
import {
  B, feAdd, feCopy, feEqual, feFromBytes, feFromHex, feInv, feIsZero, feMul, feMulSmall, feNew, feSelect, feSqr,
  feSub, feToBytes, lessThan, P,
} from './p256field.ts';
import type { Fe } from './p256field.ts';
import { N, scAdd, scFromBytesChecked, scFromBytesReduced, scInv, scIsZero, scMul } from './p256scalar.ts';

type Hash = (data: Uint8Array) => Uint8Array;

/** A projective point; infinity is (0 : 1 : 0). */
interface Pt {
  x: Fe;
  y: Fe;
  z: Fe;
}

function ptNew(): Pt {
  return { x: feNew(), y: feNew(), z: feNew() };
}

function ptCopy(r: Pt, a: Pt): void {
  feCopy(r.x, a.x);
  feCopy(r.y, a.y);
  feCopy(r.z, a.z);
}

function ptSetInfinity(r: Pt): void {
  for (let i = 0; i < 16; i++) {
    r.x[i] = 0;
    r.y[i] = 0;
    r.z[i] = 0;
  }
  r.y[0] = 1;
}

// The generator (FIPS 186-4 D.1.2.3), affine, Z = 1.
const G: Pt = {
  x: feFromHex('6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296'),
  y: feFromHex('4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5'),
  z: feFromHex('0000000000000000000000000000000000000000000000000000000000000001'),
};

// Scratch for the formulas.
const t0 = feNew(), t1 = feNew(), t2 = feNew(), t3 = feNew(), t4 = feNew();
const X3 = feNew(), Y3 = feNew(), Z3 = feNew();

/** r = a + b (RCB 2016 Algorithm 4, a = -3). r may alias a or b. */
function ptAdd(r: Pt, a: Pt, b: Pt): void {
  const X1 = a.x, Y1 = a.y, Z1 = a.z, X2 = b.x, Y2 = b.y, Z2 = b.z;
  feMul(t0, X1, X2);
  feMul(t1, Y1, Y2);
  feMul(t2, Z1, Z2);
  feAdd(t3, X1, Y1);
  feAdd(t4, X2, Y2);
  feMul(t3, t3, t4);
  feAdd(t4, t0, t1);
  feSub(t3, t3, t4);
  feAdd(t4, Y1, Z1);
  feAdd(X3, Y2, Z2);
  feMul(t4, t4, X3);
  feAdd(X3, t1, t2);
  feSub(t4, t4, X3);
  feAdd(X3, X1, Z1);
  feAdd(Y3, X2, Z2);
  feMul(X3, X3, Y3);
  feAdd(Y3, t0, t2);
  feSub(Y3, X3, Y3);
  feMul(Z3, B, t2);
  feSub(X3, Y3, Z3);
  feMulSmall(X3, X3, 3);
  feSub(Z3, t1, X3);
  feAdd(X3, t1, X3);
  feMul(Y3, B, Y3);
  feMulSmall(t2, t2, 3);
  feSub(Y3, Y3, t2);
  feSub(Y3, Y3, t0);
  feMulSmall(Y3, Y3, 3);
  feMulSmall(t1, t0, 3);
  feSub(t0, t1, t2);
  feMul(t1, t4, Y3);
  feMul(t2, t0, Y3);
  feMul(Y3, X3, Z3);
  feAdd(Y3, Y3, t2);
  feMul(X3, t3, X3);
  feSub(X3, X3, t1);
  feMul(Z3, t4, Z3);
  feMul(t1, t3, t0);
  feAdd(Z3, Z3, t1);
  feCopy(r.x, X3);
  feCopy(r.y, Y3);
  feCopy(r.z, Z3);
}

/** r = 2a (RCB 2016 Algorithm 6, a = -3). r may alias a. */
function ptDouble(r: Pt, a: Pt): void {
  const X = a.x, Y = a.y, Z = a.z;
  feSqr(t0, X);
  feSqr(t1, Y);
  feSqr(t2, Z);
  feMul(t3, X, Y);
  feAdd(t3, t3, t3);
  feMul(Z3, X, Z);
  feAdd(Z3, Z3, Z3);
  feMul(Y3, B, t2);
  feSub(Y3, Y3, Z3);
  feMulSmall(Y3, Y3, 3);
  feSub(X3, t1, Y3);
  feAdd(Y3, t1, Y3);
  feMul(Y3, X3, Y3);
  feMul(X3, X3, t3);
  feMulSmall(t2, t2, 3);
  feMul(Z3, B, Z3);
  feSub(Z3, Z3, t2);
  feSub(Z3, Z3, t0);
  feMulSmall(Z3, Z3, 3);
  feMulSmall(t3, t0, 3);
  feSub(t0, t3, t2);
  feMul(t0, t0, Z3);
  feAdd(Y3, Y3, t0);
  feMul(t0, Y, Z);
  feAdd(t0, t0, t0);
  feMul(Z3, t0, Z3);
  feSub(X3, X3, Z3);
  feMul(Z3, t0, t1);
  feMulSmall(Z3, Z3, 4);
  feCopy(r.x, X3);
  feCopy(r.y, Y3);
  feCopy(r.z, Z3);
}

/** The 16 multiples 0P .. 15P of a point (window table). */
function table(p: Pt): Pt[] {
  const out: Pt[] = [];
  for (let i = 0; i < 16; i++) out.push(ptNew());
  ptSetInfinity(out[0]);
  ptCopy(out[1], p);
  for (let i = 2; i < 16; i++) {
    if ((i & 1) === 0) ptDouble(out[i], out[i >> 1]);
    else ptAdd(out[i], out[i - 1], p);
  }
  return out;
}

let gTable: Pt[] | undefined;
function generatorTable(): Pt[] {
  if (!gTable) gTable = table(G);
  return gTable;
}

/** The 4-bit digit `w` (0 = least significant) of a 16-bit-limb scalar. */
function digit(k: Int32Array, w: number): number {
  return (k[w >> 2] >> ((w & 3) * 4)) & 15;
}

const pick = ptNew();

/** r = k * P for a secret k (limbs), given P's window table: constant shape. */
function mulSecret(r: Pt, tbl: Pt[], k: Int32Array): void {
  ptSetInfinity(r);
  for (let w = 63; w >= 0; w--) {
    ptDouble(r, r);
    ptDouble(r, r);
    ptDouble(r, r);
    ptDouble(r, r);
    const d = digit(k, w);
    for (let i = 0; i < 16; i++) {
      const mask = -((((i ^ d) - 1) >>> 31) & 1); // -1 exactly when i === d
      feSelect(pick.x, tbl[i].x, mask);
      feSelect(pick.y, tbl[i].y, mask);
      feSelect(pick.z, tbl[i].z, mask);
    }
    ptAdd(r, r, pick);
  }
}

/** r = u1 G + u2 Q (public scalars): interleaved 4-bit windows, zero digits skipped. */
function mulDoublePublic(r: Pt, u1: Int32Array, u2: Int32Array, qTable: Pt[]): void {
  const gT = generatorTable();
  ptSetInfinity(r);
  for (let w = 63; w >= 0; w--) {
    ptDouble(r, r);
    ptDouble(r, r);
    ptDouble(r, r);
    ptDouble(r, r);
    const d1 = digit(u1, w);
    if (d1 !== 0) ptAdd(r, r, gT[d1]);
    const d2 = digit(u2, w);
    if (d2 !== 0) ptAdd(r, r, qTable[d2]);
  }
}

const zi = feNew();

/** Affine x (and y) of r into out[at..]; false for the point at infinity. */
function toAffine(r: Pt, out: Uint8Array, xAt: number, yAt: number): boolean {
  if (feIsZero(r.z)) return false;
  feInv(zi, r.z);
  feMul(t0, r.x, zi);
  feToBytes(out, xAt, t0);
  if (yAt >= 0) {
    feMul(t0, r.y, zi);
    feToBytes(out, yAt, t0);
  }
  return true;
}

/** Q from 04 || X || Y, checked on the curve (y^2 = x^3 - 3x + b, FIPS 186-4 D.1.2.3); false if not. */
function decodePoint(r: Pt, bytes: Uint8Array): boolean {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 65 || bytes[0] !== 4) return false;
  if (!feFromBytes(r.x, bytes, 1) || !feFromBytes(r.y, bytes, 33)) return false;
  feSqr(t0, r.y);
  feSqr(t1, r.x);
  feMul(t1, t1, r.x);
  feMulSmall(t2, r.x, 3);
  feSub(t1, t1, t2);
  feAdd(t1, t1, B);
  if (!feEqual(t0, t1)) return false;
  for (let i = 0; i < 16; i++) r.z[i] = i === 0 ? 1 : 0;
  return true;
}

/** The programming-error check every P-256 path makes on a fixed-length argument (same words on each). */
export function expectBytes(fn: string, what: string, bytes: Uint8Array, length: number): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new TypeError(fn + ': "' + what + '" expected Uint8Array of length ' + length + ', got length=' + (bytes ? bytes.length : bytes));
  }
}

/** A private scalar as limbs; a programming error when it is not in [1, n-1]. */
function privateScalar(fn: string, d: Uint8Array): Int32Array {
  expectBytes(fn, 'privateKey', d, 32);
  const k = new Int32Array(16);
  if (!scFromBytesChecked(k, d, 0)) throw new Error(fn + ': private key is not in [1, n-1]');
  return k;
}

/** HMAC-SHA-256 (RFC 2104 / FIPS 198-1) over the concatenation of `parts`; key <= 64 bytes. */
export function hmacSha256(sha256: Hash, key: Uint8Array, parts: Uint8Array[]): Uint8Array {
  let length = 64;
  for (let i = 0; i < parts.length; i++) length += parts[i].length;
  const inner = new Uint8Array(length);
  for (let i = 0; i < 64; i++) inner[i] = (i < key.length ? key[i] : 0) ^ 0x36;
  let at = 64;
  for (let i = 0; i < parts.length; i++) {
    inner.set(parts[i], at);
    at += parts[i].length;
  }
  const outer = new Uint8Array(96);
  for (let i = 0; i < 64; i++) outer[i] = (i < key.length ? key[i] : 0) ^ 0x5c;
  outer.set(sha256(inner), 64);
  return sha256(outer);
}

export interface P256 {
  sign(privateKey: Uint8Array, message: Uint8Array): Uint8Array;
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  publicKey(privateKey: Uint8Array): Uint8Array;
  ecdh(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array | undefined;
}

/** P-256 over the board's SHA-256 (native on Espruino, portable on JerryScript). */
export function p256(sha256: Hash): P256 {
  const acc = ptNew();
  const q = ptNew();

  function publicKey(privateKey: Uint8Array): Uint8Array {
    const d = privateScalar('p256PublicKey', privateKey);
    mulSecret(acc, generatorTable(), d);
    const out = new Uint8Array(65);
    out[0] = 4;
    toAffine(acc, out, 1, 33);
    return out;
  }

  function ecdh(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array | undefined {
    const d = privateScalar('ecdh', privateKey);
    if (!decodePoint(q, publicKey)) return undefined;
    mulSecret(acc, table(q), d);
    const z = new Uint8Array(32);
    // d in [1, n-1] and Q of prime order n: dQ is never infinity; checked all the same.
    return toAffine(acc, z, 0, -1) ? z : undefined;
  }

  function sign(privateKey: Uint8Array, message: Uint8Array): Uint8Array {
    const d = privateScalar('p256Sign', privateKey);
    const h = sha256(message);
    const e = new Int32Array(16);
    scFromBytesReduced(e, h, 0);
    // RFC 6979 §3.2: x = int2octets(d) = privateKey; h1 = bits2octets(H(m)) = (H(m) mod n) as 32 bytes.
    const h1 = new Uint8Array(32);
    feToBytes(h1, 0, e);
    let v: Uint8Array = new Uint8Array(32);
    let k: Uint8Array = new Uint8Array(32);
    for (let i = 0; i < 32; i++) v[i] = 1;
    const zero = new Uint8Array([0]);
    const one = new Uint8Array([1]);
    k = hmacSha256(sha256, k, [v, zero, privateKey, h1]);
    v = hmacSha256(sha256, k, [v]);
    k = hmacSha256(sha256, k, [v, one, privateKey, h1]);
    v = hmacSha256(sha256, k, [v]);
    const kk = new Int32Array(16);
    const r = new Int32Array(16);
    const s = new Int32Array(16);
    const out = new Uint8Array(64);
    for (;;) {
      v = hmacSha256(sha256, k, [v]); // qlen = hlen = 256: one block is T
      if (scFromBytesChecked(kk, v, 0)) {
        mulSecret(acc, generatorTable(), kk);
        toAffine(acc, out, 0, -1);
        scFromBytesReduced(r, out, 0);
        if (!scIsZero(r)) {
          // s = k^-1 (e + r d) mod n
          scMul(s, r, d);
          scAdd(s, s, e);
          scInv(kk, kk);
          scMul(s, s, kk);
          if (!scIsZero(s)) {
            feToBytes(out, 0, r);
            feToBytes(out, 32, s);
            return out;
          }
        }
      }
      k = hmacSha256(sha256, k, [v, zero]);
      v = hmacSha256(sha256, k, [v]);
    }
  }

  function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    if (!(signature instanceof Uint8Array) || signature.length !== 64) return false;
    const r = new Int32Array(16);
    const s = new Int32Array(16);
    if (!scFromBytesChecked(r, signature, 0) || !scFromBytesChecked(s, signature, 32)) return false;
    if (!decodePoint(q, publicKey)) return false;
    const e = new Int32Array(16);
    scFromBytesReduced(e, sha256(message), 0);
    const w = new Int32Array(16);
    scInv(w, s);
    const u1 = new Int32Array(16);
    const u2 = new Int32Array(16);
    scMul(u1, e, w);
    scMul(u2, r, w);
    mulDoublePublic(acc, u1, u2, table(q));
    if (feIsZero(acc.z)) return false;
    // x(R) mod n == r  <=>  X == r Z, or X == (r + n) Z when r + n < p (x in [n, p) reduces to r).
    feMul(t0, r, acc.z);
    if (feEqual(t0, acc.x)) return true;
    const rn = new Int32Array(16);
    let c = 0;
    for (let i = 0; i < 16; i++) {
      const x = r[i] + N[i] + c;
      rn[i] = x & 0xffff;
      c = x >> 16;
    }
    if (c !== 0 || !lessThan(rn, P)) return false;
    feMul(t0, rn, acc.z);
    return feEqual(t0, acc.x);
  }

  return { sign: sign, verify: verify, publicKey: publicKey, ecdh: ecdh };
}
