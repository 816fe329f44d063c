/**
 * Spinel frames and the values an 802.15.4 radio co-processor (RCP) exchanges with its host (Spinel
 * draft-rquattle-spinel-unified: §3 frame format, §3.2 packed unsigned integers, §4 commands, §5
 * properties, §7 statuses). Only what zigbee-on-host's RCP driver uses (checked in its 0.3.0 build: the
 * properties it GETs and SETs at start and network formation, RESET, and STREAM_RAW both ways).
 *
 * Frame: header byte (flag 0b10 in bits 7-6, interface id bits 5-4, transaction id bits 3-0; tid 0 =
 * unsolicited), command id (packed), payload. A property payload starts with its packed property id. @module
 */

export const CMD = {
  NOOP: 0, RESET: 1, PROP_VALUE_GET: 2, PROP_VALUE_SET: 3, PROP_VALUE_INSERT: 4, PROP_VALUE_REMOVE: 5,
  PROP_VALUE_IS: 6, PROP_VALUE_INSERTED: 7, PROP_VALUE_REMOVED: 8,
} as const;

export const PROP = {
  LAST_STATUS: 0, PROTOCOL_VERSION: 1, NCP_VERSION: 2, INTERFACE_TYPE: 3, CAPS: 5, HWADDR: 8,
  PHY_ENABLED: 32, PHY_CHAN: 33, PHY_CCA_THRESHOLD: 36, PHY_TX_POWER: 37, PHY_RSSI: 38, PHY_RX_SENSITIVITY: 39,
  MAC_SCAN_STATE: 48, MAC_SCAN_MASK: 49, MAC_SCAN_PERIOD: 50, MAC_15_4_LADDR: 52, MAC_15_4_SADDR: 53,
  MAC_15_4_PANID: 54, MAC_RAW_STREAM_ENABLED: 55, MAC_PROMISCUOUS_MODE: 56, MAC_ENERGY_SCAN_RESULT: 57,
  MAC_RX_ON_WHEN_IDLE_MODE: 59, STREAM_RAW: 113, RCP_API_VERSION: 176, RCP_MIN_HOST_API_VERSION: 177,
} as const;

export const STATUS = { OK: 0, FAILURE: 1, INVALID_ARGUMENT: 3, NO_ACK: 17, PROP_NOT_FOUND: 13, RESET_POWER_ON: 112, RESET_SOFTWARE: 114 } as const;

export const HEADER_FLAG = 0x80;

export interface SpinelFrame {
  tid: number;
  iid: number;
  command: number;
  payload: Uint8Array;
}

export function packUint(value: number): number[] {
  const out: number[] = [];
  do {
    let b = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    out.push(b);
  } while (value > 0);
  return out;
}

/** [value, next offset], or undefined when the bytes run out (or more than 4 bytes: values < 2^28). */
export function unpackUint(b: Uint8Array, at: number): [number, number] | undefined {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    if (at + i >= b.length) return undefined;
    value += (b[at + i] & 0x7f) * 2 ** (7 * i);
    if ((b[at + i] & 0x80) === 0) return [value, at + i + 1];
  }
  return undefined;
}

export function encodeSpinel(f: SpinelFrame): Uint8Array {
  const cmd = packUint(f.command);
  const out = new Uint8Array(1 + cmd.length + f.payload.length);
  out[0] = HEADER_FLAG | ((f.iid & 3) << 4) | (f.tid & 0x0f);
  out.set(cmd, 1);
  out.set(f.payload, 1 + cmd.length);
  return out;
}

export function decodeSpinel(b: Uint8Array): { ok: true; frame: SpinelFrame } | { ok: false; reason: 'spinel-short' | 'spinel-flag' } {
  if (b.length < 2) return { ok: false, reason: 'spinel-short' };
  if ((b[0] & 0xc0) !== HEADER_FLAG) return { ok: false, reason: 'spinel-flag' };
  const c = unpackUint(b, 1);
  if (!c) return { ok: false, reason: 'spinel-short' };
  return { ok: true, frame: { tid: b[0] & 0x0f, iid: (b[0] >> 4) & 3, command: c[0], payload: b.subarray(c[1]) } };
}

/** A property payload: packed id, then the value bytes. */
export function propPayload(prop: number, value: Uint8Array | number[]): Uint8Array {
  const id = packUint(prop);
  const out = new Uint8Array(id.length + value.length);
  out.set(id, 0);
  out.set(value, id.length);
  return out;
}
