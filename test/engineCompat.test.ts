/**
 * The engine compatibility check of `npm run build` (build/engineCompat.ts) on its fixtures:
 * test/fixtures/incompatible/* use what Espruino 2v29 lacks and must fail the build with a message that
 * names the construct and the source file; test/fixtures/lowered/* use syntax esbuild lowers for
 * Espruino, and their bundles must pass the check AND print the right answer on the real engine.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFor, describeFailure, ESPRUINO_MAIN, withoutOfIdentifiers } from '../build/bundle.ts';
import { ENGINES_DIR, ROOT } from '../build/paths.ts';
import { runOnEspruino } from '../flash-scripts/hostEngines.ts';

/** What the failure message must say for each incompatible fixture. */
const EXPECTED: Record<string, RegExp> = {
  'bigintLiteral.ts': /big integer|bigint/i,
  'bigintCall.ts': /BigInt/,
  'map.ts': /\bMap\b/,
  'set.ts': /\bSet\b/,
  'destructuring.ts': /destructuring/i,
  'imul.ts': /Math\.imul/,
  'asyncFunction.ts': /async/i,
  'generator.ts': /generator/i,
  'label.ts': /label/i,
  'typedArraySlice.ts': /slice/,
  'computedKey.ts': /computed key/,
  'defaultParameter.ts': /default arguments/,
  'restParameter.ts': /rest arguments/,
  'spread.ts': /spread/,
  'regexSlashInClass.ts': /regex character class/,
  'regexBoundedRepeat.ts': /bounded repeat/,
};

const incompatible = readdirSync(join(ROOT, 'test/fixtures/incompatible')).sort();

test('every incompatible fixture has an expectation', () => {
  assert.equal(incompatible, Object.keys(EXPECTED).sort());
});

for (const file of incompatible) {
  test(`espruino build refuses ${file}, naming construct and file`, async () => {
    const r = await bundleFor('espruino', { file: `test/fixtures/incompatible/${file}` });
    assert.not.ok(r.ok, 'the bundle must be refused');
    const message = describeFailure('espruino', 'fixture.js', r).join('\n');
    assert.match(message, EXPECTED[file]);
    assert.match(message, `test/fixtures/incompatible/${file}`);
  });
}

test('node bundles are not restricted (Map is fine there)', async () => {
  const r = await bundleFor('node', { file: 'test/fixtures/incompatible/map.ts' });
  assert.ok(r.ok);
});

test('jerryscript build refuses console (the stock jerry has print only)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smets-fixture-'));
  const file = join(dir, 'usesConsole.ts');
  writeFileSync(file, 'console.log("hello");\n');
  const r = await bundleFor('jerryscript', { file });
  assert.not.ok(r.ok);
  assert.match(describeFailure('jerryscript', 'fixture.js', r).join('\n'), /console.*usesConsole\.ts|usesConsole\.ts.*console/);
});

test('an Error on Espruino names the bundle frames without copying the bundle source into its stack', async () => {
  // Espruino names a frame called without a name by serialising its function; for a bundle run as an
  // anonymous IIFE that is the whole bundle, in RAM, at every `new Error` (build/bundle.ts).
  const dir = mkdtempSync(join(tmpdir(), 'smets-fixture-'));
  const file = join(dir, 'errorStack.ts');
  writeFileSync(file, 'declare function print(s: string): void;\nfunction inner(): string { return new Error("x").stack || ""; }\nprint(inner());\n');
  const r = await bundleFor('espruino', { file });
  assert.ok(r.ok, describeFailure('espruino', 'errorStack.js', r).join('\n'));
  writeFileSync(join(dir, 'bundle.js'), r.code);
  const run = await runOnEspruino(join(ENGINES_DIR, 'espruino'), join(dir, 'bundle.js'));
  assert.is(run.code, 0, run.output);
  assert.match(run.output, new RegExp('at ' + ESPRUINO_MAIN + ' \\('), 'the entry frame is named');
  assert.not.match(run.output, /at function ?\(/, 'no frame named by its source');
});

test('an identifier named `of` (Espruino reads it as a keyword) is renamed, for-of left alone, and runs', async () => {
  const source = 'var of=[1,2];var t=0;for(var x of of)t+=x;print("of "+t+" "+of.length);';
  const renamed = withoutOfIdentifiers(source);
  assert.is(renamed.length, source.length, 'columns kept');
  assert.is((renamed.match(/\bof\b/g) || []).length, 2, 'the for-of keyword and the string remain: ' + renamed);
  const dir = mkdtempSync(join(tmpdir(), 'smets-of-'));
  writeFileSync(join(dir, 'bundle.js'), renamed);
  const run = await runOnEspruino(join(ENGINES_DIR, 'espruino'), join(dir, 'bundle.js'));
  assert.is(run.code, 0, run.output);
  assert.is(run.output.replace(/\r/g, '').trim(), 'of 3 2');
});

const EXPECTED_OUTPUT: Record<string, string> = {
  'optionalChain.ts': 'optional 9600 none',
  'classField.ts': 'classfield 0',
  'exponent.ts': 'exponent 1024',
  'regexEscapedSlash.ts': 'regex false true',
};

for (const file of readdirSync(join(ROOT, 'test/fixtures/lowered')).sort()) {
  test(`espruino build lowers ${file} and it runs right on Espruino`, async () => {
    assert.ok(EXPECTED_OUTPUT[file], 'expectation for ' + file);
    const r = await bundleFor('espruino', { file: `test/fixtures/lowered/${file}` });
    assert.ok(r.ok, describeFailure('espruino', file, r).join('\n'));
    const binary = join(ENGINES_DIR, 'espruino');
    assert.ok(existsSync(binary), 'engines missing: run `npm run engines`');
    const dir = mkdtempSync(join(tmpdir(), 'smets-lowered-'));
    writeFileSync(join(dir, 'bundle.js'), r.code);
    const run = await runOnEspruino(binary, join(dir, 'bundle.js'));
    assert.is(run.code, 0, run.output);
    assert.is(run.output.replace(/\r/g, '').trim(), EXPECTED_OUTPUT[file]);
  });
}

test.run();
