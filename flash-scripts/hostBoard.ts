/**
 * A manufactured test board on the engines' host builds: the factory's state written into the board's
 * flash before the first boot, `dist/<board>/firmware.js` booted on it, frames waiting on its link, and
 * what the firmware sent read back from its output (boards/hostLink.ts: `SMETS_LINK_RX` in, `link-tx
 * <hex>` lines out).
 * - Espruino: the blobs go into the board's Storage (`espruino.flash` in the working folder), one engine
 *   run, as a programming jig writes a factory image; the firmware then runs from RAM, or from flash when
 *   it does not fit the variable pool (hostEngines.ts `runOnEspruino`), with the link's receive buffer
 *   set by the boot script.
 * - JerryScript: the stock `jerry` has no persistent flash; the image is a script run before the
 *   firmware (`SMETS_FLASH`), which the board loads into its memory flash at start-up.
 * @module
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { espruinoOutput, espruinoOutOfMemory, flashEspruino, spawnRun } from './hostEngines.ts';
import type { EngineRun } from './hostEngines.ts';

export interface HostBoot {
  /** The medium's blobs as the factory left them (journaledStorage names: `d.<key>`). */
  flash: Record<string, Uint8Array>;
  /** Frames waiting on the board's link at power-on. */
  rx: Uint8Array[];
  timeoutMs?: number;
}

export interface HostBootRun extends EngineRun {
  /** Frames the firmware sent on its link, in order. */
  tx: Uint8Array[];
  /** Espruino: where the firmware's source lived while it ran. */
  loadedFrom?: 'ram' | 'flash';
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function rxScript(rx: Uint8Array[]): string {
  return 'var SMETS_LINK_RX=' + JSON.stringify(rx.map(hex)) + ';\n';
}

/** The frames of `link-tx <hex>` lines. */
export function sentFrames(output: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const line of output.replace(/\r/g, '').split('\n')) {
    const m = /^link-tx ([0-9a-f]+)$/.exec(line.trim());
    if (m) out.push(new Uint8Array(Buffer.from(m[1], 'hex')));
  }
  return out;
}

export async function bootOnEspruino(binary: string, firmwarePath: string, o: HostBoot): Promise<HostBootRun> {
  const dir = mkdtempSync(join(tmpdir(), 'smets-espruino-board-'));
  const timeoutMs = o.timeoutMs ?? 600_000;
  try {
    const writes = Object.keys(o.flash).map((name) =>
      `S.write(${JSON.stringify(name)},atob(${JSON.stringify(Buffer.from(o.flash[name]).toString('base64'))}));`);
    writeFileSync(join(dir, 'factory.js'), 'var S=require("Storage");\n' + writes.join('\n') + '\nprint("factory: " + S.list().length + " blobs");\n');
    const f = await spawnRun(binary, ['factory.js'], dir, timeoutMs);
    if (f.code !== 0 || !/factory: \d+ blobs/.test(f.output)) throw new Error('bootOnEspruino: writing the factory image failed:\n' + espruinoOutput(f.output));
    const firmware = readFileSync(firmwarePath, 'utf8');
    writeFileSync(join(dir, 'run.js'), rxScript(o.rx) + firmware);
    let r = await spawnRun(binary, ['run.js'], dir, timeoutMs);
    let output = espruinoOutput(r.output);
    let loadedFrom: 'ram' | 'flash' = 'ram';
    if (espruinoOutOfMemory(output)) {
      // The factory image stays in flash beside the firmware; only the firmware file is (re)written.
      await flashEspruino(binary, dir, firmware);
      writeFileSync(join(dir, 'boot.js'), rxScript(o.rx) + 'eval(require("Storage").read("fw.js"));');
      r = await spawnRun(binary, ['boot.js'], dir, timeoutMs);
      output = espruinoOutput(r.output);
      loadedFrom = 'flash';
    }
    return { ...r, output, tx: sentFrames(output), loadedFrom };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function bootOnJerry(binary: string, firmwarePath: string, o: HostBoot): Promise<HostBootRun> {
  const dir = mkdtempSync(join(tmpdir(), 'smets-jerry-board-'));
  try {
    const image: Record<string, string> = {};
    for (const name of Object.keys(o.flash)) image[name] = hex(o.flash[name]);
    writeFileSync(join(dir, 'board.js'), 'var SMETS_FLASH=' + JSON.stringify(image) + ';\n' + rxScript(o.rx));
    // One realm, two files: the board's image and receive buffer, then the firmware.
    const r = await spawnRun(binary, [join(dir, 'board.js'), firmwarePath], dir, o.timeoutMs ?? 600_000);
    return { ...r, tx: sentFrames(r.output) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
