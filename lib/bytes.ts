/**
 * Byte helpers shared by the firmware: hex, comparison, concatenation. Written by hand because the
 * engines lack Buffer and TextEncoder, and these are too small to justify a library in the bundle.
 * @module
 */

const HEX = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX.charAt(bytes[i] >> 4) + HEX.charAt(bytes[i] & 15);
  return out;
}

/** Bytes of a hex string (whitespace ignored); undefined for odd length or a non-hex character. */
export function fromHex(text: string): Uint8Array | undefined {
  const clean = text.replace(/\s+/g, '').toLowerCase();
  if (clean.length % 2 !== 0) return undefined;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = HEX.indexOf(clean.charAt(i * 2));
    const lo = HEX.indexOf(clean.charAt(i * 2 + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/**
 * A copy of `bytes[start, end)` as a new Uint8Array. Portable code uses this, never `.slice()`:
 * Espruino 2v29's Uint8Array.prototype.slice returns a plain Array (probed).
 */
export function copyBytes(bytes: Uint8Array, start?: number, end?: number): Uint8Array {
  return new Uint8Array(bytes.subarray(start === undefined ? 0 : start, end === undefined ? bytes.length : end));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (let i = 0; i < parts.length; i++) length += parts[i].length;
  const out = new Uint8Array(length);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    out.set(parts[i], at);
    at += parts[i].length;
  }
  return out;
}

/** ASCII/Latin-1 text as bytes (identifiers and keys in the firmware are ASCII). */
export function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** The unsigned 32-bit big-endian integer at `at` (network order: GBCS, ZCL-over-GBZ, the hub's records). */
export function readU32be(b: Uint8Array, at: number): number {
  return b[at] * 16777216 + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
}

/** Writes `n` (0 .. 2^32-1) at `at`, big-endian. */
export function writeU32be(b: Uint8Array, at: number, n: number): void {
  b[at] = (n >>> 24) & 0xff;
  b[at + 1] = (n >>> 16) & 0xff;
  b[at + 2] = (n >>> 8) & 0xff;
  b[at + 3] = n & 0xff;
}
