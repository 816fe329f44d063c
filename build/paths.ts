/** Where the project and its neighbour ../shared are. @module */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED = resolve(process.env.SMETS_SHARED ?? resolve(ROOT, '../shared'));
export const VECTORS = resolve(SHARED, 'vectors');
export const ENGINES_DIR = resolve(ROOT, '.engines');
export const DIST = resolve(ROOT, 'dist');

/** Stops with a message naming what is missing when ../shared is not beside the project. */
export function requireShared(what: string): void {
  if (!existsSync(VECTORS)) {
    console.error(`${what}: ${VECTORS} is missing. The project expects the shared/ folder beside it (../shared),`);
    console.error('holding vectors/ (DCC RTDS 4.5.0 sample, test keystore, GBCS 18.4 vectors) and engines/.');
    console.error('Set SMETS_SHARED=/path/to/shared to use another place.');
    process.exit(2);
  }
}
