/**
 * Differential tests of P-256 on the engines against OpenSSL (node:crypto) and @noble/curves: the
 * native path (mbedTLS, built in by `npm run engines`) and the portable one, on seeded random cases run
 * inside Espruino and JerryScript through the boards' own BoardCrypto. On each case the engine derives
 * the public key, verifies OpenSSL's signature (and its other-s twin, and a tampered message), agrees Z
 * with a second key, and signs; Node then checks every answer against OpenSSL (Z, public key, its
 * signature verifying) and noble (the RFC 6979 signature bytes). Invalid public keys and signatures
 * (off the curve, coordinates >= p, compressed, infinity, wrong lengths, r or s out of range) must be
 * refused by every path.
 *
 * The portable path runs every case on JerryScript; on Espruino only the refusals, because one portable
 * operation takes ~20 s there (the same portable code is differential-tested on Node in
 * crypto-p256.test.ts and on Espruino by its self-test's RFC 6979 known answers).
 * @module
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createECDH, createHash, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { p256 as noble } from '@noble/curves/nist.js';
import { bundleFor, describeFailure } from '../build/bundle.ts';
import { ENGINES_DIR } from '../build/paths.ts';
import { runOnEspruino, runOnJerry } from '../flash-scripts/hostEngines.ts';
import { fromHex, toHex } from '../lib/bytes.ts';

const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
const sha256 = (d: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(d).digest());
const be = (x: bigint): string => x.toString(16).padStart(64, '0');

/** Seeded byte stream: SHA-256 in counter mode over a label (reproducible failures). */
function seeded(label: string): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let at = 0; at < n; at += 32) out.set(sha256(new TextEncoder().encode(label + ':' + counter++)).subarray(0, Math.min(32, n - at)), at);
    return out;
  };
}

interface Case {
  d: string; // private key
  q: string; // its public key, from OpenSSL
  m: string; // message
  sig: string; // OpenSSL's signature (random nonce)
  sigOtherS: string; // the same with n - s
  d2: string; // a second key
  q2: string;
  z: string; // OpenSSL's ECDH(d, q2)
}

function openSslCases(count: number, label: string): Case[] {
  const rand = seeded(label);
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    const a = createECDH('prime256v1');
    a.generateKeys();
    const b = createECDH('prime256v1');
    b.generateKeys();
    const m = rand(i * 37 % 200);
    const q = new Uint8Array(a.getPublicKey());
    const key = {
      key: { kty: 'EC', crv: 'P-256', d: Buffer.from(a.getPrivateKey()).toString('base64url'), x: Buffer.from(q.subarray(1, 33)).toString('base64url'), y: Buffer.from(q.subarray(33)).toString('base64url') },
      format: 'jwk' as const,
    };
    const sig = new Uint8Array(nodeSign('sha256', m, { ...key, dsaEncoding: 'ieee-p1363' }));
    const s = BigInt('0x' + toHex(sig.subarray(32)));
    cases.push({
      d: toHex(a.getPrivateKey()).padStart(64, '0'),
      q: toHex(q),
      m: toHex(m),
      sig: toHex(sig),
      sigOtherS: toHex(sig.subarray(0, 32)) + be(N - s),
      d2: toHex(b.getPrivateKey()).padStart(64, '0'),
      q2: toHex(new Uint8Array(b.getPublicKey())),
      z: toHex(a.computeSecret(b.getPublicKey())),
    });
  }
  return cases;
}

/** Public keys that are no point of P-256, and signatures out of range, for the first case's key. */
function invalidInputs(c: Case): { keys: string[]; sigs: string[] } {
  const rand = seeded('invalid');
  const keys: string[] = [];
  for (let i = 0; i < 4; i++) keys.push('04' + toHex(rand(64))); // random (x, y): off the curve (checked below)
  const x = c.q.substring(2, 66);
  const y = c.q.substring(66);
  const yFlip = (BigInt('0x' + y) ^ 1n).toString(16).padStart(64, '0');
  keys.push('04' + x + yFlip); // off the curve by one bit
  keys.push('04' + 'ffffffff00000001000000000000000000000000ffffffffffffffffffffffff' + y); // x = p
  keys.push('04' + x + 'ffffffff00000001000000000000000000000000ffffffffffffffffffffffff'); // y = p
  keys.push('00'); // infinity
  keys.push('04' + '00'.repeat(64)); // (0, 0)
  keys.push('03' + x); // compressed
  keys.push(c.q.substring(0, 128)); // 64 bytes
  keys.push(c.q + '00'); // 66 bytes
  keys.push('05' + c.q.substring(2)); // wrong prefix
  const r = c.sig.substring(0, 64);
  const s = c.sig.substring(64);
  const sigs = ['00'.repeat(32) + s, r + '00'.repeat(32), be(N) + s, r + be(N), be(N + 1n) + s, 'ff'.repeat(32) + s, c.sig.substring(0, 126), c.sig + '00', ''];
  return { keys, sigs };
}

