/**
 * The device security log (GBCS §... Security Log; SMETS2 "Security Log"): a bounded, persisted ring of the
 * last LOG_CAPACITY security events, here every rejected command, with the GBCS event code, our reason,
 * the message code, the originator and counter the command claimed, and the device time.
 *
 * How this squares with "a rejected command leaves the stored state byte-for-byte unchanged": the log
 * lives in its own keys (`log.h` and `log.0`..`log.N`) and nothing else ever shares that prefix. A
 * rejection commits ONLY log keys (one commit, two keys: the entry and the head), so every other stored
 * byte is untouched; tests compare snapshots of all keys outside `LOG_PREFIX` and assert that the log
 * gained exactly one entry.
 * @module
 */
import { counterFromBytes, writeCounter } from '../../gbcs/counter64.ts';
import type { Counter64 } from '../../gbcs/counter64.ts';
import type { StateTx } from './stateTx.ts';
import { readU32, u32 } from './stateTx.ts';

export const LOG_PREFIX = 'log.';
export const LOG_CAPACITY = 16;
const HEAD = 'log.h';

/**
 * GBCS event codes used for rejections (GBCS alert/event code table, as transcribed in public GBCS tools):
 * 0x8F3D Trusted Source Authentication Failure (MAC or signature failed), 0x8F30 Source Does not have
 * Authority for Command, 0x8F1E Integrity check of content or format of command failed, 0x8F53 Failed
 * Authentication or Authorisation not covered by other codes (replays, unknown recipients...).
 */
export const EVENT_AUTHENTICATION_FAILURE = 0x8f3d;
export const EVENT_NO_AUTHORITY = 0x8f30;
export const EVENT_INTEGRITY_FAILURE = 0x8f1e;
export const EVENT_OTHER_AUTH_FAILURE = 0x8f53;

export interface SecurityLogEntry {
  /** Sequence number of the entry since manufacture (1, 2, ...). */
  sequence: number;
  timeSec: number;
  eventCode: number;
  /** Index into REJECTION_REASONS (the pipeline's reason). */
  reason: number;
  messageCode: number;
  originator: Uint8Array;
  counter: Counter64;
}

/** Total entries ever logged (the ring holds the last LOG_CAPACITY). */
export function logCount(s: { read(k: string): Uint8Array | undefined }): number {
  return readU32(s.read(HEAD), 0);
}

export function appendLog(tx: StateTx, e: { timeSec: number; eventCode: number; reason: number; messageCode: number; originator?: Uint8Array; counter?: Counter64 }): void {
  const n = logCount(tx) + 1;
  const b = new Uint8Array(25);
  b.set(u32(e.timeSec >>> 0), 0);
  b[4] = (e.eventCode >> 8) & 0xff;
  b[5] = e.eventCode & 0xff;
  b[6] = e.reason & 0xff;
  b[7] = (e.messageCode >> 8) & 0xff;
  b[8] = e.messageCode & 0xff;
  if (e.originator && e.originator.length === 8) b.set(e.originator, 9);
  if (e.counter) writeCounter(b, 17, e.counter);
  tx.write(LOG_PREFIX + ((n - 1) % LOG_CAPACITY), b);
  tx.write(HEAD, u32(n));
}

/** The entries still held, oldest first. */
export function readLog(s: { read(k: string): Uint8Array | undefined }): SecurityLogEntry[] {
  const n = logCount(s);
  const first = n > LOG_CAPACITY ? n - LOG_CAPACITY + 1 : 1;
  const out: SecurityLogEntry[] = [];
  for (let seq = first; seq <= n; seq++) {
    const b = s.read(LOG_PREFIX + ((seq - 1) % LOG_CAPACITY));
    if (!b || b.length !== 25) continue;
    out.push({
      sequence: seq,
      timeSec: readU32(b, 0),
      eventCode: (b[4] << 8) | b[5],
      reason: b[6],
      messageCode: (b[7] << 8) | b[8],
      originator: b.subarray(9, 17),
      counter: counterFromBytes(b, 17),
    });
  }
  return out;
}
