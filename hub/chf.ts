/**
 * The Communications Hub Function's device-log behaviour: what a CHF does with an authenticated CCS01,
 * CCS02, CCS05/CCS06 content and with joins on the HAN, over the board's storage.
 *
 * Steps of every change (the pipeline shape of device/pipeline/commandPipeline.ts):
 *   1. decode the content (gbcs/contents/hub/chfDeviceLog.ts); a malformed one is a typed rejection and
 *      nothing is stored;
 *   2. read both logs and compute the new ones in memory, refusing by name what GBCS refuses;
 *   3. ONE `storage.commit` with every key that changed (CCS02 moves a key between the two logs in that
 *      one commit: a power cut leaves the old state or the new one, never a device in neither log);
 *   4. answer: the response content, and when the CHF Device Log changed, the CS14 alert content (0x8F12,
 *      the whole log, GBCS CS14).
 * The GBCS security pipeline (MAC, counters) in front of this belongs to the device runtime and is not
 * done here: this module is called with a content the runtime has already authenticated.
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
  decodeReadDeviceLogCommand,
  encodeCs14Alert,
  encodeReadDeviceLogResponse,
  encodeResultsResponse,
  KIND_ACTION,
  KIND_SET,
  MESSAGE_CODE_CCS01,
  MESSAGE_CODE_CCS02,
  MESSAGE_CODE_CCS05,
  MESSAGE_CODE_CCS06,
  RESULT_SUCCESS,
} from '../gbcs/contents/hub/chfDeviceLog.ts';
import type { ActiveDevice, DeviceLogBackupEntry } from '../gbcs/contents/hub/chfDeviceLog.ts';
import { invokeIdFor } from '../gbcs/dlms/access.ts';
import type { Rejection } from '../gbcs/reject.ts';
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

export type ChfReason = 'device-log-full' | 'join-timeout' | 'not-on-log' | 'no-join-window' | 'tc-link-key-length';

export interface ChfOutcome {
  ok: true;
  /** True when the CHF Device Log changed (a CS14 alert is due). */
  changed: boolean;
}

export function readDeviceLog(board: Board): DeviceLogEntry[] {
  return decodeDeviceLog(board.storage.read(DEVICE_LOG_KEY));
}

export function readHistoricLog(board: Board): ReturnType<typeof decodeHistoricLog> {
  return decodeHistoricLog(board.storage.read(HISTORIC_LOG_KEY));
}

/**
 * CCS01: add `ieee` with its install code, opening the join window at `nowSec`. Already on the log: the
 * key is ignored, nothing changes, success (GBCS CCS01). The join window is not reopened then either
 * (our reading: the text says the command "shall not affect any Link Key held by the CH").
 */
export function addDevice(board: Board, ieee: Uint8Array, installCode: Uint8Array, joinTimeout: number, nowSec: number, hht?: boolean): ChfOutcome | { ok: false; reason: ChfReason } {
  const log = readDeviceLog(board);
  if (indexOfDevice(log, ieee) >= 0) return { ok: true, changed: false };
  if (!(joinTimeout >= 1 && joinTimeout <= MAX_JOIN_TIMEOUT)) return { ok: false, reason: 'join-timeout' };
  if (log.length >= DEVICE_LOG_CAPACITY) return { ok: false, reason: 'device-log-full' };
  log.push({ ieeeAddress: ieee, installCode: installCode, joinTimeout: joinTimeout, joinStart: nowSec, hht: hht === true });
  board.storage.commit(one(DEVICE_LOG_KEY, encodeDeviceLog(log)));
  return { ok: true, changed: true };
}

/**
 * CCS02: remove `ieee`. Its TC link key, if any, goes to the historic log first (in the same commit),
 * unless it is an HHT (GBCS CCS02).
 */
export function removeDevice(board: Board, ieee: Uint8Array): ChfOutcome | { ok: false; reason: ChfReason } {
  const log = readDeviceLog(board);
  const at = indexOfDevice(log, ieee);
  if (at < 0) return { ok: false, reason: 'not-on-log' };
  const gone = log[at];
  log.splice(at, 1);
  const changes: Record<string, Uint8Array> = {};
  changes[DEVICE_LOG_KEY] = encodeDeviceLog(log);
  if (gone.tcLinkKey && !gone.hht) changes[HISTORIC_LOG_KEY] = encodeHistoricLog(recordRemoval(readHistoricLog(board), gone.ieeeAddress, gone.tcLinkKey));
  board.storage.commit(changes);
  return { ok: true, changed: true };
}

/** What joining `ieee` may do now (hub/joinWindow.ts); 'closed' for a device not on the log. */
export function joinRuleFor(board: Board, ieee: Uint8Array, nowSec: number): JoinRule {
  const log = readDeviceLog(board);
  const at = indexOfDevice(log, ieee);
  if (at < 0) return 'closed';
  return joinRule(log[at], !!historicEntry(readHistoricLog(board), ieee), nowSec);
}

/**
 * The device completed install-code joining and key establishment: record its new TC link key (the log
 * changes: CS14 due). Refused outside its install-code window.
 */
