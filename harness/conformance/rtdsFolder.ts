/**
 * Reading a folder laid out like DCC's Reference Test Data Set (RTDS 4.5.0): one folder per use case
 * (`1.2.1_ECS01b`), holding `*_GBCS.HEX` files of hex text, whose names say the kind of message
 * (`..._COMMAND_GBCS.HEX`, `..._PRECOMMAND_...`, `..._RESPONSE_...`, `..._ALERT_...`; a name may carry
 * words after the kind, e.g. `..._ALERT_PRICE_MATRIX_GBCS.HEX`).
 * @module
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex } from '../../lib/bytes.ts';

export type RtdsKind = 'COMMAND' | 'PRECOMMAND' | 'RESPONSE' | 'ALERT' | 'UNKNOWN';

export interface RtdsFile {
  /** The use-case folder, e.g. `1.2.1_ECS01b` ('' for a file at the top). */
  useCase: string;
  /** Path relative to the RTDS folder, `/`-separated. */
  path: string;
  absolutePath: string;
  kind: RtdsKind;
}

const KINDS: RtdsKind[] = ['PRECOMMAND', 'COMMAND', 'RESPONSE', 'ALERT'];

/** The kind a file name states: the last of COMMAND/PRECOMMAND/RESPONSE/ALERT among its words. */
export function kindFromName(name: string): RtdsKind {
  const words = name.replace(/_GBCS\.HEX$/i, '').toUpperCase().split(/[_.\s-]+/);
  for (let i = words.length - 1; i >= 0; i--) {
    if (KINDS.indexOf(words[i] as RtdsKind) >= 0) return words[i] as RtdsKind;
  }
  return 'UNKNOWN';
}

/** Every `*_GBCS.HEX` file under `dir` (recursively), sorted by path. */
export function listRtdsFiles(dir: string): RtdsFile[] {
  const out: RtdsFile[] = [];
  const walk = (abs: string, rel: string) => {
    for (const name of readdirSync(abs).sort()) {
      const a = join(abs, name);
      const r = rel ? rel + '/' + name : name;
      if (statSync(a).isDirectory()) walk(a, r);
      else if (/_GBCS\.HEX$/i.test(name)) {
        const slash = r.lastIndexOf('/');
        out.push({ useCase: slash < 0 ? '' : r.substring(0, slash), path: r, absolutePath: a, kind: kindFromName(name) });
      }
    }
  };
  walk(dir, '');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A file's bytes, or undefined when the text is not hex. */
export function readHexFile(path: string): Uint8Array | undefined {
  return fromHex(readFileSync(path, 'utf8'));
}
