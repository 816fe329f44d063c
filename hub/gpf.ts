/**
 * The Gas Proxy Function's state (GBCS §13.8 GCS59; HAN-FACTS "Sleepy GSME"): the GSME sleeps on its battery,
 * so the GPF, inside the Communications Hub, keeps
 *   - the GPF Device Log (`gpf.log`): the devices GCS59 restored, each id with its device type;
 *   - a copy of the GSME's data (`gpf.m.<code>`): what the GSME last published for each read use case,
 *     which the GPF answers Supplier reads from (hub/gpfUseCases.ts) without waking the GSME;
 *   - the queue of what must reach the GSME (`gpf.q`): frames waiting, oldest first, each kept until the
 *     GSME acknowledges it or it expires (24 h: HAN-FACTS, the hub's default), and the flag the GSME sees
 *     when it wakes: Metering FunctionalNotificationFlags bit 0x00200000 while anything waits;
 *   - the GSME's wake interval (`gpf.wake`, seconds; configurable, default 1800: ours, UNCONFIRMED).
 * Every change is staged in the caller's HubStore (a StateTx) and lands in one commit, so a power cut leaves
 * the queue as it was or as it became, never half a message (test/portable/hubGpf.suite.ts sweeps it); the
 * caller checks that commit and refuses 'storage-full' when the medium has no room (the router, the GSME's
 * mailbox, the GPF's pipeline: README "full-medium contract").
 *
 * Queue layout (big-endian): count(1) nextId(4), then per message id(4) enqueuedSec(4) length(2) frame.
 * @module
 */
import { copyBytes, readU32be, toHex, writeU32be } from '../lib/bytes.ts';
import type { HubStore } from './chf.ts';
import { indexOfDevice } from './deviceLog.ts';
import type { GpfLogEntry } from '../gbcs/contents/hub/gpfDeviceLog.ts';

export const GPF_LOG_KEY = 'gpf.log';
export const GPF_QUEUE_KEY = 'gpf.q';
export const GPF_WAKE_KEY = 'gpf.wake';
export const GPF_MIRROR_PREFIX = 'gpf.m.';
/** Devices the GPF Device Log holds (ours, UNCONFIRMED). */
export const GPF_LOG_CAPACITY = 8;
/** Messages waiting for the GSME at most (ours, UNCONFIRMED), and bytes of frames in all. */
export const QUEUE_CAPACITY = 8;
export const QUEUE_BYTES = 8192;
/** How long a message waits for the GSME (HAN-FACTS: 24 h default). */
export const QUEUE_EXPIRY_SEC = 86400;
export const DEFAULT_WAKE_SEC = 1800;
/** Metering cluster FunctionalNotificationFlags: "GBCS message waiting" (HAN-FACTS). */
export const FLAG_MESSAGE_WAITING = 0x00200000;

type Read = { read(key: string): Uint8Array | undefined };

export interface QueuedMessage {
  id: number;
  enqueuedSec: number;
  frame: Uint8Array;
}

interface Queue {
  nextId: number;
  items: QueuedMessage[];
}


// ---- GPF Device Log ------------------------------------------------------------------------------

export function readGpfLog(s: Read): GpfLogEntry[] {
  const b = s.read(GPF_LOG_KEY);
  const out: GpfLogEntry[] = [];
  if (!b || b.length === 0) return out;
  if (b.length !== 1 + 9 * b[0]) throw new Error('readGpfLog: stored log of ' + b.length + ' bytes for ' + b[0] + ' entries');
  for (let i = 0; i < b[0]; i++) out.push({ deviceId: copyBytes(b, 1 + 9 * i, 9 + 9 * i), deviceType: b[9 + 9 * i] });
  return out;
}

function encodeGpfLog(entries: GpfLogEntry[]): Uint8Array {
  const out = new Uint8Array(1 + 9 * entries.length);
  out[0] = entries.length;
  for (let i = 0; i < entries.length; i++) {
    out.set(entries[i].deviceId, 1 + 9 * i);
    out[9 + 9 * i] = entries[i].deviceType;
  }
  return out;
}

/**
 * GCS59: the GPF Device Log becomes the devices given (a restore replaces it). Refused whole (every result
 * false, nothing staged) when there are more than the log holds or one device appears twice.
 */
export function stageRestoreGpfLog(store: HubStore, entries: GpfLogEntry[]): boolean {
  if (entries.length > GPF_LOG_CAPACITY) return false;
  const seen: { ieeeAddress: Uint8Array }[] = [];
  for (let i = 0; i < entries.length; i++) {
    if (indexOfDevice(seen, entries[i].deviceId) >= 0) return false;
    seen.push({ ieeeAddress: entries[i].deviceId });
  }
  store.write(GPF_LOG_KEY, encodeGpfLog(entries));
  return true;
}

// ---- the copy of the GSME's data -----------------------------------------------------------------

function mirrorKey(messageCode: number): string {
  return GPF_MIRROR_PREFIX + toHex(new Uint8Array([(messageCode >> 8) & 0xff, messageCode & 0xff]));
}

