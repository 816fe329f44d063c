/**
 * A Medium in a folder of files, one file per blob. Each put writes a temporary file and renames it
 * over the old one, so a crash leaves either the old or the new blob; the journal does the rest. A full
 * disk (ENOSPC, EDQUOT) is put's false, with the old blob kept.
 * @module
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Medium } from '../board.ts';

export function fileMedium(folder: string): Medium {
  mkdirSync(folder, { recursive: true });
  const path = (name: string) => join(folder, name);
  return {
    get(name) {
      const p = path(name);
      return existsSync(p) ? new Uint8Array(readFileSync(p)) : undefined;
    },
    put(name, bytes) {
      const tmp = path(name + '.tmp');
      try {
        writeFileSync(tmp, bytes, { flush: true });
      } catch (e) {
        // A full disk (or quota) is the medium's false; the old blob is untouched, the partial tmp goes.
        rmSync(tmp, { force: true });
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOSPC' || code === 'EDQUOT') return false;
        throw e;
      }
      renameSync(tmp, path(name));
      return true;
    },
    remove(name) {
      rmSync(path(name), { force: true });
    },
    list() {
      return readdirSync(folder).filter((n) => !n.endsWith('.tmp')).sort();
    },
  };
}
