/**
 * The Communications Hub Function's device-log behaviour: what a CHF does with an authenticated CCS01,
 * CCS02, CCS03, CCS05/CCS06, CCS07 content and with joins on the HAN, over the board's storage.
 *
 * Steps of every change (the pipeline shape of device/pipeline/commandPipeline.ts):
 *   1. decode the content (gbcs/contents/hub/chfDeviceLog.ts); a malformed one is a typed rejection and
 *      nothing is stored;
 *   2. read both logs and compute the new ones in memory, refusing by name what GBCS refuses;
 *   3. stage every key that changed in the caller's transaction (`HubStore`: the command's StateTx when the
 *      device runtime runs the use case, so the log lands in the SAME commit as the command's counter and
 *      the CS14 alert's counter; the `board` forms below commit one of their own). CCS02 moves a key between
 *      the two logs in that one commit: a power cut leaves the old state or the new one, never a device in
 *      neither log;
 *   4. answer: the response content, and when the CHF Device Log changed, the CS14 alert content (0x8F12,
 *      the whole log, GBCS CS14).
 * A full medium (README "full-medium contract"): the one commit answers 'storage-full', nothing is stored, and
 * the board forms refuse with that reason: no response, no CS14 (it would report a log that was not stored).
 * Through the device runtime the command pipeline does the same (commandPipeline.ts: refused 'storage-full').
 * The GBCS security pipeline (MAC, counters) in front of this belongs to the device runtime (the CHF kind,
 * hub/chfUseCases.ts): this module is called with a content the runtime has already authenticated.
 *
 * Hashed TC link key in CS14: GBCS names it "Hash of the TC Link Key" without the algorithm in our texts;
 * we use SHA-256 (32 bytes) on the board's crypto: UNCONFIRMED.
 * @module
 */
import type { Board } from '../boards/board.ts';
import { dlmsDateTime } from '../gbcs/dateTime.ts';
import {
  decodeCcs01Command,
  decodeCcs02Command,
  decodeCcs03Command,
  decodeCcs07Command,
  decodeReadDeviceLogCommand,
  encodeCcs07Response,
  encodeCs14Alert,
  encodeReadDeviceLogResponse,
  encodeResultsResponse,
  KIND_ACTION,
  KIND_SET,
  MESSAGE_CODE_CCS01,
  MESSAGE_CODE_CCS02,
  MESSAGE_CODE_CCS03,
  MESSAGE_CODE_CCS05,
  MESSAGE_CODE_CCS06,
  MESSAGE_CODE_CCS07,
  RESULT_SUCCESS,
} from '../gbcs/contents/hub/chfDeviceLog.ts';
import type { ActiveDevice, DeviceLogBackupEntry } from '../gbcs/contents/hub/chfDeviceLog.ts';
import { invokeIdFor } from '../gbcs/dlms/access.ts';
import type { Rejection } from '../gbcs/reject.ts';
import type { Counter64 } from '../gbcs/counter64.ts';
// Directly, not through device/index.ts: that would pull the whole device runtime into the hub's engine
// bundles (Espruino keeps code in its variable pool; the cut bundle then ran out of 12,000 variables).
import { StateTx } from '../device/state/stateTx.ts';
import { toHex } from '../lib/bytes.ts';
import { decodeDeviceLog, DEVICE_LOG_CAPACITY, DEVICE_LOG_KEY, encodeDeviceLog, indexOfDevice, TC_LINK_KEY_LENGTH } from './deviceLog.ts';
import type { DeviceLogEntry } from './deviceLog.ts';
import { decodeHistoricLog, encodeHistoricLog, historicEntry, HISTORIC_LOG_KEY, recordRemoval } from './historicDeviceLog.ts';
import { joinRule } from './joinWindow.ts';
import type { JoinRule } from './joinWindow.ts';

/** DUIS JoinTimePeriod is 1..3600 seconds (DUIS 5.4 AddDeviceToCHFWhitelist). */
export const MAX_JOIN_TIMEOUT = 3600;

/**
 * Action/set results we answer failures with. The RTDS error responses show 01 (CCS02) and 01/FA (CCS01)
 * without saying for which condition: we answer 250 (other-reason) to every refused CCS01 specification
 * and 1 to a CCS02 for a device not on the log (as RTDS 8.11_CCS02 ERROR does): UNCONFIRMED.
 */
