/**
 * The CHF Device Log (the HAN "whitelist", GBCS CCS01/CCS02 texts; CHTS) as stored on the board: the devices
 * allowed on the HAN, each with the install code CCS01 gave, the join window CCS01 opened, and the TC link
 * key once one is established. Not on this log: a device cannot talk on the HAN.
 *
 * Stored as one key, `chf.log` (a small list: rewriting it whole keeps each change to one key, and the
 * board's commit makes it all-or-nothing). What is NOT stored: last-communication times and link quality
 * (CCS05/CCS06 figures) change with every HAN frame; writing flash for each would wear it out, so the CHF
 * keeps them in RAM (`chf.ts`) and a restart reports them as never seen.
 *
 * Layout (big-endian): count(1), then per entry
 *   ieee(8) flags(1: bit0 TC link key present, bit1 HHT) keyLength(1) key(keyLength)
 *   joinTimeout(2) joinStart(4, seconds) [tcLinkKey(16) if bit0]
 * @module
 */
import { copyBytes } from '../lib/bytes.ts';

export const DEVICE_LOG_KEY = 'chf.log';
/** Devices the log holds. GBCS/CHTS give no number in our texts: ours, UNCONFIRMED. */
export const DEVICE_LOG_CAPACITY = 16;
export const TC_LINK_KEY_LENGTH = 16;

const FLAG_TC_KEY = 1;
const FLAG_HHT = 2;

export interface DeviceLogEntry {
  ieeeAddress: Uint8Array;
  /** The install code as CCS01 gave it (no CRC). */
  installCode: Uint8Array;
  /** Seconds (CCS01 join_timeout). */
  joinTimeout: number;
  /** When CCS01 opened the join window (seconds since 1970). */
  joinStart: number;
  /** The TC link key, once the device has one. */
  tcLinkKey?: Uint8Array;
  /** A hand-held terminal: its TC link key never goes to the historic log (GBCS CCS02). */
  hht: boolean;
}

export function encodeDeviceLog(entries: DeviceLogEntry[]): Uint8Array {
  let size = 1;
  for (let i = 0; i < entries.length; i++) size += 8 + 1 + 1 + entries[i].installCode.length + 2 + 4 + (entries[i].tcLinkKey ? TC_LINK_KEY_LENGTH : 0);
  const out = new Uint8Array(size);
  out[0] = entries.length;
  let p = 1;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    out.set(e.ieeeAddress, p);
    out[p + 8] = (e.tcLinkKey ? FLAG_TC_KEY : 0) | (e.hht ? FLAG_HHT : 0);
    out[p + 9] = e.installCode.length;
    p += 10;
    out.set(e.installCode, p);
    p += e.installCode.length;
    out[p] = (e.joinTimeout >> 8) & 0xff;
    out[p + 1] = e.joinTimeout & 0xff;
    out[p + 2] = (e.joinStart >>> 24) & 0xff;
    out[p + 3] = (e.joinStart >>> 16) & 0xff;
    out[p + 4] = (e.joinStart >>> 8) & 0xff;
    out[p + 5] = e.joinStart & 0xff;
    p += 6;
    if (e.tcLinkKey) {
      out.set(e.tcLinkKey, p);
      p += TC_LINK_KEY_LENGTH;
    }
  }
  return out;
}

/**
 * The stored log. Stored bytes that do not parse mean a firmware bug or a corrupted medium (the journal
 * makes torn writes impossible), so this throws rather than guessing.
 */
export function decodeDeviceLog(b: Uint8Array | undefined): DeviceLogEntry[] {
  const out: DeviceLogEntry[] = [];
  if (!b || b.length === 0) return out;
  let p = 1;
  for (let i = 0; i < b[0]; i++) {
    if (p + 10 > b.length) throw new Error('decodeDeviceLog: stored log truncated at ' + p);
    const flags = b[p + 8];
    const keyLength = b[p + 9];
    const e: DeviceLogEntry = {
      ieeeAddress: copyBytes(b, p, p + 8),
      installCode: copyBytes(b, p + 10, p + 10 + keyLength),
      joinTimeout: 0,
      joinStart: 0,
      hht: (flags & FLAG_HHT) !== 0,
    };
    p += 10 + keyLength;
    if (p + 6 > b.length) throw new Error('decodeDeviceLog: stored log truncated at ' + p);
    e.joinTimeout = (b[p] << 8) | b[p + 1];
    e.joinStart = ((b[p + 2] << 24) >>> 0) + (b[p + 3] << 16) + (b[p + 4] << 8) + b[p + 5];
    p += 6;
    if (flags & FLAG_TC_KEY) {
      if (p + TC_LINK_KEY_LENGTH > b.length) throw new Error('decodeDeviceLog: stored log truncated at ' + p);
      e.tcLinkKey = copyBytes(b, p, p + TC_LINK_KEY_LENGTH);
      p += TC_LINK_KEY_LENGTH;
    }
    out.push(e);
  }
  if (p !== b.length) throw new Error('decodeDeviceLog: ' + (b.length - p) + ' stored bytes left over');
  return out;
}

/** The index of `ieee` in `entries`, or -1. */
export function indexOfDevice(entries: { ieeeAddress: Uint8Array }[], ieee: Uint8Array): number {
  for (let i = 0; i < entries.length; i++) {
    const a = entries[i].ieeeAddress;
    let same = a.length === ieee.length;
    for (let j = 0; same && j < a.length; j++) if (a[j] !== ieee[j]) same = false;
    if (same) return i;
  }
  return -1;
}
