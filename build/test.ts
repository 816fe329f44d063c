/**
 * `npm test`: everything that says the project works, on every engine, from a fresh clone.
 *   1. the engines (build/engines.sh: built from ../shared/engines the first time, about 30 s on 2 cores;
 *      kept in .engines/ and reused after), first because uvu's engine compatibility tests run Espruino
 *   2. typecheck (tsc, strict)
 *   3. uvu on Node (test/**.test.ts, which include the portable suites under Node)
 *   4. build every board bundle (fails on constructs an engine lacks)
 *   5. each self-test bundle on its engine, two at a time (this machine has 2 cores), the slowest
 *      first: Espruino (12,000-variable pool, pass/fail; and the resizable build for the memory
 *      figure), JerryScript (256 KiB heap, --mem-stats peak) and Node. One line per bundle as it ends.
 * Ends with one line `N passed, M failed` over all of it; exit code 1 when anything failed.
 * Options: --skip-engines (no engine self-tests), --only <regex> (the uvu files and the engines' self-test
 * bundles whose names match it, e.g. `--only gsme`: test/device-gsme.test.ts and selftest-gsme.js on every
 * engine; the real-board build is skipped).
 * @module
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { jerryPeakBytes, runOnEspruino, runOnJerry, runOnNode } from '../flash-scripts/hostEngines.ts';
import type { EngineRun } from '../flash-scripts/hostEngines.ts';
import { BOARDS, buildAll } from './bundle.ts';
import { commandOptions } from '../harness/cli/options.ts';
import { jobProgress } from '../harness/cli/output.ts';
import { DIST, ENGINES_DIR, ROOT, requireShared } from './paths.ts';

const HELP = `Usage: npm test [-- [--skip-engines] [--only REGEX]]
Engines (built once into .engines/), typecheck, the board bundles, uvu on Node, then every self-test
bundle on its engine; ends with "N passed, M failed".
  --skip-engines  stop after the build: no self-tests on the engines
  --only REGEX    only the uvu files and the self-test bundles matching REGEX (no real-board build)
Exit codes: 0 everything passed, 1 something failed, 2 bad options or ../shared missing.`;

const parsed = commandOptions('npm test', HELP, process.argv.slice(2), { options: ['only'], flags: ['skip-engines'] });
if ('exit' in parsed) process.exit(parsed.exit);
const skipEngines = parsed.flags['skip-engines'] === true;
const only = parsed.values.only;

interface Tally {
  passed: number;
  failed: number;
}
const total: Tally = { passed: 0, failed: 0 };
const failures: string[] = [];

function step(title: string): void {
  console.log(`\n== ${title}`);
}

/** Runs a command with its output passed through, returning its exit code and output. */
function passthrough(cmd: string, cmdArgs: string[]): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = spawn(cmd, cmdArgs, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      output += d;
      process.stderr.write(d);
    });
    child.on('close', (code) => done({ code: code ?? 1, output }));
  });
}

/** Counts from a runner's closing `N passed, M failed` line. */
function closingCounts(output: string): Tally | undefined {
  const lines = output.replace(/\r/g, '').trim().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^(\d+) passed, (\d+) failed/.exec(lines[i].trim());
    if (m) return { passed: Number(m[1]), failed: Number(m[2]) };
  }
  return undefined;
}

/** build/engines.sh: builds what is missing or was built with other settings, keeps the rest (well under a second then). */
async function enginesReady(): Promise<boolean> {
  step('engines (.engines/: built from ../shared/engines when missing, then reused)');
  const built = await passthrough('bash', [resolve(ROOT, 'build/engines.sh')]);
  if (built.code === 0) return true;
  total.failed++;
  failures.push('engines could not be built');
  return false;
}

async function typecheck(): Promise<void> {
  step('typecheck (tsc --noEmit, strict)');
  const tsc = resolve(ROOT, 'node_modules/typescript/bin/tsc');
  const r = await passthrough(process.execPath, [tsc, '--noEmit', '-p', ROOT]);
  if (r.code === 0) {
    console.log('typecheck: clean');
    total.passed++;
  } else {
    total.failed++;
    failures.push('typecheck');
  }
}

