/**
 * The Unique Transaction Reference Number of a prepayment top-up (GBCS §14): 20 decimal digits, the
 * Prepayment Top-up Decimal (PPTD, 19 digits) followed by a check digit (GBCS §14.8, a Verhoeff variant).
 * PPTD = PTUT + 7394156990786306048, where the 64-bit Prepayment Top-Up Token (PTUT) is:
 *   high dword  7 zero bits | 10 bits of (UTRN counter >> 32) | 2 bits value class (00 pennies, 01 pounds)
 *               | 13 bits value (0..8191)
 *   low dword   the last 4 bytes of a 16-byte GMAC: AES-128-GCM over no plaintext with the key of the GBCS
 *               KDF (GBCS §4.3.3) for a command (CRA 01) from the Supplier to the meter with the UTRN counter,
 *               over Z = ECDH(Supplier prepayment KA key, meter KA key); IV = Supplier EUI || 00000000;
 *               AAD = 11 00 00 00 00 00 || Supplier EUI || meter EUI || 01 || counter (8) || high dword.
 * Facts checked against the DCC GBCS parser's UTRN vectors (shared/vectors/gbcs-parser-inline:
 * counters 0x100000000 and 0x400000000; the GBCS §14.8 check-digit tables re-typed from GBCS).
 * Without BigInt (Espruino has none): the 64-bit values are 8 big-endian bytes. Portable.
 * @module
 */
import { concatBytes } from '../lib/bytes.ts';
import { gcmEncrypt } from './protection/gcm.ts';
import type { BlockCipher } from './protection/gcm.ts';
import { gbcsKdf, KDF_COMMAND } from './protection/kdf.ts';

/** GBCS §14: the offset added to the PTUT to make the PPTD. */
const PPTD_BASE = [0x66, 0x9d, 0x52, 0x9b, 0x71, 0x4a, 0x00, 0x00]; // 7394156990786306048

export const VALUE_PENNIES = 0;
export const VALUE_POUNDS = 1;
export const MAX_VALUE = 8191;

export interface Ptut {
  /** Bits 32..41 of the UTRN counter. */
  counter10: number;
  valueClass: number;
  value: number;
  /** The high dword as 4 bytes (what the GMAC's AAD ends with). */
  high: Uint8Array;
  /** The last 4 bytes of the GMAC. */
  mac: Uint8Array;
}

export type UtrnReason = 'utrn-format' | 'utrn-check-digit' | 'utrn-out-of-range';

// GBCS §14.8 tables 14.8a (permutation), 14.8b (multiplication), 14.8c (inverse), by rows of digits.
const P = ['0123456789', '1576283094', '5803796142', '8916043527', '9453126870', '4286573901', '2793806415', '7046913258'];
const D = ['0123456789', '1234067895', '2340178956', '3401289567', '4012395678', '5987604321', '6598710432', '7659821043', '8765932104', '9876543210'];
const I = '1267583094';

/** The GBCS §14.8 check digit of a string of decimal digits. */
export function checkDigit(digits: string): number {
  let check = 0;
  let k = 4;
  for (let j = 0; j < digits.length; j++) {
    const d = digits.charCodeAt(j) - 48;
    if (d < 0 || d > 9) throw new Error('checkDigit: not a digit');
    const l = P[k].charCodeAt(d) - 48;
    k = (k + 1) % 8;
    check = D[check].charCodeAt(l) - 48;
  }
  return I.charCodeAt(check) - 48;
}

function add8(a: number[] | Uint8Array, b: number[] | Uint8Array): Uint8Array {
  const out = new Uint8Array(8);
  let carry = 0;
  for (let i = 7; i >= 0; i--) {
    const s = a[i] + b[i] + carry;
    out[i] = s & 0xff;
    carry = s >> 8;
  }
  return out;
}

/** a - b, or undefined when b > a. */
function sub8(a: Uint8Array, b: number[]): Uint8Array | undefined {
  const out = new Uint8Array(8);
  let borrow = 0;
  for (let i = 7; i >= 0; i--) {
    let d = a[i] - b[i] - borrow;
    borrow = d < 0 ? 1 : 0;
    if (d < 0) d += 256;
    out[i] = d;
  }
  return borrow ? undefined : out;
}

