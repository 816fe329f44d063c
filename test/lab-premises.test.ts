/**
 * The premises lab (`smets lab --scenario scenarios/premises.json`, run by `npm start` after the ESME lab):
 * a Communications Hub (CHF, GPF) with an ESME, a GSME, a PPMID and an IHD on its HAN. Every step as the
 * scenario expects, the GSME's commands queued and answered at its wakes, every CS14 alert verified by the
 * DCC; the evidence passes `smets conformance --keys` with every MAC and signature checked (and fails once
 * a byte of a response is flipped); the report draws the premises; scenario errors for premises steps.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureCli } from './helpers/captureCli.ts';
import type { CliRun } from './helpers/captureCli.ts';
import { validateScenario } from '../harness/lab/scenario.ts';

const scenario = JSON.parse(readFileSync(new URL('../scenarios/premises.json', import.meta.url), 'utf8'));
const evidence = join(mkdtempSync(join(tmpdir(), 'smets-premises-')), 'run');
let run: CliRun;

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...listFiles(join(dir, e.name)).map((f) => e.name + '/' + f));
    else out.push(e.name);
  }
  return out;
}

test('the premises scenario: every step as expected through the hub, the GSME\'s commands answered at its wakes', async () => {
  run = await captureCli(['lab', '--scenario', new URL('../scenarios/premises.json', import.meta.url).pathname, '--out', evidence]);
  assert.is(run.code, 0, run.stdout + '\n' + run.stderr);
  assert.match(run.stdout, /RESULT: every step as expected/);
  const n = scenario.steps.length;
  for (let i = 1; i <= n; i++) assert.match(run.stderr, new RegExp('\\[\\s*' + i + '/' + n + '\\] ok'));
  assert.match(run.stdout, /premises +Communications Hub CHF 00DB1234567890A2 \+ GPF 00DB1234567890A3/);
  assert.match(run.stdout, /queued for the GSME 3, refused on the HAN 6\)/);
  assert.match(run.stderr, /gsme-wakes: .*pulled and ran 1 message, answered 1; CS02b statuses 0,0/);
  assert.match(run.stderr, /read-gas: .*equal to what the GSME published/);
  assert.match(run.stderr, /ppmid-refused: .*not-on-log/);
  // Gas top-ups: the PPMID's PCS01 through the GPF's queue, the same UTRN refused, the Supplier's CS01b at a wake.
  assert.match(run.stderr, /gas-top-up: .*queued on the GPF .*published its new balance; the PPMID shows: gas top-up accepted, 5\.00 added, gas credit 30\.00/);
  assert.match(run.stderr, /gas-top-up-again: .*refused on the HAN: .*the PPMID shows: gas top-up utrn-used/);
  assert.match(run.stderr, /gsme-wakes-top-up: .*CS01b top-up accepted, 10\.00 added, gas credit 40\.00/);
  assert.match(run.stderr, /read-gas-again: .*equal to what the GSME published at its last wake\): gas credit 40\.00/);
  assert.match(run.stderr, /ppmid-gas-refused: .*not-on-log/);
  // Every CS14 the CHF raised (4 CCS01, 4 joins, 1 CCS02) verified by the DCC and filed.
  const m = /alerts +(\d+) received, (\d+) verified.*9 x CS14 0018/.exec(run.stdout);
  assert.ok(m && m[1] === '9' && m[2] === '9', run.stdout);
  const files = listFiles(join(evidence, 'messages'));
  assert.is(files.filter((f) => f.endsWith('_ALERT_GBCS.HEX')).length, 9);
  assert.ok(files.some((f) => /^8\.7\.1_CS03CCritical\/.*GSME-WAKES-AGAIN_SUCCESS_RESPONSE_GBCS\.HEX$/.test(f)), 'the GSME\'s signed CS03C response, filed with its wake: ' + files.join(' '));
  assert.ok(files.some((f) => /^4\.18_GCS60\/.*READ-GAS_SUCCESS_RESPONSE_GBCS\.HEX$/.test(f)), 'the GPF\'s GCS60 response');
  assert.ok(files.some((f) => /^2\.2_CS01b\/.*GSME-WAKES-TOP-UP_SUCCESS_RESPONSE_GBCS\.HEX$/.test(f)), 'the GSME\'s CS01b response, filed with its wake');
  assert.ok(files.some((f) => /^NA_PCS01\/.*GAS-TOP-UP_SUCCESS_RESPONSE_GBCS\.HEX$/.test(f)), 'the GSME\'s PCS01 answer to the PPMID');
});

test('the premises evidence passes smets conformance --keys, every MAC and signature checked; a flipped response byte fails it', async () => {
  const r = await captureCli(['conformance', join(evidence, 'messages'), '--keys', join(evidence, 'keystore'), '--json']);
  assert.is(r.code, 0, r.stdout);
  // One JSON object per file (then the totals).
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((o) => o.file);
  const checks = rows.flatMap((o: { results: Array<{ check: string; ok: boolean; detail: string }> }) => o.results);
  assert.ok(rows.length >= 40 && rows.every((o: { ok: boolean }) => o.ok), 'every file passes');
  assert.not.ok(checks.some((c) => /skipped/.test(c.detail)), 'no check skipped for want of a key');
  const dd = rows.filter((o: { results: Array<{ detail: string }> }) => o.results[0].detail.startsWith('DD')).length;
  assert.is(checks.filter((c) => c.check === 'mac' && c.ok).length, dd, 'one MAC check per DD message (' + dd + ')');
  assert.ok(checks.filter((c) => c.check === 'signature' && c.ok).length >= 10, 'signatures checked (the GSME\'s, the ESME\'s, the Supplier\'s)');
  // A byte of the GSME's signed CS03C response flipped: its signature fails.
  const f = listFiles(join(evidence, 'messages')).find((x) => x.includes('CS03CCritical') && x.endsWith('_RESPONSE_GBCS.HEX'))!;
  const path = join(evidence, 'messages', f);
  const hex = readFileSync(path, 'utf8').trim();
  const at = hex.length - 20;
  writeFileSync(path, hex.substring(0, at) + (hex[at] === '0' ? '1' : '0') + hex.substring(at + 1));
  const bad = await captureCli(['conformance', join(evidence, 'messages'), '--keys', join(evidence, 'keystore')]);
  assert.is(bad.code, 1, bad.stdout);
  writeFileSync(path, hex);
});

test('the report draws the premises: the hub, each HAN device with its state on the CHF log, the pairings', () => {
  const html = readFileSync(join(evidence, 'report.html'), 'utf8');
  assert.match(html, /<h2>The premises<\/h2>/);
  assert.match(html, /aria-label="the premises: hub, HAN devices and pairings"/);
  assert.match(html, />PPMID<\/text>\s*<text[^>]*>00DB1234567890A4<\/text>\s*<text[^>]*>not on the CHF log: refused</, 'the removed PPMID drawn as refused');
  assert.match(html, />IHD<\/text>\s*<text[^>]*>00DB1234567890A5<\/text>\s*<text[^>]*>on the CHF log, joined</);
  assert.is((html.match(/paired \(PPMID\)/g) ?? []).length, 2, 'the PPMID paired with the ESME and the GSME; the IHD unpaired');
  assert.match(html, /Paired: ESME with 00DB1234567890A4 \(PPMID\), GSME with 00DB1234567890A4 \(PPMID\)\./);
  assert.match(html, /queued for the GSME on the GPF \(message 1\)/);
});

test('premises steps are refused in a scenario without "premises", and premises fields are checked', () => {
  const noPremises = { ...scenario, premises: undefined };
  const r = validateScenario(JSON.parse(JSON.stringify(noPremises)));
  assert.ok(!r.ok && r.errors.some((e) => /steps\[0\] \("add-esme"\)\.request: chf-add-device needs a premises/.test(e)), JSON.stringify(r));
  const bad = validateScenario({ ...scenario, premises: { gsme: 'xyz', gsmeWakeSeconds: 0, hub: 1 } });
  assert.ok(!bad.ok);
  if (bad.ok) return;
  assert.ok(bad.errors.some((e) => e.startsWith('premises.gsme: must be 16 hex digits')), bad.errors.join('\n'));
  assert.ok(bad.errors.some((e) => e.startsWith('premises.gsmeWakeSeconds: must be a whole number')), bad.errors.join('\n'));
  assert.ok(bad.errors.some((e) => e.startsWith('premises.hub: unknown field')), bad.errors.join('\n'));
  const same = validateScenario({ ...scenario, premises: { gsme: '00DB1234567890A0' } });
  assert.ok(!same.ok && same.errors[0].includes('own EUI-64'));
  const typo = validateScenario({ ...scenario, steps: [{ id: 'p', as: 'alice', request: 'pair', params: { meter: 'ESME', device: 'PPMD' }, expect: { outcome: 'accepted' } }] });
  assert.ok(!typo.ok && typo.errors.some((e) => e.includes('params.device: must be one of "PPMID", "IHD", "GPF", got "PPMD" (did you mean "PPMID"?)')), JSON.stringify(typo));
});

test.run();
