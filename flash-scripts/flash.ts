/**
 * `npm run flash -- --board espruino|jerryscript [--bundle FILE] [--dir FOLDER] [--boot-only]`
 *
 * Puts a firmware build on a test board and boots it: what a manufacturer runs. For the host builds of
 * the engines (.engines/, `npm run engines`), the board's flash is the folder's `espruino.flash`
 * (Espruino) or memory (JerryScript). --dir keeps the flash between runs (a second run without
 * --bundle boots what is already flashed, as a board does at power-on). Exit code: 0 the firmware
 * booted and ran to its end, 1 it failed on the board, 2 usage or environment error.
 * @module
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { espruinoOutput, flashEspruino, runOnJerry } from './hostEngines.ts';
import { DIST, ENGINES_DIR } from '../build/paths.ts';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const USAGE = `usage: npm run flash -- --board espruino|jerryscript [--bundle FILE] [--dir FOLDER] [--boot-only]
  --board      the test board's engine
  --bundle     the build to flash (default dist/<board>/firmware.js; run \`npm run build\` first)
  --dir        the board's working folder, holding its flash (default: a new folder under ./out/boards)
  --boot-only  do not flash; boot what the board's flash already holds (Espruino)`;

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const board = option('--board');
if (board !== 'espruino' && board !== 'jerryscript') {
  console.error(USAGE);
  process.exit(2);
}
const bundle = resolve(option('--bundle') ?? join(DIST, board, 'firmware.js'));
const bootOnly = process.argv.includes('--boot-only');
if (!bootOnly && !existsSync(bundle)) {
  console.error(`flash: ${bundle} does not exist: run \`npm run build\` first`);
  process.exit(2);
}
const binary = join(ENGINES_DIR, board === 'espruino' ? 'espruino' : 'jerry');
if (!existsSync(binary)) {
  console.error(`flash: ${binary} does not exist: run \`npm run engines\` first`);
  process.exit(2);
}

if (board === 'jerryscript') {
  const r = await runOnJerry(binary, bundle, false);
  process.stdout.write(r.output);
  process.exit(r.code === 0 ? 0 : 1);
}

const dir = resolve(option('--dir') ?? join('out', 'boards', `espruino-${Date.now()}`));
mkdirSync(dir, { recursive: true });
if (!bootOnly) {
  const size = readFileSync(bundle).length;
  process.stderr.write(`flash: writing ${size} bytes of ${bundle} into ${join(dir, 'espruino.flash')}\n`);
  await flashEspruino(binary, dir, readFileSync(bundle, 'utf8'));
}
writeFileSync(join(dir, 'boot.js'), 'eval(require("Storage").read("fw.js"));');
process.stderr.write(`flash: booting (${dir})\n`);
const r = spawnSync(binary, ['boot.js'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'latin1' });
process.stdout.write(espruinoOutput((r.stdout ?? '') + (r.stderr ?? '')));
process.exit(r.status === 0 && !/Uncaught/.test(r.stdout ?? '') ? 0 : 1);
