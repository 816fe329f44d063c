/**
 * The RTDS replay through the reference device (`smets conformance DIR --keys KEYDIR --device`): every
 * COMMAND file addressed to 00DB1234567890A0 is delivered to a freshly manufactured device (the use
 * case's starting state), so no file depends on what an earlier file of its folder changed. Before each
 * command is delivered, every single-byte mutation of it (each position,
 * the byte XOR FF) is delivered to the device as it stands: each must be rejected, with every stored key
 * outside the security log unchanged and the log one entry longer. Then the command itself must be
 * accepted, its response must carry the message code, counter, originator and recipient of the folder's
 * RESPONSE file, and a second delivery of it must be refused as a replay.
 * @module
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bytesEqual, toHex } from '../../lib/bytes.ts';
import { compareCounters, counterToHex } from '../../gbcs/counter64.ts';
import { decodeMessage } from '../../gbcs/message.ts';
import { messageCodeInfo } from '../../gbcs/messageCodes.ts';
import type { GbcsMessage } from '../../gbcs/message.ts';
import { readCs02bCommand } from '../../gbcs/contents/cs02b.ts';
import { DEVICE_COUNTER, LOG_PREFIX, logCount, MESSAGE_CODE_CONTINGENCY, readDeviceCounter, rootSigner } from '../../device/index.ts';
import type { Storage } from '../../boards/board.ts';
import type { DeviceAnswer, ManufactureResult } from '../../device/index.ts';
import { readHexFile } from '../conformance/rtdsFolder.ts';
import { decodeGbz } from '../../gbcs/gbz/components.ts';
import { readUtrn, VALUE_POUNDS } from '../../gbcs/utrn.ts';
import { REFERENCE_EUI, referenceDevice } from './referenceDevice.ts';
import type { ReferenceKeys } from './referenceDevice.ts';

export interface CommandReplay {
  /** Path relative to the RTDS folder. */
  path: string;
  accepted: boolean;
  rejection?: string;
  responseMatches: boolean;
  responseDetail: string;
  replayRefused: boolean;
  mutationsTried: number;
  mutationsAccepted: number;
  /** Rejected mutations that still changed stored state outside the log (must be 0). */
  mutationsChangedState: number;
  /** Whether the response's content equals the RESPONSE file's byte for byte. */
  contentMatches: boolean;
  /** Where the contents first differ (empty when they match or there is nothing to compare). */
  contentDetail: string;
  /** Why the command could not be tried at all (its keys are not in KEYDIR); nothing else is set. */
  skipped?: string;
  /**
   * A HAN device's command (PCS01/PCS02) whose MAC no published key can check: its originator was joined
   * first (CS03C), the command got past the Device Log, its role and its counter, and only the MAC was
   * refused. Counted apart, neither accepted nor failed.
   */
  unverifiable?: string;
  /** The command's and the RESPONSE file's content, decoded (HAN device commands). */
  decoded?: string;
}

/** A reference device the replay delivers commands to: its EUI (the recipient it answers) and its factory. */
export interface ReferenceTarget {
  eui: string;
  /** e.g. 'ESME', 'GSME'. */
  label: string;
  /** A fresh device in the starting state of `useCase` (the folder's name). */
  make(useCase?: string): { board: { storage: Storage }; device: { receive(frame: Uint8Array): DeviceAnswer } | undefined; made: ManufactureResult };
  /** Joins the HAN device `eui` (hex) to a device `make` gave (CS03C for a PPMID); undefined when done, else why not. */
  joinHan?(made: ReturnType<ReferenceTarget['make']>, eui: string): string | undefined;
}

/** A PPMID command's or response's GBZ content in words (PCS01 / PCS02; SE 1.4 Prepayment 0x0705). */
export function describeHanContent(content: Uint8Array): string {
  const comps = decodeGbz(content);
  if (typeof comps === 'string') return comps;
  return comps.map((c) => {
    const p = c.payload;
    const le = (at: number) => (p[at] | (p[at + 1] << 8) | (p[at + 2] << 16) | (p[at + 3] << 24));
    const token = ((c.frameControl & 0x08) !== 0 ? 'p' : 's') + c.cluster.toString(16).padStart(4, '0') + '.' + c.command.toString(16).padStart(2, '0');
    if (token === 's0705.04' && p.length >= 2) {
      const text = String.fromCharCode(...p.subarray(2));
      const u = readUtrn(text);
      return 'Consumer Top Up from originating device ' + p[0] + ', UTRN ' + text + (typeof u === 'string' ? ' (' + u + ')' : ' (' + u.value + (u.valueClass === VALUE_POUNDS ? ' pounds' : ' pennies') + ', counter bits 32..41 = ' + u.counter10 + ', MAC ' + toHex(u.mac) + ')');
    }
    if (token === 's0705.00' && p.length === 5) return 'Select Available Emergency Credit, issue time ' + (le(0) >>> 0) + ', originating device ' + p[4];
    if (token === 'p0705.03' && p.length === 10) return 'Consumer Top Up Response: result ' + p[0] + ', top-up value ' + le(1) + ', source ' + p[5] + ', credit remaining ' + le(6);
    if ((c.frameControl & 0x03) === 0 && c.command === 0x0b && p.length === 2) return 'Default Response to command 0x' + p[0].toString(16) + ', status 0x' + p[1].toString(16);
    return token + ' ' + toHex(p);
  }).join('; ');
}

