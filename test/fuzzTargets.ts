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
import { memoryMedium, journaledStorage } from '../boards/journaledStorage.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { StateTx } from '../device/state/stateTx.ts';
import { decodeCcs07Response, encodeCcs03Command, encodeCcs07Command, encodeCcs07Response } from '../gbcs/contents/hub/chfDeviceLog.ts';
import { decodeGcs59Command } from '../gbcs/contents/hub/gpfDeviceLog.ts';
import { decodeFirmwareTransferAlert } from '../gbcs/contents/hub/firmwareTransferAlert.ts';
import { stageDeviceLogCommand } from '../hub/chf.ts';

/** The CHF device-log codes (CCS01, CCS02, CCS03, CCS05, CCS06, CCS07). */
const CHF_CODES = [0x0001, 0x0002, 0x0003, 0x0004, 0x010f, 0x00fe];

/**
 * The hub's contents: every CHF device-log use case staged on a fresh store (a value or a typed rejection,
 * never an exception), and the GCS59, CCS07-response and CCS08 decoders.
 */
function hubContentProblem(input: Uint8Array): string | undefined {
  try {
    for (const code of CHF_CODES) {
      const tx = new StateTx(journaledStorage(memoryMedium(), (b) => sha256(b)));
      const r = stageDeviceLogCommand(tx, (b) => sha256(b), 1796342400, code, input, {});
      if (typeof r !== 'object' || typeof r.ok !== 'boolean') return 'code 0x' + code.toString(16) + ': not a value';
    }
    decodeGcs59Command(input);
    decodeCcs07Response(input);
    decodeFirmwareTransferAlert(input);
    return undefined;
  } catch (e) {
    return 'threw ' + (e as Error).message;
  }
}

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
  const hub: Uint8Array[] = [];
  for (let i = 0; i < messages.length; i++) {
    const m = decodeMessage(messages[i]);
    if (!m.ok) continue;
    const h = { cra: m.gs.cra, counter: m.gs.counter, originator: m.gs.originator, recipient: m.gs.recipient, messageCode: m.gs.messageCode };
    for (const f of splitIntoGbt(messages[i], h, { blockSize: 16 + ((i * 37) % 300) })) frames.push(f);
    const cert = m.gs.supplementary?.kaCertificate;
    if (cert) certificates.push(new Uint8Array(cert));
    if (m.gs.content[0] === 0x30) certificates.push(new Uint8Array(m.gs.content)); // ASN.1 bodies (CS02b..e, CS06, CCS0x)
    if ([0x0001, 0x0002, 0x0004, 0x008c, 0x0128].indexOf(m.gs.messageCode) >= 0) hub.push(new Uint8Array(m.gs.content));
  }
  const id = new Uint8Array([0x20, 0, 0, 1]);
  const eui = new Uint8Array([0, 0xdb, 0x12, 0x34, 0x56, 0x78, 0x90, 0xa0]);
  hub.push(encodeCcs03Command({ invokeId: id, extendedPanId: eui, devices: [{ deviceId: eui, key: new Uint8Array(16) }] }));
  hub.push(encodeCcs07Command(id));
  hub.push(encodeCcs07Response({ invokeId: id, deviceLog: [{ deviceId: eui, hashedTcLinkKey: new Uint8Array(32) }], historicLog: [] }));
  cached = [
    { name: 'message', corpus: messages, check: messageTotalityProblem },
    { name: 'gbt-frame', corpus: frames, check: gbtTotalityProblem },
    { name: 'der', corpus: certificates, check: derWalkProblem },
    { name: 'hub-content', corpus: hub, check: hubContentProblem },
  ];
  return cached;
}
