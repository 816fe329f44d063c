/**
 * What the full-medium cases share (storageFull.suite.ts, hubFull.suite.ts, gsmeWake.suite.ts): a memory
 * medium with a capacity (bytes of blob content) holding a copy of a state, filled with a blob outside
 * the storage ("filler") whose removal is the room made, and a byte-for-byte picture of a medium to
 * compare before and after a refusal. Portable (runs inside the engines' self-test bundles).
 * @module
 */
import { memoryMedium } from '../../boards/journaledStorage.ts';
import { sha256 } from '../../boards/portable/sha256.ts';
import { toHex } from '../../lib/bytes.ts';
import { ok } from './assert.ts';

export type Capped = ReturnType<typeof memoryMedium>;

/**
 * The byte-for-byte picture of the medium: its blob names and a SHA-256 chained over every name and blob
 * (hex of the whole medium would not fit JerryScript's heap).
 */
export function picture(m: Capped): string {
  const names = m.list();
  let h: Uint8Array = new Uint8Array(32);
  for (let i = 0; i < names.length; i++) {
    const blob = m.get(names[i]) as Uint8Array;
    const buf = new Uint8Array(32 + names[i].length + 1 + blob.length);
    buf.set(h, 0);
    for (let j = 0; j < names[i].length; j++) buf[32 + j] = names[i].charCodeAt(j);
    buf.set(blob, 33 + names[i].length);
    h = sha256(buf);
  }
  return names.join(',') + ' ' + toHex(h);
}

/** A copy of `from` on a medium `filler + free` bytes larger than it, `filler` of them taken by the filler blob. */
export function copyWithRoom(from: Capped, filler: number, free: number): Capped {
  const blobs = from.snapshot();
  const names = Object.keys(blobs);
  const m = memoryMedium(from.used() + filler + free);
  for (let i = 0; i < names.length; i++) if (names[i] !== 'filler') ok(m.put(names[i], blobs[names[i]]), 'copy ' + names[i]);
  if (filler > 0) ok(m.put('filler', new Uint8Array(filler)), 'filler fits');
  return m;
}

/** Fills what is left of `m` with the filler blob. */
export function fill(m: Capped, capacity: number): void {
  m.remove('filler');
  ok(m.put('filler', new Uint8Array(capacity - m.used())), 'filler takes the rest');
}
