/**
 * The serial link end to end, with no hardware: socat pty pairs (Debian's socat), the firmware bundle as
 * the board (Node, and inside the Espruino host binary), the harness's serial transport on `serialport`.
 * - the management channel's CBOR: the board's subset (lib/cbor.ts) and cbor-x read each other
 * - the lab over a pty against the Node board (the whole scenario) and against Espruino (the command
 *   steps, without the 97-block firmware image: minutes on the interpreter)
 * - faults: 1% of bytes dropped or corrupted (0 commands lost: every step as expected; none executed twice:
 *   the device's security log, where a command refused as a replay would be logged, is as long as on a clean
 *   line); a board reset while a command crosses; socat killed mid-run (a clear error, exit 1, the board's
 *   flash intact)
 * @module
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { Decoder, Encoder } from 'cbor-x';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bundleFor, describeFailure } from '../build/bundle.ts';
import { ENGINES_DIR, ROOT } from '../build/paths.ts';
import { loadRulesConfig } from '../harness/dcc/rules/config.ts';
import { ptyPair, startBoard } from '../harness/lab/serialBench.ts';
import { runLab } from '../harness/lab/runLab.ts';
import type { LabRun } from '../harness/lab/runLab.ts';
import { loadScenario } from '../harness/lab/scenario.ts';
import { openSerialTransport } from '../harness/transport/serial.ts';
import { cborDecode, cborEncode } from '../lib/cbor.ts';
import type { CborValue } from '../lib/cbor.ts';
import { crc32 } from '../lib/serialLink.ts';

const encoder = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false, variableMapSize: true });
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true });
/** `smets ARGS` as a child process: exit code and everything it printed. */
function captureRun(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'smets.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}
const tmp = (name: string) => mkdtempSync(join(tmpdir(), 'smets-serial-' + name + '-'));

test('management CBOR: the board subset and cbor-x read each other, byte for byte on canonical values', () => {
  const values: CborValue[] = [
    { op: 'provision', id: 7, eui: new Uint8Array([0, 0xdb, 0x12, 0x34, 0x56, 0x78, 0x90, 0xa0]), environment: 'test' },
    { anchors: [{ role: 4, keyUsage: 8, cellUsage: 0, certificate: new Uint8Array(300).fill(0x30) }], capacity: 524288 },
    { log: 'smets ESME 00db1234567890a0 on espruino: serving GBCS on the link \u00e9' }, [-1, -1000, 0, 23, 24, 65535, 65536, 4294967295], true, null,
  ];
  for (const v of values) {
    const ours = cborEncode(v)!;
    assert.ok(ours, 'encodable');
    // cbor-x reads ours (byte strings come back as Buffers, which are Uint8Arrays) and ours re-encodes it identically.
    const viaCborX = decoder.decode(Buffer.from(ours)) as CborValue;
    assert.is(Buffer.from(cborEncode(viaCborX)!).toString('hex'), Buffer.from(ours).toString('hex'), 'cbor-x read what the board wrote');
    const theirs = new Uint8Array(encoder.encode(v));
    const back = cborDecode(theirs);
    assert.ok(back.ok, 'cbor-x output decodes on the board');
    if (back.ok) assert.equal(Buffer.from(cborEncode(back.value)!).toString('hex'), Buffer.from(ours).toString('hex'), 'same value');
  }
});

test('frame CRC: the portable CRC-32 is zlib\'s (the harness and Node board use zlib\'s, Espruino E.CRC32)', () => {
  for (const n of [0, 1, 7, 64, 255, 1000]) {
    const b = new Uint8Array(n).map((_x, i) => (i * 37 + n) & 255);
    assert.is(crc32(b, 0, b.length), zlibCrc32(b), 'length ' + n);
  }
});

// ---- the lab over a pty ----

const firmware: Record<string, string> = {};
async function bundle(board: 'node' | 'espruino'): Promise<string> {
  if (firmware[board]) return firmware[board];
  const b = await bundleFor(board, { file: `boards/${board}/firmware.ts` });
  assert.ok(b.ok, describeFailure(board, 'firmware.js', b).join('\n'));
  const path = join(tmp('fw'), 'firmware.js');
  writeFileSync(path, (b as { code: string }).code);
  return (firmware[board] = path);
}

/** lab.json cut after `lastStep` (the command steps, before the firmware image), as a file. */
function scenarioUpTo(lastStep: string): string {
  const full = JSON.parse(readFileSync(join(ROOT, 'scenarios', 'lab.json'), 'utf8'));
  const at = full.steps.findIndex((s: { id: string }) => s.id === lastStep);
  assert.ok(at > 0, lastStep);
  full.steps = full.steps.slice(0, at + 1);
  const path = join(tmp('scenario'), 'lab-part.json');
  writeFileSync(path, JSON.stringify(full));
  return path;
}

async function lab(scenarioPath: string, serial: Parameters<typeof runLab>[0]['serial']): Promise<LabRun> {
  const loaded = loadScenario(scenarioPath);
  assert.ok(loaded.ok);
  const rules = loadRulesConfig(join(ROOT, 'scenarios', 'dcc-rules.json'));
  assert.ok(rules.ok);
  if (!loaded.ok || !rules.ok) throw new Error('scenario');
  const lines: string[] = [];
  const run = await runLab({ scenario: loaded.scenario, out: tmp('lab'), progress: (l) => lines.push(l), rules: rules.config, serial });
  assert.ok('results' in run, (run as { reason: string }).reason + '\n' + lines.join('\n'));
  return run as LabRun;
}

function allAsExpected(run: LabRun): void {
  const failed = run.results.filter((r) => !r.passed).map((r) => r.index + ' ' + r.step.id + ': ' + r.differences.join('; '));
  assert.equal(failed, [], 'every step as expected');
  assert.ok(run.alertVerdicts.every((v) => v.ok), 'every alert verified');
}

const COMMANDS = scenarioUpTo('replayed-contingency');
let cleanLog: number | undefined;

test('lab over a pty: the Node board runs the whole scenario, factory over the management channel', async () => {
  const run = await lab(join(ROOT, 'scenarios', 'lab.json'), { board: 'node', bundle: await bundle('node') });
  allAsExpected(run);
  assert.is(run.results.length, 37);
  assert.ok(run.link, 'link figures');
  const l = run.link!;
  assert.is(l.harness.crcErrors + l.harness.malformed + l.board!.crcErrors + l.board!.malformed, 0, 'a clean line damages no frame');
  assert.ok(run.link!.harness.framesSent > 1000, 'the firmware image crossed in frames');
  assert.is(run.device.ds.privateKeyPem, '', 'the device keys never left the board');
});

test('lab over a pty, clean line, command steps: the security log length to compare with', async () => {
  const run = await lab(COMMANDS, { board: 'node', bundle: await bundle('node') });
  allAsExpected(run);
  cleanLog = run.link!.securityLog;
  assert.ok(cleanLog !== undefined && cleanLog > 0, 'the board reports its security log');
});

test('--port: the lab provisions and drives a board already on a port (a Node board on a pty made here)', async () => {
  const dir = tmp('port');
  const pty = await ptyPair(join(dir, 'pty'));
  const board = await startBoard('node', pty.board, join(dir, 'board'), await bundle('node'));
  try {
    const run = await lab(COMMANDS, { port: pty.harness });
    allAsExpected(run);
    assert.match(run.device.where, 'the board on ' + pty.harness);
  } finally {
    await board.stop();
    pty.stop();
  }
});

test('1% of bytes dropped or corrupted: 0 commands lost, none executed twice, retries counted', async () => {
  const run = await lab(COMMANDS, { board: 'node', bundle: await bundle('node'), faults: { rate: 0.01, seed: 5 } });
  allAsExpected(run); // a lost command would be a step without its response
  const l = run.link!;
  assert.ok(l.line!.dropped > 0 && l.line!.corrupted > 0, 'the line did damage');
  assert.ok(l.harness.retransmissions > 0 && (l.board?.retransmissions ?? 0) >= 0, 'retransmissions counted');
  assert.ok(l.harness.crcErrors + l.harness.malformed > 0 && l.board!.crcErrors + l.board!.malformed > 0, 'damaged frames counted both ends');
  // A command delivered twice would be refused by the device's counter check and logged as a replay.
  assert.is(l.securityLog, cleanLog, 'as many security events as on a clean line');
});

test('a board reset while a command crosses: the link re-synchronises, the command runs once', async () => {
  const run = await lab(COMMANDS, { board: 'node', bundle: await bundle('node'), resetDuring: 'disconnect' });
  allAsExpected(run); // disconnect accepted, the supply reads off, the replay of it refused
  assert.is(run.link!.securityLog, cleanLog, 'no replay logged');
});

test('the port vanishing (socat killed): a clear error, exit 1, the board\'s flash intact', async () => {
  const out = tmp('vanish');
  const scenario = COMMANDS;
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'smets.js'), 'lab', '--board', 'node', '--scenario', scenario, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  let killed = false;
  // Progress lines go to stderr, the summary to stdout.
  child.stderr.on('data', (d) => {
    stderr += d;
    if (!killed && /\[ ?5\/\d+\]/.test(stderr)) {
      killed = true;
      // socat is this run's: found by its pty path under the run's own folder, ended by its pid.
      const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(join(out, 'pty', 'board-tty'));
        } catch {
          return false;
        }
      });
      const socat = pids.find((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('socat'));
      assert.ok(socat, 'socat found');
      process.kill(Number(socat), 'SIGKILL');
    }
  });
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  assert.ok(killed, 'killed mid-run:\n' + stdout + stderr);
  assert.is(code, 1, stdout + stderr);
  assert.match(stderr, /the run stopped: at step \d+ .*the serial port \S*harness-tty (went away|failed)/, stderr);
  // The board's flash: a new board process on a fresh pty finds the device manufactured.
  const pty = await ptyPair(join(out, 'pty-after'));
  const board = await startBoard('node', pty.board, join(out, 'board'), await bundle('node'));
  const t = await openSerialTransport({ path: pty.harness });
  try {
    const st = await t.request('status');
    assert.is(st.manufactured, true, 'the device survived with its state');
  } finally {
    await t.close();
    await board.stop();
    pty.stop();
  }
});