async function uvu(): Promise<void> {
  step('uvu on Node');
  const pattern = only ?? '\\.test\\.ts$';
  const r = await passthrough(process.execPath, ['--import', 'tsx', resolve(ROOT, 'node_modules/uvu/bin.js'), 'test', pattern]);
  const plain = r.output.replace(/\x1b\[[0-9;]*m/g, '');
  const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const tests = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  total.passed += passed;
  total.failed += tests - passed;
  if (r.code !== 0) {
    if (tests === passed) total.failed++; // a file that crashed before its tests counted
    failures.push('uvu');
  }
}

interface EngineJob {
  label: string;
  board: string;
  bundle: string;
  run: () => Promise<EngineRun>;
  memory: (r: EngineRun) => string;
  /** Only for the memory figure; its pass/fail is not counted twice. */
  measureOnly?: boolean;
  /** A job to queue after this one, given its run. */
  followUp?: (r: EngineRun) => EngineJob | undefined;
}

/** Espruino bundles that pass within this time are run again on espruino-free for the memory figure. */
const ESPRUINO_FREE_RERUN_MS = 60_000;

function engineJobs(): EngineJob[] {
  const jobs: EngineJob[] = [];
  const espruino = join(ENGINES_DIR, 'espruino');
  const espruinoFree = join(ENGINES_DIR, 'espruino-free');
  const jerry = join(ENGINES_DIR, 'jerry');
  for (const board of BOARDS) {
    const dir = join(DIST, board);
    for (const file of readdirSync(dir).filter((f) => /^selftest.*\.js$/.test(f) && (!only || new RegExp(only).test(f))).sort()) {
      const path = join(dir, file);
      const memoryLine = (r: EngineRun & { loadedFrom?: string }) =>
        (/memory: (.*)/.exec(r.output)?.[1]?.trim() ?? 'n/a') + (r.loadedFrom ? `, loaded from ${r.loadedFrom}` : '');
      if (board === 'node') {
        jobs.push({ label: 'node', board, bundle: file, run: () => runOnNode(path), memory: memoryLine });
      } else if (board === 'espruino') {
        jobs.push({
          label: 'espruino', board, bundle: file, run: () => runOnEspruino(espruino, path), memory: memoryLine,
          // The resizable build gives the memory figure (shared/engines/README.md); it is run again only
          // where that is cheap, or to tell how many variables a failing bundle would need.
          followUp: (r) => (r.ms < ESPRUINO_FREE_RERUN_MS || r.code !== 0
            ? { label: 'espruino-free', board, bundle: file, measureOnly: true, run: () => runOnEspruino(espruinoFree, path), memory: memoryLine }
            : undefined),
        });
      } else {
        jobs.push({
          label: 'jerry', board, bundle: file, run: () => runOnJerry(jerry, path, true),
          memory: (r) => (jerryPeakBytes(r.output) !== undefined ? `peak ${jerryPeakBytes(r.output)} bytes of 262144 heap` : 'n/a'),
        });
      }
    }
  }
  // Longest first, so that neither core idles at the end while the other runs a long job. The times of
  // the last run (kept beside the engines; on a fresh clone, build/selftest-times.json) give the order;
  // a job neither knows (a new bundle) goes first, and among those Espruino, by far the slowest engine (a P-256 field multiply takes 3,000 times Node's), then JerryScript, and
  // within an engine the larger bundles, which hold the longer suites (the device suites).
  const last = lastTimes();
  const weight = (j: EngineJob) => ({ espruino: 2, jerryscript: 1 })[j.board] ?? 0;
  const bytes = (j: EngineJob) => statSync(join(DIST, j.board, j.bundle)).size;
  const known = (j: EngineJob) => last[j.label + ' ' + j.bundle] ?? Number.MAX_SAFE_INTEGER;
  return jobs.sort((a, b) => known(b) - known(a) || weight(b) - weight(a) || bytes(b) - bytes(a) || (a.bundle < b.bundle ? -1 : 1));
}

/** Where each engine job's time of the last run is kept, to order the next run longest first. */
const TIMES_FILE = join(ENGINES_DIR, 'selftest-times.json');
/** The times of a measured run, committed, for a fresh clone (only the order depends on them). */
const MEASURED_TIMES_FILE = join(ROOT, 'build', 'selftest-times.json');

function lastTimes(): Record<string, number> {
  for (const file of [TIMES_FILE, MEASURED_TIMES_FILE]) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
    } catch {
      // not there (a fresh clone has no .engines/ yet): the next one
    }
  }
  return {}; // neither: engine and size order
}

