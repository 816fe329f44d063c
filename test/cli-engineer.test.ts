/**
 * The lab engineer's issue: each point a new user tripped over, as a test that failed before the change
 * and passes after — scenario params checked before anything runs, `conformance` saying what it could
 * not check, nothing created unless asked, errors in the user's terms, `smki csr` and refusals that say
 * what to do, the lab keeping what `firmware verify` needs, bench goals, progress that reads in a log,
 * and a report that reads at a glance.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureCli } from './helpers/captureCli.ts';
import { LAB_REQUESTS } from '../harness/lab/requests.ts';
import { commands } from '../harness/cli/commands/index.ts';
import { validateScenario } from '../harness/lab/scenario.ts';
import { readJsonFile } from '../harness/userInput/files.ts';
import { jobProgress, progress, stepLog, ticker } from '../harness/cli/output.ts';
import { debug, errorText } from '../harness/cli/command.ts';
import { benchReport, goalOf } from '../build/benchReport.ts';
import { checkOrganisationCsr } from '../harness/smki/csr.ts';
import { bits, seq, smallInt } from '../harness/smki/der.ts';
import { signDer, spkiDer } from '../harness/smki/keys.ts';
import { ECDSA_SHA256 } from '../harness/smki/profiles.ts';

const RTDS = new URL('../../shared/vectors/rtds/RTDS-4.5.0', import.meta.url).pathname;
const KEYS = new URL('../../shared/vectors/rtds/keystore', import.meta.url).pathname;
const scenario = JSON.parse(readFileSync(new URL('../scenarios/lab.json', import.meta.url), 'utf8'));
const tmp = (name: string) => mkdtempSync(join(tmpdir(), 'smets-eng-' + name + '-'));

// --- 1. A typo in a step's params is caught before anything runs, named with file, step and field.

test('lab: "to": "suplier", "package": "godo", "seconds": "7200" are each named, exit 2, nothing set up', async () => {
  const dir = tmp('params');
  const bad = structuredClone(scenario);
  const byId = (id: string) => bad.steps.find((s: { id: string }) => s.id === id);
  byId('commission').params.to = 'suplier';
  byId('fw-update-good').params.package = 'godo';
  byId('fw-clock-2h').params.seconds = '7200';
  byId('firmware').params = { verbose: true };
  writeFileSync(join(dir, 'typos.json'), JSON.stringify(bad, null, 2));
  const r = await captureCli(['lab', '--scenario', join(dir, 'typos.json'), '--out', join(dir, 'run')]);
  assert.is(r.code, 2, r.stdout + r.stderr);
  const file = join(dir, 'typos.json');
  assert.ok(r.stderr.includes(file + ': steps[0] ("commission").params.to: must be a party: '), r.stderr);
  assert.match(r.stderr, /params\.to: .*got "suplier" \(did you mean "supplier"\?\)/);
  assert.match(r.stderr, /steps\[\d+\] \("fw-update-good"\)\.params\.package: must be a lab package: .*got "godo" \(did you mean "good"\?\)/);
  assert.match(r.stderr, /\("fw-clock-2h"\)\.params\.seconds: must be a number above 0 \(not in quotes\), got "7200" \(write 7200 without quotes\)/);
  assert.match(r.stderr, /\("firmware"\)\.params\.verbose: read-firmware-version takes no params/);
  assert.not.ok(existsSync(join(dir, 'run')), 'nothing is set up for a bad scenario');
  const json = await captureCli(['lab', '--scenario', join(dir, 'typos.json'), '--out', join(dir, 'run'), '--json']);
  assert.is(json.code, 2);
  const j = JSON.parse(json.out[0]);
  assert.is(j.ok, false);
  assert.is(j.errors.length, 4, j.errors.join('\n'));
});

test('scenario params: required, one-of, earlier step, DCC-only requests', () => {
  const base = { title: 't', users: [{ id: 'alice', name: 'A', party: 'supplier' }] };
  const errors = (steps: unknown[]) => {
    const r = validateScenario({ ...base, steps });
    return r.ok ? [] : r.errors;
  };
  const ok = { outcome: 'accepted' };
  assert.equal(errors([{ id: 'a', as: 'alice', request: 'update-firmware', expect: ok }]), ['steps[0] ("a").params.package: required: a lab package: "good", "faulty", "other", "tampered", "bad-signature"']);
  assert.match(errors([{ id: 'a', as: 'alice', request: 'activate-firmware', params: { package: 'good', hash: 'ab'.repeat(32) }, expect: ok }])[0], /takes one of "package", "hash", not both/);
  assert.match(errors([{ id: 'a', as: 'alice', request: 'release-held', params: { step: 'later' }, expect: ok }])[0], /params\.step: must be the id of an earlier step, got "later"/);
  assert.match(errors([{ id: 'a', as: 'alice', request: 'advance-clock', params: { seconds: 5 }, expect: ok }])[0], /\.as: advance-clock is the DCC's own: must be "dcc"/);
  assert.equal(errors([{ id: 'a', as: 'dcc', request: 'advance-clock', params: { seconds: 5 }, expect: ok }]), []);
  // every step of the shipped scenario passes the same table
  assert.ok(validateScenario(scenario).ok);
});

test('a JSON syntax error is placed by line and column', () => {
  const dir = tmp('json');
  writeFileSync(join(dir, 'a.json'), '{\n "title": "t",\n "users" []\n}\n');
  writeFileSync(join(dir, 'b.json'), '{\n  "steps": [1,,2]\n}');
  const a = readJsonFile(join(dir, 'a.json'));
  const b = readJsonFile(join(dir, 'b.json'));
  assert.ok(!a.ok && a.message === join(dir, 'a.json') + ': not valid JSON at line 3, column 10: Unexpected token \'[\'', !a.ok ? a.message : '');
  assert.ok(!b.ok && /: not valid JSON at line 2, column 15: Unexpected token ','$/.test(b.message), !b.ok ? b.message : '');
  const none = readJsonFile(join(dir, 'missing.json'));
  assert.ok(!none.ok && none.message === join(dir, 'missing.json') + ': does not exist');
});

// --- 2. conformance says what it could not check; --strict makes that a failure.

test('conformance with a wrong KEYDIR says what went unchecked and why; --strict fails; the right keys check', async () => {
  const wrong = tmp('keys');
  const pki = tmp('pki');
  assert.is((await captureCli(['smki', 'init', '--dir', pki])).code, 0);
  assert.is((await captureCli(['smki', 'issue', '--dir', pki, '--org', '--role', '02', '--eui', '90B3D51F3001FFFF', '--key-usage', 'ds', '--keystore', wrong])).code, 0);
  const r = await captureCli(['conformance', RTDS, '--keys', wrong]);
  assert.is(r.code, 0, 'without --strict unchecked items pass');
  assert.ok(r.out.includes('checked: 0 MACs, 0 signatures, 0 decryptions'), r.out.slice(-12).join('\n'));
  assert.ok(r.out.includes('none of these messages could be checked with the keys in ' + wrong + ': is it the right KEYDIR (the keystore of the run that made them)?'), r.out.slice(-12).join('\n'));
  assert.match(r.stdout, /NOT checked \(--strict makes these failures\): \d+ MACs, \d+ signatures, \d+ decryptions/);
  assert.match(r.stdout, /\d+ MACs: no KA private key of 90B3D51F30000002 or 00DB1234567890A0 with the other's public key/);
  const strict = await captureCli(['conformance', RTDS, '--keys', wrong, '--strict']);
  assert.is(strict.code, 1);
  assert.match(strict.stdout, /FAIL mac: not checked \(no KA private key of /);
  const right = await captureCli(['conformance', RTDS, '--keys', KEYS, '--json']);
  const totals = JSON.parse(right.out[right.out.length - 1]);
  assert.ok(totals.checked.mac > 500 && totals.checked.signature > 200 && totals.checked.decrypt > 30, JSON.stringify(totals));
  const none = await captureCli(['conformance', RTDS]);
  assert.match(none.stdout, /MACs, signatures and decryptions NOT checked \(no --keys KEYDIR given\)/);
  assert.is((await captureCli(['conformance', RTDS, '--strict'])).code, 2, '--strict without keys cannot be met');
});

// --- 3. Nothing is created unless asked.

test('smki issue --dir <typo> creates no PKI and says how to make one', async () => {
  const dir = join(tmp('typo'), 'pkii');
  const r = await captureCli(['smki', 'issue', '--dir', dir, '--org', '--role', '02', '--eui', '90B3D51F30010000', '--key-usage', 'ds']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /holds no test SMKI \(no smki\.sqlite there\); check the folder, or create one: smets smki init --dir /);
  assert.not.ok(existsSync(dir));
  const lookup = await captureCli(['smki', 'lookup', '--dir', dir]);
  assert.is(lookup.code, 2);
  assert.not.ok(existsSync(dir));
});

test('firmware verify --cpl-dir <typo> creates no CPL', async () => {
  const dir = join(tmp('cpl'), 'nope');
  const f = join(tmp('cplf'), 'x');
  writeFileSync(f, '-----BEGIN CERTIFICATE-----\n');
  const r = await captureCli(['firmware', 'verify', '--package', f, '--cert', f, '--ca', f, '--cpl-dir', dir]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /--cpl-dir .*holds no Certified Products List/);
  assert.not.ok(existsSync(dir));
});

// --- 4. Errors in the user's terms.

test('a certificate given as a key, an RSA key, a P-384 key: said in words, no library code', async () => {
  const dir = tmp('keys');
  const pki = join(dir, 'pki');
  const ks = join(dir, 'ks');
  await captureCli(['smki', 'init', '--dir', pki]);
  await captureCli(['smki', 'issue', '--dir', pki, '--org', '--role', '7F', '--eui', '90B3D51F30070000', '--key-usage', 'ds', '--keystore', ks]);
  writeFileSync(join(dir, 'fw.bin'), new Uint8Array(4096).fill(7));
  writeFileSync(join(dir, 'rsa.key'), generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
  writeFileSync(join(dir, 'p384.key'), generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
  const pack = (key: string) => captureCli(['firmware', 'package', '--image', join(dir, 'fw.bin'), '--key', key, '--manufacturer-code', '1234', '--image-type', '0001', '--version', '00020000', '--out', join(dir, 'fw.ota')]);
  const cert = await pack(join(ks, '90b3d51f30070000-ds.pem'));
  assert.is(cert.code, 2);
  assert.match(cert.stderr, /-ds\.pem: is a certificate, expected its private key \(in the keystore layout, the \.key file beside the \.pem\)/);
  const rsa = await pack(join(dir, 'rsa.key'));
  assert.is(rsa.code, 2);
  assert.match(rsa.stderr, /rsa\.key: is an RSA key; GBCS keys are P-256 \(ECDSA\) keys: make one with: openssl genpkey/);
  const p384 = await pack(join(dir, 'p384.key'));
  assert.match(p384.stderr, /is a key on curve P-384; GBCS keys are on P-256/);
  for (const x of [cert, rsa, p384]) assert.not.match(x.stderr, /ERR_|DECODER|Uint8Array|    at /);
  const good = await pack(join(ks, '90b3d51f30070000-ds.key'));
  assert.is(good.code, 0, good.stderr);
  // The same in a KEYDIR: a certificate saved as the ACB's KA key.
  const badKeys = join(dir, 'badkeys');
  mkdirSync(badKeys);
  for (const f of readdirSync(KEYS)) writeFileSync(join(badKeys, f), readFileSync(join(KEYS, f)));
  writeFileSync(join(badKeys, '90b3d51f30000002-ka.key'), readFileSync(join(KEYS, '90b3d51f30000002-ka.pem')));
  const conf = await captureCli(['conformance', RTDS, '--keys', badKeys]);
  assert.is(conf.code, 1);
  assert.match(conf.stdout, /FAIL mac: check threw: .*90b3d51f30000002-ka\.key: is a certificate, expected its private key/);
  assert.not.match(conf.stdout, /DECODER|ERR_OSSL/);
});

test('a busy port is said with what to do, not a stack trace', async () => {
  const pki = tmp('port');
  await captureCli(['smki', 'init', '--dir', pki]);
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
  const port = (busy.address() as { port: number }).port;
  try {
    const r = await captureCli(['smki', 'serve', '--dir', pki, '--port', String(port)]);
    assert.is(r.code, 2);
    assert.match(r.stderr, new RegExp('port 127\\.0\\.0\\.1:' + port + ' is already in use .*: choose another with --port N, or --port 0 for any free port'));
    assert.not.match(r.stderr, /EADDRINUSE|    at /);
  } finally {
    busy.close();
  }
});

test('a non-manufacturer certificate in firmware verify: the subject EUI as 16 hex digits, not raw bytes', async () => {
  const dir = tmp('eui');
  const pki = join(dir, 'pki');
  const ks = join(dir, 'ks');
  await captureCli(['smki', 'init', '--dir', pki]);
  await captureCli(['smki', 'issue', '--dir', pki, '--org', '--role', '02', '--eui', '90B3D51F30010000', '--key-usage', 'ds', '--keystore', ks]);
  writeFileSync(join(dir, 'fw.bin'), new Uint8Array(4096).fill(1));
  assert.is((await captureCli(['firmware', 'package', '--image', join(dir, 'fw.bin'), '--key', join(ks, '90b3d51f30010000-ds.key'), '--manufacturer-code', '1234', '--image-type', '0001', '--version', '00020000', '--out', join(dir, 'fw.ota')])).code, 0);
  const r = await captureCli(['firmware', 'verify', '--package', join(dir, 'fw.ota'), '--cert', join(ks, '90b3d51f30010000-ds.pem'), '--ca', join(pki, 'ca', 'issuing-oca.pem')]);
  assert.is(r.code, 1);
  assert.match(r.stdout, /REFUSED not-a-manufacturer-certificate: subject OU is not 7F \(OU=02, x500UniqueIdentifier=90B3D51F30010000\)/);
  assert.ok(/^[\x20-\x7e\n]*$/.test(r.stdout), 'printable ASCII only: ' + JSON.stringify(r.stdout));
});

test('an internal error: its message, and the stack only with --debug', () => {
  const e = new Error('boom');
  debug.on = false;
  assert.is(errorText(e), 'boom (smets --debug ... shows where)');
  debug.on = true;
  assert.match(errorText(e), /^Error: boom\n    at /);
  debug.on = false;
});

// --- 5. The missing pieces: lab --help from the table, smki csr, refusals that say what to do.

test('smets lab --help lists every request of the table the scenario reader uses, with its params', async () => {
  const r = await captureCli(['lab', '--help']);
  for (const req of LAB_REQUESTS) assert.match(r.stdout, new RegExp('\\n  ' + req.name + '[ :(]'), req.name);
  const used = new Set<string>(scenario.steps.filter((s: { request?: string }) => s.request).map((s: { request: string }) => s.request));
  assert.ok(used.size >= 12, 'the shipped scenario uses ' + used.size + ' requests');
  for (const u of used) assert.ok(LAB_REQUESTS.some((x) => x.name === u), u);
  assert.match(r.stdout, /"seconds": a number above 0/);
});

test('smki csr makes device and organisation CSRs in the SMKI profile; the SMKI issues from one', async () => {
  const dir = tmp('csr');
  const pki = join(dir, 'pki');
  await captureCli(['smki', 'init', '--dir', pki]);
  const dev = await captureCli(['smki', 'csr', '--device', '--eui', '00DB1234567890A0', '--key-usage', 'ka', '--out', join(dir, 'dev.pem')]);
  assert.is(dev.code, 0, dev.stderr);
  assert.match(readFileSync(join(dir, 'dev.pem'), 'utf8'), /^-----BEGIN CERTIFICATE REQUEST-----/);
  assert.match(readFileSync(join(dir, 'dev.key'), 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
  const unknown = await captureCli(['smki', 'issue', '--dir', pki, '--csr', join(dir, 'dev.pem'), '--subscriber', '90B3D51F30010000', '--device-type', 'ESME']);
  assert.is(unknown.code, 1);
  assert.match(unknown.stderr, /refused: unknown-subscriber: 90B3D51F30010000 is not registered in .*; register it first: smets smki register --dir .* --id 90B3D51F30010000 --kind </);
  assert.is((await captureCli(['smki', 'register', '--dir', pki, '--id', '90B3D51F30010000', '--kind', 'electricity-supplier'])).code, 0);
  const issued = await captureCli(['smki', 'issue', '--dir', pki, '--csr', join(dir, 'dev.pem'), '--subscriber', '90B3D51F30010000', '--device-type', 'ESME', '--json']);
  assert.is(issued.code, 0, issued.stderr);
  const j = JSON.parse(issued.out[0]);
  assert.is(j.eui.toUpperCase(), '00DB1234567890A0');
  assert.is(j.keyUsage, 'keyAgreement');
  // with a given key, an organisation CSR
  writeFileSync(join(dir, 'org.key'), generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
  const org = await captureCli(['smki', 'csr', '--org', '--role', '02', '--eui', '90B3D51F30010000', '--key-usage', 'ds', '--cn', 'TEST SUPPLIER', '--key', join(dir, 'org.key'), '--out', join(dir, 'org.pem')]);
  assert.is(org.code, 0, org.stderr);
  assert.not.ok(existsSync(join(dir, 'org.key.key')));
  const der = Buffer.from(readFileSync(join(dir, 'org.pem'), 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const checked = checkOrganisationCsr(der);
  assert.ok(checked.ok && checked.value.role === '02', JSON.stringify(checked));
  const bad = await captureCli(['smki', 'csr', '--device', '--eui', '00DB12', '--key-usage', 'sign', '--out', join(dir, 'x.pem')]);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /--eui is the EUI-64 as 16 hex digits, got "00DB12"; --key-usage is ds or ka, got "sign"/);
});

test('an openssl-style CSR (no keyUsage) is refused with what to do; a batch of one gives the range', async () => {
  const dir = tmp('refuse');
  const pki = join(dir, 'pki');
  await captureCli(['smki', 'init', '--dir', pki]);
  await captureCli(['smki', 'register', '--dir', pki, '--id', '90B3D51F30010000', '--kind', 'electricity-supplier']);
  // What `openssl req -new -key k.pem -subj /` makes: an empty subject, no attributes, so no keyUsage requested.
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const cri = seq(smallInt(0), seq(), spkiDer(key), Buffer.from([0xa0, 0x00]));
  writeFileSync(join(dir, 'openssl.der'), seq(cri, ECDSA_SHA256, bits(signDer(cri, key))));
  const openssl = await captureCli(['smki', 'issue', '--dir', pki, '--csr', join(dir, 'openssl.der'), '--subscriber', '90B3D51F30010000', '--device-type', 'ESME']);
  assert.is(openssl.code, 1);
  assert.match(openssl.stderr, /refused: missing-key-usage: the CSR requests no keyUsage extension; .*make the CSR with smets smki csr/);
  await captureCli(['smki', 'csr', '--org', '--role', '02', '--eui', '90B3D51F30010000', '--key-usage', 'ds', '--out', join(dir, 'org.pem')]);
  const subject = await captureCli(['smki', 'issue', '--dir', pki, '--csr', join(dir, 'org.pem'), '--subscriber', '90B3D51F30010000', '--device-type', 'ESME']);
  assert.is(subject.code, 1);
  assert.match(subject.stderr, /refused: subject-not-empty: a device CSR has an empty subject .*: smets smki csr --device/);
  const notCsr = await captureCli(['smki', 'issue', '--dir', pki, '--csr', join(pki, 'ca', 'root-oca.pem'), '--subscriber', '90B3D51F30010000', '--device-type', 'ESME']);
  assert.is(notCsr.code, 2);
  assert.match(notCsr.stderr, /root-oca\.pem: is a certificate, expected a certificate signing request \(smets smki csr makes one\)/);
  await captureCli(['smki', 'csr', '--device', '--eui', '00DB1234567890A0', '--key-usage', 'ka', '--out', join(dir, 'dev.pem')]);
  const b64 = Buffer.from(readFileSync(join(dir, 'dev.pem'), 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('base64');
  writeFileSync(join(dir, 'one.txt'), b64 + '\n');
  const batch = await captureCli(['smki', 'batch', '--dir', pki, '--csrs', join(dir, 'one.txt'), '--subscriber', '90B3D51F30010000', '--device-type', 'ESME', '--out', join(dir, 'out')]);
  assert.is(batch.code, 1);
  assert.match(batch.stderr, /refused: batch-size: a batch holds 2\.\.49,999 CSRs, this file has 1/);
});

// --- 6. bench: goals beside the figures, missed ones marked, a summary line; progress that reads in a log.

test('bench report: each goal beside its figure, met or MISSED, and how many were met', () => {
  const rows = [
    { figure: 'smki: batch speed / bound (goal >= 0.6)', engine: 'node', value: 0.44, unit: 'ratio' },
    { figure: 'smki: repository look-up p99 at 1000 req/s (goal < 5 ms)', engine: 'node', value: 13, unit: 'ms' },
    { figure: 'critical command checks / raw verify (goal >= 70%)', engine: 'node', value: 72.6, unit: '%' },
    { figure: 'critical command check (decode + MAC + signature; native P-256)', engine: 'node', value: 0.14, unit: 'ms' },
    { figure: 'critical command check (decode + MAC + signature; native P-256)', engine: 'jerry', value: 5.6, unit: 'ms' },
    { figure: 'critical command check (decode + MAC + signature; native P-256)', engine: 'espruino', value: 'error: timeout', unit: '' },
    { figure: 'sha256 over 4 KiB', engine: 'node', value: 0.01, unit: 'ms' },
  ];
  const r = benchReport(rows);
  assert.is(r.goals, 5);
  assert.is(r.metCount, 2);
  const line = (figure: RegExp, engine: string) => r.lines.find((l) => figure.test(l) && new RegExp('  ' + engine + ' ').test(l)) ?? '';
  assert.match(line(/batch speed/, 'node'), />= 0\.6\s+MISSED$/);
  assert.match(line(/look-up p99/, 'node'), /< 5 ms\s+MISSED$/);
  assert.match(line(/raw verify/, 'node'), />= 70%\s+met$/);
  assert.match(line(/native P-256/, 'jerry'), /< 20 ms\s+met$/);
  assert.match(line(/native P-256/, 'espruino'), /< 50 ms\s+MISSED \(no figure\)$/);
  assert.not.match(line(/native P-256/, 'node'), /met|MISSED/);
  assert.is(r.lines[r.lines.length - 1], 'goals: 2 of 5 met; MISSED: smki: batch speed / bound on node: 0.440 ratio, goal >= 0.6; ' +
    'smki: repository look-up p99 at 1000 req/s on node: 13.0 ms, goal < 5 ms; critical command check (decode + MAC + signature; native P-256) on espruino: error: timeout , goal < 50 ms');
  assert.is(goalOf({ figure: 'sha256 over 4 KiB', engine: 'node' }), undefined);
});

test('progress: a live bar on a terminal, one line per tenth in a log (no \\r to run together)', () => {
  let t = 0;
  const log: string[] = [];
  const p = progress('smki batch', 100, { isTTY: false, write: (s: string) => log.push(s) }, () => t);
  for (let i = 1; i <= 100; i++) {
    t += 10;
    p.update(i);
  }
  p.done();
  assert.ok(log.every((l) => !l.includes('\r') && l.endsWith('\n')), JSON.stringify(log));
  assert.is(log.length, 11, log.join('')); // the start, 10%, 20%, ... 90%, then done
  assert.is(log[0], 'smki batch: 1/100 (1%) 0.0 s\n');
  assert.is(log[log.length - 1], 'smki batch: 100/100 (100%) 1.0 s, done\n');
  const tty: string[] = [];
  const b = progress('smki batch', 4, { isTTY: true, write: (s: string) => tty.push(s) }, () => (t += 200));
  for (let i = 1; i <= 4; i++) b.update(i);
  b.done();
  assert.ok(tty.slice(0, -1).every((l) => l.startsWith('\r')), JSON.stringify(tty));
  assert.match(tty.join(''), /\[#{24}\] 100% 4\/4/);
  const tick: string[] = [];
  ticker('bench: node/bench-crypto.js', { isTTY: false, write: (s: string) => tick.push(s) }, () => (t += 1500)).stop();
  assert.equal(tick, ['bench: node/bench-crypto.js ...\n', 'bench: node/bench-crypto.js: done in 1.5 s\n']);
});

test('lab progress: whole lines, and on a terminal a live bar under them that is cleared at the end', () => {
  const tty: string[] = [];
  const log = stepLog('smets lab', 2, { isTTY: true, write: (s: string) => tty.push(s) }, () => 0);
  log.line('setup: test SMKI');
  log.line('[1/2] ok      commission');
  log.step(1);
  log.done();
  const text = tty.join('');
  assert.ok(text.startsWith('setup: test SMKI\n'), JSON.stringify(text));
  assert.match(text, /smets lab \[#{12}\.{12}\] 1\/2 0\.0 s/);
  assert.ok(text.endsWith('\r\x1b[K'), 'the bar is cleared');
  const plain: string[] = [];
  const log2 = stepLog('smets lab', 2, { isTTY: false, write: (s: string) => plain.push(s) });
  log2.line('[1/2] ok      commission');
  log2.step(1);
  log2.done();
  assert.equal(plain, ['[1/2] ok      commission\n']);
});

test('engine self-tests: a line as each job starts, and which are running, in whole lines', () => {
  let t = 0;
  const lines: string[] = [];
  const p = jobProgress('engine self-tests', 3, { out: { isTTY: false, write: (s: string) => lines.push(s) }, now: () => t });
  p.start('espruino selftest-device', 120_000);
  t += 5000;
  p.start('jerry selftest', undefined);
  t += 40_000;
  p.finish('jerry selftest');
  assert.is(p.line(), 'engine self-tests: 1 of 3 done; running espruino selftest-device (45 s)');
  p.more(1);
  p.stop();
  assert.equal(lines, [
    'engine self-tests: [1/3] espruino selftest-device started (took 120 s last time)\n',
    'engine self-tests: [2/3] jerry selftest started\n',
  ]);
  assert.match(p.line(), /1 of 4 done/);
});

// --- One output convention: --json on every command and action, said in its help.

for (const command of commands) {
  for (const action of command.actions ?? ['']) {
    const name = (command.name + ' ' + action).trim();
    test(`smets ${name} accepts --json and its help says so`, async () => {
      // Arguments that stop each command right after reading its options (no lab run, no server started).
      const stop = command.name === 'lab' ? ['--scenario', join(tmpdir(), 'no-such-scenario.json')] : command.name === 'dcc' ? ['--port', 'x'] : [];
      const r = await captureCli([command.name, ...(action ? [action] : []), '--json', ...stop]);
      assert.not.match(r.stderr, /unknown option --json/, r.stderr);
      const help = await captureCli([command.name, ...(action ? [action] : []), '--help']);
      assert.match(help.stdout, /--json/, name + ' --help');
    });
  }
}

// --- 7. The report, the evidence, --json: run the lab once.

const labDir = join(tmp('lab'), 'run');
let labJson: Record<string, unknown>;

test('lab --json: the summary as one object on stdout; progress on stderr', async () => {
  const r = await captureCli(['lab', '--out', labDir, '--json']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.out.length, 1, 'stdout holds the JSON only');
  labJson = JSON.parse(r.out[0]);
  assert.is(labJson.ok, true);
  assert.is((labJson.steps as unknown[]).length, scenario.steps.length);
  assert.match(r.stderr, /\[ 1\/\d+\] ok {5} commission/);
  assert.match(String(labJson.checked), /^\d+ MACs and \d+ signatures of responses and alerts verified; nothing left unchecked$/);
});

test('the lab keeps what firmware verify needs: the packages, the manufacturer certificate, the Issuing OCA', async () => {
  const fw = join(labDir, 'firmware');
  for (const f of ['good.ota', 'faulty.ota', 'other.ota', 'tampered.ota', 'bad-signature.ota', 'manufacturer.pem', 'manufacturer.key', 'issuing-oca.pem']) assert.ok(existsSync(join(fw, f)), f);
  const args = ['firmware', 'verify', '--cert', join(fw, 'manufacturer.pem'), '--ca', join(fw, 'issuing-oca.pem')];
  const good = await captureCli([...args, '--package', join(fw, 'good.ota')]);
  assert.is(good.code, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /^OK 1234-0001 00020000 /);
  const tampered = await captureCli([...args, '--package', join(fw, 'tampered.ota')]);
  assert.match(tampered.stdout, /REFUSED bad-manufacturer-signature/);
  // The shipped scenario ends a year on, the CPA certificates expired: the lab's CPL says so.
  const cpl = await captureCli([...args, '--package', join(fw, 'good.ota'), '--cpl-dir', join(labDir, 'smki')]);
  assert.is(cpl.code, 1);
  assert.match(cpl.stdout, /REFUSED cpa-expired: /);
});

test('report.html: alerts with the step that caused them, one link each; the forgery\'s altered byte marked', () => {
  const html = readFileSync(join(labDir, 'report.html'), 'utf8');
  const section = (n: number) => {
    const a = html.indexOf('<div class="step');
    const start = html.indexOf('id="step-' + n + '"', a);
    return html.substring(start, html.indexOf('id="step-' + (n + 1) + '"', start + 1));
  };
  const ids = scenario.steps.map((s: { id: string }) => s.id);
  const forged = section(ids.indexOf('forged-disconnect') + 1);
  const replayed = section(ids.indexOf('replayed-disconnect') + 1);
  assert.match(forged, /<b>ALERT<\/b>/, 'the forgery\'s alert is under the forgery');
  assert.match(replayed, /<b>ALERT<\/b>/, 'the replay\'s alert is under the replay');
  assert.match(forged, /<mark title="altered: offset \d+">[0-9A-F]{2}<\/mark>/);
  assert.match(forged, /altered in transit<\/th><td class="bad">byte \d+: 0x[0-9A-F]{2} → 0x[0-9A-F]{2}/);
  // one link per alert file, none shared
  const alertLinks = [...html.matchAll(/<b>ALERT<\/b>[^<]*<a href="([^"]+)"/g)].map((m) => m[1]);
  const filed = readdirSync(join(labDir, 'messages'), { recursive: true }).map(String).filter((f) => f.endsWith('_ALERT_GBCS.HEX'));
  assert.is(alertLinks.length, filed.length);
  assert.is(new Set(alertLinks).size, alertLinks.length, 'each alert links to its own file');
  assert.match(html, /<tr><th>alerts<\/th><td>7 received from the device, 7 verified/);
  assert.not.match(html, /unsolicited alerts/);
});

test('report.html: the sequence picture, expectations in words, block transfers, references a reader can follow', () => {
  const html = readFileSync(join(labDir, 'report.html'), 'utf8');
  assert.match(html, /<h2>Message sequence<\/h2>/);
  assert.match(html, /<svg [^>]*aria-label="message sequence of the lab run"/);
  for (let i = 1; i <= scenario.steps.length; i++) assert.ok(html.includes('<a href="#step-' + i + '">'), 'the picture links step ' + i);
  assert.not.match(html, /<th>expected<\/th><td>\{/, 'no raw JSON expectations');
  assert.match(html, /<th>expected<\/th><td>the device refuses it and sends no response/);
  assert.match(html, /<th>expected<\/th><td>the device answers and the answer passes every check; supply off/);
  const transfer = /<th>block transfer<\/th><td>(\d+) blocks carried the (\d+)-byte package .*every block in <a href="([^"]+\.tsv)">/.exec(html);
  assert.ok(transfer, 'a block transfer summary');
  const tsv = readFileSync(join(labDir, transfer![3]), 'utf8').trim().split('\n');
  assert.is(tsv.length - 1, Number(transfer![1]));
  assert.is(tsv.slice(1).reduce((n, l) => n + Number(l.split('\t')[2]), 0), Number(transfer![2]), 'the blocks add up to the package');
  assert.not.match(html, /seed ¶|seed \d/, 'references name sections, not our seed\'s paragraphs');
});

test.run();
