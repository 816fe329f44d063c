/**
 * The ZCL pieces GBZ content is made of (ZigBee Cluster Library r6 §2.4-§2.6; SE 1.4 for the clusters):
 * data type lengths, status codes, general command ids, the Read Attributes Response record and the
 * Default Response. Values are kept as their wire bytes (little-endian numbers; strings with their length
 * prefix), so a value read from a command can be stored and answered as it came. Portable.
 * @module
 */

/** General (profile-wide) command ids (ZCL §2.5). */
export const ZCL_READ_ATTRIBUTES = 0x00;
export const ZCL_READ_ATTRIBUTES_RESPONSE = 0x01;
export const ZCL_WRITE_ATTRIBUTES = 0x02;
export const ZCL_WRITE_ATTRIBUTES_RESPONSE = 0x04;
export const ZCL_DEFAULT_RESPONSE = 0x0b;

/** Status codes (ZCL §2.6.3). */
export const ZCL_SUCCESS = 0x00;
export const ZCL_FAILURE = 0x01;
export const ZCL_UNSUP_CLUSTER_COMMAND = 0x81;
export const ZCL_UNSUP_GENERAL_COMMAND = 0x82;
export const ZCL_INVALID_FIELD = 0x85;
export const ZCL_UNSUPPORTED_ATTRIBUTE = 0x86;
export const ZCL_INVALID_VALUE = 0x87;
export const ZCL_READ_ONLY = 0x88;
export const ZCL_NOT_FOUND = 0x8b;
export const ZCL_INVALID_DATA_TYPE = 0x8d;

/** Data types with a length prefix: octet / character strings (1 byte), long strings (2 bytes, LE). */
const SHORT_STRINGS = [0x41, 0x42];
const LONG_STRINGS = [0x43, 0x44];

/** Fixed length of a ZCL data type's value, 0 for the string types, -1 for a type this codec does not know. */
export function zclFixedLength(type: number): number {
  if (type >= 0x08 && type <= 0x0f) return type - 0x07; // data8..data64
  if (type === 0x10) return 1; // boolean
  if (type >= 0x18 && type <= 0x1f) return type - 0x17; // bitmap8..64
  if (type >= 0x20 && type <= 0x27) return type - 0x1f; // uint8..64
  if (type >= 0x28 && type <= 0x2f) return type - 0x27; // int8..64
  if (type === 0x30) return 1; // enum8
  if (type === 0x31 || type === 0x38) return 2; // enum16, semi-precision float
  if (type === 0x39) return 4; // single
  if (type === 0x3a) return 8; // double
  if (type === 0xe0 || type === 0xe1 || type === 0xe2) return 4; // time of day, date, UTCTime
  if (type === 0xe8 || type === 0xe9) return 2; // cluster id, attribute id
  if (type === 0xea) return 4; // BACnet OID
  if (type === 0xf0) return 8; // IEEE address
  if (type === 0xf1) return 16; // 128-bit security key
  if (SHORT_STRINGS.indexOf(type) >= 0 || LONG_STRINGS.indexOf(type) >= 0) return 0;
  return -1;
}

/** Length of the value of `type` at `at` in `b` (with a string's prefix), or -1 if unknown or truncated. */
export function zclValueLength(type: number, b: Uint8Array, at: number): number {
  const fixed = zclFixedLength(type);
  if (fixed < 0) return -1;
  let n = fixed;
  if (SHORT_STRINGS.indexOf(type) >= 0) n = at < b.length ? 1 + (b[at] === 0xff ? 0 : b[at]) : -1;
  else if (LONG_STRINGS.indexOf(type) >= 0) n = at + 1 < b.length ? 2 + (b[at] | (b[at + 1] << 8)) : -1;
  return n < 0 || at + n > b.length ? -1 : n;
}

/** A Default Response payload: { command id, status } (ZCL §2.5.12). */
export function defaultResponsePayload(command: number, status: number): Uint8Array {
  return new Uint8Array([command & 0xff, status & 0xff]);
}

/** One Read Attributes Response record: attribute id (LE), status, and on success the type and value. */
export function readRecord(attribute: number, status: number, type?: number, value?: Uint8Array): Uint8Array {
  const ok = status === ZCL_SUCCESS && type !== undefined && value !== undefined;
  const out = new Uint8Array(3 + (ok ? 1 + (value as Uint8Array).length : 0));
  out[0] = attribute & 0xff;
  out[1] = (attribute >> 8) & 0xff;
  out[2] = status;
  if (ok) {
    out[3] = type as number;
    out.set(value as Uint8Array, 4);
  }
  return out;
}

/** Little-endian unsigned of `n` bytes at `at` (n <= 4). */
export function readUintLe(b: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + b[at + i];
  return v;
}

export function uintLe(v: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = v;
  for (let i = 0; i < n; i++) {
    out[i] = x % 256;
    x = Math.floor(x / 256);
  }
  return out;
}
