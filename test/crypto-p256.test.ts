/**
 * Differential tests of the portable P-256 (boards/portable/p256.ts) against @noble/curves and
 * node:crypto (OpenSSL) on seeded random cases, plus the malformed inputs of invalid-curve and
 * signature-malleability attacks.
 * @module
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { p256 as noble } from '@noble/curves/nist.js';
import { p256 } from '../boards/portable/p256.ts';
import { toHex, fromHex } from '../lib/bytes.ts';
import { seededBytes } from './portable/seeded.ts';

const sha256 = (d: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(d).digest());
const curve = p256(sha256);
const CASES = 1000;
const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
const P = BigInt('0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff');

/** Seeded byte stream: SHA-256 in counter mode over a label (reproducible failures). */
const be = (x: bigint): Uint8Array => fromHex(x.toString(16).padStart(64, '0'))!;
const num = (b: Uint8Array): bigint => BigInt('0x' + toHex(b));
function privateKey(rand: (n: number) => Uint8Array): Uint8Array {
  return be((num(rand(32)) % (N - 1n)) + 1n);
}
const jwkOf = (pub: Uint8Array) =>
  createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: Buffer.from(pub.subarray(1, 33)).toString('base64url'), y: Buffer.from(pub.subarray(33)).toString('base64url') }, format: 'jwk' });

test('public keys and RFC 6979 signatures equal noble (lowS off); OpenSSL verifies them', () => {
  const rand = seededBytes('sign');
  for (let i = 0; i < CASES; i++) {
    const d = privateKey(rand);
    const msg = rand(i % 97);
    const pub = curve.publicKey(d);
    assert.is(toHex(pub), toHex(noble.getPublicKey(d, false)), 'public key #' + i);
    const sig = curve.sign(d, msg);
    assert.is(toHex(sig), toHex(noble.sign(msg, d, { lowS: false })), 'signature #' + i);
    if (i % 4 === 0) assert.ok(nodeVerify('sha256', msg, { key: jwkOf(pub), dsaEncoding: 'ieee-p1363' }, sig), 'OpenSSL verifies #' + i);
  }
});

test('verify accepts OpenSSL and noble signatures (both s halves) and rejects tampered ones', () => {
  const rand = seededBytes('verify');
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = pair.publicKey.export({ format: 'jwk' });
  const opensslPub = new Uint8Array([4, ...Buffer.from(jwk.x!, 'base64url'), ...Buffer.from(jwk.y!, 'base64url')]);
  let high = 0;
  for (let i = 0; i < CASES; i++) {
    const msg = rand(1 + (i % 200));
    let pub: Uint8Array;
    let sig: Uint8Array;
    if (i % 2 === 0) {
      pub = opensslPub;
      sig = new Uint8Array(nodeSign('sha256', msg, { key: pair.privateKey, dsaEncoding: 'ieee-p1363' }));
    } else {
      const d = privateKey(rand);
      pub = noble.getPublicKey(d, false);
      sig = noble.sign(msg, d, { lowS: false, extraEntropy: rand(32) });
    }
    if (num(sig.subarray(32)) > N / 2n) high++;
    assert.ok(curve.verify(pub, msg, sig), 'valid #' + i);
    // The other half of s (n - s) is as valid for ECDSA; GBCS does not ask for low-s.
    const twin = new Uint8Array(sig);
    twin.set(be(N - num(sig.subarray(32))), 32);
    assert.ok(curve.verify(pub, msg, twin), 'n - s #' + i);
    const bad = new Uint8Array(sig);
    bad[i % 64] ^= 1 << (i % 8);
    assert.not.ok(curve.verify(pub, msg, bad), 'flipped signature bit #' + i);
    if (i % 10 === 0) {
      const m2 = new Uint8Array(msg);
      m2[0] ^= 1;
      assert.not.ok(curve.verify(pub, m2, sig), 'flipped message bit #' + i);
    }
  }
  assert.ok(high > CASES / 4, 'high-s signatures were exercised: ' + high);
});

test('ECDH agrees with noble and with itself both ways', () => {
  const rand = seededBytes('ecdh');
  for (let i = 0; i < CASES; i++) {
    const a = privateKey(rand);
    const b = privateKey(rand);
    const pa = noble.getPublicKey(a, false);
    const pb = noble.getPublicKey(b, false);
    const z = curve.ecdh(a, pb);
    assert.is(toHex(z!), toHex(noble.getSharedSecret(a, pb).subarray(1)), 'Z vs noble #' + i);
    if (i % 4 === 0) assert.is(toHex(curve.ecdh(b, pa)!), toHex(z!), 'Z the other way #' + i);
  }
});

