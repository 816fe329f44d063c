/**
 * The lab (`smets lab`, `npm start`): it runs the default scenario in a fresh folder and exits 0; its
 * evidence passes `smets conformance --keys` with every MAC and signature actually checked (and a flipped
 * byte in it fails); a wrong expectation exits 1; a malformed scenario exits 2 naming the field; the
 * JUnit parses; deliberately bad traffic is filed apart from the genuine.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { createPublicKey } from 'node:crypto';
import { nodeCrypto } from '../boards/node/nodeCrypto.ts';
import { sharedSecrets } from '../gbcs/protection/sharedSecrets.ts';
import { checkAlert } from '../harness/dcc/responseCheck.ts';
import { captureCli } from './helpers/captureCli.ts';
import type { CliRun } from './helpers/captureCli.ts';

const DEVICE = '00db1234567890a0';

const cli = captureCli;

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...listFiles(join(dir, e.name)).map((f) => e.name + '/' + f));
    else out.push(e.name);
  }
  return out;
}

const scenario = JSON.parse(readFileSync(new URL('../scenarios/lab.json', import.meta.url), 'utf8'));
const evidence = join(mkdtempSync(join(tmpdir(), 'smets-lab-')), 'run');
let run: CliRun;

test('the lab runs the default scenario in a fresh folder and exits 0', async () => {
  run = await cli(['lab', '--out', evidence]);
  assert.is(run.code, 0, run.stdout + '\n' + run.stderr);
  assert.match(run.stdout, /RESULT: every step as expected/);
  // One progress line per step, then the summary.
  for (let i = 1; i <= scenario.steps.length; i++) assert.match(run.stderr, new RegExp('\\[\\s*' + i + '/' + scenario.steps.length + '\\] ok'));
  for (const f of ['report.html', 'junit.xml', 'messages', 'rejected', 'keystore', 'smki/smki.sqlite']) assert.ok(existsSync(join(evidence, f)), f);
});

test('every alert the device sent is verified by the DCC and filed in the evidence', () => {
  const m = /alerts +(\d+) received, (\d+) verified/.exec(run.stdout);
  assert.ok(m, 'the summary counts the alerts: ' + run.stdout);
  assert.is(m![2], m![1], 'every alert verified');
  assert.ok(Number(m![1]) >= 4, 'security alerts for the refused commands and the firmware alerts arrive');
  assert.match(run.stdout, /GCA 1000/, 'the refused commands raised security alerts');
  const filed = listFiles(join(evidence, 'messages')).filter((f) => f.endsWith('_ALERT_GBCS.HEX'));
  assert.is(filed.length, Number(m![1]), 'one evidence file per alert: ' + filed.join(', '));
});

test('checkAlert refuses an altered alert and a device counter that does not rise', () => {
  const file = listFiles(join(evidence, 'messages')).find((f) => f.includes('FW-UPDATE-GOOD') && f.endsWith('_ALERT_GBCS.HEX'))!;
  const frame = Buffer.from(readFileSync(join(evidence, 'messages', file), 'utf8').trim(), 'hex');
  const keyOf = (name: string) => new Uint8Array(createPublicKey(readFileSync(join(evidence, 'keystore', name))).export({ type: 'spki', format: 'der' }).subarray(-65));
  const crypto = nodeCrypto();
  const e = { device: Buffer.from(DEVICE, 'hex'), deviceDsPublic: keyOf(DEVICE + '-ds.pem'), deviceKaPublic: keyOf(DEVICE + '-ka.pem') };
  const good = checkAlert(crypto, sharedSecrets(crypto.ecdh, 4), frame, e);
  assert.ok(good.ok, JSON.stringify(good.checks));
  const altered = new Uint8Array(frame);
  altered[40] ^= 1;
  const bad = checkAlert(crypto, sharedSecrets(crypto.ecdh, 4), altered, e);
  assert.not.ok(bad.ok);
  assert.ok(bad.checks.some((c) => c.name === 'signature' && !c.ok), JSON.stringify(bad.checks));
  const again = checkAlert(crypto, sharedSecrets(crypto.ecdh, 4), frame, { ...e, lastCounter: good.message!.gs.counter });
  assert.ok(again.checks.some((c) => c.name === 'device-counter' && !c.ok), 'a repeated device counter is refused');
});

test('smets conformance passes on the evidence, with every MAC and signature checked', async () => {
  const junit = join(evidence, 'conformance.xml');
  const r = await cli(['conformance', join(evidence, 'messages'), '--keys', join(evidence, 'keystore'), '--junit', junit]);
  assert.is(r.code, 0, r.stdout);
  const xml = readFileSync(junit, 'utf8');
  assert.not.match(xml, /: skipped \(/, 'no check skipped for want of a key');
  const macs = (xml.match(/mac: valid/g) ?? []).length;
  const sigs = (xml.match(/signature: valid/g) ?? []).length;
  const files = listFiles(join(evidence, 'messages'));
  const dd = files.filter((f) => /_(COMMAND|RESPONSE)_GBCS\.HEX$/.test(f) && readFileSync(join(evidence, 'messages', f), 'utf8').startsWith('DD'));
  assert.is(macs, dd.length, 'one MAC check per DD message');
  assert.ok(sigs >= 10, 'signatures checked: ' + sigs);
});

test('a single flipped bit in the evidence makes conformance fail (the check can fail)', async () => {
  const copy = join(mkdtempSync(join(tmpdir(), 'smets-lab-flip-')), 'messages');
  cpSync(join(evidence, 'messages'), copy, { recursive: true });
  const victim = listFiles(copy).find((f) => /ECS43.*_COMMAND_GBCS\.HEX$/.test(f))!;
  const hex = readFileSync(join(copy, victim), 'utf8').trim();
  const at = hex.length - 30; // inside the content, before the signature and MAC
  writeFileSync(join(copy, victim), hex.substring(0, at) + (hex[at] === '0' ? '1' : '0') + hex.substring(at + 1));
  const r = await cli(['conformance', copy, '--keys', join(evidence, 'keystore')]);
  assert.is(r.code, 1, r.stdout);
  assert.match(r.stdout, /FAIL .*mac/);
});

test('replays and forgeries are filed under rejected/, never with the genuine traffic', () => {
  const genuine = listFiles(join(evidence, 'messages'));
  const rejected = listFiles(join(evidence, 'rejected'));
  // Commands and responses of a replay or forgery never sit with the genuine traffic; the alerts the device
  // sent about them are its own genuine messages, filed with the step that caused them.
  assert.ok(genuine.every((f) => !/_(REPLAY|FORGED|NORESPONSE)_(PRECOMMAND|COMMAND|RESPONSE)_GBCS/.test(f)), genuine.join('\n'));
  assert.ok(genuine.some((f) => /13-FORGED-DISCONNECT_FORGED_ALERT_GBCS\.HEX$/.test(f)), 'the forgery\'s alert is filed with its step');
  assert.ok(genuine.some((f) => /12-REPLAYED-DISCONNECT_REPLAY_ALERT_GBCS\.HEX$/.test(f)), 'the replay\'s alert is filed with its step');
  assert.ok(rejected.some((f) => /REPLAY_COMMAND_GBCS\.HEX$/.test(f)), rejected.join('\n'));
  assert.ok(rejected.some((f) => /FORGED_COMMAND_GBCS\.HEX$/.test(f)), rejected.join('\n'));
  assert.ok(genuine.some((f) => f === '11.2_ECS52/ECS52_11.2_02-FIRMWARE_SUCCESS_COMMAND_GBCS.HEX'), 'RTDS layout: ' + genuine[0]);
  for (const k of ['90b3d51f30000002-ka.key', '90b3d51f30010000-ds.key', '00db1234567890a0-ka.key', '00db1234567890a0-ds.pem', 'root-oca.pem']) {
    assert.ok(existsSync(join(evidence, 'keystore', k)), 'keystore/' + k);
  }
});

test('the JUnit XML parses: one test case per step, none failed', () => {
  const xml = readFileSync(join(evidence, 'junit.xml'), 'utf8');
  assert.is(XMLValidator.validate(xml), true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
  assert.is(Number(doc.testsuites.tests), scenario.steps.length);
  assert.is(Number(doc.testsuites.failures), 0);
});

test('the HTML report is one self-contained page with every step and its messages decoded', () => {
  const html = readFileSync(join(evidence, 'report.html'), 'utf8');
  assert.not.match(html, /<script|<link|src=|https?:\/\//);
  for (const s of scenario.steps) assert.ok(html.indexOf(s.id) > 0, s.id);
  assert.match(html, /ECS43 \(critical\)/);
  assert.match(html, /Read ESME Security Log/);
});

test('a scenario whose expectation is wrong exits 1 and names the step', async () => {
  const wrong = structuredClone(scenario);
  const step = wrong.steps.find((s: { id: string }) => s.id === 'replayed-disconnect');
  step.expect = { outcome: 'accepted' };
  const dir = mkdtempSync(join(tmpdir(), 'smets-lab-wrong-'));
  writeFileSync(join(dir, 'wrong.json'), JSON.stringify(wrong));
  const r = await cli(['lab', '--scenario', join(dir, 'wrong.json'), '--out', join(dir, 'run'), '--quiet']);
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /DIFFERS\s+12 replayed-disconnect: expected accepted, got no-response/);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(join(dir, 'run', 'junit.xml'), 'utf8'));
  assert.is(Number(doc.testsuites.failures), 1);
});

test('a malformed scenario exits 2 with precise messages', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smets-lab-bad-'));
  writeFileSync(join(dir, 'broken.json'), '{ "title": "x", "steps": [ }');
  let r = await cli(['lab', '--scenario', join(dir, 'broken.json'), '--out', join(dir, 'a')]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /broken\.json: not valid JSON/);
  const bad = structuredClone(scenario);
  bad.steps[1].request = 'read-firmwar-version';
  bad.steps[2].as = 'mallory';
  bad.steps.push({ id: 'r', replay: 'nope', expect: { outcome: 'no-response' } });
  bad.steps[0].expect.outcome = 'fine';
  writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
  r = await cli(['lab', '--scenario', join(dir, 'bad.json'), '--out', join(dir, 'b')]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /steps\[1\] \("firmware"\)\.request: must be one of .*got "read-firmwar-version"/);
  assert.match(r.stderr, /steps\[2\] \("no-firmware"\)\.as: must name a user .*got "mallory"/);
  assert.match(r.stderr, /\.replay: must name an earlier step, got "nope"/);
  assert.match(r.stderr, /steps\[0\] \("commission"\)\.expect\.outcome: must be one of/);
  assert.not.ok(existsSync(join(dir, 'b')), 'nothing set up for a bad scenario');
});

test('--out refuses a folder that is not empty; unknown options exit 2', async () => {
  let r = await cli(['lab', '--out', evidence]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /not empty/);
  r = await cli(['lab', '--frobnicate']);
  assert.is(r.code, 2);
});

test.run();
