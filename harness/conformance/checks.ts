/**
 * The per-file checks of `smets conformance`. Each check looks at one RTDS-style file (its bytes, the
 * decoded message, the message-code entry) and returns `{name, ok, detail}`; a file passes when every
 * check it ran passed. The base list here is the codec's: the file decodes, its message code is known,
 * and re-encoding gives the same bytes. Later modules add their checks through an extension
 * (extensions.ts): `--keys KEYDIR` (MAC, signature, decryption) and `--device` (replay through a
 * simulated device) plug in there without touching this file or the command.
 * @module
 */
import { bytesEqual } from '../../lib/bytes.ts';
import { decodeMessage, encodeMessage } from '../../gbcs/message.ts';
import type { GbcsMessage } from '../../gbcs/message.ts';
import { describeRejection } from '../../gbcs/reject.ts';
import type { Rejection } from '../../gbcs/reject.ts';
import type { RtdsFile } from './rtdsFolder.ts';
import { readHexFile } from './rtdsFolder.ts';

/** What the message-code table says of a code (the fields conformance uses from gbcs/messageCodes.ts). */
export interface CodeEntry {
  useCase: string;
  title?: string;
  critical: boolean;
}

export type CodeLookup = (code: number) => CodeEntry | undefined;

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
  /** The check could not run (e.g. no key for it): it passes unless --strict, and is counted as unchecked. */
  skipped?: boolean;
}

/** One file under test, shared by its checks (a check may leave results for later checks in `notes`). */
export interface FileUnderTest {
  file: RtdsFile;
  /** undefined when the file is not hex. */
  bytes?: Uint8Array;
  decoded?: GbcsMessage | Rejection;
  /** The decoded message, when it decoded. */
  message?: GbcsMessage;
  code?: number;
  codeEntry?: CodeEntry;
  /** Free space for checks to share what they learnt (e.g. a derived key). */
  notes: Record<string, unknown>;
}

export interface ConformanceCheck {
  name: string;
  run(f: FileUnderTest): CheckResult | CheckResult[] | Promise<CheckResult | CheckResult[]>;
}

/** Loads a file and decodes it: the context every check starts from. */
export function loadFile(file: RtdsFile, lookup: CodeLookup): FileUnderTest {
  const f: FileUnderTest = { file: file, notes: {} };
  let bytes: Uint8Array | undefined;
  try {
    bytes = readHexFile(file.absolutePath);
  } catch {
    bytes = undefined;
  }
  if (!bytes) return f;
  f.bytes = bytes;
  f.decoded = decodeMessage(bytes);
  if (f.decoded.ok) {
    f.message = f.decoded;
    f.code = f.decoded.gs.messageCode;
    f.codeEntry = lookup(f.code);
  }
  return f;
}

export const decodes: ConformanceCheck = {
  name: 'decode',
  run(f) {
    if (!f.bytes) return { name: 'decode', ok: false, detail: 'not a hex file' };
    if (!f.decoded || !f.decoded.ok) return { name: 'decode', ok: false, detail: f.decoded ? describeRejection(f.decoded) : 'no result' };
    const m = f.decoded;
    return { name: 'decode', ok: true, detail: (m.wrapper === 'ciphered' ? 'DD' : 'DF') + ' ' + m.bytes.length + ' bytes, signature ' + m.gs.signatureForm };
  },
};

export const knownCode: ConformanceCheck = {
  name: 'message-code',
  run(f) {
    if (f.code === undefined) return { name: 'message-code', ok: false, detail: 'no message code (did not decode)' };
    const hex = '0x' + ('000' + f.code.toString(16).toUpperCase()).slice(-4);
    if (!f.codeEntry) return { name: 'message-code', ok: false, detail: 'unknown message code ' + hex };
    return { name: 'message-code', ok: true, detail: hex + ' ' + f.codeEntry.useCase };
  },
};

export const roundTrip: ConformanceCheck = {
  name: 'round-trip',
  run(f) {
    if (!f.message || !f.bytes) return { name: 'round-trip', ok: false, detail: 'nothing to re-encode (did not decode)' };
    const again = encodeMessage(f.message);
    if (bytesEqual(again, f.bytes)) return { name: 'round-trip', ok: true, detail: again.length + ' bytes identical' };
    let at = 0;
    while (at < again.length && at < f.bytes.length && again[at] === f.bytes[at]) at++;
    return { name: 'round-trip', ok: false, detail: 're-encoded bytes differ at ' + at };
  },
};

/** The codec's checks, run for every file. */
export const baseChecks: ConformanceCheck[] = [decodes, knownCode, roundTrip];
