/**
 * The decoders `npm run fuzz` exercises, each with its reference corpus (read from ../shared/vectors)
 * and its totality check. Node-only (reads files); the checks themselves are portable.
 * @module
 */
import { resolve } from 'node:path';
import { VECTORS } from '../build/paths.ts';
import { listRtdsFiles, readHexFile } from '../harness/conformance/rtdsFolder.ts';
import { decodeMessage } from '../gbcs/message.ts';
import { splitIntoGbt } from '../gbcs/gbt.ts';
import { derWalkProblem, gbtTotalityProblem, messageTotalityProblem } from './portable/codecProperties.ts';

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
  // GBT frames: each sampled message cut at a block size that varies with its index.
  const frames: Uint8Array[] = [];
  const certificates: Uint8Array[] = [];
  for (let i = 0; i < messages.length; i++) {
    const m = decodeMessage(messages[i]);
    if (!m.ok) continue;
    const h = { cra: m.gs.cra, counter: m.gs.counter, originator: m.gs.originator, recipient: m.gs.recipient, messageCode: m.gs.messageCode };
    for (const f of splitIntoGbt(messages[i], h, { blockSize: 16 + ((i * 37) % 300) })) frames.push(f);
    const cert = m.gs.supplementary?.kaCertificate;
    if (cert) certificates.push(new Uint8Array(cert));
    if (m.gs.content[0] === 0x30) certificates.push(new Uint8Array(m.gs.content)); // ASN.1 bodies (CS02b..e, CS06, CCS0x)
  }
  cached = [
    { name: 'message', corpus: messages, check: messageTotalityProblem },
    { name: 'gbt-frame', corpus: frames, check: gbtTotalityProblem },
    { name: 'der', corpus: certificates, check: derWalkProblem },
  ];
  return cached;
}