/** The entry each engine runs: every case through the board's crypto, native then portable. */
function entry(board: 'espruino' | 'jerryscript', cases: Case[], portableCases: number, bad: { keys: string[]; sigs: string[] }): string {
  const factory = board === 'espruino' ? 'espruinoBoard' : 'jerryscriptBoard';
  return `
import { ${factory} as make } from './boards/${board}/index.ts';
import { fromHex, toHex } from './lib/bytes.ts';
declare function print(s: string): void;
const CASES = ${JSON.stringify(cases)};
const BAD = ${JSON.stringify(bad)};
const h = (s: string): Uint8Array => fromHex(s) as Uint8Array;
const paths: any[] = [];
for (let p = 0; p < 2; p++) {
  const portable = p === 1;
  const c = make({ portableCrypto: portable }).crypto;
  const n = portable ? ${portableCases} : CASES.length;
  const results: any[] = [];
  for (let i = 0; i < n; i++) {
    const k = CASES[i];
    const z = c.ecdh(h(k.d), h(k.q2));
    results.push({
      q: toHex(c.p256PublicKey(h(k.d))),
      verify: c.p256Verify(h(k.q), h(k.m), h(k.sig)),
      verifyOtherS: c.p256Verify(h(k.q), h(k.m), h(k.sigOtherS)),
      verifyOtherMessage: c.p256Verify(h(k.q), h(k.m + '00'), h(k.sig)),
      z: z === undefined ? 'undefined' : toHex(z),
      sig: toHex(c.p256Sign(h(k.d), h(k.m))),
    });
  }
  const k0 = CASES[0];
  const keys: any[] = [];
  for (let i = 0; i < BAD.keys.length; i++) {
    keys.push([c.p256Verify(h(BAD.keys[i]), h(k0.m), h(k0.sig)), c.ecdh(h(k0.d), h(BAD.keys[i])) === undefined]);
  }
  const sigs: any[] = [];
  for (let i = 0; i < BAD.sigs.length; i++) sigs.push(c.p256Verify(h(k0.q), h(k0.m), h(BAD.sigs[i])));
  paths.push({ native: c.native, results: results, keys: keys, sigs: sigs });
}
print('RESULT ' + JSON.stringify(paths));
`;
}

async function runEntry(board: 'espruino' | 'jerryscript', source: string): Promise<any[]> {
  const binary = join(ENGINES_DIR, board === 'espruino' ? 'espruino' : 'jerry');
  assert.ok(existsSync(binary), 'engines missing: run `npm run engines`');
  const r = await bundleFor(board, { contents: source });
  assert.ok(r.ok, describeFailure(board, 'p256-differential.js', r).join('\n'));
  const dir = mkdtempSync(join(tmpdir(), 'smets-p256-diff-'));
  try {
    writeFileSync(join(dir, 'bundle.js'), r.code);
    const run = board === 'espruino'
      ? await runOnEspruino(binary, join(dir, 'bundle.js'), { dir, load: 'ram', timeoutMs: 300_000 })
      : await runOnJerry(binary, join(dir, 'bundle.js'), false, { dir, timeoutMs: 300_000 });
    assert.is(run.code, 0, run.output);
    const line = run.output.replace(/\r/g, '').split('\n').find((l) => l.startsWith('RESULT '));
    assert.ok(line, 'no RESULT line:\n' + run.output);
    return JSON.parse(line!.substring(7));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const jwkOf = (pub: string) => {
  const q = fromHex(pub)!;
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: Buffer.from(q.subarray(1, 33)).toString('base64url'), y: Buffer.from(q.subarray(33)).toString('base64url') }, format: 'jwk' });
};

function checkAgainstOpenSsl(label: string, cases: Case[], results: any[]): void {
  for (let i = 0; i < results.length; i++) {
    const c = cases[i];
    const r = results[i];
    const at = `${label} case ${i}`;
    assert.is(r.q, c.q, at + ': public key = OpenSSL');
    assert.is(r.verify, true, at + ': OpenSSL signature verifies');
    assert.is(r.verifyOtherS, true, at + ': the n - s twin verifies');
    assert.is(r.verifyOtherMessage, false, at + ': another message is refused');
    assert.is(r.z, c.z, at + ': Z = OpenSSL');
    const sig = fromHex(r.sig)!;
    assert.ok(nodeVerify('sha256', fromHex(c.m)!, { key: jwkOf(c.q), dsaEncoding: 'ieee-p1363' }, sig), at + ': OpenSSL verifies the engine signature');
    assert.is(r.sig, toHex(noble.sign(fromHex(c.m)!, fromHex(c.d)!, { lowS: false })), at + ': RFC 6979 bytes = noble');
  }
}

function checkRefusals(label: string, bad: { keys: string[]; sigs: string[] }, path: any): void {
  assert.is(path.keys.length, bad.keys.length);
  for (let i = 0; i < bad.keys.length; i++) {
    assert.equal(path.keys[i], [false, true], `${label}: invalid key ${i} (${bad.keys[i].substring(0, 12)}...) refused by verify and ECDH`);
  }
  for (let i = 0; i < bad.sigs.length; i++) assert.is(path.sigs[i], false, `${label}: invalid signature ${i} refused`);
}

// The random keys really are off the curve (so the refusals above test what they say).
function offCurve(pub: string): boolean {
  try {
    noble.Point.fromBytes(fromHex(pub)!);
    return false;
  } catch {
    return true;
  }
}

for (const [board, count, portableCases] of [['jerryscript', 12, 3], ['espruino', 12, 0]] as const) {
  test(`${board}: native and portable P-256 agree with OpenSSL and refuse invalid input alike`, async () => {
    const cases = openSslCases(count, board);
    const bad = invalidInputs(cases[0]);
    for (const k of bad.keys) assert.ok(k.length !== 130 || offCurve(k), 'not a point: ' + k);
    const paths = await runEntry(board, entry(board, cases, portableCases, bad));
    assert.is(paths.length, 2);
    assert.is(paths[0].native, true, `${board}: the engine chose native P-256`);
    assert.is(paths[1].native, false, `${board}: portableCrypto gives the portable path`);
    assert.is(paths[0].results.length, count);
    assert.is(paths[1].results.length, portableCases);
    checkAgainstOpenSsl(board + ' native', cases, paths[0].results);
    checkAgainstOpenSsl(board + ' portable', cases, paths[1].results);
    checkRefusals(board + ' native', bad, paths[0]);
    checkRefusals(board + ' portable', bad, paths[1]);
  });
}

test.run();
