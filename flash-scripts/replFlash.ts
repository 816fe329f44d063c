/**
 * Writing the firmware into an Espruino board's Storage through its console (the REPL), as the Espruino
 * IDE and the `espruino` command-line tool do (`npx espruino -p PORT --storage .bootcde:firmware.js`),
 * then proving it by hash and booting it, on a real board's console on a serial port (USB CDC or a UART:
 * `serialport`). The host binary (what CI runs) is written by `flashHost`: one engine run per chunk, the
 * same Storage calls, the same hash read back; its console on pipes lost long upload lines ("Execution
 * Interrupted"), so the console path is unproven here: no board is attached to this machine.
 *
 * Why not the `espruino` CLI itself: it needs a port (the host binary has only its standard streams), it
 * cannot read back a hash of what it wrote, and its upload is the same REPL calls; it remains the
 * manufacturer's alternative and is named in `smets flash --help`.
 *
 * Storage files (Espruino's boot order, jswrap_storage.c / "Saving code" in Espruino's documentation):
 *   .boot0    `var SMETS_SERIAL={baud:...}`: the firmware serves the link on Serial1 (boards/espruino/firmware.ts)
 *   .bootcde  dist/espruino/firmware.js, evaluated from flash at every power-on
 * @module
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { espruinoOutput, flashEspruino, spawnRun } from './hostEngines.ts';
import { SerialPort } from 'serialport';

/** A console: bytes in, bytes out. */
export interface Console {
  write(text: string): void;
  onData(handler: (text: string) => void): void;
  close(): Promise<void>;
  /** Set when the far end went away. */
  gone(): string | undefined;
}

export async function portConsole(path: string, baud: number): Promise<Console> {
  const port = new SerialPort({ path, baudRate: baud, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(new Error(`cannot open ${path}: ${e.message}`)) : resolve())));
  let gone: string | undefined;
  port.on('close', () => (gone = gone ?? `${path} closed`));
  port.on('error', (e) => (gone = `${path}: ${e.message}`));
  return {
    write: (t) => void port.write(Buffer.from(t, 'latin1')),
    onData: (h) => port.on('data', (d: Buffer) => h(d.toString('latin1'))),
    close: () => new Promise((r) => (port.isOpen ? port.close(() => r()) : r())),
    gone: () => gone,
  };
}

/** Sends one line of JavaScript and waits until the console's output matches `until`; returns the output. */
class Repl {
  private buffer = '';
  constructor(private readonly c: Console) {
    c.onData((t) => (this.buffer += t));
  }

