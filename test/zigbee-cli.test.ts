/**
 * `smets lab --bearer zigbee --adapter A --zigbee-port PATH` (issue 16): the options reach herdsman's
 * transport. zoh at tcp://127.0.0.1:PORT of an emulated RCP (in this process, so the simulated meter
 * shares its air) runs the lab; zstack against the emulated radio fails to start, exit 1, in bounded time
 * (herdsman's own timeouts, about 20 s); a bad adapter name or the options without --bearer zigbee: exit 2.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lab } from '../harness/cli/commands/lab.ts';
import { EmulatedRcp } from '../harness/zigbee/radio/rcp.ts';
import { SimulatedAir } from '../harness/zigbee/radio/air.ts';

const root = join(import.meta.dirname, '..');
const dirs: string[] = [];
test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const temp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};

function smets(args: string[], timeoutMs = 120_000) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(root, 'bin', 'smets.js'), ...args], { cwd: root, encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

test('bad --adapter, or --adapter/--zigbee-port without --bearer zigbee: exit 2 naming the option', () => {
  const bad = smets(['lab', '--bearer', 'zigbee', '--adapter', 'znp']);
  assert.is(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /--adapter must be one of ember, zstack, deconz, zoh, got "znp"/);
  const alone = smets(['lab', '--zigbee-port', '/dev/ttyUSB0']);
  assert.is(alone.status, 2, alone.stderr);
  assert.match(alone.stderr, /--adapter and --zigbee-port need --bearer zigbee/);
  const help = smets(['lab', '--help']);
  assert.is(help.status, 0);
  assert.match(help.stdout, /--adapter A/);
  assert.match(help.stdout, /--zigbee-port P/);
});

test('--adapter zstack against the emulated radio: it does not start, exit 1 with herdsman\'s reason', () => {
  const r = smets(['lab', '--bearer', 'zigbee', '--adapter', 'zstack', '--out', temp('smets-zcli-zs-'), '--quiet']);
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stderr, /the ZigBee radio did not start: herdsman Controller \(zstack adapter on the emulated RCP\) did not start: /);
  console.log('  zstack: exit ' + r.status + ' after ' + (r.ms / 1000).toFixed(1) + ' s: ' + r.stderr.trim().split('\n').pop());
});

test('--adapter zoh --zigbee-port tcp://127.0.0.1:PORT of our emulated RCP: the lab runs through that radio', async () => {
  const s = JSON.parse(readFileSync(join(root, 'scenarios', 'lab.json'), 'utf8'));
  s.steps = s.steps.slice(0, 3);
  const dir = temp('smets-zcli-');
  const file = join(dir, 'short.json');
  writeFileSync(file, JSON.stringify(s));
  const rcp = new EmulatedRcp(new SimulatedAir());
  const port = await rcp.listen();
  const lines: string[] = [];
  const log = console.log;
  const err = console.error;
  const write = process.stderr.write;
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  console.error = (...a: unknown[]) => void lines.push(a.join(' '));
  process.stderr.write = ((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0) as typeof process.stderr.write;
  let code: number;
  try {
    code = await lab.run(['--scenario', file, '--out', join(dir, 'run'), '--bearer', 'zigbee', '--adapter', 'zoh', '--zigbee-port', 'tcp://127.0.0.1:' + port]);
  } finally {
    console.log = log;
    console.error = err;
    process.stderr.write = write;
    await rcp.close();
  }
  const text = lines.join('\n');
  assert.is(code, 0, text);
  assert.match(text, new RegExp('herdsman Controller \\(zoh adapter at tcp://127\\.0\\.0\\.1:' + port + '\\)'));
  assert.ok(rcp.stats.toAir > 0 && rcp.stats.fromAir > 0, 'frames went through that RCP');
});

test.run();
