/**
 * The 64-bit originator counter of a GBCS transaction id (GBCS §4.3.1.4 / §7.2.2: 8 bytes big-endian
 * after the CRA flag) as a pair of uint32 halves. Written by hand because Espruino has no BigInt, and
 * JavaScript numbers lose integers above 2^53 (real counters carry a timestamp in their upper bits).
 * @module
 */
import { toHex } from '../lib/bytes.ts';

export interface Counter64 {
  /** Upper 32 bits, 0..2^32-1. */
  hi: number;
  /** Lower 32 bits, 0..2^32-1. */
  lo: number;
}

export const COUNTER_ZERO: Counter64 = { hi: 0, lo: 0 };

/** The counter in `bytes[at..at+8)`, big-endian. The caller checks the range. */
export function counterFromBytes(bytes: Uint8Array, at: number): Counter64 {
  const hi = ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
  const lo = ((bytes[at + 4] << 24) | (bytes[at + 5] << 16) | (bytes[at + 6] << 8) | bytes[at + 7]) >>> 0;
  return { hi: hi, lo: lo };
}

/** The 8 big-endian bytes of a counter. */
export function counterToBytes(c: Counter64): Uint8Array {
  const out = new Uint8Array(8);
  writeCounter(out, 0, c);
  return out;
}

/** Writes the counter's 8 bytes at `out[at]`. */
export function writeCounter(out: Uint8Array, at: number, c: Counter64): void {
  out[at] = c.hi >>> 24;
  out[at + 1] = (c.hi >>> 16) & 0xff;
  out[at + 2] = (c.hi >>> 8) & 0xff;
  out[at + 3] = c.hi & 0xff;
  out[at + 4] = c.lo >>> 24;
  out[at + 5] = (c.lo >>> 16) & 0xff;
  out[at + 6] = (c.lo >>> 8) & 0xff;
  out[at + 7] = c.lo & 0xff;
}

/** -1, 0 or 1 as `a` is below, equal to or above `b`. */
export function compareCounters(a: Counter64, b: Counter64): number {
  if (a.hi !== b.hi) return a.hi < b.hi ? -1 : 1;
  if (a.lo !== b.lo) return a.lo < b.lo ? -1 : 1;
  return 0;
}

/** `c + 1`, or undefined at 2^64-1 (a counter never wraps: a wrapped counter would be a replay). */
export function incrementCounter(c: Counter64): Counter64 | undefined {
  if (c.lo !== 0xffffffff) return { hi: c.hi, lo: c.lo + 1 };
  if (c.hi !== 0xffffffff) return { hi: c.hi + 1, lo: 0 };
  return undefined;
}

/** 16 lower-case hex digits. */
export function counterToHex(c: Counter64): string {
  return toHex(counterToBytes(c));
}

/** The counter of up to 16 hex digits (an optional 0x), or undefined if not hex. */
export function counterFromHex(text: string): Counter64 | undefined {
  let t = text.toLowerCase();
  if (t.indexOf('0x') === 0) t = t.substring(2);
  if (t.length === 0 || t.length > 16) return undefined;
  for (let i = 0; i < t.length; i++) if ('0123456789abcdef'.indexOf(t.charAt(i)) < 0) return undefined;
  while (t.length < 16) t = '0' + t;
  return { hi: parseInt(t.substring(0, 8), 16) >>> 0, lo: parseInt(t.substring(8), 16) >>> 0 };
}

/** The counter of a safe integer 0..2^53-1 (test and CLI convenience). Throws on a caller bug. */
export function counterFromNumber(n: number): Counter64 {
  if (!(n >= 0 && n <= 9007199254740991) || Math.floor(n) !== n) {
    throw new Error('counterFromNumber: expected a safe non-negative integer, got ' + n);
  }
  return { hi: Math.floor(n / 4294967296) >>> 0, lo: n % 4294967296 >>> 0 };
}
