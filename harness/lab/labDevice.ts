/**
 * Where the lab's ESME lives, and how the lab reaches it: the DCC player talks to a `Transport` either
 * way; only the factory, the clock steps and the RTC wake-up differ.
 * - in process: a Node board in this process, manufactured by calling the device's factory entry and
 *   powered on through `boot`, its link an in-process memory link (the default lab).
 * - on a serial line: `dist/<board>/firmware.js` on a board process (Node, or the Espruino host binary)
 *   on a socat pty pair, or a real board on `--port`; factory, clock and wake-up over the management
 *   channel (serialBench.ts, device/management.ts).
 * @module
 */
import { join } from 'node:path';
import { memoryLinkPair } from '../../boards/memoryLink.ts';
import { nodeBoard } from '../../boards/node/index.ts';
import { boot } from '../../device/index.ts';
import type { SmetsDevice } from '../../device/index.ts';
import type { Link } from '../../boards/board.ts';
import type { Party } from '../dcc/users.ts';
import type { TestSmki } from '../smki/testSmki.ts';
import { inProcessTransport } from '../transport/inProcess.ts';
import { openSerialTransport } from '../transport/serial.ts';
import type { SerialTransport } from '../transport/serial.ts';
import type { Transport } from '../transport/transport.ts';
import { manufactureEsme } from './factory.ts';
import type { DeviceCredentials } from './factory.ts';
import { faultProxy } from './lineFaults.ts';
import type { FaultProxy, LineFaults } from './lineFaults.ts';
import { manufactureOverLink, ptyPair, startBoard } from './serialBench.ts';
import type { BoardProcess, PtyPair, SerialBoardKind } from './serialBench.ts';

export interface LabDevice {
  transport: Transport;
  made: { ds: DeviceCredentials; ka: DeviceCredentials };
  /** Where the device's flash is. */
  storage: string;
  describe: string;
  /** The board and the transport, one line for the summary. */
  where: string;
  /** The board's clock runs this far ahead of the machine's (the lab's clock steps). */
  setClockOffset(ms: number): Promise<void>;
  /** The board's RTC wake-up: future-dated actions now due. */
  tick(): Promise<void>;
  close(): Promise<void>;
  /** In this process: the ESME's end of its link and the device, for a premises whose hub takes that link
   * (the HAN) instead of a transport. Absent on a serial line. */
  inProcess?: { link: Link; device: () => SmetsDevice };
  /** The serial transport, when there is one (link figures). */
  serial?: SerialTransport;
  boardProcess?: BoardProcess;
  /** The bad line's counts, when there is one. */
  lineFaults?: FaultProxy;
  /** The next command sent is cut by a board reset (SerialLabOptions.resetDuring); resolves with the count of resets so far. */
  armReset?(): void;
  resets?(): number;
}

export interface LabFactory {
  out: string;
  eui: string;
  smki: TestSmki;
  anchors: { recovery: Party; acb: Party; wanProvider: Party; transCoS: Party; networkOperator: Party };
  rootCertificate: Uint8Array;
  firmware: { manufacturerKey: Uint8Array; capacity: number };
}

export type LabDeviceResult = { ok: true; device: LabDevice } | { ok: false; reason: string };

export function inProcessLabDevice(f: LabFactory & { nowMs: () => number }): LabDeviceResult {
  const link = memoryLinkPair();
  const storage = join(f.out, 'device-' + f.eui.toLowerCase());
  const board = nodeBoard({ storageDir: storage, link: link.device, log: () => undefined, clock: { nowSec: () => Math.floor(f.nowMs() / 1000) } });
  const made = manufactureEsme({ eui: f.eui, deviceType: 'ESME', board, smki: f.smki, rootCertificate: f.rootCertificate, anchors: f.anchors, firmware: f.firmware });
  if (!made.ok) return { ok: false, reason: 'the factory failed at "' + made.step + '": ' + made.reason };
  const booted = boot(board);
  if (!booted.manufactured) return { ok: false, reason: 'the device did not boot as manufactured' };
  const device = booted.device;
  let transport: Transport | undefined;
  return {
    ok: true,
    device: {
      // Made on first use: a premises lab gives the link to the hub's HAN instead, and one link has one reader.
      get transport() {
        if (!transport) transport = inProcessTransport(link.host);
        return transport;
      },
      inProcess: { link: link.host, device: () => device },
      made, storage, where: '(simulated, Node board) <- in-process transport <- DCC player',
      describe: 'factory made ESME ' + f.eui + ' on the node board (keys generated on the board, device certificates from Issuing DCA, DCC trust anchors installed; state in ' + storage + '); board powered on, the device serves GBCS on its link',
      setClockOffset: async () => undefined, // the board's clock reads the lab's
      tick: async () => {
        device.tick();
      },
      close: async () => undefined,
    },
  };
}

