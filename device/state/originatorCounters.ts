/**
 * Originator counters (GBCS §4.3.1.4 / GBCS-FACTS "Device rules"): for each remote party role the device
 * keeps the highest originator counter it has accepted, and a command is accepted only if its counter is
 * strictly greater (replay protection). CS02b additionally carries a floor: when a party's credentials
 * are replaced, the new party's counter starts at `newRemotePartyFloorSeqNumber` (and CS02b's `Other
 * Remote Party Seq Number Changes` set other roles' floors), so the new party cannot be replayed below it.
 *
 * Per role, not per EUI: a role has exactly one party at a time (the one in its trust-anchor cells), and
 * keying by role means replacing the party cannot leave a stale counter behind. Stored `oc.<role>` =
 * last accepted (8 bytes) || floor (8 bytes). 64-bit values as the codec's Counter64.
 * @module
 */
import { compareCounters, counterFromBytes, writeCounter, COUNTER_ZERO } from '../../gbcs/counter64.ts';
import type { Counter64 } from '../../gbcs/counter64.ts';
import type { StateTx } from './stateTx.ts';

export interface PartyCounter {
  last: Counter64;
  floor: Counter64;
}

function key(role: number): string {
  return 'oc.' + role;
}

export function readPartyCounter(s: { read(k: string): Uint8Array | undefined }, role: number): PartyCounter {
  const b = s.read(key(role));
  if (!b || b.length !== 16) return { last: COUNTER_ZERO, floor: COUNTER_ZERO };
  return { last: counterFromBytes(b, 0), floor: counterFromBytes(b, 8) };
}

function write(tx: StateTx, role: number, pc: PartyCounter): void {
  const b = new Uint8Array(16);
  writeCounter(b, 0, pc.last);
  writeCounter(b, 8, pc.floor);
  tx.write(key(role), b);
}

export type CounterVerdict = 'fresh' | 'replay' | 'below-floor';

/** Whether `counter` may be accepted from `role` (CS02b also checks the floor). */
export function checkCounter(s: { read(k: string): Uint8Array | undefined }, role: number, counter: Counter64, checkFloor: boolean): CounterVerdict {
  const pc = readPartyCounter(s, role);
  if (compareCounters(counter, pc.last) <= 0) return 'replay';
  if (checkFloor && compareCounters(counter, pc.floor) <= 0) return 'below-floor';
  return 'fresh';
}

/** Stages `counter` as the last accepted from `role` (the caller has checked it is fresh). */
export function acceptCounter(tx: StateTx, role: number, counter: Counter64): void {
  const pc = readPartyCounter(tx, role);
  write(tx, role, { last: counter, floor: pc.floor });
}

/** Stages a new floor for `role`; the last-accepted counter rises to the floor so nothing at or below it passes. */
export function setFloor(tx: StateTx, role: number, floor: Counter64): void {
  const pc = readPartyCounter(tx, role);
  write(tx, role, { last: compareCounters(pc.last, floor) > 0 ? pc.last : floor, floor: floor });
}

/** A new party in `role` (credentials replaced by another organisation): its counter starts at `floor`. */
export function resetForNewParty(tx: StateTx, role: number, floor: Counter64): void {
  write(tx, role, { last: floor, floor: floor });
}