/** Runs engine jobs two at a time (this machine has 2 cores), reporting each as it ends. */
async function engines(): Promise<void> {
  step('engine self-tests (two at a time, the slowest first)');
  const jobs = engineJobs();
  const times: Record<string, number> = {};
  const before = lastTimes();
  // Minutes per job: a line as each starts, and every 30 s which are running (stderr, whole lines).
  const progress = jobProgress('engine self-tests', jobs.length, { everyMs: 30_000 });
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      const name = job.label + ' ' + job.bundle;
      progress.start(name, before[name]);
      const r = await job.run();
      progress.finish(name);
      times[job.label + ' ' + job.bundle] = r.ms;
      const out = r.output.replace(/\r/g, '');
      const counts = closingCounts(out);
      const ok = r.code === 0 && counts !== undefined && counts.failed === 0;
      const summary = counts ? `${counts.passed} passed, ${counts.failed} failed` : 'no closing line';
      console.log(
        `${job.label.padEnd(14)} ${job.bundle.padEnd(28)} ${ok ? 'ok  ' : 'FAIL'} ${summary.padEnd(22)} ` +
          `${(r.ms / 1000).toFixed(1).padStart(6)} s  memory: ${job.memory(r)}${r.timedOut ? '  (timed out)' : ''}`,
      );
      if (!ok) {
        for (const line of out.split('\n').filter((l) => /FAIL|Error|error/.test(l)).slice(0, 20)) console.log('    ' + line);
      }
      const rerun = job.followUp?.(r);
      if (rerun) {
        jobs.push(rerun);
        progress.more(1);
      }
      else if (job.label === 'espruino') console.log(`    (memory figure from the 12,000-variable run: the bundle ran ${(r.ms / 1000).toFixed(0)} s)`);
      if (job.measureOnly) {
        if (!ok) console.log(`    (${job.label} is run for its memory figure; its failure above is not counted)`);
        continue;
      }
      if (counts) {
        total.passed += counts.passed;
        total.failed += counts.failed;
      }
      if (!ok) {
        if (!counts || counts.failed === 0) total.failed++;
        failures.push(`${job.label} ${job.bundle}`);
      }
    }
  };
  await Promise.all([worker(), worker()]);
  progress.stop();
  writeFileSync(TIMES_FILE, JSON.stringify(times, null, 1) + '\n');
}

/** How long each step took, for the closing line (README gives these figures). */
const durations: string[] = [];
async function timed<T>(name: string, work: () => Promise<T>): Promise<T> {
  const at = Date.now();
  const r = await work();
  durations.push(`${name} ${((Date.now() - at) / 1000).toFixed(0)} s`);
  return r;
}

/**
 * The real-board build (issue: a firmware build for a real board): Espruino for the Espruino WiFi
 * cross-compiled with native P-256 (build/board-stm32.sh, reused when unchanged), then the check that
 * engine and firmware.js fit its flash (`npm run flash -- --board espruino-wifi`). Without Debian's ARM
 * toolchain a developer's run says so and goes on; under CI (CI=true, where .ci/run installs it) that
 * is a failure.
 */
async function realBoard(): Promise<void> {
  step('real board (Espruino WiFi, STM32F411: cross-build with native P-256, then the fit check)');
  if (spawnSync('arm-none-eabi-gcc', ['--version']).status !== 0) {
    const why = 'arm-none-eabi-gcc is missing (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)';
    if (process.env.CI === 'true') {
      console.log('real board: ' + why);
      total.failed++;
      failures.push('real board');
    } else console.log('real board: skipped, ' + why);
    return;
  }
  const cross = await passthrough('bash', [resolve(ROOT, 'build/board-stm32.sh')]);
  const fit = cross.code === 0 ? await passthrough(process.execPath, ['--import', 'tsx', resolve(ROOT, 'flash-scripts/flash.ts'), '--board', 'espruino-wifi']) : cross;
  if (fit.code === 0) total.passed++;
  else {
    total.failed++;
    failures.push('real board');
  }
}

requireShared('test');
const started = Date.now();
const haveEngines = await timed('engines', enginesReady);
await timed('typecheck', typecheck);
// The build comes before uvu: tests that run a board process (test/serial.test.ts's `smets lab --board node`)
// take dist/<board>/firmware.js, as a user's run does after `npm run build`.
const built = await timed('build', async () => {
  step('build (per-board bundles, engine compatibility check)');
  return buildAll();
});
for (const f of built.files) console.log(`${f.board.padEnd(12)} ${f.name.padEnd(28)} ${(f.bytes / 1024).toFixed(1).padStart(7)} KiB`);
await timed('uvu', uvu);
if (!built.ok) {
  total.failed++;
  failures.push('build');
} else {
  if (!skipEngines && !only) await timed('real board', realBoard);
  if (!skipEngines && haveEngines) await timed('engine self-tests', engines);
}
console.log(`\n== done in ${((Date.now() - started) / 1000).toFixed(0)} s (${durations.join(', ')})${failures.length ? '; failed: ' + failures.join(', ') : ''}`);
console.log(`${total.passed} passed, ${total.failed} failed`);
process.exitCode = total.failed > 0 ? 1 : 0;