export interface SerialLabOptions {
  /** A board process on a pty pair made here, or a board already on `port`. */
  board?: SerialBoardKind;
  port?: string;
  baud?: number;
  /** How long the board may take to answer a GBCS frame (default: 2 s Node, 20 s Espruino). */
  answerWindowMs?: number;
  /** A bad line: a proxy between the board's pty pair and the harness's drops and corrupts bytes (lineFaults.ts). */
  faults?: LineFaults;
  /** The firmware bundle (default dist/<board>/firmware.js). */
  bundle?: string;
  /** Power-cycle the board (kill its process, start it again on its flash) while this step's command crosses the line. */
  resetDuring?: string;
}

/** The ESME on a serial line: the board started (or found on --port), manufactured over the management channel. */
export async function serialLabDevice(s: SerialLabOptions, f: LabFactory & { progress: (line: string) => void }): Promise<LabDeviceResult> {
  let pty: PtyPair | undefined;
  let pty2: PtyPair | undefined;
  let proxy: FaultProxy | undefined;
  let board: BoardProcess | undefined;
  let transport: SerialTransport | undefined;
  const cleanup = async () => {
    await transport?.close().catch(() => undefined);
    await board?.stop();
    await proxy?.close();
    pty?.stop();
    pty2?.stop();
  };
  try {
    let path = s.port;
    let where: string;
    const storage = join(f.out, 'board');
    if (!path) {
      const kind = s.board ?? 'node';
      pty = await ptyPair(join(f.out, 'pty'));
      board = await startBoard(kind, pty.board, storage, s.bundle);
      path = pty.harness;
      if (s.faults) {
        pty2 = await ptyPair(join(f.out, 'pty2'), ['line-tty', 'harness-tty']);
        proxy = await faultProxy(pty.harness, pty2.board, s.faults);
        path = pty2.harness;
        f.progress('setup: a bad line between them: ' + (s.faults.rate * 100) + '% of bytes dropped or corrupted (seed ' + (s.faults.seed ?? 1) + ')');
      }
      where = kind === 'node' ? 'dist/node/firmware.js on Node' : 'dist/espruino/firmware.js inside the Espruino host binary (from ' + board.loadedFrom + ')';
      f.progress('setup: board ' + where + ' on ' + pty.board + ', the harness on ' + pty.harness + ' (socat pty pair)');
    } else where = 'the board on ' + path;
    // On a bad line: frames of 64 bytes (at 1% byte errors about half arrive whole, against a quarter of 128-byte
    // ones) and a longer answer window (lost acknowledgements cost retransmission timeouts).
    transport = await openSerialTransport({
      path, baud: s.baud, answerWindowMs: s.answerWindowMs ?? (s.board === 'espruino' ? 120_000 : s.faults ? 10_000 : 2_000),
      ...(s.faults ? { link: { fragment: 64 } } : {}),
    });
    transport.onLog((line) => f.progress('  board: ' + line));
    const made = await manufactureOverLink(transport, { ...f, progress: (l) => f.progress('setup: ' + l) });
    if (!made.ok) throw new Error('the factory failed at "' + made.step + '": ' + made.reason);
    const t = transport;
    let armed = false;
    let resets = 0;
    const boardTty = pty?.board;
    // The DCC's view of the line: the serial transport, with a power cut of the board when armed.
    const dccTransport: Transport = {
      name: t.name,
      answerWindowMs: t.answerWindowMs,
      send: async (frame) => {
        if (!armed || !board || !boardTty) return t.send(frame);
        armed = false;
        const sending = t.send(frame); // its first frame is written to the line now
        await board.stop();
        board = await startBoard(board.kind, boardTty, storage, s.bundle);
        resets++;
        f.progress('  board reset while the command crossed the line; powered on again from its flash');
        return sending;
      },
      settled: () => t.settled(),
      onFrame: (h) => t.onFrame(h),
      close: () => t.close(),
    };
    return {
      ok: true,
      device: {
        armReset: () => {
          armed = true;
        },
        resets: () => resets,
        transport: dccTransport, made, storage: s.port ? path : storage, serial: t, boardProcess: board, lineFaults: proxy,
        where: '(' + where + ') <- serial transport ' + path + ' <- DCC player',
        describe: 'factory made ESME ' + f.eui + ' over the management channel on ' + where + ' (keys generated on the board and kept there, device certificates from Issuing DCA, DCC trust anchors; one commit); rebooted, serving GBCS on the serial link',
        setClockOffset: async (ms) => {
          const a = await t.request('clock', { offset: Math.round(ms / 1000) });
          if (!a.ok) throw new Error('the board refused the clock step: ' + a.reason);
        },
        tick: async () => {
          await t.request('tick', {}, 120_000);
        },
        close: cleanup,
      },
    };
  } catch (e) {
    const said = board ? board.output().trim().split('\n').filter((l) => l.trim() && !/^\s*\^\s*$/.test(l)).slice(-12).join('\n    ') : '';
    await cleanup();
    return { ok: false, reason: (e as Error).message + (said ? '\n  the board printed last:\n    ' + said : '') };
  }
}
