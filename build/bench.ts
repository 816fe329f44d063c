/**
 * `npm run bench`: speed and memory figures, measured in this run on every engine, printed as one
 * table (figure, engine, value, unit, ratio to Node, goal and whether it was met: build/benchReport.ts). Targets live here and in the closing notes,
 * never in timed unit tests (the machines are shared and noisy).
 *   portable figures: test/portable/**.bench.ts, bundled per board and run on Node, Espruino (flashed)
 *                     and JerryScript
 *   Node-only figures: bench/*.bench.ts exporting `nodeBenches`
 * Options: --only <regex> (figure names), --skip-engines.
 * @module
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runOnEspruino, runOnJerry, runOnNode } from '../flash-scripts/hostEngines.ts';
import { commandOptions } from '../harness/cli/options.ts';
import { ticker } from '../harness/cli/output.ts';
import { buildAll } from './bundle.ts';
import { benchReport } from './benchReport.ts';
import { DIST, ENGINES_DIR, ROOT, requireShared } from './paths.ts';

export interface NodeBench {
  name: string;
  unit: string;
  run(): number | Promise<number>;
}

interface Row {
  figure: string;
  engine: string;
  value: number | string;
  unit: string;
}

const HELP = `Usage: npm run bench [-- [--only REGEX] [--skip-engines]]
Speed and memory figures on Node, Espruino and JerryScript, one table with each engine's ratio to Node.
  --only REGEX    only the figures whose name matches
  --skip-engines  Node only
Each figure with a goal shows it and "met" or "MISSED"; the last line counts the goals met.
Exit codes: 0 measured and every goal met, 1 a goal missed, 2 bad options or ../shared missing.`;

const parsed = commandOptions('npm run bench', HELP, process.argv.slice(2), { options: ['only'], flags: ['skip-engines'] });
if ('exit' in parsed) process.exit(parsed.exit);
const only = parsed.values.only !== undefined ? new RegExp(parsed.values.only) : undefined;
const skipEngines = parsed.flags['skip-engines'] === true;
const rows: Row[] = [];
/** `--only fleet`: the fleet's figures alone (bench/fleet.bench.ts, Node only): no bundles, no engines. */
const nodeOnly = only !== undefined && /^\^?fleet\b/.test(only.source);

function parseBenchOutput(engine: string, output: string): void {
  for (const line of output.replace(/\r/g, '').split('\n')) {
    const m = /^bench: (.*) = (\S+) ?(.*)$/.exec(line.trim());
    if (m) rows.push({ figure: m[1], engine, value: m[2] === 'error' ? 'error: ' + m[3] : Number(m[2]), unit: m[2] === 'error' ? '' : m[3] });
    const mem = /^memory: peak (\d+) (\w+) of/.exec(line.trim());
    if (mem) rows.push({ figure: 'memory peak (bench bundle)', engine, value: Number(mem[1]), unit: mem[2] });
  }
}

requireShared('bench');
// --only picks the benches bundled, so an engine runs only those (a portable P-256 figure takes minutes on Espruino).
const built = nodeOnly ? { ok: true } : await buildAll(() => undefined, (name) => !only || only.test(name));
if (!built.ok) {
  console.error('bench: the build failed; run `npm run build` to see why');
  process.exit(2);
}
const benchFiles = (board: string) => readdirSync(join(DIST, board)).filter((f) => /^bench.*\.js$/.test(f)).sort();
const runTotal = (nodeOnly ? [] : ['node', 'espruino', 'jerryscript']).filter((b) => b === 'node' || !skipEngines).reduce((n, b) => n + benchFiles(b).length, 0);
let runIndex = 0;
for (const board of nodeOnly ? [] : ['node', 'espruino', 'jerryscript']) {
  const dir = join(DIST, board);
  for (const file of readdirSync(dir).filter((f) => /^bench.*\.js$/.test(f)).sort()) {
    if (board !== 'node' && skipEngines) continue;
    const path = join(dir, file);
    const tick = ticker(`bench: ${board}/${file} (${++runIndex} of ${runTotal} runs)`);
    if (board === 'node') parseBenchOutput('node', (await runOnNode(path)).output);
    else if (board === 'espruino') parseBenchOutput('espruino', (await runOnEspruino(join(ENGINES_DIR, 'espruino'), path)).output);
    else {
      const r = await runOnJerry(join(ENGINES_DIR, 'jerry'), path, true);
      parseBenchOutput('jerry', r.output);
      const peak = /Peak allocated = (\d+) bytes/.exec(r.output);
      if (peak) rows.push({ figure: 'memory peak (bench bundle)', engine: 'jerry', value: Number(peak[1]), unit: 'bytes' });
    }
    tick.stop();
  }
}
// Memory within a board's variable pool: the ESME self-test bundle (the device serving commands, run from
// flash as on a board) on the 12,000-variable build and on the 5,100-variable one (an Espruino Pico's pool),
// with native P-256. The figure is the self-test's peak after each case (garbage collected).
if (!skipEngines && !nodeOnly && (!only || only.test('memory peak, ESME self-test (selftest-device)'))) {
  for (const engine of ['espruino', 'espruino-5100']) {
    const binary = join(ENGINES_DIR, engine);
    if (!existsSync(binary)) {
      rows.push({ figure: 'memory peak, ESME self-test (selftest-device)', engine, value: 'error: ' + engine + ' missing (npm run engines)', unit: '' });
      continue;
    }
    const tick = ticker(`bench: espruino/selftest-device.js on ${engine} (minutes from flash)`);
    const r = await runOnEspruino(binary, join(DIST, 'espruino', 'selftest-device.js'), { load: 'flash' });
    const peak = /memory: peak (\d+) (\w+) of (\d+)/.exec(r.output);
    tick.stop();
    const closing = /(\d+) passed, (\d+) failed/.exec(r.output);
    const passed = r.code === 0 && closing !== null && closing[2] === '0';
    rows.push({
      figure: 'memory peak, ESME self-test (selftest-device)',
      engine,
      value: peak && passed ? Number(peak[1]) : 'error: ' + (closing ? closing[0] : 'no closing line') + (/OUT OF MEMORY|LOW_MEMORY/.test(r.output) ? ', out of memory' : ''),
      unit: peak ? peak[2] + ' of ' + peak[3] + ', ' + (r.ms / 1000).toFixed(0) + ' s from flash' : '',
    });
  }
}
const benchDir = join(ROOT, 'bench');
if (existsSync(benchDir)) {
  for (const file of readdirSync(benchDir).filter((f) => f.endsWith('.bench.ts')).sort()) {
    const mod = (await import(pathToFileURL(join(benchDir, file)).href)) as { nodeBenches?: NodeBench[] };
    for (const b of mod.nodeBenches ?? []) {
      if (only && !only.test(b.name)) continue;
      const tick = ticker(`bench: ${b.name}`);
      rows.push({ figure: b.name, engine: 'node', value: await b.run(), unit: b.unit });
      tick.stop();
    }
  }
}

const shown = rows.filter((r) => !only || only.test(r.figure));
const report = benchReport(shown);
for (const l of report.lines) console.log(l);
// Exit 1 when a goal is missed: the figures are still printed, and a script or CI sees it.
if (report.missed.length) process.exitCode = 1;
