/**
 * The serial transport: a board on a UART, USB serial or pty (`serialport`), reached through the link
 * protocol (lib/serialLink.ts; the README's "The serial link"). Channel 0 carries GBCS frames whole, as
 * the Transport interface promises; channel 1 is the board's management port (device/management.ts),
 * CBOR by `cbor-x`, which this module exposes as `request` (factory provisioning, status, reboot, the lab's
 * clock) and `onLog` (the board's log lines).
 *
 * A port that vanishes (a USB cable pulled, socat killed) fails every pending send and request with an
 * error naming the port, and `closed` resolves with the reason; nothing is retried behind the caller's back.
 * @module
 */
import { Decoder, Encoder } from 'cbor-x';
import { crc32 } from 'node:zlib';
import { SerialPort } from 'serialport';
import { CHANNEL_GBCS, CHANNEL_MANAGEMENT, LinkEndpoint } from '../../lib/serialLink.ts';
import type { LinkOptions, LinkStats } from '../../lib/serialLink.ts';
import type { Transport } from './transport.ts';

export interface SerialTransportOptions {
  path: string;
  baud?: number;
  /** How long the board may take to answer a GBCS frame (default 2,000 ms). */
  answerWindowMs?: number;
  link?: LinkOptions;
}

export type ManagementAnswer = { ok: boolean; reason?: string; [key: string]: unknown };

export interface SerialTransport extends Transport {
  settled(): Promise<void>;
  /** One management request; resolves with the board's answer, rejects on timeout or a lost port. */
  request(op: string, fields?: Record<string, unknown>, timeoutMs?: number): Promise<ManagementAnswer>;
  onLog(handler: (line: string) => void): void;
  stats(): LinkStats;
  /** Resolves when the port closes: undefined when closed by `close`, else why. */
  readonly closed: Promise<string | undefined>;
}

// Byte strings as CBOR byte strings (not tag 64), maps with the shortest heads: what the board's subset reads.
const encoder = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false, variableMapSize: true });
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true });

