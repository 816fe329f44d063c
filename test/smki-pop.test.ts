/**
 * Proof of possession (harness/smki/pop.ts) on both import paths — JWK for one request, WebCrypto
 * 'raw' for batches: a good request passes; a key that is not a point on P-256 (off the curve,
 * coordinates >= p, (0,0)) is refused as 'unsupported-key'; a signature by another key, or over other
 * bytes, is refused as 'proof-of-possession-failed'. Then the same through a batch that spans several
 * worker chunks: every request keeps its own result, in its own position.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestSmki, type DeviceResult } from '../harness/smki/testSmki.ts';
import { CHUNK } from '../harness/smki/batch.ts';
import { buildDeviceCsr, checkDeviceCsr, readCsrEnvelope } from '../harness/smki/csr.ts';
import { bits, explicit, oid, seq, set, smallInt, utf8 } from '../harness/smki/der.ts';
import { generateP256, P256_SPKI_PREFIX, publicPoint, signDer } from '../harness/smki/keys.ts';
import { importPoints, verifyPop, verifyWith } from '../harness/smki/pop.ts';
import { ECDSA_SHA256, euiBytes, extension, hardwareModuleNameSan, KEY_USAGE_VALUE, OID } from '../harness/smki/profiles.ts';

const SUPPLIER = '90b3d51f30010000';
const eui = (i: number) => '00db5678' + i.toString(16).padStart(8, '0');

/** A CS02c-shaped request carrying `point`, signed by `signer` (normally the point's own key). */
function csrWith(point: Uint8Array, signer = generateP256().privateKey, e = eui(0), subject = seq()): Buffer {
  const spki = Buffer.concat([P256_SPKI_PREFIX, point]);
  const exts = [extension(OID.keyUsage, true, KEY_USAGE_VALUE.digitalSignature), extension(OID.subjectAltName, true, hardwareModuleNameSan(euiBytes(e)))];
  const cri = seq(smallInt(0), subject, spki, explicit(0, seq(oid(OID.extensionRequest), set(seq(...exts)))));
  return seq(cri, ECDSA_SHA256, bits(signDer(cri, signer)));
}

const good = generateP256();
const goodPoint = publicPoint(good.publicKey);
const offCurve = Buffer.from(goodPoint); offCurve[64] ^= 1; // same x, y + 1: not on the curve
const outOfRange = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 0xff)]); // x, y >= p
const zero = Buffer.concat([Buffer.from([4]), Buffer.alloc(64)]); // (0, 0): not on the curve (b != 0)
const BAD_POINTS = { offCurve, outOfRange, zero };

/** Both paths on one request: the sync JWK verdict and the batch (WebCrypto) verdict. */
async function bothPaths(csr: Uint8Array): Promise<[string, string]> {
  const env = readCsrEnvelope(csr);
  if (!env.ok) return [env.reason, env.reason];
  const { point, signed, signature } = env.value;
  const sync = verifyPop(point, signed, signature) ?? 'ok';
  const [key] = await importPoints([point]);
  const batch = !key ? 'unsupported-key' : verifyWith(key, signed, signature) ? 'ok' : 'proof-of-possession-failed';
  return [sync, batch];
}

test('a request signed with its own key passes on both paths', async () => {
  assert.equal(await bothPaths(csrWith(goodPoint, good.privateKey)), ['ok', 'ok']);
});

for (const [name, point] of Object.entries(BAD_POINTS)) {
  test(`a key that is not a P-256 point (${name}) is refused on both paths`, async () => {
    assert.equal(await bothPaths(csrWith(point, good.privateKey)), ['unsupported-key', 'unsupported-key']);
    assert.equal(checkDeviceCsr(csrWith(point, good.privateKey)), { ok: false, reason: 'unsupported-key' });
  });
}

test('a wrong proof of possession is refused on both paths: another key, other bytes, a mangled signature', async () => {
  assert.equal(await bothPaths(csrWith(goodPoint, generateP256().privateKey)), ['proof-of-possession-failed', 'proof-of-possession-failed']);
  const tampered = csrWith(goodPoint, good.privateKey);
  tampered[tampered.indexOf(Buffer.from(euiBytes(eui(0))))] ^= 1; // a signed byte (the EUI) changed
  assert.equal(await bothPaths(tampered), ['proof-of-possession-failed', 'proof-of-possession-failed']);
  const env = readCsrEnvelope(csrWith(goodPoint, good.privateKey));
  assert.ok(env.ok);
  if (!env.ok) return;
  const [key] = await importPoints([env.value.point]);
  assert.is(verifyWith(key!, env.value.signed, Buffer.from('3000', 'hex')), false);
  assert.is(verifyWith(key!, env.value.signed, Buffer.alloc(0)), false);
  assert.is(verifyPop(env.value.point, env.value.signed, Buffer.from('deadbeef', 'hex')), 'proof-of-possession-failed');
});

