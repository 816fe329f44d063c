/**
 * Putting a bundle on a board and running it, for the host builds of the engines (shared/engines):
 * the same steps a manufacturer takes with a test board, on this machine.
 *
 * Espruino, two ways to load (`load` option):
 * - 'flash': like the IDE's upload to a real board, the bundle is written into the board's Storage
 *   (flash; `espruino.flash` in the working folder on the Linux build) in chunks, one engine run per
 *   chunk, then a boot run evaluates it from flash. Source kept in flash costs far fewer variables than
 *   a script read into RAM (shared/engines/README.md: 3,681 against 9,960 for a 55 KB script), but on
 *   the host build it runs about 3.3x slower (29 ms against 8.7 ms per P-256 field multiply, measured):
 *   the interpreter reads its source through the emulated flash as it executes.
 * - 'ram': the engine runs the file, holding its source in RAM.
 * - 'auto' (default): RAM, and flash when the engine runs out of memory.
 * JerryScript: the stock `jerry` runs the file; `--mem-stats` reports the heap peak at exit.
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EngineRun {
  /** Exit code; null when killed by the time limit. */
  code: number | null;
  /** What the program printed, without the engine's banner and prompt. */
  output: string;
  ms: number;
  timedOut: boolean;
}

function run(binary: string, args: string[], cwd: string, timeoutMs: number): Promise<EngineRun> {
  return new Promise((resolve) => {
    const start = Date.now();
    // Espruino exits when its standard input closes; give it an empty one.
    const child = spawn(binary, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (out += d.toString('latin1')));
    child.stderr.on('data', (d) => (out += d.toString('latin1')));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? null : code, output: out, ms: Date.now() - start, timedOut });
    });
  });
}

/** Drops Espruino's start-up banner and its REPL prompt from the output. */
export function espruinoOutput(raw: string): string {
  const banner = raw.indexOf('http://espruino.com/Donate');
  let text = banner >= 0 ? raw.substring(raw.indexOf('\n', banner) + 1) : raw;
  text = text.replace(/^\n/, '').replace(/\n?>\s*$/, '\n');
  return text;
}

/** Storage file the bundle is written to (Espruino names are at most 28 characters). */
const FLASH_NAME = 'fw.js';
const CHUNK = 12 * 1024;

/**
 * Writes `code` into the board's flash in the working folder `dir`, chunk by chunk, as Storage file `name`
 * (default fw.js); `progress` hears each chunk.
 */
export async function flashEspruino(binary: string, dir: string, code: string, timeoutMs = 60_000, name = FLASH_NAME, progress?: (written: number, total: number) => void): Promise<void> {
  const FLASH_NAME = name;
  for (let offset = 0; offset < code.length; offset += CHUNK) {
    const chunk = code.substring(offset, offset + CHUNK);
    const call = offset === 0
      ? `require("Storage").write(${JSON.stringify(FLASH_NAME)},${JSON.stringify(chunk)},0,${code.length});`
      : `require("Storage").write(${JSON.stringify(FLASH_NAME)},${JSON.stringify(chunk)},${offset});`;
    writeFileSync(join(dir, 'flash-step.js'), call);
    const r = await run(binary, ['flash-step.js'], dir, timeoutMs);
    if (r.code !== 0) throw new Error(`flashEspruino: writing at ${offset} failed:\n${espruinoOutput(r.output)}`);
    progress?.(Math.min(code.length, offset + CHUNK), code.length);
  }
  writeFileSync(join(dir, 'flash-step.js'), `print(require("Storage").read(${JSON.stringify(FLASH_NAME)}).length)`);
  const check = await run(binary, ['flash-step.js'], dir, timeoutMs);
  if (espruinoOutput(check.output).trim() !== String(code.length)) {
    throw new Error(`flashEspruino: flash holds ${espruinoOutput(check.output).trim()} characters, expected ${code.length}`);
  }
}

export type EspruinoLoad = 'auto' | 'ram' | 'flash';

export interface RunOptions {
  timeoutMs?: number;
  /** Espruino only: where the bundle's source lives while it runs (default 'auto'). */
  load?: EspruinoLoad;
  /** Working folder (Espruino keeps its flash there); a fresh temporary one when omitted. */
  dir?: string;
}

/** Espruino's words when its variable pool runs out (it still exits 0). */
export function espruinoOutOfMemory(output: string): boolean {
  return /OUT OF MEMORY|LOW_MEMORY/.test(output);
}

/** Runs a bundle on a fresh host Espruino, from RAM or flashed (see `load`); says which in `loadedFrom`. */
export async function runOnEspruino(
  binary: string,
  bundlePath: string,
  options: RunOptions = {},
): Promise<EngineRun & { loadedFrom: 'ram' | 'flash' }> {
  const load = options.load ?? 'auto';
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'smets-espruino-'));
  try {
    if (load !== 'flash') {
      const r = await run(binary, [bundlePath], dir, options.timeoutMs ?? 600_000);
      const output = espruinoOutput(r.output);
      if (load === 'ram' || !espruinoOutOfMemory(output)) return { ...r, output, loadedFrom: 'ram' };
      rmSync(join(dir, 'espruino.flash'), { force: true });
    }
    await flashEspruino(binary, dir, readFileSync(bundlePath, 'utf8'));
    writeFileSync(join(dir, 'boot.js'), `eval(require("Storage").read(${JSON.stringify(FLASH_NAME)}));`);
    const r = await run(binary, ['boot.js'], dir, options.timeoutMs ?? 600_000);
    return { ...r, output: espruinoOutput(r.output), loadedFrom: 'flash' };
  } finally {
    if (!options.dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a bundle on the host JerryScript; `memStats` adds the heap report at exit. */
export async function runOnJerry(binary: string, bundlePath: string, memStats: boolean, options: RunOptions = {}): Promise<EngineRun> {
  const args = memStats ? ['--mem-stats', bundlePath] : [bundlePath];
  return run(binary, args, options.dir ?? tmpdir(), options.timeoutMs ?? 600_000);
}

/** Jerry's heap peak in bytes from `--mem-stats` output. */
export function jerryPeakBytes(output: string): number | undefined {
  const m = /Peak allocated = (\d+) bytes/.exec(output);
  return m ? Number(m[1]) : undefined;
}

export function runOnNode(bundlePath: string, options: RunOptions = {}): Promise<EngineRun> {
  return run(process.execPath, [bundlePath], options.dir ?? tmpdir(), options.timeoutMs ?? 600_000);
}

/** The engine runner itself, for scripts that lay out the working folder their own way (hostBoard.ts). */
export { run as spawnRun };