test('smets flash --board espruino-host: written into Storage, the board\'s SHA-256 matches, it boots', async () => {
  const dir = tmp('flash');
  const fw = await bundle('espruino');
  const r = await captureRun(['flash', '--board', 'espruino-host', '--dir', dir, '--bundle', fw]);
  assert.is(r.code, 0, r.out);
  const sha = createHash('sha256').update(readFileSync(fw)).digest('hex');
  assert.match(r.out, 'board     SHA-256 ' + sha + ' (matches)');
  assert.match(r.out, /booted    smets \S+ on espruino: not manufactured, waiting/);
  assert.match(r.out, /flash: \d+ of \d+ bytes written \(100%\)/, 'progress shown');
  const bad = await captureRun(['flash', '--board', 'espruino']);
  assert.is(bad.code, 2, 'no port: a usage error');
  assert.match(bad.out, '--board espruino needs --port');
});

test('lab over a pty inside Espruino: the command steps against dist/espruino/firmware.js in the host binary', async () => {
  if (!existsSync(join(ENGINES_DIR, 'espruino'))) assert.unreachable('.engines/espruino is missing: run `npm run engines`');
  const run = await lab(COMMANDS, { board: 'espruino', bundle: await bundle('espruino') });
  allAsExpected(run);
  assert.match(run.device.where, 'inside the Espruino host binary');
});

test.run();