export async function openSerialTransport(o: SerialTransportOptions): Promise<SerialTransport> {
  const port = new SerialPort({ path: o.path, baudRate: o.baud ?? 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(new Error(`cannot open serial port ${o.path}: ${e.message}`)) : resolve())));
  let failure: string | undefined;
  let closing = false;
  let closedResolve: (why: string | undefined) => void = () => undefined;
  const closed = new Promise<string | undefined>((r) => (closedResolve = r));
  const pending = new Set<(why: string) => void>();
  const endpoint = new LinkEndpoint({
    write: (bytes) => {
      if (!failure) port.write(Buffer.from(bytes));
    },
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (t) => clearTimeout(t as NodeJS.Timeout),
    now: () => Date.now(),
    crc32: (b) => crc32(b),
  }, o.link);
  const fail = (why: string) => {
    if (failure) return;
    failure = why;
    endpoint.stop();
    for (const p of [...pending]) p(why);
    pending.clear();
  };
  port.on('data', (chunk: Buffer) => endpoint.receive(new Uint8Array(chunk)));
  port.on('error', (e) => fail(`the serial port ${o.path} failed (${e.message}): unplugged, or the far end went away`));
  port.on('close', (e: (Error & { disconnected?: boolean }) | null) => {
    if (!closing) fail(`the serial port ${o.path} went away${e?.disconnected ? ' (disconnected)' : ''}`);
    closedResolve(closing ? undefined : failure);
  });
  endpoint.onDown((why) => fail(`the board on ${o.path} stopped answering: ${why}`));

  let frameHandler: ((f: Uint8Array) => void) | undefined;
  endpoint.onMessage(CHANNEL_GBCS, (m) => frameHandler?.(m));
  let logHandler: ((line: string) => void) | undefined;
  let nextId = 1;
  // The CRC-32 of the last GBCS frame sent, and those the board's firmware said it has handled.
  let lastSent: number | undefined;
  const handledCrcs: number[] = [];
  const settledWaiters = new Set<{ crc: number; resolve: () => void }>();
  const waiting = new Map<number, (a: ManagementAnswer) => void>();
  endpoint.onMessage(CHANNEL_MANAGEMENT, (m) => {
    let v: unknown;
    try {
      v = decoder.decode(Buffer.from(m));
    } catch {
      return; // not CBOR: counted by nobody but harmless; the link's CRC passed, so it is the board's bug
    }
    if (!v || typeof v !== 'object') return;
    const a = v as ManagementAnswer & { id?: number; log?: string };
    if (typeof a.log === 'string') logHandler?.(a.log);
    else if (typeof (a as { handled?: unknown }).handled === 'number') {
      const c = (a as unknown as { handled: number }).handled;
      handledCrcs.push(c);
      if (handledCrcs.length > 16) handledCrcs.shift();
      for (const w of [...settledWaiters]) if (w.crc === c) {
        settledWaiters.delete(w);
        w.resolve();
      }
    }
    else if (typeof a.id === 'number') waiting.get(a.id)?.(a);
  });
  endpoint.start();

  /** Sends one message on `channel`; resolves once the board acknowledged all of it. */
  const sendOn = (channel: number, bytes: Uint8Array) => new Promise<void>((resolve, reject) => {
    if (failure) return reject(new Error(failure));
    const onFail = (why: string) => reject(new Error(why));
    pending.add(onFail);
    const queued = endpoint.send(channel, bytes, (ok) => {
      pending.delete(onFail);
      if (ok) resolve();
      else reject(new Error(failure ?? `the board on ${o.path} did not acknowledge`));
    });
    if (!queued) {
      pending.delete(onFail);
      reject(new Error(`serialTransport: a message of ${bytes.length} bytes cannot cross the link (1..16384)`));
    }
  });

  return {
    name: `serial ${o.path}`,
    answerWindowMs: o.answerWindowMs ?? 2000,
    send: async (frame) => {
      const c = crc32(frame);
      // A notice for an earlier copy of the same bytes (a replay) must not settle this one.
      const old = handledCrcs.indexOf(c);
      if (old >= 0) handledCrcs.splice(old, 1);
      lastSent = c;
      await sendOn(CHANNEL_GBCS, frame);
    },
    settled: () => new Promise<void>((resolve) => {
      const c = lastSent;
      if (c === undefined) return resolve();
      const at = handledCrcs.indexOf(c);
      if (at >= 0) {
        handledCrcs.splice(at, 1);
        return resolve();
      }
      settledWaiters.add({ crc: c, resolve });
    }),
    onFrame(handler) {
      frameHandler = handler;
    },
    async request(op, fields = {}, timeoutMs = 10_000) {
      const id = nextId++;
      const bytes = new Uint8Array(encoder.encode({ ...fields, op, id }));
      return new Promise<ManagementAnswer>((resolve, reject) => {
        const onFail = (why: string) => {
          clearTimeout(timer);
          waiting.delete(id);
          reject(new Error(why));
        };
        const timer = setTimeout(() => onFail(`the board on ${o.path} did not answer "${op}" within ${timeoutMs} ms`), timeoutMs);
        pending.add(onFail);
        waiting.set(id, (a) => {
          clearTimeout(timer);
          waiting.delete(id);
          pending.delete(onFail);
          resolve(a);
        });
        sendOn(CHANNEL_MANAGEMENT, bytes).catch((e: Error) => onFail(e.message));
      });
    },
    onLog(handler) {
      logHandler = handler;
    },
    stats: () => endpoint.stats(),
    closed,
    async close() {
      if (closing) return;
      closing = true;
      endpoint.stop();
      if (!port.isOpen) return;
      // What is queued on the line goes out first (nothing half-written), then the port closes.
      await new Promise<void>((resolve) => port.drain(() => resolve()));
      await new Promise<void>((resolve) => port.close(() => resolve()));
    },
  };
}