export const RESULT_OTHER = 250;
export const RESULT_NOT_ON_LOG = 1;

export type ChfReason = 'device-log-full' | 'duplicate-device' | 'join-timeout' | 'not-on-log' | 'no-join-window' | 'tc-link-key-length' | 'storage-full';

/** The medium had no room for the commit: nothing stored (boards/journaledStorage.ts). */
export interface StorageFull {
  ok: false;
  reason: 'storage-full';
}

const FULL: StorageFull = { ok: false, reason: 'storage-full' };

export interface ChfOutcome {
  ok: true;
  /** True when the CHF Device Log changed (a CS14 alert is due). */
  changed: boolean;
}

/** Where the CHF reads and stages its logs: a StateTx (reads see what is staged; the owner commits). */
export interface HubStore {
  read(key: string): Uint8Array | undefined;
  write(key: string, value: Uint8Array): void;
}

type Outcome = ChfOutcome | { ok: false; reason: ChfReason };

/** Why a HAN join's TC link key is not recorded (install-code joining, `stageTcLinkKey`). */
export type TcLinkKeyRefusal = 'tc-link-key-length' | 'not-on-log' | 'no-join-window';
/** Why a historic TC link key is not adopted (`stageHistoricKey`). */
export type HistoricKeyRefusal = 'not-on-log' | 'no-join-window';

/**
 * Runs a staged change on the board in a transaction of its own: committed when it succeeded; refused
 * 'storage-full' (nothing stored) when the medium has no room for the commit.
 */
function onBoard(board: Board, change: (store: HubStore) => Outcome): Outcome {
  const tx = new StateTx(board.storage);
  const r = change(tx);
  if (r.ok && !tx.commit().ok) return FULL;
  return r;
}

export function readDeviceLog(board: Board | HubStore): DeviceLogEntry[] {
  return decodeDeviceLog(storeOf(board).read(DEVICE_LOG_KEY));
}

export function readHistoricLog(board: Board | HubStore): ReturnType<typeof decodeHistoricLog> {
  return decodeHistoricLog(storeOf(board).read(HISTORIC_LOG_KEY));
}

function storeOf(b: Board | HubStore): { read(key: string): Uint8Array | undefined } {
  // A Board has a clock; a StateTx also has a `storage`, but must be read through (its staged changes).
  return 'clock' in b ? (b as Board).storage : (b as HubStore);
}

/**
 * CCS01: add `ieee` with its install code, opening the join window at `nowSec`. Already on the log: the
 * key is ignored, nothing changes, success (GBCS CCS01). The join window is not reopened then either
 * (our reading: the text says the command "shall not affect any Link Key held by the CH").
 */
export function addDevice(board: Board, ieee: Uint8Array, installCode: Uint8Array, joinTimeout: number, nowSec: number, hht?: boolean): Outcome {
  return onBoard(board, function (store) {
    return stageAddDevice(store, ieee, installCode, joinTimeout, nowSec, hht);
  });
}

export function stageAddDevice(store: HubStore, ieee: Uint8Array, installCode: Uint8Array, joinTimeout: number, nowSec: number, hht?: boolean): Outcome {
  const log = readDeviceLog(store);
  if (indexOfDevice(log, ieee) >= 0) return { ok: true, changed: false };
  if (!(joinTimeout >= 1 && joinTimeout <= MAX_JOIN_TIMEOUT)) return { ok: false, reason: 'join-timeout' };
  if (log.length >= DEVICE_LOG_CAPACITY) return { ok: false, reason: 'device-log-full' };
  log.push({ ieeeAddress: ieee, installCode: installCode, joinTimeout: joinTimeout, joinStart: nowSec, hht: hht === true });
  store.write(DEVICE_LOG_KEY, encodeDeviceLog(log));
  return { ok: true, changed: true };
}

/**
 * CCS02: remove `ieee`. Its TC link key, if any, goes to the historic log first (in the same commit),
 * unless it is an HHT (GBCS CCS02).
 */
export function removeDevice(board: Board, ieee: Uint8Array): Outcome {
  return onBoard(board, function (store) {
    return stageRemoveDevice(store, ieee);
  });
}