export function recordTcLinkKey(board: Board, ieee: Uint8Array, tcLinkKey: Uint8Array, nowSec: number): ChfOutcome | { ok: false; reason: ChfReason } {
  if (tcLinkKey.length !== TC_LINK_KEY_LENGTH) return { ok: false, reason: 'tc-link-key-length' };
  const log = readDeviceLog(board);
  const at = indexOfDevice(log, ieee);
  if (at < 0) return { ok: false, reason: 'not-on-log' };
  if (joinRule(log[at], !!historicEntry(readHistoricLog(board), ieee), nowSec) !== 'install-code') return { ok: false, reason: 'no-join-window' };
  log[at].tcLinkKey = tcLinkKey;
  board.storage.commit(one(DEVICE_LOG_KEY, encodeDeviceLog(log)));
  return { ok: true, changed: true };
}

/**
 * The device began communicating with its historic TC link key within the first half of the window: the
 * CHF records that key against the device on the log (GBCS CCS01; CS14 due). Refused outside that half.
 */
export function adoptHistoricKey(board: Board, ieee: Uint8Array, nowSec: number): ChfOutcome | { ok: false; reason: ChfReason } {
  const log = readDeviceLog(board);
  const at = indexOfDevice(log, ieee);
  if (at < 0) return { ok: false, reason: 'not-on-log' };
  const h = historicEntry(readHistoricLog(board), ieee);
  if (!h || joinRule(log[at], true, nowSec) !== 'historic-tc-link-key') return { ok: false, reason: 'no-join-window' };
  log[at].tcLinkKey = h.tcLinkKey;
  board.storage.commit(one(DEVICE_LOG_KEY, encodeDeviceLog(log)));
  return { ok: true, changed: true };
}

/** The CS14 lines: every device on the log with the hash of its TC link key (empty until it has one). */
export function backupEntries(board: Board): DeviceLogBackupEntry[] {
  const log = readDeviceLog(board);
  const out: DeviceLogBackupEntry[] = [];
  for (let i = 0; i < log.length; i++) {
    const k = log[i].tcLinkKey;
    out.push({ deviceId: log[i].ieeeAddress, hashedTcLinkKey: k ? board.crypto.sha256(k) : new Uint8Array(0) });
  }
  return out;
}

/** The CS14 alert content for the log as stored now, sent with alert counter low word `counterLo`. */
export function cs14AlertContent(board: Board, counterLo: number, nowSec: number): Uint8Array {
  return encodeCs14Alert({ invokeId: invokeIdFor({ hi: 0, lo: counterLo }), dateTime: dlmsDateTime(nowSec), entries: backupEntries(board) });
}

/** Link figures the CHF keeps in RAM per device (not stored: see deviceLog.ts). */
export type LinkStats = Record<string, Partial<ActiveDevice>>;

const NEVER = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80, 0x00, 0xff]);

/** The CCS05/CCS06 list: every device on the log with the link figures known for it (zero / never otherwise). */
export function activeDevices(board: Board, stats: LinkStats): ActiveDevice[] {
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

/**
 * An authenticated CHF device-log command's content, answered. `alertCounterLo` is the low word of the
 * counter the runtime will send the CS14 alert with (its invoke id carries it, as RTDS alerts do).
 */
export function handleDeviceLogCommand(board: Board, messageCode: number, content: Uint8Array, stats: LinkStats, alertCounterLo: number): ChfAnswer | Rejection {
  const now = board.clock.nowSec();
  if (messageCode === MESSAGE_CODE_CCS01) {
    const c = decodeCcs01Command(content);
    if ('ok' in c) return c;
    const r = addDevice(board, c.ieeeAddress, c.key, c.joinTimeout, now);
    const code = r.ok ? RESULT_SUCCESS : RESULT_OTHER;
    const response = encodeResultsResponse(c.invokeId, [{ kind: KIND_ACTION, result: code }, { kind: KIND_SET, result: code }, { kind: KIND_SET, result: code }]);
    return r.ok && r.changed ? { ok: true, response: response, alert: cs14AlertContent(board, alertCounterLo, now) } : { ok: true, response: response };
  }
  if (messageCode === MESSAGE_CODE_CCS02) {
    const c = decodeCcs02Command(content);
    if ('ok' in c) return c;
    const r = removeDevice(board, c.ieeeAddress);
    const response = encodeResultsResponse(c.invokeId, [{ kind: KIND_ACTION, result: r.ok ? RESULT_SUCCESS : RESULT_NOT_ON_LOG }]);
    return r.ok ? { ok: true, response: response, alert: cs14AlertContent(board, alertCounterLo, now) } : { ok: true, response: response };
  }
  if (messageCode === MESSAGE_CODE_CCS05 || messageCode === MESSAGE_CODE_CCS06) {
    const c = decodeReadDeviceLogCommand(content);
    if ('ok' in c) return c;
    return { ok: true, response: encodeReadDeviceLogResponse({ invokeId: c.invokeId, devices: activeDevices(board, stats), result: RESULT_SUCCESS }) };
  }
  return { ok: false, reason: 'unexpected-content', at: 0 };
}

function one(key: string, value: Uint8Array): Record<string, Uint8Array> {
  const c: Record<string, Uint8Array> = {};
  c[key] = value;
  return c;
}
