/**
 * The lab's bench for a board on a serial line, with no hardware: a pty pair from socat (Debian's `socat`),
 * the firmware bundle `dist/<board>/firmware.js` running as the board on one end (Node, or inside the
 * Espruino host binary, which opens the pty as its `Serial1`), the harness's serial transport on the
 * other. And the factory over the management channel: keys generated on the board, device certificates
 * from the test SMKI's Issuing DCA, the DCC's trust anchors, one commit, reboot.
 *
 * JerryScript has no board here: its host build has no timers and no input after start-up (it runs a
 * script to its end), so it cannot keep a link's retransmission timers nor hear the harness; a host
 * program built around the engine's C API could, and is not written.
 * @module
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST, ENGINES_DIR } from '../../build/paths.ts';
import { espruinoOutOfMemory, espruinoOutput, flashEspruino } from '../../flash-scripts/hostEngines.ts';
import { KEY_USAGE_DIGITAL_SIGNATURE as DS, KEY_USAGE_KEY_AGREEMENT as KA, KEY_USAGE_KEY_CERT_SIGN } from '../../gbcs/smki/certificate.ts';
import { fromHex } from '../../lib/bytes.ts';
import type { Party } from '../dcc/users.ts';
import type { TestSmki } from '../smki/testSmki.ts';
import type { SerialTransport } from '../transport/serial.ts';
import { FACTORY_SUBSCRIBER } from './factory.ts';
import type { DeviceCredentials } from './factory.ts';

export type SerialBoardKind = 'node' | 'espruino';

/** A socat pty pair: `board` and `harness` are the two device paths. */
export interface PtyPair {
  board: string;
  harness: string;
  process: ChildProcess;
  stop(): void;
}

export async function ptyPair(dir: string, names: [string, string] = ['board-tty', 'harness-tty']): Promise<PtyPair> {
  mkdirSync(dir, { recursive: true });
  const board = join(dir, names[0]);
  const harness = join(dir, names[1]);
  const p = spawn('socat', [`pty,raw,echo=0,link=${board}`, `pty,raw,echo=0,link=${harness}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr?.on('data', (d) => (err += d));
  const spawnError = new Promise<Error>((resolve) => p.on('error', resolve));
  for (let i = 0; i < 100 && !(existsSync(board) && existsSync(harness)); i++) {
    const e = await Promise.race([spawnError, new Promise((r) => setTimeout(r, 20))]);
    if (e instanceof Error) throw new Error(`socat: ${e.message} (install Debian's socat: apt-get install socat)`);
    if (p.exitCode !== null) throw new Error(`socat exited: ${err.trim()}`);
  }
  if (!existsSync(board)) throw new Error('socat made no pty pair in 2 s: ' + err.trim());
  return { board, harness, process: p, stop: () => { if (p.exitCode === null) p.kill('SIGTERM'); } };
}

/** A board process: the firmware bundle running on its engine with its line on `tty`. */
export interface BoardProcess {
  kind: SerialBoardKind;
  process: ChildProcess;
  /** What the engine printed (Espruino: banner and prompt removed when read through `output()`). */
  output(): string;
  /** Espruino: where the firmware's source lived (RAM, or flash when it did not fit the pool). */
  loadedFrom: 'ram' | 'flash' | 'node';
  stop(): Promise<void>;
}

function watch(p: ChildProcess): () => string {
  let out = '';
  p.stdout?.on('data', (d) => (out += d.toString('latin1')));
  p.stderr?.on('data', (d) => (out += d.toString('latin1')));
  return () => out;
}

function stopper(p: ChildProcess): () => Promise<void> {
  return () => new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    p.once('exit', () => resolve());
    p.kill('SIGKILL');
  });
}

/**
 * Starts `dist/<kind>/firmware.js` as the board on `tty`, its flash in `dir` (kept between starts: a
 * second start on the same folder is the board powered on again).
 */