export function stageRemoveDevice(store: HubStore, ieee: Uint8Array): Outcome {
  const log = readDeviceLog(store);
  const at = indexOfDevice(log, ieee);
  if (at < 0) return { ok: false, reason: 'not-on-log' };
  const gone = log[at];
  log.splice(at, 1);
  store.write(DEVICE_LOG_KEY, encodeDeviceLog(log));
  if (gone.tcLinkKey && !gone.hht) store.write(HISTORIC_LOG_KEY, encodeHistoricLog(recordRemoval(readHistoricLog(store), gone.ieeeAddress, gone.tcLinkKey)));
  return { ok: true, changed: true };
}

/** What joining `ieee` may do now (hub/joinWindow.ts); 'closed' for a device not on the log. */
export function joinRuleFor(board: Board | HubStore, ieee: Uint8Array, nowSec: number): JoinRule {
  const log = readDeviceLog(board);
  const at = indexOfDevice(log, ieee);
  if (at < 0) return 'closed';
  return joinRule(log[at], !!historicEntry(readHistoricLog(board), ieee), nowSec);
}

/**
 * The device completed install-code joining and key establishment: record its new TC link key (the log
 * changes: CS14 due). Refused outside its install-code window.
 */
export function recordTcLinkKey(board: Board, ieee: Uint8Array, tcLinkKey: Uint8Array, nowSec: number): Outcome {
  return onBoard(board, function (store) {
    return stageTcLinkKey(store, ieee, tcLinkKey, nowSec);
  });
}

export function stageTcLinkKey(store: HubStore, ieee: Uint8Array, tcLinkKey: Uint8Array, nowSec: number): ChfOutcome | { ok: false; reason: TcLinkKeyRefusal } {
  if (tcLinkKey.length !== TC_LINK_KEY_LENGTH) return { ok: false, reason: 'tc-link-key-length' };
  const log = readDeviceLog(store);
  const at = indexOfDevice(log, ieee);
  if (at < 0) return { ok: false, reason: 'not-on-log' };
  if (joinRule(log[at], !!historicEntry(readHistoricLog(store), ieee), nowSec) !== 'install-code') return { ok: false, reason: 'no-join-window' };
  log[at].tcLinkKey = tcLinkKey;
  store.write(DEVICE_LOG_KEY, encodeDeviceLog(log));
  return { ok: true, changed: true };
}

/**
 * The device began communicating with its historic TC link key within the first half of the window: the
 * CHF records that key against the device on the log (GBCS CCS01; CS14 due). Refused outside that half.
 */
export function adoptHistoricKey(board: Board, ieee: Uint8Array, nowSec: number): Outcome {
  return onBoard(board, function (store) {
    return stageHistoricKey(store, ieee, nowSec);
  });
}

export function stageHistoricKey(store: HubStore, ieee: Uint8Array, nowSec: number): ChfOutcome | { ok: false; reason: HistoricKeyRefusal } {
  const log = readDeviceLog(store);
  const at = indexOfDevice(log, ieee);
  if (at < 0) return { ok: false, reason: 'not-on-log' };
  const h = historicEntry(readHistoricLog(store), ieee);
  if (!h || joinRule(log[at], true, nowSec) !== 'historic-tc-link-key') return { ok: false, reason: 'no-join-window' };
  log[at].tcLinkKey = h.tcLinkKey;
  store.write(DEVICE_LOG_KEY, encodeDeviceLog(log));
  return { ok: true, changed: true };
}

/** The CS14 lines: every device on the log with the hash of its TC link key (empty until it has one). */
export function backupEntries(store: Board | HubStore, sha256: (b: Uint8Array) => Uint8Array): DeviceLogBackupEntry[] {
  return backupOf(readDeviceLog(store), sha256);
}

function backupOf(log: { ieeeAddress: Uint8Array; tcLinkKey?: Uint8Array }[], sha256: (b: Uint8Array) => Uint8Array): DeviceLogBackupEntry[] {
  const out: DeviceLogBackupEntry[] = [];
  for (let i = 0; i < log.length; i++) {
    const k = log[i].tcLinkKey;
    out.push({ deviceId: log[i].ieeeAddress, hashedTcLinkKey: k ? sha256(k) : new Uint8Array(0) });
  }
  return out;
}

