/**
 * The CHF Historic Device Log (GBCS CCS02 text): the TC link keys of devices removed from the CHF Device
 * Log, so that a device put back by CCS01 can rejoin with its old key (hub/joinWindow.ts).
 *
 * GBCS CCS02, as implemented here:
 * - on removal of a device that has a TC link key, record (device id, TC link key) BEFORE removing it from
 *   the device log (one commit here: both keys change together), unless the device is an HHT;
 * - a device already in the historic log has its record updated with the key; we also make it the newest
 *   record (it is the most recently removed device: our reading, the text only says "update");
 * - at most HISTORIC_CAPACITY (15) records: the oldest is overwritten;
 * - a GPF never has a TC link key with the CHF, so it is never recorded (follows from the first rule).
 *
 * Stored as one key `chf.hist`: count(1) nextSequence(4), then per record ieee(8) tcLinkKey(16)
 * sequence(4). "Oldest" is the lowest sequence (a counter, not the clock: the clock can be set back).
 * @module
 */
import { copyBytes, readU32be, writeU32be } from '../lib/bytes.ts';
import { indexOfDevice, TC_LINK_KEY_LENGTH } from './deviceLog.ts';

export const HISTORIC_LOG_KEY = 'chf.hist';
export const HISTORIC_CAPACITY = 15;
const RECORD = 8 + TC_LINK_KEY_LENGTH + 4;

export interface HistoricEntry {
  ieeeAddress: Uint8Array;
  tcLinkKey: Uint8Array;
  /** Order of removal: higher is more recent. */
  sequence: number;
}

export interface HistoricLog {
  entries: HistoricEntry[];
  nextSequence: number;
}


export function encodeHistoricLog(h: HistoricLog): Uint8Array {
  const out = new Uint8Array(5 + RECORD * h.entries.length);
  out[0] = h.entries.length;
  writeU32be(out, 1, h.nextSequence);
  for (let i = 0; i < h.entries.length; i++) {
    const p = 5 + RECORD * i;
    out.set(h.entries[i].ieeeAddress, p);
    out.set(h.entries[i].tcLinkKey, p + 8);
    writeU32be(out, p + 8 + TC_LINK_KEY_LENGTH, h.entries[i].sequence);
  }
  return out;
}

/** The stored historic log (throws on stored bytes that do not parse: see deviceLog.decodeDeviceLog). */
export function decodeHistoricLog(b: Uint8Array | undefined): HistoricLog {
  if (!b || b.length === 0) return { entries: [], nextSequence: 1 };
  if (b.length < 5 || b.length !== 5 + RECORD * b[0]) throw new Error('decodeHistoricLog: stored log of ' + b.length + ' bytes for ' + b[0] + ' records');
  const entries: HistoricEntry[] = [];
  for (let i = 0; i < b[0]; i++) {
    const p = 5 + RECORD * i;
    entries.push({ ieeeAddress: copyBytes(b, p, p + 8), tcLinkKey: copyBytes(b, p + 8, p + 8 + TC_LINK_KEY_LENGTH), sequence: readU32be(b, p + 8 + TC_LINK_KEY_LENGTH) });
  }
  return { entries: entries, nextSequence: readU32be(b, 1) };
}

/** The log with (ieee, key) recorded as the most recent removal (a new log; `h` is not changed). */
export function recordRemoval(h: HistoricLog, ieee: Uint8Array, tcLinkKey: Uint8Array): HistoricLog {
  const entries: HistoricEntry[] = [];
  for (let i = 0; i < h.entries.length; i++) entries.push(h.entries[i]);
  const record: HistoricEntry = { ieeeAddress: ieee, tcLinkKey: tcLinkKey, sequence: h.nextSequence };
  const at = indexOfDevice(entries, ieee);
  if (at >= 0) {
    entries[at] = record;
  } else if (entries.length < HISTORIC_CAPACITY) {
    entries.push(record);
  } else {
    let oldest = 0;
    for (let i = 1; i < entries.length; i++) if (entries[i].sequence < entries[oldest].sequence) oldest = i;
    entries[oldest] = record;
  }
  return { entries: entries, nextSequence: h.nextSequence + 1 };
}

/** The historic record of `ieee`, if any. */
export function historicEntry(h: HistoricLog, ieee: Uint8Array): HistoricEntry | undefined {
  const at = indexOfDevice(h.entries, ieee);
  return at >= 0 ? h.entries[at] : undefined;
}