/** What the GSME last published for a read use case, or undefined. */
export function mirroredData(s: Read, messageCode: number): Uint8Array | undefined {
  return s.read(mirrorKey(messageCode));
}

/** The GSME's data for some use cases, replacing the copy of each (staged: one commit for them all). */
export function stagePublish(store: HubStore, items: { messageCode: number; content: Uint8Array }[]): void {
  for (let i = 0; i < items.length; i++) store.write(mirrorKey(items[i].messageCode), copyBytes(items[i].content));
}

// ---- the queue for the GSME ----------------------------------------------------------------------

function readQueue(s: Read): Queue {
  const b = s.read(GPF_QUEUE_KEY);
  const q: Queue = { nextId: 1, items: [] };
  if (!b || b.length === 0) return q;
  if (b.length < 5) throw new Error('readQueue: stored queue of ' + b.length + ' bytes');
  q.nextId = readU32be(b, 1);
  let p = 5;
  for (let i = 0; i < b[0]; i++) {
    if (p + 10 > b.length) throw new Error('readQueue: stored queue truncated at ' + p);
    const len = (b[p + 8] << 8) | b[p + 9];
    if (p + 10 + len > b.length) throw new Error('readQueue: stored queue truncated at ' + p);
    q.items.push({ id: readU32be(b, p), enqueuedSec: readU32be(b, p + 4), frame: copyBytes(b, p + 10, p + 10 + len) });
    p += 10 + len;
  }
  if (p !== b.length) throw new Error('readQueue: ' + (b.length - p) + ' stored bytes left over');
  return q;
}

function encodeQueue(q: Queue): Uint8Array {
  let size = 5;
  for (let i = 0; i < q.items.length; i++) size += 10 + q.items[i].frame.length;
  const out = new Uint8Array(size);
  out[0] = q.items.length;
  writeU32be(out, 1, q.nextId);
  let p = 5;
  for (let i = 0; i < q.items.length; i++) {
    const m = q.items[i];
    writeU32be(out, p, m.id);
    writeU32be(out, p + 4, m.enqueuedSec);
    out[p + 8] = (m.frame.length >> 8) & 0xff;
    out[p + 9] = m.frame.length & 0xff;
    out.set(m.frame, p + 10);
    p += 10 + m.frame.length;
  }
  return out;
}

function live(q: Queue, nowSec: number): QueuedMessage[] {
  const out: QueuedMessage[] = [];
  for (let i = 0; i < q.items.length; i++) {
    const age = nowSec - q.items[i].enqueuedSec;
    if (age < QUEUE_EXPIRY_SEC) out.push(q.items[i]);
  }
  return out;
}

export type QueueRefusal = 'queue-full' | 'frame-too-large';

/** Queues a frame for the GSME (expired messages are dropped in the same commit). */
export function stageEnqueue(store: HubStore, frame: Uint8Array, nowSec: number): { ok: true; id: number } | { ok: false; reason: QueueRefusal } {
  if (frame.length === 0 || frame.length > 0xffff) return { ok: false, reason: 'frame-too-large' };
  const q = readQueue(store);
  const items = live(q, nowSec);
  let bytes = frame.length;
  for (let i = 0; i < items.length; i++) bytes += items[i].frame.length;
  if (items.length >= QUEUE_CAPACITY || bytes > QUEUE_BYTES) return { ok: false, reason: 'queue-full' };
  const id = q.nextId;
  items.push({ id: id, enqueuedSec: nowSec, frame: copyBytes(frame) });
  store.write(GPF_QUEUE_KEY, encodeQueue({ nextId: (id + 1) >>> 0 || 1, items: items }));
  return { ok: true, id: id };
}

/** The messages waiting now (expired ones are not shown), oldest first. */
export function waiting(s: Read, nowSec: number): QueuedMessage[] {
  return live(readQueue(s), nowSec);
}

/** The GSME has message `id`: removed (with any expired ones). False when it is not waiting. */
export function stageAcknowledge(store: HubStore, id: number, nowSec: number): boolean {
  const q = readQueue(store);
  const items = live(q, nowSec);
  let at = -1;
  for (let i = 0; i < items.length; i++) if (items[i].id === id) at = i;
  if (at < 0) return false;
  items.splice(at, 1);
  store.write(GPF_QUEUE_KEY, encodeQueue({ nextId: q.nextId, items: items }));
  return true;
}

/** The flags the GSME reads from its mirror when it wakes. */
export function notificationFlags(s: Read, nowSec: number): number {
  return waiting(s, nowSec).length > 0 ? FLAG_MESSAGE_WAITING : 0;
}

export function wakeInterval(s: Read): number {
  const b = s.read(GPF_WAKE_KEY);
  return b && b.length === 4 ? readU32be(b, 0) : DEFAULT_WAKE_SEC;
}

/** Sets the GSME's wake interval (1 s .. 1 day). */
export function stageWakeInterval(store: HubStore, seconds: number): boolean {
  if (!(seconds >= 1 && seconds <= 86400) || Math.floor(seconds) !== seconds) return false;
  const b = new Uint8Array(4);
  writeU32be(b, 0, seconds);
  store.write(GPF_WAKE_KEY, b);
  return true;
}