/** The ESME reference device (00DB1234567890A0) as a target. */
export function esmeTarget(keys: ReferenceKeys, rootStandIn: Uint8Array | undefined): ReferenceTarget {
  return { eui: REFERENCE_EUI, label: 'ESME', make: () => referenceDevice(keys, rootStandIn) };
}

/** Where two contents first differ, or '' when equal. */
function firstDifference(got: Uint8Array, want: Uint8Array): string {
  const n = Math.min(got.length, want.length);
  for (let i = 0; i < n; i++) if (got[i] !== want[i]) return 'content differs at byte ' + i + ' (got ' + toHex(got.subarray(i, i + 8)) + '.., RESPONSE file ' + toHex(want.subarray(i, i + 8)) + '..)';
  return got.length === want.length ? '' : 'content length ' + got.length + ', RESPONSE file ' + want.length;
}

/**
 * Every stored key except the security log's and the device counter, as hex, for byte-for-byte
 * comparison: what a refused command may change is its log entry and, when it raises a security alert,
 * the alert's device counter (checked on its own: one step per alert sent).
 */
export function stateSnapshot(storage: Storage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of storage.keys()) if (k.indexOf(LOG_PREFIX) !== 0 && k !== DEVICE_COUNTER) out[k] = toHex(storage.read(k)!);
  return out;
}

export function sameSnapshot(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}

/** The first Issuing CA certificate carried in a CS02b command under `dir` (the root stand-in). */
export function findIssuingCa(dir: string): Uint8Array | undefined {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      const found = findIssuingCa(p);
      if (found) return found;
    } else if (/_COMMAND_GBCS\.HEX$/i.test(name)) {
      const b = readHexFile(p);
      const m = b && decodeMessage(b);
      if (!m || !m.ok || m.gs.messageCode < 0x0102 || m.gs.messageCode > 0x0109) continue;
      const cmd = readCs02bCommand(m.content);
      if (cmd && cmd.path.length > 0) return new Uint8Array(cmd.path[0]);
    }
  }
  return undefined;
}

interface Command {
  path: string;
  bytes: Uint8Array;
  message: GbcsMessage;
  responsePath: string;
}

/** The commands of one folder addressed to `eui`, in counter order. */
function commandsOf(rtdsDir: string, useCase: string, eui: string): Command[] {
  const abs = join(rtdsDir, useCase);
  const out: Command[] = [];
  for (const name of readdirSync(abs).sort()) {
    if (!/_COMMAND_GBCS\.HEX$/i.test(name)) continue;
    const bytes = readHexFile(join(abs, name));
    const m = bytes && decodeMessage(bytes);
    if (!bytes || !m || !m.ok || toHex(m.gs.recipient) !== eui) continue;
    out.push({ path: useCase + '/' + name, bytes, message: m, responsePath: join(abs, name.replace(/_COMMAND_GBCS\.HEX$/i, '_RESPONSE_GBCS.HEX')) });
  }
  return out.sort((a, b) => compareCounters(a.message.gs.counter, b.message.gs.counter));
}

function header(m: GbcsMessage): string {
  return '0x' + m.gs.messageCode.toString(16).padStart(4, '0') + ' ctr ' + counterToHex(m.gs.counter) + ' ' + toHex(m.gs.originator) + '->' + toHex(m.gs.recipient);
}

/**
 * Replays one use-case folder to a reference device (the ESME unless `target` names another); `mutate`
 * false skips the mutation sweep.
 */
