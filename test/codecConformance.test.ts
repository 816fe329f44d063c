/**
 * `smets conformance`: the RTDS sample passes file by file, broken and unknown-code files fail with
 * the reason on their line, the JUnit XML is well formed and counts what the lines say, and the exit
 * codes are 0 / 1 / 2.
 * @module
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { VECTORS } from '../build/paths.ts';
import { baseChecks } from '../harness/conformance/checks.ts';
import { junitXml } from '../harness/conformance/junit.ts';
import { codeLookup, runConformance } from '../harness/conformance/run.ts';
import { kindFromName } from '../harness/conformance/rtdsFolder.ts';
import { captureCli } from './helpers/captureCli.ts';

const RTDS = resolve(VECTORS, 'rtds/RTDS-4.5.0');

const cli = captureCli;

test('kind from the file name', () => {
  assert.is(kindFromName('ECS01b_1.2.1_CANCELLATION_TOU_BLOCK_SUCCESS_PRECOMMAND_GBCS.HEX'), 'PRECOMMAND');
  assert.is(kindFromName('ECS01b_1.2.1_8F66_FUTURE_DATED_TOU_BLOCK_SUCCESS_ALERT_PRICE_MATRIX_GBCS.HEX'), 'ALERT');
  assert.is(kindFromName('CS08_11.2_ERROR_RESPONSE_GBCS.HEX'), 'RESPONSE');
  assert.is(kindFromName('X_1_COMMAND_GBCS.HEX'), 'COMMAND');
  assert.is(kindFromName('X_1_SOMETHING_GBCS.HEX'), 'UNKNOWN');
});

test('the RTDS sample passes, with valid JUnit XML', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'conf-'));
  const xmlPath = join(dir, 'out.xml');
  const r = await cli(['conformance', RTDS, '--junit', xmlPath]);
  assert.is(r.code, 0, r.err.join('\n'));
  const lines = r.out.filter((l) => l.includes(' | '));
  assert.is(lines.length, 774);
  assert.ok(lines.every((l) => l.includes(' | PASS | ')));
  assert.ok(r.out.includes('774 passed, 0 failed'), r.out.slice(-3).join('\n'));
  assert.ok(lines.some((l) => l.startsWith('1.2.1_ECS01b | PRECOMMAND | 0x00A2 ECS01b')), lines[3]);
  const xml = readFileSync(xmlPath, 'utf8');
  assert.is(XMLValidator.validate(xml), true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
  const suites = doc.testsuites.testsuite as Array<{ name: string; tests: string; testcase: unknown }>;
  assert.is(doc.testsuites.tests, '774');
  assert.is(doc.testsuites.failures, '0');
  assert.is(suites.length, 155);
  const cases = suites.reduce((n, s) => n + (Array.isArray(s.testcase) ? s.testcase.length : 1), 0);
  assert.is(cases, 774);
});

test('broken and unknown-code files fail with their reason; exit 1; JUnit has the failures', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'conf-'));
  mkdirSync(join(dir, '1.1_BAD'));
  mkdirSync(join(dir, '2.2_GOOD'));
  const good = readFileSync(join(RTDS, '1.2.1_ECS01b/ECS01b_1.2.1_CANCELLATION_TOU_BLOCK_SUCCESS_PRECOMMAND_GBCS.HEX'), 'utf8').trim();
  writeFileSync(join(dir, '2.2_GOOD/X_2.2_OK_PRECOMMAND_GBCS.HEX'), good);
  // Cut DD message: its length overruns at offset 7.
  const dd = readFileSync(join(RTDS, '1.2.1_ECS01b/ECS01b_1.2.1_CANCELLATION_TOU_BLOCK_SUCCESS_COMMAND_GBCS.HEX'), 'utf8').trim();
  writeFileSync(join(dir, '1.1_BAD/X_1.1_CUT_COMMAND_GBCS.HEX'), dd.substring(0, dd.length - 2));
  // Message code FFFE: decodes and round-trips, but is unknown.
  const unknown = good.substring(0, 62) + 'FFFE' + good.substring(66);
  writeFileSync(join(dir, '1.1_BAD/X_1.1_UNKNOWN_PRECOMMAND_GBCS.HEX'), unknown);
  writeFileSync(join(dir, '1.1_BAD/X_1.1_NOTHEX_RESPONSE_GBCS.HEX'), 'hello <&>');
  const xmlPath = join(dir, 'out.xml');
  const r = await cli(['conformance', dir, '--junit', xmlPath]);
  assert.is(r.code, 1);
  const text = r.out.join('\n');
  assert.match(text, /1\.1_BAD \| COMMAND \| ------ \(not decoded\) \| FAIL decode: length-overrun at 7; message-code: .*; round-trip: .* \| X_1\.1_CUT_COMMAND_GBCS\.HEX/);
  assert.match(text, /1\.1_BAD \| PRECOMMAND \| 0xFFFE \(unknown message code\) \| FAIL message-code: unknown message code 0xFFFE \| X_1\.1_UNKNOWN/);
  assert.match(text, /FAIL decode: not a hex file/);
  assert.match(text, /2\.2_GOOD \| PRECOMMAND \| 0x00A2 ECS01b.* \| PASS \|/);
  assert.ok(r.out.includes('1 passed, 3 failed'), r.out.slice(-3).join('\n'));
  const xml = readFileSync(xmlPath, 'utf8');
  assert.is(XMLValidator.validate(xml), true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
  assert.is(doc.testsuites.failures, '3');
  const bad = (doc.testsuites.testsuite as Array<{ name: string; failures: string; testcase: Array<{ failure?: { message: string } }> }>).find((s) => s.name === '1.1_BAD')!;
  assert.is(bad.failures, '3');
  assert.ok(bad.testcase.every((c) => c.failure !== undefined));
});

test('exit 2: missing DIR, no DIR, two DIRs, an unknown option refused by name', async () => {
  const missingDir = await cli(['conformance', '/no/such/folder']);
  assert.is(missingDir.code, 2);
  assert.match(missingDir.stderr, /DIR \/no\/such\/folder: does not exist/);
  const noDir = await cli(['conformance']);
  assert.is(noDir.code, 2);
  assert.match(noDir.stderr, /DIR is required/);
  assert.is((await cli(['conformance', RTDS, RTDS])).code, 2);
  const unknown = await cli(['conformance', RTDS, '--frobnicate']);
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option --frobnicate/);
  // Every option the help offers is one the command takes: a misspelling gets it suggested.
  const misspelt = await cli(['conformance', RTDS, '--key', 'x']);
  assert.is(misspelt.code, 2);
  assert.match(misspelt.stderr, /unknown option --key \(did you mean --keys\?\)/);
  const h = await cli(['conformance', '--help']);
  assert.is(h.code, 0);
  assert.match(h.stdout, /<use case> \| <kind> \| <message code> <name> \| PASS \| <file>/);
  for (const option of ['--junit FILE', '--keys KEYDIR', '--device']) assert.ok(h.stdout.includes('  ' + option), option + ' in the help');
  assert.not.match(h.stdout, /not available yet/);
});

test('junit escapes text XML cannot carry raw', () => {
  const xml = junitXml('t<>&"', [{ suite: 'a&b', name: 'c<d', failure: 'x\u0001y & "z"', message: "m'", output: 'o]]>', seconds: 0 }]);
  assert.is(XMLValidator.validate(xml), true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
  assert.is(doc.testsuites.testsuite.name, 'a&b');
  assert.is(doc.testsuites.testsuite.testcase.name, 'c<d');
});

test('runConformance reports each check per file', async () => {
  const lines: string[] = [];
  const s = await runConformance(resolve(RTDS, '11.3_CS06'), baseChecks, codeLookup, (l) => lines.push(l));
  assert.ok(s.outcomes.length > 0);
  for (const o of s.outcomes) assert.equal(o.results.map((r) => r.name), ['decode', 'message-code', 'round-trip']);
  assert.is(lines.length, s.outcomes.length);
});

test.run();
