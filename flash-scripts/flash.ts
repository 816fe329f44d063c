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
       npm run flash -- --board espruino-wifi [--bundle FILE]   (a real board: checks the fit, prints the steps)
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
if (board === 'espruino-wifi') {
  process.exit(realBoard(resolve(option('--bundle') ?? join(DIST, 'espruino', 'firmware.js'))));
}
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

/**
 * The real board, an Espruino WiFi (STM32F411CEU6: 512 KB flash, 128 KB RAM) running the engine that
 * build/board-stm32.sh cross-compiles (Espruino 2v29 with native P-256) and the meter firmware in its
 * Storage. This machine has no board attached, so this checks that firmware and engine fit and prints
 * what a manufacturer runs; exit 0 when they fit, 1 when not, 2 when the build is missing.
 */
function realBoard(bundle: string): number {
  const dir = join(ENGINES_DIR, 'stm32');
  const sizesFile = join(dir, 'sizes.txt');
  if (!existsSync(sizesFile) || !existsSync(bundle)) {
    console.error('flash: run `bash build/board-stm32.sh` (the engine) and `npm run build` (the firmware) first');
    return 2;
  }
  const sizes = readFileSync(sizesFile, 'utf8');
  const binLine = /binary: (\S+) (\d+) bytes/.exec(sizes);
  const limit = Number(/binary limit: (\d+) bytes/.exec(sizes)?.[1]);
  const storage = /storage: (\d+) bytes at (0x[0-9a-f]+)/.exec(sizes);
  const variables = Number(/variables: (\d+)/.exec(sizes)?.[1]);
  if (!binLine || !storage || !limit) {
    console.error('flash: ' + sizesFile + ' lacks the sizes');
    return 2;
  }
  const firmware = readFileSync(bundle).length;
  // Espruino's Storage: a 32-byte header per file (size and 28-byte name), files aligned to 4 bytes.
  const firmwareInStorage = 32 + Math.ceil(firmware / 4) * 4;
  const engineFits = Number(binLine[2]) <= limit;
  const firmwareFits = firmwareInStorage <= Number(storage[1]);
  console.log(`engine   ${binLine[1]}: ${binLine[2]} bytes of ${limit} (${engineFits ? 'fits' : 'DOES NOT FIT'})`);
  console.log(`firmware ${bundle}: ${firmware} bytes, ${firmwareInStorage} in Storage of ${storage[1]} at ${storage[2]} (${firmwareFits ? 'fits' : 'DOES NOT FIT'})`);
  console.log(`variables: ${variables} on the board (npm run bench reports the ESME's peak on the 12,000- and 5,100-variable host builds)`);
  console.log(`
To put it on a board (steps from Espruino's documentation for the Espruino WiFi; not run here, no board):
  1. Bootloader: hold the board's button while plugging it into USB (the LEDs pulse).
  2. Engine: write ${join(dir, binLine[1])} with the Espruino IDE (Settings > Flasher, advanced: a local
     file), or with the \`espruino\` command-line tool from npm. Release and re-plug the board.
  3. Firmware into Storage, run at every power-on from flash:
       npx espruino -p /dev/ttyACM0 --storage .bootcde:${bundle}
     (Storage file ".bootcde" is what Espruino evaluates at boot, from flash, as flash-scripts/hostEngines.ts
     does for the host build with "fw.js").
  4. Check: in the board's console, require("P256") exists and process.memory() shows the free variables.`);
  return engineFits && firmwareFits ? 0 : 1;
}
