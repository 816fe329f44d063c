/**
 * A medium that loses power at a chosen write: the tool of every power-cut test. Writes are counted
 * (put and remove); at write number `cutAt` (from 0) the power goes: a put is torn (half its bytes
 * land) when `tear` is set, otherwise nothing lands; then that write and every later call throws.
 * @module
 */
import type { Board, Medium } from '../../boards/board.ts';
import { memoryMedium } from '../../boards/journaledStorage.ts';
import { ok } from './assert.ts';

export const POWER_CUT = 'power cut';

export function cuttingMedium(inner: Medium, cutAt: number, tear: boolean): Medium & { writes(): number } {
  let writes = 0;
  let off = false;
  function write(): boolean {
    if (off) throw new Error(POWER_CUT);
    if (writes === cutAt) {
      off = true;
      return false;
    }
    writes++;
    return true;
  }
  return {
    get(name) {
      if (off) throw new Error(POWER_CUT);
      return inner.get(name);
    },
    list() {
      if (off) throw new Error(POWER_CUT);
      return inner.list();
    },
    put(name, bytes) {
      if (!write()) {
        if (tear && bytes.length > 1) inner.put(name, bytes.subarray(0, bytes.length >> 1));
        throw new Error(POWER_CUT);
      }
      return inner.put(name, bytes);
    },
    remove(name) {
      if (!write()) throw new Error(POWER_CUT);
      inner.remove(name);
    },
    writes: () => writes,
  };
}

/** A fresh memory medium holding a snapshot's blobs (each cut point starts from its own copy). */
export function mediumFrom(blobs: Record<string, Uint8Array>): ReturnType<typeof memoryMedium> {
  const m = memoryMedium();
  const names = Object.keys(blobs);
  for (let i = 0; i < names.length; i++) m.put(names[i], blobs[names[i]]);
  return m;
}

/**
 * The power-cut sweep: `deliver` (true when the device accepted) runs once on a copy of `start` to count
 * its writes, and `reference` sees the board it left; then, for every write, from a fresh copy of `start`,
 * the power is cut there, cleanly and torn, and `check` sees the restarted board. Returns the cut points
 * tried (twice the writes).
 */
export function cutAtEveryWrite(
  newBoard: (m: Medium) => Board,
  start: Record<string, Uint8Array>,
  deliver: (board: Board) => boolean,
  reference: (after: Board) => void,
  check: (restarted: Board, where: string) => void,
): number {
  const done = mediumFrom(start);
  const probe = cuttingMedium(done, 1000000, false);
  ok(deliver(newBoard(probe)), 'reference delivery accepted');
  const total = probe.writes();
  reference(newBoard(done));
  let cuts = 0;
  for (let cutAt = 0; cutAt < total; cutAt++) {
    for (let tear = 0; tear < 2; tear++) {
      const medium = mediumFrom(start);
      let cut = false;
      try {
        deliver(newBoard(cuttingMedium(medium, cutAt, tear === 1)));
      } catch (e) {
        if ((e as Error).message !== POWER_CUT) throw e;
        cut = true;
      }
      ok(cut, 'power cut at write ' + cutAt);
      check(newBoard(medium), 'write ' + cutAt + (tear ? ' (torn)' : ''));
      cuts++;
    }
  }
  return cuts;
}
