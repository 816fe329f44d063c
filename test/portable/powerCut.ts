/**
 * A medium that loses power at a chosen write: the tool of every power-cut test. Writes are counted
 * (put and remove); at write number `cutAt` (from 0) the power goes: a put is torn (half its bytes
 * land) when `tear` is set, otherwise nothing lands; then that write and every later call throws.
 * @module
 */
import type { Medium } from '../../boards/journaledStorage.ts';

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
      inner.put(name, bytes);
    },
    remove(name) {
      if (!write()) throw new Error(POWER_CUT);
      inner.remove(name);
    },
    writes: () => writes,
  };
}