  async run(line: string, until: RegExp, timeoutMs = 20_000): Promise<string> {
    this.buffer = '';
    this.c.write('\x10' + line + '\n'); // Ctrl-P: do not echo this line (Espruino's console)
    const t0 = Date.now();
    while (!until.test(this.buffer)) {
      const gone = this.c.gone();
      if (gone) throw new Error(gone);
      if (Date.now() - t0 > timeoutMs) throw new Error(`the board did not answer within ${timeoutMs} ms to: ${line.substring(0, 80)}${line.length > 80 ? '...' : ''}\n  it printed: ${JSON.stringify(this.buffer.slice(-300))}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.buffer;
  }

  text(): string {
    return this.buffer;
  }
}

export interface FlashResult {
  bytes: number;
  sha256: string;
  /** What the board read back: equal to sha256 when the write is good. */
  boardSha256: string;
  /** The firmware's first line at boot, when it was booted. */
  bootLine?: string;
}

const CHUNK = 768; // bytes per REPL line (1 KiB of base64), as the IDE sends its uploads in small lines

/**
 * Writes `firmware` as `.bootcde` (and `config` as `.boot0`), reads back its SHA-256 on the board, and,
 * with `boot`, runs it the way a power-on does and returns its first line.
 */
export async function flashOverRepl(c: Console, firmware: string, o: { config: string; boot: 'load' | false; progress: (line: string) => void }): Promise<FlashResult> {
  const repl = new Repl(c);
  // Wake the console: a newline, then a marker printed by the board.
  await repl.run('echo(0);print("smets-flash-ready")', /smets-flash-ready/, 15_000);
  const bytes = Buffer.from(firmware, 'latin1');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await repl.run('require("Storage").erase(".bootcde");require("Storage").erase(".boot0");print("erased")', /erased/);
  for (let off = 0; off < bytes.length; off += CHUNK) {
    const part = bytes.subarray(off, Math.min(bytes.length, off + CHUNK)).toString('base64');
    const call = off === 0
      ? `require("Storage").write(".bootcde",atob("${part}"),0,${bytes.length})`
      : `require("Storage").write(".bootcde",atob("${part}"),${off})`;
    const out = await repl.run(call + ';print("w' + off + '")', new RegExp('w' + off + '\\b|Error'));
    if (/Error/.test(out)) throw new Error('the board refused a write at ' + off + ': ' + out.trim().slice(0, 300));
    const done = Math.min(bytes.length, off + CHUNK);
    if (off === 0 || Math.floor(done / 16384) !== Math.floor(off / 16384) || done === bytes.length) o.progress(`flash: ${done} of ${bytes.length} bytes written (${Math.round((done * 100) / bytes.length)}%)`);
  }
  if (o.config) {
    const cfg = Buffer.from(o.config, 'latin1').toString('base64');
    await repl.run(`require("Storage").write(".boot0",atob("${cfg}"));print("cfg")`, /cfg/);
  }
  const out = await repl.run(
    'var h=new Uint8Array(require("crypto").SHA256(require("Storage").read(".bootcde"))),s="";for(var i=0;i<32;i++)s+=(h[i]+256).toString(16).substr(-2);print("sha256:"+s+":"+require("Storage").read(".bootcde").length)',
    /sha256:[0-9a-f]{64}:\d+/, 60_000);
  const m = /sha256:([0-9a-f]{64}):(\d+)/.exec(out)!;
  const result: FlashResult = { bytes: bytes.length, sha256, boardSha256: m[1] };
  if (m[1] !== sha256 || Number(m[2]) !== bytes.length) return result;
  o.progress('flash: the board read back SHA-256 ' + m[1] + ' over ' + m[2] + ' bytes: as written');
  if (o.boot) {
    o.progress('flash: booting the firmware from Storage');
    // load(): a soft restart that runs .boot0 then .bootcde, as at power-on, the console staying connected.
    let booted: string;
    try {
      booted = await repl.run('load()', /smets [^\r\n]*(waiting|serving GBCS[^\r\n]*)/, 120_000);
    } catch (e) {
      throw new Error('the firmware did not boot: ' + (e as Error).message);
    }
    result.bootLine = /smets [^\r\n]*(waiting|serving GBCS[^\r\n]*)/.exec(booted)![0];
  }
  return result;
}

/** The hex SHA-256 a board script prints (`sha256:<hex>:<length>`) of Storage file `name`. */
const HASH_SCRIPT = (name: string) =>
  `var h=new Uint8Array(require("crypto").SHA256(require("Storage").read(${JSON.stringify(name)}))),s="";for(var i=0;i<32;i++)s+=(h[i]+256).toString(16).substr(-2);print("sha256:"+s+":"+require("Storage").read(${JSON.stringify(name)}).length)`;

/**
 * The host binary's flash written the way flash-scripts/hostEngines.ts writes it: one engine run per chunk
 * (its console on pipes proved unreliable for long uploads: lines lost to "Execution Interrupted"), then a
 * run that prints the SHA-256 of what Storage holds, then a boot run (.boot0, .bootcde) until the
 * firmware's first line.
 */
export async function flashHost(binary: string, dir: string, firmware: string, o: { config: string; boot: boolean; progress: (line: string) => void }): Promise<FlashResult> {
  const bytes = Buffer.from(firmware, 'latin1');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  writeFileSync(join(dir, 'flash-step.js'), 'require("Storage").erase(".bootcde");require("Storage").erase(".boot0");');
  await spawnRun(binary, ['flash-step.js'], dir, 60_000);
  let last = 0;
  await flashEspruino(binary, dir, firmware, 60_000, '.bootcde', (done, total) => {
    if (Math.floor(done / 16384) !== Math.floor(last / 16384) || done === total) o.progress(`flash: ${done} of ${total} bytes written (${Math.round((done * 100) / total)}%)`);
    last = done;
  });
  if (o.config) {
    writeFileSync(join(dir, 'flash-step.js'), `require("Storage").write(".boot0",${JSON.stringify(o.config)});`);
    const w = await spawnRun(binary, ['flash-step.js'], dir, 60_000);
    if (w.code !== 0) throw new Error('writing .boot0 failed: ' + espruinoOutput(w.output));
  }
  writeFileSync(join(dir, 'flash-step.js'), HASH_SCRIPT('.bootcde'));
  const h = await spawnRun(binary, ['flash-step.js'], dir, 120_000);
  const m = /sha256:([0-9a-f]{64}):(\d+)/.exec(h.output);
  if (!m) throw new Error('the board printed no hash: ' + espruinoOutput(h.output).trim().slice(0, 300));
  const result: FlashResult = { bytes: bytes.length, sha256, boardSha256: Number(m[2]) === bytes.length ? m[1] : m[1] + ' (' + m[2] + ' bytes)' };
  if (result.boardSha256 !== sha256) return result;
  o.progress('flash: the board read back SHA-256 ' + m[1] + ' over ' + m[2] + ' bytes: as written');
  if (!o.boot) return result;
  o.progress('flash: booting the firmware from Storage (.boot0, then .bootcde, as at power-on)');
  writeFileSync(join(dir, 'boot.js'), 'eval(require("Storage").read(".boot0")||"");eval(require("Storage").read(".bootcde"));');
  const p = spawn(binary, ['boot.js'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d) => (out += d.toString('latin1')));
  p.stderr.on('data', (d) => (out += d.toString('latin1')));
  const BOOT = /smets [^\r\n]*(waiting|serving GBCS[^\r\n]*)/;
  const t0 = Date.now();
  while (!BOOT.test(out) && p.exitCode === null && Date.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 20));
  p.kill('SIGKILL');
  const line = BOOT.exec(out);
  if (!line) throw new Error('the firmware did not boot: ' + espruinoOutput(out).trim().slice(-400));
  result.bootLine = line[0];
  return result;
}
