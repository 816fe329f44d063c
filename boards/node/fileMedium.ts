/**
 * A Medium in a folder of files, one file per blob. Each put writes a temporary file and renames it
 * over the old one, so a crash leaves either the old or the new blob; the journal does the rest.
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
      writeFileSync(tmp, bytes, { flush: true });
      renameSync(tmp, path(name));
    },
    remove(name) {
      rmSync(path(name), { force: true });
    },
    list() {
      return readdirSync(folder).filter((n) => !n.endsWith('.tmp')).sort();
    },
  };
}