const D = fromHex('c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721')!;
const PUB = noble.getPublicKey(D, false);
const MSG = new TextEncoder().encode('sample');
const SIG = curve.sign(D, MSG);

test('signatures with r or s out of [1, n-1] are rejected', () => {
  const r = SIG.subarray(0, 32);
  const s = SIG.subarray(32);
  const cat = (x: Uint8Array, y: Uint8Array) => new Uint8Array([...x, ...y]);
  for (const [what, bad] of [
    ['r = 0', cat(be(0n), s)], ['s = 0', cat(r, be(0n))], ['r = n', cat(be(N), s)], ['s = n', cat(r, be(N))],
    ['r = n + r', cat(be(N + num(r) < 2n ** 256n ? N + num(r) : N), s)], ['r = n - 1', cat(be(N - 1n), s)],
    ['s = n - 1', cat(r, be(N - 1n))], ['r = 2^256 - 1', cat(be(2n ** 256n - 1n), s)],
  ] as Array<[string, Uint8Array]>) {
    assert.not.ok(curve.verify(PUB, MSG, bad), what);
  }
  assert.not.ok(curve.verify(PUB, MSG, SIG.subarray(0, 63)), '63 bytes');
  assert.not.ok(curve.verify(PUB, MSG, new Uint8Array([...SIG, 0])), '65 bytes');
});

test('public keys that are not points of P-256 are rejected (verify false, ECDH undefined)', () => {
  const x = num(PUB.subarray(1, 33));
  const y = num(PUB.subarray(33));
  const enc = (px: bigint, py: bigint, prefix = 4) => new Uint8Array([prefix, ...be(px), ...be(py)]);
  // A point of another curve y^2 = x^3 - 3x + b' (an invalid-curve attack): same x, y + 1.
  const cases: Array<[string, Uint8Array]> = [
    ['off curve', enc(x, y + 1n)],
    ['x + p (>= p, same residue)', fromHex('04' + (x + P).toString(16).padStart(66, '0').slice(-64) + toHex(be(y)))!],
    ['y + p', x + 0n < P && y + P < 2n ** 256n ? enc(x, y + P) : enc(P, y)],
    ['x = p', enc(P, y)],
    ['infinity as 04 || 0 || 0', enc(0n, 0n)],
    ['infinity as 00', new Uint8Array([0])],
    ['compressed form', new Uint8Array([2, ...be(x)])],
    ['prefix 05', enc(x, y, 5)],
    ['64 bytes', PUB.subarray(1)],
    ['66 bytes', new Uint8Array([...PUB, 0])],
  ];
  for (const [what, key] of cases) {
    assert.not.ok(curve.verify(key, MSG, SIG), 'verify: ' + what);
    assert.is(curve.ecdh(D, key), undefined, 'ecdh: ' + what);
  }
  // (0, sqrt(b)) is on the curve: a legitimate key (x = 0 must not be mistaken for infinity).
  const p0 = noble.Point.fromAffine({ x: 0n, y: sqrtB() });
  assert.is(toHex(curve.ecdh(D, p0.toBytes(false))!), toHex(noble.getSharedSecret(D, p0.toBytes(false)).subarray(1)), 'x = 0 point');
});

function sqrtB(): bigint {
  const b = BigInt('0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b');
  let r = 1n, base = b, e = (P + 1n) / 4n; // p = 3 mod 4
  while (e > 0n) { if (e & 1n) r = (r * base) % P; base = (base * base) % P; e >>= 1n; }
  return r;
}

test('private keys outside [1, n-1] and wrong lengths are programming errors', () => {
  for (const bad of [be(0n), be(N), be(2n ** 256n - 1n), new Uint8Array(31)]) {
    assert.throws(() => curve.sign(bad, MSG), /p256Sign/);
    assert.throws(() => curve.publicKey(bad), /p256PublicKey/);
    assert.throws(() => curve.ecdh(bad, PUB), /ecdh/);
  }
  assert.is(toHex(curve.publicKey(be(N - 1n))), toHex(noble.getPublicKey(be(N - 1n), false)), 'd = n - 1');
  assert.is(toHex(curve.publicKey(be(1n))), toHex(noble.getPublicKey(be(1n), false)), 'd = 1');
});

test.run();