export async function startBoard(kind: SerialBoardKind, tty: string, dir: string, bundle?: string): Promise<BoardProcess> {
  mkdirSync(dir, { recursive: true });
  const firmware = bundle ?? join(DIST, kind, 'firmware.js');
  if (!existsSync(firmware)) throw new Error(`${firmware} does not exist: run \`npm run build\` first`);
  if (kind === 'node') {
    const p = spawn(process.execPath, [firmware], { cwd: dir, env: { ...process.env, SMETS_SERIAL: tty, SMETS_STORAGE: join(dir, 'flash') }, stdio: ['ignore', 'pipe', 'pipe'] });
    return { kind, process: p, output: watch(p), loadedFrom: 'node', stop: stopper(p) };
  }
  const binary = join(ENGINES_DIR, 'espruino');
  if (!existsSync(binary)) throw new Error(`${binary} does not exist: run \`npm run engines\` first`);
  const preamble = `var SMETS_SERIAL=${JSON.stringify({ path: tty, baud: 115200 })};\n`;
  const code = readFileSync(firmware, 'utf8');
  // The firmware runs from RAM when the pool holds it, else from flash (flash-scripts/hostEngines.ts).
  // Espruino reads the pty only while its own standard input is an open pipe: it gets one, never written.
  writeFileSync(join(dir, 'run.js'), preamble + code);
  let p = spawn(binary, ['run.js'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = watch(p);
  let loadedFrom: 'ram' | 'flash' = 'ram';
  const started = Date.now();
  while (Date.now() - started < 5000 && p.exitCode === null && !/serving GBCS|not manufactured|OUT OF MEMORY|LOW_MEMORY|Uncaught/.test(out())) await new Promise((r) => setTimeout(r, 20));
  if (espruinoOutOfMemory(out())) {
    await stopper(p)();
    await flashEspruino(binary, dir, code);
    writeFileSync(join(dir, 'boot.js'), preamble + 'eval(require("Storage").read("fw.js"));');
    p = spawn(binary, ['boot.js'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    out = watch(p);
    loadedFrom = 'flash';
  }
  if (/Uncaught/.test(out())) throw new Error('the firmware failed on Espruino:\n' + espruinoOutput(out()));
  return { kind, process: p, output: () => espruinoOutput(out()), loadedFrom, stop: stopper(p) };
}

export interface SerialFactoryOrder {
  eui: string;
  smki: TestSmki;
  anchors: { recovery: Party; acb: Party; wanProvider: Party; transCoS: Party; networkOperator: Party };
  rootCertificate: Uint8Array;
  firmware?: { manufacturerKey: Uint8Array; capacity: number };
  progress?: (line: string) => void;
}

export type SerialFactoryResult = { ok: true; ds: DeviceCredentials; ka: DeviceCredentials; status: Record<string, unknown> } | { ok: false; step: string; reason: string };

const pemOf = (der: Uint8Array) => '-----BEGIN CERTIFICATE-----\n' + (Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? []).join('\n') + '\n-----END CERTIFICATE-----\n';

/**
 * The factory over the management channel: the board generates its key pairs and certification requests,
 * the Issuing DCA issues the device certificates, the board commits identity, certificates and the DCC's
 * trust anchors in one write, and reboots into the device. The private keys never leave the board.
 */
export async function manufactureOverLink(t: SerialTransport, o: SerialFactoryOrder): Promise<SerialFactoryResult> {
  const say = o.progress ?? (() => undefined);
  const st = await t.request('status');
  if (st.manufactured) return { ok: false, step: 'status', reason: 'the board is already manufactured (EUI ' + Buffer.from(st.eui as Uint8Array).toString('hex') + '): the lab needs a fresh board' };
  const reg = o.smki.registerSubscriber(FACTORY_SUBSCRIBER, 'manufacturer', ['ESME']);
  if (!reg.ok) return { ok: false, step: 'register manufacturer with the SMKI', reason: reg.reason };
  say('factory: generating the device key pairs on the board');
  // The factory's entropy seeds the board's DRBG (an MCU's own source is weak; Espruino's Linux build's is libc rand()).
  const keys = await t.request('keygen', { eui: fromHex(o.eui)!, seed: new Uint8Array(randomBytes(48)) }, 120_000);
  if (!keys.ok) return { ok: false, step: 'keygen', reason: String(keys.reason) };
  const creds: Record<'ds' | 'ka', DeviceCredentials> = {} as Record<'ds' | 'ka', DeviceCredentials>;
  for (const use of ['ds', 'ka'] as const) {
    const csr = new Uint8Array(keys[use + 'Request'] as Uint8Array);
    const cert = o.smki.requestDeviceCertificate({ subscriber: FACTORY_SUBSCRIBER, deviceType: 'ESME', csr });
    if (!cert.ok) return { ok: false, step: `device ${use.toUpperCase()} certificate from the Issuing DCA`, reason: cert.reason };
    creds[use] = { der: new Uint8Array(cert.der), pem: cert.pem || pemOf(new Uint8Array(cert.der)), privateKeyPem: '', publicKey: new Uint8Array(keys[use + 'Public'] as Uint8Array) };
  }
  const a = o.anchors;
  const anchor = (role: number, keyUsage: number, certificate: Uint8Array) => ({ role, keyUsage, cellUsage: 0, certificate });
  say('factory: writing identity, device certificates and the DCC trust anchors (one commit on the board)');
  const made = await t.request('provision', {
    eui: fromHex(o.eui)!, environment: 'test', dsCertificate: creds.ds.der, kaCertificate: creds.ka.der,
    anchors: [
      anchor(0, KEY_USAGE_KEY_CERT_SIGN, o.rootCertificate), anchor(1, DS, a.recovery.ds.certificate),
      anchor(3, DS, a.networkOperator.ds.certificate), anchor(3, KA, a.networkOperator.ka.certificate),
      anchor(4, DS, a.acb.ds.certificate), anchor(4, KA, a.acb.ka.certificate),
      anchor(5, DS, a.transCoS.ds.certificate), anchor(6, DS, a.wanProvider.ds.certificate),
    ],
    ...(o.firmware ? { manufacturerKey: o.firmware.manufacturerKey, capacity: o.firmware.capacity } : {}),
  }, 120_000);
  if (!made.ok) return { ok: false, step: 'provision' + (made.cell ? ' (' + made.cell + ')' : ''), reason: String(made.reason) };
  const rebooted = await t.request('reboot', {}, 60_000);
  if (!rebooted.ok) return { ok: false, step: 'reboot', reason: String(rebooted.reason) };
  const status = await t.request('status', {}, 60_000);
  if (!status.manufactured) return { ok: false, step: 'reboot', reason: 'the board did not come up manufactured' };
  return { ok: true, ds: creds.ds, ka: creds.ka, status };
}