test('importPoints keeps positions and refuses what is not an uncompressed point', async () => {
  const compressed = Buffer.concat([Buffer.from([2 + (goodPoint[64]! & 1)]), goodPoint.subarray(1, 33)]);
  const keys = await importPoints([goodPoint, undefined, offCurve, compressed, goodPoint.subarray(0, 64), goodPoint]);
  assert.equal(keys.map((k) => (k ? 'key' : '-')), ['key', '-', '-', '-', '-', 'key']);
});

test('batch over several worker chunks: each request gets its own verdict and certificate', async () => {
  const s = createTestSmki({ dir: mkdtempSync(join(tmpdir(), 'smki-pop-')), workers: 2 });
  s.registerSubscriber(SUPPLIER, 'electricity-supplier');
  const n = 2 * CHUNK + 37;
  const items = Array.from({ length: n }, (_, i) => ({
    deviceType: 'ESME', csr: buildDeviceCsr(eui(i), i % 2 ? 'keyAgreement' : 'digitalSignature', generateP256().privateKey),
  }));
  const expect = new Map<number, string>([
    [3, 'unsupported-key'], [CHUNK, 'proof-of-possession-failed'], [CHUNK + 1, 'unsupported-key'],
    [2 * CHUNK + 5, 'proof-of-possession-failed'], [2 * CHUNK + 6, 'proof-of-possession-failed'], [n - 1, 'unsupported-key'],
  ]);
  items[3] = { deviceType: 'ESME', csr: csrWith(offCurve, good.privateKey, eui(3)) };
  items[CHUNK] = { deviceType: 'ESME', csr: csrWith(goodPoint, generateP256().privateKey, eui(CHUNK)) };
  items[CHUNK + 1] = { deviceType: 'ESME', csr: csrWith(outOfRange, good.privateKey, eui(CHUNK + 1)) };
  const flipped = Buffer.from(items[2 * CHUNK + 5]!.csr); flipped[flipped.length - 4] ^= 0x10;
  items[2 * CHUNK + 5] = { deviceType: 'ESME', csr: flipped };
  // a bad signature and a subject (a content fault): the signature is what is reported, as for one request
  const k = generateP256();
  const subject = seq(set(seq(oid(OID.commonName), utf8('X'))));
  assert.equal(checkDeviceCsr(csrWith(publicPoint(k.publicKey), k.privateKey, eui(0), subject)), { ok: false, reason: 'subject-not-empty' });
  const both = csrWith(publicPoint(k.publicKey), generateP256().privateKey, eui(2 * CHUNK + 6), subject);
  assert.equal(checkDeviceCsr(both), { ok: false, reason: 'proof-of-possession-failed' });
  items[2 * CHUNK + 6] = { deviceType: 'ESME', csr: both };
  items[n - 1] = { deviceType: 'ESME', csr: csrWith(zero, good.privateKey, eui(n - 1)) };
  const b = await s.requestDeviceBatch({ subscriber: SUPPLIER, items });
  assert.ok(b.ok);
  if (!b.ok) return;
  assert.is(b.results.length, n);
  for (let i = 0; i < n; i++) {
    const r = b.results[i]!;
    const want = expect.get(i);
    if (want) { assert.equal(r, { ok: false, reason: want } as DeviceResult, `request ${i}`); continue; }
    assert.ok(r.ok, `request ${i}`);
    if (!r.ok) continue;
    assert.is(r.eui, eui(i), `request ${i}`);
    assert.is(r.keyUsage, i % 2 ? 'keyAgreement' : 'digitalSignature', `request ${i}`);
    // the certificate carries this request's own key
    const env = readCsrEnvelope(items[i]!.csr);
    assert.ok(env.ok && r.der.includes(Buffer.from(env.value.point)), `request ${i} key`);
  }
  assert.is(s.lookup({ kind: 'device', limit: 10_000 }).length, n - expect.size);
  await s.close();
});

test.run();