export function replayFolder(rtdsDir: string, useCase: string, keys: ReferenceKeys, rootStandIn: Uint8Array | undefined, mutate: boolean, target?: ReferenceTarget): CommandReplay[] {
  const to = target ?? esmeTarget(keys, rootStandIn);
  const commands = commandsOf(rtdsDir, useCase, to.eui);
  if (commands.length === 0) return [];
  const results: CommandReplay[] = [];
  for (const c of commands) {
    // Each command file starts from the use case's starting state (RTDS files of one folder are
    // alternatives signed against that state, not a sequence: after a supplierBySupplier CS02b succeeds,
    // the folder's later files, signed by the old Supplier, would otherwise all be refused).
    const { board, device, made } = to.make(useCase);
    if (!made.ok || !device) throw new Error('reference ' + to.label + ': manufacture refused: ' + (made.ok ? 'no device' : made.reason + (made.cell ? ' (' + made.cell + ')' : '')));
    const r: CommandReplay = { path: c.path, accepted: false, responseMatches: false, responseDetail: '', replayRefused: false, mutationsTried: 0, mutationsAccepted: 0, mutationsChangedState: 0, contentMatches: false, contentDetail: '' };
    const han = messageCodeInfo(c.message.gs.messageCode)?.hanOnly === true;
    if (han) {
      // A HAN device's command (PCS01/PCS02 from a PPMID): the meter knows its originator once paired (CS03C).
      const from = toHex(c.message.gs.originator);
      const why = to.joinHan ? to.joinHan({ board, device, made }, from) : 'the reference ' + to.label + ' joins no HAN device';
      if (why) {
        r.skipped = 'sent by a HAN device (' + from + '): ' + why;
        results.push(r);
        continue;
      }
      const resp = readHexFile(c.responsePath);
      const rm = resp && decodeMessage(resp);
      r.decoded = 'command: ' + describeHanContent(c.message.content) + (rm && rm.ok ? '; RESPONSE file: ' + describeHanContent(rm.content) : '');
    }
    if (c.message.gs.messageCode === MESSAGE_CODE_CONTINGENCY && !rootSigner(board.storage)?.contingencyKey) {
      // Only the Root OCA certificate can carry the contingency key that authenticates this command.
      r.skipped = 'no contingency key: KEYDIR has no Root OCA certificate carrying id-pe-wrappedApexContinKey';
      results.push(r);
      continue;
    }
    if (mutate) {
      for (let i = 0; i < c.bytes.length; i++) {
        const before = stateSnapshot(board.storage);
        const logBefore = logCount(board.storage);
        const alertsBefore = readDeviceCounter(board.storage).lo;
        const m = new Uint8Array(c.bytes);
        m[i] ^= 0xff;
        r.mutationsTried++;
        const a = device.receive(m);
        if (a.outcome.ok) {
          r.mutationsAccepted++;
          continue;
        }
        const alertSteps = readDeviceCounter(board.storage).lo - alertsBefore;
        if (!sameSnapshot(before, stateSnapshot(board.storage)) || logCount(board.storage) !== logBefore + 1 || alertSteps !== a.alerts.length) r.mutationsChangedState++;
      }
    }
    const a = device.receive(c.bytes);
    if (han && !a.outcome.ok && a.outcome.reason === 'mac-mismatch') {
      // Past the Device Log, the PPMID's role and its counter; the MAC needs the PPMID's or the GSME's KA
      // private key, and neither is published (MANIFEST.tsv).
      r.unverifiable = 'MAC unverifiable: neither KA private key is published (' + toHex(c.message.gs.originator) + ', ' + toHex(c.message.gs.recipient) + '); the originator recognised as the PPMID joined by CS03C';
      results.push(r);
      continue;
    }
    r.accepted = a.outcome.ok;
    if (!a.outcome.ok) r.rejection = a.outcome.reason + (a.outcome.detail ? ' (' + a.outcome.detail + ')' : '');
    const expectedBytes = readHexFile(c.responsePath);
    const expected = expectedBytes && decodeMessage(expectedBytes);
    if (!expected || !expected.ok) r.responseDetail = 'no RESPONSE file to compare';
    else if (!a.response) r.responseDetail = 'no response' + (a.responseProblem ? ' (' + a.responseProblem + ')' : '');
    else {
      const got = decodeMessage(a.response);
      if (!got.ok) r.responseDetail = 'response does not decode: ' + got.reason;
      else {
        const g = got.gs;
        const e = expected.gs;
        r.responseMatches = g.messageCode === e.messageCode && compareCounters(g.counter, e.counter) === 0 && bytesEqual(g.originator, e.originator) && bytesEqual(g.recipient, e.recipient) && g.cra === 2;
        r.responseDetail = r.responseMatches ? 'response ' + header(got) : 'response ' + header(got) + ' but RESPONSE file has ' + header(expected);
        r.contentDetail = firstDifference(got.content, expected.content);
        r.contentMatches = r.contentDetail === '';
      }
    }
    const again = device.receive(c.bytes);
    r.replayRefused = !again.outcome.ok && again.outcome.reason === 'replay';
    results.push(r);
  }
  return results;
}