/** The CS14 alert content for the log as `store` holds it, sent with alert counter `counter` (its invoke id). */
export function cs14AlertContent(store: Board | HubStore, sha256: (b: Uint8Array) => Uint8Array, counter: Counter64, nowSec: number): Uint8Array {
  return encodeCs14Alert({ invokeId: invokeIdFor(counter), dateTime: dlmsDateTime(nowSec), entries: backupEntries(store, sha256) });
}

/** CCS07's view of the CHF Historic Device Log: each removed device with the hash of its TC link key. */
export function historicBackupEntries(store: Board | HubStore, sha256: (b: Uint8Array) => Uint8Array): DeviceLogBackupEntry[] {
  return backupOf(readHistoricLog(store).entries, sha256);
}

/** Link figures the CHF keeps in RAM per device (not stored: see deviceLog.ts). */
export type LinkStats = Record<string, Partial<ActiveDevice>>;

const NEVER = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80, 0x00, 0xff]);

/** The CCS05/CCS06 list: every device on the log with the link figures known for it (zero / never otherwise). */
export function activeDevices(board: Board | HubStore, stats: LinkStats): ActiveDevice[] {
  const log = readDeviceLog(board);
  const out: ActiveDevice[] = [];
  for (let i = 0; i < log.length; i++) {
    const s = stats[toHex(log[i].ieeeAddress)] || {};
    out.push({
      macAddress: log[i].ieeeAddress,
      status: s.status || new Uint8Array([0]),
      statusBits: s.statusBits === undefined ? 8 : s.statusBits,
      maxRssi: s.maxRssi || 0,
      averageRssi: s.averageRssi || 0,
      minRssi: s.minRssi || 0,
      maxLqi: s.maxLqi || 0,
      averageLqi: s.averageLqi || 0,
      minLqi: s.minLqi || 0,
      lastCommunication: s.lastCommunication || NEVER,
      numberOfHops: s.numberOfHops || 0,
      transmissionFailures: s.transmissionFailures || 0,
      transmissionSuccesses: s.transmissionSuccesses || 0,
      applicationVersion: s.applicationVersion || 0,
      stackVersion: s.stackVersion || 0,
    });
  }
  return out;
}

export interface ChfAnswer {
  ok: true;
  /** The response content. */
  response: Uint8Array;
  /** The CS14 alert content when the log changed (send it with message code 0x0018). */
  alert?: Uint8Array;
}

/** A device-log command staged: the response content, and whether the CHF Device Log changed (CS14 due). */
export interface StagedChfCommand {
  ok: true;
  response: Uint8Array;
  changed: boolean;
}

/** The Extended PAN ID of the network the CHF formed (CCS03; HAN-FACTS: the hub's HAN IEEE address otherwise). */
export const PAN_KEY = 'chf.pan';

/** The CHF device-log codes this module answers (CCS01, CCS02, CCS03, CCS05/CCS04, CCS06, CCS07). */
export function isDeviceLogCode(code: number): boolean {
  return code === MESSAGE_CODE_CCS01 || code === MESSAGE_CODE_CCS02 || code === MESSAGE_CODE_CCS03 || code === MESSAGE_CODE_CCS05 || code === MESSAGE_CODE_CCS06 || code === MESSAGE_CODE_CCS07;
}

/**
 * CCS03 restore (GBCS CCS03; content layout UNCONFIRMED, gbcs/contents/hub/chfDeviceLog.ts): the log
 * becomes exactly the devices given, each with its install code and a join window of MAX_JOIN_TIMEOUT from
 * now (a restored device has no TC link key with this CHF yet: it joins again), and the CHF forms its
 * network with the Extended PAN ID given. The historic log is kept. Refused whole: more devices than the
 * log holds, or one device twice.
 */