/** Decimal digits to 8 big-endian bytes, or undefined when the value is 2^64 or more. */
function fromDecimal(digits: string): Uint8Array | undefined {
  const out = new Uint8Array(8);
  for (let j = 0; j < digits.length; j++) {
    let carry = digits.charCodeAt(j) - 48;
    for (let i = 7; i >= 0; i--) {
      const v = out[i] * 10 + carry;
      out[i] = v & 0xff;
      carry = v >> 8;
    }
    if (carry) return undefined;
  }
  return out;
}

function toDecimal(b: Uint8Array): string {
  const n = new Uint8Array(b);
  let out = '';
  for (;;) {
    let rem = 0;
    let zero = true;
    for (let i = 0; i < 8; i++) {
      const v = rem * 256 + n[i];
      n[i] = Math.floor(v / 10);
      rem = v % 10;
      if (n[i] !== 0) zero = false;
    }
    out = String.fromCharCode(48 + rem) + out;
    if (zero) return out;
  }
}

/** The PTUT fields of a UTRN (20 digits; spaces and dashes between groups allowed), or why it is not one. */
export function readUtrn(text: string): Ptut | UtrnReason {
  let digits = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c >= '0' && c <= '9') digits += c;
    else if (c !== ' ' && c !== '-') return 'utrn-format';
  }
  if (digits.length !== 20) return 'utrn-format';
  const pptd = digits.substring(0, 19);
  if (checkDigit(pptd) !== digits.charCodeAt(19) - 48) return 'utrn-check-digit';
  const value = fromDecimal(pptd);
  const ptut = value ? sub8(value, PPTD_BASE) : undefined;
  if (!ptut || (ptut[0] & 0xfe) !== 0) return 'utrn-out-of-range';
  const hi = ((ptut[0] << 24) >>> 0) + (ptut[1] << 16) + (ptut[2] << 8) + ptut[3];
  if (((hi >>> 13) & 3) > VALUE_POUNDS) return 'utrn-out-of-range'; // value classes 10 and 11 are not defined
  return {
    counter10: (hi >>> 15) & 0x3ff,
    valueClass: (hi >>> 13) & 3,
    value: hi & 0x1fff,
    high: ptut.subarray(0, 4),
    mac: ptut.subarray(4, 8),
  };
}

/** The PTUT high dword of a counter's bits 32..41, a value class and a value. */
export function ptutHigh(counter: Uint8Array, valueClass: number, value: number): Uint8Array {
  const c10 = ((counter[2] & 3) << 8) | counter[3];
  const hi = (c10 << 15) | ((valueClass & 3) << 13) | (value & 0x1fff);
  return new Uint8Array([(hi >>> 24) & 0xff, (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff]);
}

/** The 4-byte PTUT MAC: Z is ECDH(Supplier prepayment KA, meter KA) from either side. */
export function ptutMac(
  crypto: { sha256(d: Uint8Array): Uint8Array; aes128EncryptBlock: BlockCipher },
  z: Uint8Array,
  supplier: Uint8Array,
  meter: Uint8Array,
  counter: Uint8Array,
  high: Uint8Array,
): Uint8Array {
  const key = gbcsKdf(crypto.sha256, z, supplier, KDF_COMMAND, counter, meter);
  const iv = concatBytes([supplier, new Uint8Array(4)]);
  const aad = concatBytes([new Uint8Array([0x11, 0, 0, 0, 0, 0]), supplier, meter, new Uint8Array([KDF_COMMAND]), counter, high]);
  const tag = gcmEncrypt(crypto.aes128EncryptBlock, key, iv, new Uint8Array(0), aad, 16).tag;
  return tag.subarray(12, 16);
}

/** The UTRN (20 digits) of a PTUT high dword and MAC. */
export function makeUtrn(high: Uint8Array, mac: Uint8Array): string {
  const pptd = toDecimal(add8(PPTD_BASE, concatBytes([high, mac])));
  return pptd + String.fromCharCode(48 + checkDigit(pptd));
}
