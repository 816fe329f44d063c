/**
 * The command lines' one option reader (harness/cli/options.ts) and every command that uses it:
 * `smets` and each of its commands and actions answer --help, refuse an unknown option by name with
 * the closest one suggested (exit 2), and `smets --version` prints package.json's version; `npm run
 * fuzz`, `npm run flash`, `npm test` and `npm run bench` read their options the same way.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../build/paths.ts';
import { flashMain } from '../flash-scripts/flash.ts';
import { commands } from '../harness/cli/commands/index.ts';
import { closest, readOptions } from '../harness/cli/options.ts';
import { captureCli, captureRun } from './helpers/captureCli.ts';
import { fuzzMain } from './fuzz.ts';

test('readOptions: values, switches, --name=value, -- and positionals', () => {
  const r = readOptions(['a', '--dir', 'x', '--pem', '--role=02', '--', '--not-an-option'], {
    options: ['dir', 'role'], flags: ['pem'], positionals: { min: 1, max: 2, name: 'FILE' },
  });
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(r.values, { dir: 'x', role: '02' });
  assert.equal(r.flags, { pem: true });
  assert.equal(r.positionals, ['a', '--not-an-option']);
  assert.equal(r.order, ['dir', 'pem', 'role']);
});

test('readOptions: what it refuses, each by name', () => {
  const set = { options: ['serial', 'dir'], flags: ['pem'] };
  const message = (args: string[]) => {
    const r = readOptions(args, set);
    return r.ok || r.help ? '' : r.message;
  };
  assert.is(message(['--seriall', '12']), 'unknown option --seriall (did you mean --serial?)');
  assert.is(message(['--frobnicate']), 'unknown option --frobnicate');
  assert.is(message(['--dir']), '--dir needs a value');
  assert.is(message(['--dir', '--pem']), '--dir needs a value');
  assert.is(message(['--dir', 'a', '--dir', 'b']), '--dir given twice');
  assert.is(message(['--pem=yes']), '--pem takes no value');
  assert.is(message(['stray']), 'unexpected argument "stray"');
  assert.is(message(['-s']), 'unknown option -s');
  assert.equal(readOptions(['--dir', 'a', '--help'], set), { ok: false, help: true });
  const one = readOptions(['a', 'b'], { positionals: { min: 1, max: 1, name: 'DIR' } });
  assert.ok(!one.ok && !one.help && one.message === 'one DIR only (got a and b)');
  const none = readOptions([], { positionals: { min: 1, max: 1, name: 'DIR' } });
  assert.ok(!none.ok && !none.help && none.message === 'DIR is required');
});

test('closest: misspellings and prefixes, nothing for an unrelated word', () => {
  assert.is(closest('seriall', ['serial', 'eui']), 'serial');
  assert.is(closest('cout', ['count', 'seed', 'from', 'hang-ms']), 'count');
  assert.is(closest('bootonly', ['board', 'bundle', 'dir', 'boot-only']), 'boot-only');
  assert.is(closest('key-use', ['key-usage', 'kind']), 'key-usage');
  assert.is(closest('frobnicate', ['serial', 'eui', 'dir']), undefined);
});

test('smets --version prints the version in package.json', async () => {
  const r = await captureCli(['--version']);
  assert.is(r.code, 0);
  assert.is(r.stdout, 'smets ' + JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
});

test('smets: no command is exit 2 with the overview, an unknown one gets the closest suggested', async () => {
  const none = await captureCli([]);
  assert.is(none.code, 2);
  assert.match(none.stdout, /Commands:/);
  const r = await captureCli(['smk']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /unknown command "smk" \(did you mean smki\?\)/);
});

for (const command of commands) {
  test(`smets ${command.name} --help prints its help, exit 0`, async () => {
    const r = await captureCli([command.name, '--help']);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, command.help);
  });
  test(`smets ${command.name} refuses an unknown option by name, exit 2`, async () => {
    const args = command.actions ? [command.name, command.actions[0], '--no-such-option'] : [command.name, '--no-such-option'];
    const r = await captureCli(args);
    assert.is(r.code, 2);
    assert.match(r.stderr, /unknown option --no-such-option/);
  });
  for (const action of command.actions ?? []) {
    test(`smets ${command.name} ${action} --help prints the action's own help, exit 0`, async () => {
      const r = await captureCli([command.name, action, '--help']);
      assert.is(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp('^Usage: smets ' + command.name + ' ' + action + ' '));
      assert.match(r.stdout, /Exit codes:/);
    });
  }
}

test('smets smki lookup --seriall is refused (it used to list every certificate)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smets-cli-'));
  const r = await captureCli(['smki', 'lookup', '--dir', dir, '--seriall', '12']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /^smets smki lookup: unknown option --seriall \(did you mean --serial\?\)/);
  assert.is(r.stdout, '');
});

test('smets smki: an unknown action gets the closest suggested; options come after the action', async () => {
  const r = await captureCli(['smki', 'lokup', '--dir', 'x']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /unknown action "lokup" \(did you mean lookup\?\)/);
  const first = await captureCli(['smki', '--dir', 'x', 'lookup']);
  assert.is(first.code, 2);
  assert.match(first.stderr, /the action comes first/);
});

test('smets smki lookup filters by what it is given', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smets-cli-'));
  assert.is((await captureCli(['smki', 'init', '--dir', dir])).code, 0);
  const all = await captureCli(['smki', 'lookup', '--dir', dir]);
  assert.is(all.code, 0);
  assert.is(all.out.length, 5, all.stdout); // a header, then the four CAs
  assert.match(all.out[0], /^serial\s+kind\s+eui\s+role\s+keyUsage\s+deviceType\s+issuer\s+status$/);
  const root = await captureCli(['smki', 'lookup', '--dir', dir, '--kind', 'root-oca']);
  assert.is(root.code, 0);
  assert.is(root.out.length, 2);
  assert.match(root.out[1], /^[0-9a-f]+\s+root-oca\s/);
  const none = await captureCli(['smki', 'lookup', '--dir', dir, '--serial', '12']);
  assert.is(none.code, 1);
  assert.is(none.stdout, '');
  const badLimit = await captureCli(['smki', 'lookup', '--dir', dir, '--limit', 'many']);
  assert.is(badLimit.code, 2);
});

test('smets lab: a misspelt option is refused with the right one suggested', async () => {
  const r = await captureCli(['lab', '--scenari', 'x.json']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /unknown option --scenari \(did you mean --scenario\?\)/);
});

test('smets cpl: an option of another action is refused for this one', async () => {
  const r = await captureCli(['cpl', 'list', '--dir', 'x', '--hash', 'ab']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /smets cpl list: unknown option --hash/);
});

test('npm run fuzz: --cout is refused (it used to run 100,000 cases), a bad number too', async () => {
  const cout = await captureRun(() => fuzzMain(['--cout', '10']));
  assert.is(cout.code, 2);
  assert.match(cout.stderr, /unknown option --cout \(did you mean --count\?\)/);
  const bad = await captureRun(() => fuzzMain(['--count', 'ten']));
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /--count needs a whole number/);
  const help = await captureRun(() => fuzzMain(['--help']));
  assert.is(help.code, 0);
  assert.match(help.stdout, /^Usage: npm run fuzz/);
});

test('npm run fuzz runs the cases it is asked for', async () => {
  const r = await captureRun(() => fuzzMain(['--count', '20', '--seed', '7']));
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /fuzz: 20 cases in .*: 0 crashes, 0 hangs/);
});

test('npm run flash: --bootonly is refused (it used to be ignored), --board is checked', async () => {
  const r = await captureRun(() => flashMain(['--board', 'espruino', '--bootonly']));
  assert.is(r.code, 2);
  assert.match(r.stderr, /unknown option --bootonly \(did you mean --boot-only\?\)/);
  const board = await captureRun(() => flashMain(['--board', 'arduino']));
  assert.is(board.code, 2);
  assert.match(board.stderr, /--board is espruino, jerryscript or espruino-wifi, got "arduino"/);
  const empty = mkdtempSync(join(tmpdir(), 'smets-flash-'));
  const boot = await captureRun(() => flashMain(['--board', 'espruino', '--boot-only', '--dir', empty]));
  assert.is(boot.code, 2);
  assert.match(boot.stderr, /espruino\.flash does not exist/);
  const help = await captureRun(() => flashMain(['--help']));
  assert.is(help.code, 0);
  assert.match(help.stdout, /^Usage: npm run flash/);
});

test('npm test and npm run bench refuse a misspelt option before doing anything', () => {
  for (const [script, wrong, right] of [['build/test.ts', '--skip-engine', '--skip-engines'], ['build/bench.ts', '--onyl', '--only']]) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, script), wrong], { cwd: ROOT, encoding: 'utf8' });
    assert.is(r.status, 2, script + ': ' + r.stdout + r.stderr);
    assert.match(r.stderr, `unknown option ${wrong} (did you mean ${right}?)`);
  }
});

test.run();