export function stageRestore(store: HubStore, extendedPanId: Uint8Array, devices: { deviceId: Uint8Array; key: Uint8Array }[], nowSec: number): Outcome {
  if (devices.length > DEVICE_LOG_CAPACITY) return { ok: false, reason: 'device-log-full' };
  const log: DeviceLogEntry[] = [];
  for (let i = 0; i < devices.length; i++) {
    if (indexOfDevice(log, devices[i].deviceId) >= 0) return { ok: false, reason: 'duplicate-device' };
    log.push({ ieeeAddress: devices[i].deviceId, installCode: devices[i].key, joinTimeout: MAX_JOIN_TIMEOUT, joinStart: nowSec, hht: false });
  }
  store.write(DEVICE_LOG_KEY, encodeDeviceLog(log));
  store.write(PAN_KEY, extendedPanId);
  return { ok: true, changed: true };
}

/**
 * An authenticated CHF device-log command's content, staged in `store` (nothing committed here). A content
 * that is not the use case's shape is a typed rejection and nothing is staged.
 */
export function stageDeviceLogCommand(store: HubStore, sha256: (b: Uint8Array) => Uint8Array, now: number, messageCode: number, content: Uint8Array, stats: LinkStats): StagedChfCommand | Rejection {
  if (messageCode === MESSAGE_CODE_CCS01) {
    const c = decodeCcs01Command(content);
    if ('ok' in c) return c;
    const r = stageAddDevice(store, c.ieeeAddress, c.key, c.joinTimeout, now);
    const code = r.ok ? RESULT_SUCCESS : RESULT_OTHER;
    const response = encodeResultsResponse(c.invokeId, [{ kind: KIND_ACTION, result: code }, { kind: KIND_SET, result: code }, { kind: KIND_SET, result: code }]);
    return { ok: true, response: response, changed: r.ok && r.changed };
  }
  if (messageCode === MESSAGE_CODE_CCS02) {
    const c = decodeCcs02Command(content);
    if ('ok' in c) return c;
    const r = stageRemoveDevice(store, c.ieeeAddress);
    return { ok: true, response: encodeResultsResponse(c.invokeId, [{ kind: KIND_ACTION, result: r.ok ? RESULT_SUCCESS : RESULT_NOT_ON_LOG }]), changed: r.ok };
  }
  if (messageCode === MESSAGE_CODE_CCS03) {
    const c = decodeCcs03Command(content);
    if ('ok' in c) return c;
    const r = stageRestore(store, c.extendedPanId, c.devices, now);
    return { ok: true, response: encodeResultsResponse(c.invokeId, [{ kind: KIND_ACTION, result: r.ok ? RESULT_SUCCESS : RESULT_OTHER }]), changed: r.ok };
  }
  if (messageCode === MESSAGE_CODE_CCS05 || messageCode === MESSAGE_CODE_CCS06) {
    const c = decodeReadDeviceLogCommand(content);
    if ('ok' in c) return c;
    return { ok: true, response: encodeReadDeviceLogResponse({ invokeId: c.invokeId, devices: activeDevices(store, stats), result: RESULT_SUCCESS }), changed: false };
  }
  if (messageCode === MESSAGE_CODE_CCS07) {
    const c = decodeCcs07Command(content);
    if ('ok' in c) return c;
    return { ok: true, response: encodeCcs07Response({ invokeId: c.invokeId, deviceLog: backupEntries(store, sha256), historicLog: historicBackupEntries(store, sha256) }), changed: false };
  }
  return { ok: false, reason: 'unexpected-content', at: 0 };
}

/**
 * The same on a board, committed at once (tests, sweeps). `alertCounterLo` is the low word of the counter
 * the CS14 alert would be sent with (its invoke id carries it, as RTDS alerts do). A commit the medium has
 * no room for is refused 'storage-full' with nothing stored and nothing to send (as the device pipeline
 * refuses the command: no response, no CS14).
 */
export function handleDeviceLogCommand(board: Board, messageCode: number, content: Uint8Array, stats: LinkStats, alertCounterLo: number): ChfAnswer | Rejection | StorageFull {
  const now = board.clock.nowSec();
  const tx = new StateTx(board.storage);
  const r = stageDeviceLogCommand(tx, board.crypto.sha256, now, messageCode, content, stats);
  if (!r.ok) return r;
  if (!tx.commit().ok) return FULL;
  if (!r.changed) return { ok: true, response: r.response };
  return { ok: true, response: r.response, alert: cs14AlertContent(board, board.crypto.sha256, { hi: 0, lo: alertCounterLo }, now) };
}
