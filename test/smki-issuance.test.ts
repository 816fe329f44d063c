/**
 * Issuing with the test SMKI: chains verify with `openssl verify`; CSR checks (proof of possession,
 * Device CP content rules); subscriber rules; single and batched device requests (2..49,999, each with
 * its own result); Issuing DCA retirement by count and by age; revocation, CRL/ARL schedule with a
 * fake clock; device certificates cannot be revoked; rtds/keystore layout.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { createTestSmki, writeKeystoreEntry, type DeviceResult, type TestSmki } from '../harness/smki/testSmki.ts';
import { buildDeviceCsr, buildOrganisationCsr, checkDeviceCsr } from '../harness/smki/csr.ts';
import { bits, explicit, oid, seq, set, smallInt, toPem } from '../harness/smki/der.ts';
import { generateP256, signDer, spkiDer } from '../harness/smki/keys.ts';
import { ECDSA_SHA256, extension, KEY_USAGE_VALUE, OID } from '../harness/smki/profiles.ts';
import { readCertificate } from '../harness/smki/certificate.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'smki-iss-'));
const SUPPLIER = '90b3d51f30010000';
const HOUR = 3_600_000;
const fakeClock = (start = Date.UTC(2026, 0, 15, 9, 30)) => {
  const c = { t: start, now: () => c.t };
  return c;
};
const eui = (i: number) => '00db1234' + i.toString(16).padStart(8, '0');
const devCsr = (i: number, ku: 'digitalSignature' | 'keyAgreement' = 'digitalSignature') => buildDeviceCsr(eui(i), ku, generateP256().privateKey);

/** openssl verify of `leaf` against root + issuing CA; returns openssl's verdict line. */
function opensslVerify(dir: string, root: string, issuing: string, leaf: string, extra: string[] = []): string {
  const f = (n: string, pem: string) => { const p = join(dir, n); writeFileSync(p, pem); return p; };
  try {
    return execFileSync('openssl', ['verify', ...extra, '-CAfile', f('root.pem', root), '-untrusted', f('issuing.pem', issuing), f('leaf.pem', leaf)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? '') + String((e as { stderr?: string }).stderr ?? '');
  }
}

function setup(opts: Parameters<typeof createTestSmki>[0] | undefined = undefined): TestSmki {
  const s = createTestSmki(opts ?? { dir: tmp(), workers: 2 });
  s.registerSubscriber(SUPPLIER, 'electricity-supplier');
  return s;
}

test('chains verify with openssl: organisation under the OCA, devices under the DCA, never across', async () => {
  const dir = tmp();
  const s = setup();
  const o = s.issueOrganisationCredentials({ role: '02', eui: SUPPLIER, keyUsage: 'digitalSignature', commonName: 'TESTSUPPLIER' });
  assert.is(opensslVerify(dir, s.rootOca().pem, s.issuingOca().pem, o.certificate.pem), join(dir, 'leaf.pem') + ': OK');
  const d = s.requestDeviceCertificate({ subscriber: SUPPLIER, deviceType: 'ESME', csr: devCsr(1) });
  assert.ok(d.ok);
  if (!d.ok) return;
  assert.is(opensslVerify(dir, s.rootDca().pem, s.issuingDca().pem, d.pem), join(dir, 'leaf.pem') + ': OK');
  // hierarchies never mix
  assert.match(opensslVerify(dir, s.rootOca().pem, s.issuingOca().pem, d.pem), /error/);
  assert.match(opensslVerify(dir, s.rootDca().pem, s.issuingDca().pem, o.certificate.pem), /error/);
  // the certificate's own key matches the key handed out (keystore use)
  const certKey = createPublicKey(o.certificate.pem).export({ type: 'spki', format: 'der' });
  assert.ok(Buffer.compare(certKey, spkiDer(createPrivateKey(o.privateKeyPem))) === 0);
  // policies: with explicit policy checking, openssl finds the test policy all along the chain
  assert.is(opensslVerify(dir, s.rootDca().pem, s.issuingDca().pem, d.pem, ['-policy_check', '-explicit_policy', '-policy', s.policy.device]), join(dir, 'leaf.pem') + ': OK');
  await s.close();
});

test('device CSR: CS02c shape accepted; proof of possession and content rules enforced as values', () => {
  const k = generateP256();
  const good = buildDeviceCsr('00db123456789001', 'keyAgreement', k.privateKey);
  const r = checkDeviceCsr(good);
  assert.ok(r.ok);
  if (r.ok) {
    assert.is(Buffer.from(r.value.eui).toString('hex'), '00db123456789001');
    assert.is(r.value.keyUsage, 'keyAgreement');
  }
  // flip a bit in the signature: proof of possession fails
  const bad = Buffer.from(good);
  bad[bad.length - 5] ^= 1;
  assert.equal(checkDeviceCsr(bad), { ok: false, reason: 'proof-of-possession-failed' });
  // signed by a different key than the one it carries
  const other = generateP256();
  const cri = (subject: Buffer, exts: Buffer[], key = k) => seq(smallInt(0), subject, spkiDer(key.publicKey), explicit(0, seq(oid(OID.extensionRequest), set(seq(...exts)))));
  const sign = (c: Buffer, key = k) => seq(c, ECDSA_SHA256, bits(signDer(c, key.privateKey)));
  const ku = extension(OID.keyUsage, true, KEY_USAGE_VALUE.digitalSignature);
  const goodCri = cri(seq(), [ku, Buffer.from(good.subarray(0, 0))].filter((b) => b.length));
  assert.equal(checkDeviceCsr(sign(goodCri, other)), { ok: false, reason: 'proof-of-possession-failed' });
  assert.equal(checkDeviceCsr(sign(goodCri)), { ok: false, reason: 'missing-hardware-module-name' });
  const orgCsr = buildOrganisationCsr({ role: '02', eui: SUPPLIER, keyUsage: 'digitalSignature' }, k.privateKey);
  assert.equal(checkDeviceCsr(orgCsr), { ok: false, reason: 'subject-not-empty' });
  const bothBits = extension(OID.keyUsage, true, Buffer.from('03020388', 'hex'));
  assert.equal(checkDeviceCsr(sign(cri(seq(), [bothBits]))), { ok: false, reason: 'bad-key-usage' });
  assert.equal(checkDeviceCsr(Buffer.from('3000', 'hex')), { ok: false, reason: 'malformed' });
  assert.equal(checkDeviceCsr(good.subarray(0, good.length - 1)), { ok: false, reason: 'malformed' });
});

test('subscriber rules: only an eligible registered subscriber may request a device type or role', async () => {
  const s = setup();
  assert.equal(s.requestDeviceCertificate({ subscriber: '1111111111111111', deviceType: 'ESME', csr: devCsr(2) }), { ok: false, reason: 'unknown-subscriber' });
  assert.equal(s.requestDeviceCertificate({ subscriber: SUPPLIER, deviceType: 'GSME', csr: devCsr(2), installed: true }), { ok: false, reason: 'installed-smart-meter-supplier-only' });
  assert.equal(s.requestDeviceCertificate({ subscriber: SUPPLIER, deviceType: 'HCALCS', csr: devCsr(2) }).ok, true);
  assert.equal(s.requestDeviceCertificate({ subscriber: SUPPLIER, deviceType: 'CHF', csr: devCsr(2) }), { ok: false, reason: 'device-type-reserved-for-dcc' });
  assert.equal(s.requestDeviceCertificate({ subscriber: SUPPLIER, deviceType: 'TOASTER', csr: devCsr(2) }), { ok: false, reason: 'unknown-device-type' });
  assert.equal(s.registerSubscriber('2222222222222222', 'manufacturer'), { ok: false, reason: 'manufacturer-needs-device-types' });
  assert.equal(s.registerSubscriber('2222222222222222', 'manufacturer', ['CHF']), { ok: false, reason: 'device-type-not-eligible' });
  assert.ok(s.registerSubscriber('2222222222222222', 'manufacturer', ['PPMID']).ok);
  assert.equal(s.registerSubscriber('3333333333333333', 'gas-supplier', ['CHF']), { ok: false, reason: 'device-type-not-eligible' });
  assert.ok(s.requestDeviceCertificate({ subscriber: '2222222222222222', deviceType: 'PPMID', csr: devCsr(3) }).ok);
  assert.equal(s.requestDeviceCertificate({ subscriber: '2222222222222222', deviceType: 'CHF', csr: devCsr(3) }), { ok: false, reason: 'device-type-reserved-for-dcc' });
  assert.equal(s.requestDeviceCertificate({ subscriber: '2222222222222222', deviceType: 'ESME', csr: devCsr(3) }), { ok: false, reason: 'subscriber-not-eligible-for-device-type' });
  const k = generateP256();
  assert.ok(s.requestOrganisationCertificate(SUPPLIER, buildOrganisationCsr({ role: '02', eui: SUPPLIER, keyUsage: 'keyAgreement' }, k.privateKey)).ok);
  assert.equal(s.requestOrganisationCertificate(SUPPLIER, buildOrganisationCsr({ role: '04', eui: SUPPLIER, keyUsage: 'keyAgreement' }, k.privateKey)), { ok: false, reason: 'subscriber-not-eligible-for-role' });
  await s.close();
});

test('batch: 2..49,999 per call; each request gets its own result; certificates stored and verifiable', async () => {
  const dir = tmp();
  const s = setup();
  const one = await s.requestDeviceBatch({ subscriber: SUPPLIER, items: [{ deviceType: 'ESME', csr: devCsr(1) }] });
  assert.equal(one, { ok: false, reason: 'batch-size' });
  const tooMany = await s.requestDeviceBatch({ subscriber: SUPPLIER, items: new Array(50_000).fill({ deviceType: 'ESME', csr: Buffer.alloc(0) }) });
  assert.equal(tooMany, { ok: false, reason: 'batch-size' });
  const items = Array.from({ length: 1200 }, (_, i) => ({ deviceType: 'ESME', csr: devCsr(i, i % 2 ? 'keyAgreement' : 'digitalSignature') }));
  const broken = Buffer.from(items[7]!.csr); broken[broken.length - 3] ^= 0x40;
  items[7] = { deviceType: 'ESME', csr: broken };
  items[600] = { deviceType: 'GSME', csr: items[600]!.csr, installed: true } as (typeof items)[number];
  items[1100] = { deviceType: 'ESME', csr: Buffer.from('3000', 'hex') };
  const progress: number[] = [];
  const b = await s.requestDeviceBatch({ subscriber: SUPPLIER, items, onProgress: (d) => progress.push(d) });
  assert.ok(b.ok);
  if (!b.ok) return;
  assert.is(b.results.length, 1200);
  assert.equal(b.results[7], { ok: false, reason: 'proof-of-possession-failed' });
  assert.equal(b.results[600], { ok: false, reason: 'installed-smart-meter-supplier-only' });
  assert.equal(b.results[1100], { ok: false, reason: 'malformed' });
  assert.is(b.results.filter((r) => r.ok).length, 1197);
  assert.is(progress[progress.length - 1], 1200);
  const r5 = b.results[5] as Extract<DeviceResult, { ok: true }>;
  assert.is(r5.eui, eui(5));
  assert.is(r5.keyUsage, 'keyAgreement');
  assert.is(s.lookup({ serial: r5.serial })[0]!.subject_eui, eui(5));
  assert.is(s.lookup({ kind: 'device', limit: 10_000 }).length, 1197);
  assert.is(opensslVerify(dir, s.rootDca().pem, s.issuingDca().pem, r5.pem), join(dir, 'leaf.pem') + ': OK');
  const f = readCertificate(r5.der)!;
  assert.is(Buffer.from(f.tbs).includes(Buffer.from(eui(5), 'hex')), true);
  const serials = new Set(b.results.filter((r) => r.ok).map((r) => (r as { serial: string }).serial));
  assert.is(serials.size, 1197);
  await s.close();
});

test('Issuing DCA retirement by count: the key is destroyed and a new DCA takes over, invisibly, mid-batch', async () => {
  const dir = tmp();
  const s = setup({ dir: tmp(), workers: 2, dcaRetirement: { maxCertificates: 5 } });
  const first = s.issuingDca();
  const b = await s.requestDeviceBatch({ subscriber: SUPPLIER, items: Array.from({ length: 12 }, (_, i) => ({ deviceType: 'ESME', csr: devCsr(i) })) });
  assert.ok(b.ok);
  if (!b.ok) return;
  assert.ok(b.results.every((r) => r.ok));
  const dcas = s.issuingDcas();
  assert.is(dcas.length, 3);
  assert.is(dcas[0]!.serial, first.serial);
  const counts = dcas.map((d) => s.lookup({ issuer: d.serial, limit: 100 }).length);
  assert.equal(counts, [5, 5, 2]);
  const rows = dcas.map((d) => s.repository.ca(d.serial)!);
  assert.is(rows[0]!.private_key, null);
  assert.is(rows[1]!.private_key, null);
  assert.ok(rows[0]!.retired_at !== null && rows[2]!.retired_at === null && rows[2]!.private_key !== null);
  // every certificate still verifies under its own (retired) Issuing DCA
  for (const r of b.results) {
    if (!r.ok) continue;
    const dca = dcas.find((d) => d.serial === r.issuer)!;
    assert.is(opensslVerify(dir, s.rootDca().pem, dca.pem, r.pem), join(dir, 'leaf.pem') + ': OK');
  }
  await s.close();
});

test('Issuing DCA retirement by age (fake clock): three months by default, configurable', async () => {
  const clock = fakeClock(Date.UTC(2026, 0, 31, 12));
  const s = setup({ dir: tmp(), workers: 1, clock });
  const first = s.issuingDca().serial;
  clock.t = Date.UTC(2026, 3, 30, 12); // not yet three calendar months (Apr 30 < Apr 31 -> May 1)
  assert.ok(s.requestDeviceCertificate({ subscriber: SUPPLIER, deviceType: 'ESME', csr: devCsr(1) }).ok);
  assert.is(s.issuingDca().serial, first);
  clock.t = Date.UTC(2026, 4, 1, 12);
  const d = s.requestDeviceCertificate({ subscriber: SUPPLIER, deviceType: 'ESME', csr: devCsr(2) });
  assert.ok(d.ok && d.issuer !== first);
  assert.is(s.repository.ca(first)!.private_key, null);
  await s.close();
  const c2 = fakeClock();
  const s2 = setup({ dir: tmp(), workers: 1, clock: c2, dcaRetirement: { maxAgeMs: HOUR } });
  const a = s2.issuingDca().serial;
  c2.t += HOUR - 1;
  assert.is(s2.issuingDca().serial, a);
  c2.t += 1;
  assert.is.not(s2.issuingDca().serial, a);
  await s2.close();
});

function crlText(der: Buffer, caPem: string): string {
  const dir = tmp();
  writeFileSync(join(dir, 'l.der'), der);
  writeFileSync(join(dir, 'ca.pem'), caPem);
  return execFileSync('openssl', ['crl', '-inform', 'der', '-in', join(dir, 'l.der'), '-noout', '-text', '-CAfile', join(dir, 'ca.pem')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test('revocation: CRL every 12 hours and at once on a revocation; ARLs; devices cannot be revoked', async () => {
  const clock = fakeClock();
  const s = setup({ dir: tmp(), workers: 1, clock });
  const crl0 = s.list('crl')!;
  assert.is(crl0.number, 1);
  assert.is(crl0.nextUpdate - crl0.thisUpdate, 12 * HOUR);
  clock.t += 11 * HOUR;
  assert.equal(s.tick(), []);
  clock.t += HOUR - 5 * 60_000; // 5 minutes' margin before nextUpdate
  assert.equal(s.tick(), ['crl']);
  assert.is(s.list('crl')!.number, 2);
  assert.ok(s.list('crl')!.thisUpdate - crl0.thisUpdate <= 12 * HOUR);

  const o = s.issueOrganisationCredentials({ role: '02', eui: SUPPLIER, keyUsage: 'digitalSignature' });
  clock.t += 1234;
  const r = s.revoke(o.certificate.serial, 'keyCompromise');
  assert.ok(r.ok);
  const crl = s.list('crl')!;
  assert.is(crl.number, 3);
  assert.ok(crl.thisUpdate <= clock.t && clock.t - crl.thisUpdate < HOUR);
  const text = crlText(crl.der, s.issuingOca().pem);
  assert.match(text, new RegExp(o.certificate.serial.toUpperCase()));
  assert.match(text, /Key Compromise/);
  assert.equal(s.revoke(o.certificate.serial), { ok: false, reason: 'already-revoked' });
  assert.equal(s.revoke('00'), { ok: false, reason: 'unknown-certificate' });

  const d = s.requestDeviceCertificate({ subscriber: SUPPLIER, deviceType: 'ESME', csr: devCsr(9) });
  assert.ok(d.ok);
  if (d.ok) assert.equal(s.revoke(d.serial), { ok: false, reason: 'device-certificates-cannot-be-revoked' });
  assert.equal(s.revoke(s.rootOca().serial), { ok: false, reason: 'root-not-revocable' });

  // openssl: the revoked organisation certificate now fails CRL checking; another one passes
  const dir = tmp();
  writeFileSync(join(dir, 'crl.pem'), toPem(crl.der, 'X509 CRL'));
  const other = s.issueOrganisationCredentials({ role: '02', eui: SUPPLIER, keyUsage: 'keyAgreement' });
  const withCrl = ['-crl_check', '-CRLfile', join(dir, 'crl.pem'), '-attime', String(Math.floor(clock.t / 1000) + 60)];
  assert.match(opensslVerify(dir, s.rootOca().pem, s.issuingOca().pem, o.certificate.pem, withCrl), /certificate revoked/);
  assert.match(opensslVerify(dir, s.rootOca().pem, s.issuingOca().pem, other.certificate.pem, withCrl), /: OK/);

  // ARL: 12 months; a CA revocation publishes at once
  const arl = s.list('arl-oca')!;
  assert.ok(arl.nextUpdate - arl.thisUpdate >= 365 * 24 * HOUR && arl.nextUpdate - arl.thisUpdate <= 366 * 24 * HOUR);
  const ca = s.revoke(s.issuingDca().serial, 'cessationOfOperation');
  assert.ok(ca.ok && ca.list === 'arl-dca');
  assert.is(s.list('arl-dca')!.number, 2);
  assert.match(crlText(s.list('arl-dca')!.der, s.rootDca().pem), new RegExp(s.issuingDca().serial.toUpperCase()));
  clock.t += 200 * 24 * HOUR;
  assert.ok(!s.tick().includes('arl-oca'));
  clock.t += 170 * 24 * HOUR;
  assert.ok(s.tick().includes('arl-oca'));
  await s.close();
});

test('keystore layout: <eui>-ds.pem / -ka.pem / .key as in shared/vectors/rtds/keystore', async () => {
  const s = setup();
  const dir = tmp();
  const o = s.issueOrganisationCredentials({ role: '02', eui: '90B3D51F30010000', keyUsage: 'keyAgreement' });
  const paths = writeKeystoreEntry(dir, '90B3D51F30010000', 'keyAgreement', o.certificate.pem, o.privateKeyPem);
  assert.equal(paths.map((p) => p.slice(dir.length + 1)), ['90b3d51f30010000-ka.pem', '90b3d51f30010000-ka.key']);
  const ref = readFileSync(new URL('../../shared/vectors/rtds/keystore/90b3d51f30010000-ka.key', import.meta.url), 'utf8');
  const ours = readFileSync(paths[1]!, 'utf8');
  assert.is(ours.split('\n')[0], ref.split('\n')[0]);
  assert.is(createPrivateKey(ours).asymmetricKeyDetails?.namedCurve, createPrivateKey(ref).asymmetricKeyDetails?.namedCurve);
  assert.is(Buffer.from(ours).length, Buffer.from(ref).length);
  await s.close();
});

test('reopening a repository keeps the hierarchy; the policy set is fixed at set-up', async () => {
  const dir = tmp();
  const a = createTestSmki({ dir, workers: 1 });
  const root = a.rootDca().serial;
  const dca = a.issuingDca().serial;
  await a.close();
  const b = createTestSmki({ dir, workers: 1 });
  assert.is(b.rootDca().serial, root);
  assert.is(b.issuingDca().serial, dca);
  await b.close();
  assert.throws(() => createTestSmki({ dir, policy: 'zaz1' }), /policy/);
});

test.run();
