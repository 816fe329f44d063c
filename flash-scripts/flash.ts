/**
 * `npm run flash -- --board espruino|jerryscript [--bundle FILE] [--dir FOLDER] [--boot-only]`
 *
 * Puts a firmware build on a test board and boots it: what a manufacturer runs. For the host builds of
 * the engines (.engines/, `npm run engines`), the board's flash is the folder's `espruino.flash`
 * (Espruino) or memory (JerryScript). --dir keeps the flash between runs (a second run with
 * --boot-only boots what is already flashed, as a board does at power-on). Exit code: 0 the firmware
 * booted and ran to its end, 1 it failed on the board, 2 usage or environment error.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST, ENGINES_DIR } from '../build/paths.ts';
import { commandOptions } from '../harness/cli/options.ts';
import { espruinoOutput, flashEspruino, runOnJerry } from './hostEngines.ts';

const USAGE = `Usage: npm run flash -- --board espruino|jerryscript [--bundle FILE] [--dir FOLDER] [--boot-only]
       npm run flash -- --board espruino-wifi [--bundle FILE]   (a real board: checks the fit, prints the steps)
  --board      the test board's engine
  --bundle     the build to flash (default dist/<board>/firmware.js; run \`npm run build\` first)
  --dir        the board's working folder, holding its flash (default: a new folder under ./out/boards)
  --boot-only  do not flash; boot what the board's flash already holds (Espruino)
Exit codes: 0 the firmware booted and ran to its end, 1 it failed on the board, 2 usage or environment error.`;

/** `npm run flash`; the exit code. */
export async function flashMain(args: string[]): Promise<number> {
  const parsed = commandOptions('npm run flash', USAGE, args, { options: ['board', 'bundle', 'dir'], flags: ['boot-only'] });
  if ('exit' in parsed) return parsed.exit;
  const board = parsed.values.board;
  if (board === 'espruino-wifi') return realBoard(resolve(parsed.values.bundle ?? join(DIST, 'espruino', 'firmware.js')));
  if (board !== 'espruino' && board !== 'jerryscript') {
    console.error(`npm run flash: --board is espruino, jerryscript or espruino-wifi${board ? `, got ${JSON.stringify(board)}` : ''}\n(npm run flash -- --help)`);
    return 2;
  }
  const bootOnly = parsed.flags['boot-only'] === true;
  if (bootOnly && board !== 'espruino') {
    console.error('npm run flash: --boot-only is for espruino, whose flash survives between runs');
    return 2;
  }
  const dir = resolve(parsed.values.dir ?? join('out', 'boards', `espruino-${Date.now()}`));
  if (bootOnly && !existsSync(join(dir, 'espruino.flash'))) {
    console.error(`npm run flash: --boot-only: ${join(dir, 'espruino.flash')} does not exist (flash once without --boot-only, with the same --dir)`);
    return 2;
  }
  const bundle = resolve(parsed.values.bundle ?? join(DIST, board, 'firmware.js'));
  if (!bootOnly && !existsSync(bundle)) {
    console.error(`npm run flash: ${bundle} does not exist: run \`npm run build\` first`);
    return 2;
  }
  const binary = join(ENGINES_DIR, board === 'espruino' ? 'espruino' : 'jerry');
  if (!existsSync(binary)) {
    console.error(`npm run flash: ${binary} does not exist: run \`npm run engines\` first`);
    return 2;
  }

  if (board === 'jerryscript') {
    const r = await runOnJerry(binary, bundle, false);
    process.stdout.write(r.output);
    return r.code === 0 ? 0 : 1;
  }

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
  return r.status === 0 && !/Uncaught/.test(r.stdout ?? '') ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await flashMain(process.argv.slice(2));
}

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
