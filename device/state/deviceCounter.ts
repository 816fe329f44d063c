/**
 * The device's own originator counter, carried by every alert it sends (GBCS-FACTS: "alerts use the
 * device's own counter"). Persisted and strictly increasing: each alert's counter is staged in the same
 * commit as whatever caused the alert, so after a power cut the next alert never reuses a counter a
 * remote party has already seen. Stored `dc` (8 bytes).
 * @module
 */
import { counterFromBytes, counterToBytes, incrementCounter, COUNTER_ZERO } from '../../gbcs/counter64.ts';
import type { Counter64 } from '../../gbcs/counter64.ts';
import type { StateTx } from './stateTx.ts';

export const DEVICE_COUNTER = 'dc';

export function readDeviceCounter(s: { read(k: string): Uint8Array | undefined }): Counter64 {
  const b = s.read(DEVICE_COUNTER);
  return b && b.length === 8 ? counterFromBytes(b, 0) : COUNTER_ZERO;
}

/** Stages and returns the next device counter; undefined once exhausted (2^64-1: the device stops alerting). */
export function nextDeviceCounter(tx: StateTx): Counter64 | undefined {
  const next = incrementCounter(readDeviceCounter(tx));
  if (next) tx.write(DEVICE_COUNTER, counterToBytes(next));
  return next;
}
