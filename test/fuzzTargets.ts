/**
 * The decoders `npm run fuzz` exercises, each with its reference corpus (read from ../shared/vectors)
 * and its totality check. Node-only (reads files); the checks themselves are portable.
 * @module
 */
import { resolve } from 'node:path';
import { VECTORS } from '../build/paths.ts';
import { listRtdsFiles, readHexFile } from '../harness/conformance/rtdsFolder.ts';
import { messageTotalityProblem } from './portable/codecProperties.ts';

export interface FuzzTarget {
  name: string;
  corpus: Uint8Array[];
  /** undefined when the decoder behaved, else what broke. */
  check(input: Uint8Array): string | undefined;
}

let cached: FuzzTarget[] | undefined;

export function rtdsCorpus(): Uint8Array[] {
  return listRtdsFiles(resolve(VECTORS, 'rtds/RTDS-4.5.0')).map((f) => readHexFile(f.absolutePath)!);
}

export function fuzzTargets(): FuzzTarget[] {
  if (cached) return cached;
  const messages = rtdsCorpus();
  cached = [{ name: 'message', corpus: messages, check: messageTotalityProblem }];
  return cached;
}
