/**
 * The meter's prepayment state that top-ups change: the meter balance in pennies (`prepay.credit`, 4 bytes)
 * and the UTRN counters already applied (`prepay.utrn`: up to UTRN_CACHE counters' bits 32..63, 4 bytes
 * each, oldest first), so that a UTRN is applied once (GBCS §14.3: the meter keeps the counters of the
 * UTRNs it accepted and refuses one it has seen, or one older than all it keeps). Both written in the
 * top-up's one commit.
 * Simplified (UNCONFIRMED against SMETS): the balance is a non-negative whole number of pennies with no
 * debt, no emergency credit and no maximum credit threshold; the cache holds 10 counters.
 * @module
 */
import { readU32, u32 } from './stateTx.ts';
import type { StateTx } from './stateTx.ts';

export const CREDIT_KEY = 'prepay.credit';
export const UTRN_KEY = 'prepay.utrn';
export const UTRN_CACHE = 10;

export function readCredit(s: { read(k: string): Uint8Array | undefined }): number {
  return readU32(s.read(CREDIT_KEY), 0);
}

export function writeCredit(tx: StateTx, pennies: number): void {
  tx.write(CREDIT_KEY, u32(pennies));
}

/** The applied UTRN counters (bits 32..63), oldest first. */
export function readUtrnCounters(s: { read(k: string): Uint8Array | undefined }): number[] {
  const b = s.read(UTRN_KEY);
  const out: number[] = [];
  if (!b) return out;
  for (let at = 0; at + 4 <= b.length; at += 4) out.push(readU32(b, at));
  return out;
}

/** Adds a counter, dropping the oldest beyond UTRN_CACHE. */
export function recordUtrnCounter(tx: StateTx, counterHigh: number): void {
  const list = readUtrnCounters(tx);
  list.push(counterHigh);
  while (list.length > UTRN_CACHE) list.shift();
  const b = new Uint8Array(list.length * 4);
  for (let i = 0; i < list.length; i++) b.set(u32(list[i]), i * 4);
  tx.write(UTRN_KEY, b);
}
