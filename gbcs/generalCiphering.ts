/**
 * The General Ciphering wrapper GBCS uses to carry a MAC over a General Signing APDU (GBCS §7.2.4 and
 * §7.3.2; DLMS general-ciphering APDU, IEC 62056-5-3, tag DD):
 * ```
 * DD 00 00 00 00 00 00  LEN(5 + len(GS) + 12)  11 00000000  <General Signing APDU>  <MAC, 12 bytes>
 * ```
 * The six 00 bytes are the empty transaction-id, originator and recipient system titles, date-time,
 * other-information and an absent key-info; `11` is the security control byte (authentication only)
 * and 00000000 the invocation counter (GBCS fixes both). The MAC is AES-GCM over an empty plaintext
 * (GBCS §7.3.2), computed by the crypto layer over `macAad` = `11 00 00 00 00 00` || the GS APDU.
 * @module
 */
import { concatBytes } from '../lib/bytes.ts';
import { decodeGeneralSigning } from './generalSigning.ts';
import type { DecodedGeneralSigning, Range } from './generalSigning.ts';
import { decodeLength, encodeLength } from './lengths.ts';
import { reject } from './reject.ts';
import type { Rejection } from './reject.ts';

export const GENERAL_CIPHERING_TAG = 0xdd;
/** Security control byte: authentication only, no encryption (GBCS §7.3.2). */
export const SECURITY_CONTROL = 0x11;
export const MAC_LENGTH = 12;
/** Security header: control byte + 4-byte invocation counter. */
export const SECURITY_HEADER_LENGTH = 5;
/** Empty fields between the DD tag and the ciphered-content length. */
const EMPTY_FIELDS = 6;

export interface DecodedGeneralCiphering {
  ok: true;
  /** Width (1..3) of the ciphered-content length as received. */
  lengthWidth: number;
  /** The General Signing APDU inside. */
  generalSigning: DecodedGeneralSigning;
  /** The 12-byte MAC (a view). */
  mac: Uint8Array;
  ranges: {
    /** The whole wrapper. */
    message: Range;
    /** Security header (`11 00000000`). */
    securityHeader: Range;
    /** The General Signing APDU. */
    generalSigning: Range;
    mac: Range;
  };
}

/** Decodes the DD wrapper that fills `bytes[start, end)` (default: the whole buffer). */
export function decodeGeneralCiphering(bytes: Uint8Array, start?: number, end?: number): DecodedGeneralCiphering | Rejection {
  const s = start === undefined ? 0 : start;
  const e = end === undefined ? bytes.length : end;
  if (s >= e) return reject('truncated', s);
  if (bytes[s] !== GENERAL_CIPHERING_TAG) return reject('unknown-apdu-tag', s);
  for (let i = 1; i <= EMPTY_FIELDS; i++) {
    if (s + i >= e) return reject('truncated', s + i);
    if (bytes[s + i] !== 0) return reject('bad-ciphering-header', s + i);
  }
  const lenAt = s + 1 + EMPTY_FIELDS;
  const len = decodeLength(bytes, lenAt, e);
  if (!len.ok) return len;
  const contentEnd = len.next + len.value;
  if (contentEnd > e) return reject('length-overrun', lenAt);
  if (contentEnd < e) return reject('trailing-bytes', contentEnd);
  if (len.value < SECURITY_HEADER_LENGTH + MAC_LENGTH) return reject('truncated', len.next + len.value);
  const sh = len.next;
  if (bytes[sh] !== SECURITY_CONTROL) return reject('bad-security-header', sh);
  for (let i = 1; i < SECURITY_HEADER_LENGTH; i++) if (bytes[sh + i] !== 0) return reject('bad-security-header', sh + i);
  const gsStart = sh + SECURITY_HEADER_LENGTH;
  const macStart = e - MAC_LENGTH;
  const gs = decodeGeneralSigning(bytes, gsStart, macStart);
  if (!gs.ok) return gs;
  return {
    ok: true,
    lengthWidth: len.width,
    generalSigning: gs,
    mac: bytes.subarray(macStart, e),
    ranges: {
      message: { start: s, end: e },
      securityHeader: { start: sh, end: gsStart },
      generalSigning: { start: gsStart, end: macStart },
      mac: { start: macStart, end: e },
    },
  };
}

/** The DD wrapper around an encoded General Signing APDU with its MAC. Throws on a wrong MAC size. */
export function encodeGeneralCiphering(generalSigningApdu: Uint8Array, mac: Uint8Array, lengthWidth?: number): Uint8Array {
  if (mac.length !== MAC_LENGTH) throw new Error('encodeGeneralCiphering: MAC must be 12 bytes, got ' + mac.length);
  const header = new Uint8Array(1 + EMPTY_FIELDS);
  header[0] = GENERAL_CIPHERING_TAG;
  return concatBytes([
    header,
    encodeLength(SECURITY_HEADER_LENGTH + generalSigningApdu.length + MAC_LENGTH, lengthWidth),
    securityHeader(),
    generalSigningApdu,
    mac,
  ]);
}

function securityHeader(): Uint8Array {
  const h = new Uint8Array(SECURITY_HEADER_LENGTH);
  h[0] = SECURITY_CONTROL;
  return h;
}

/**
 * The additional authenticated data of the GBCS MAC (GBCS §7.3.2): the security header with the
 * key-info byte (`11 00 00 00 00 00`) followed by the whole General Signing APDU.
 */
export function macAad(generalSigningApdu: Uint8Array): Uint8Array {
  return concatBytes([new Uint8Array([SECURITY_CONTROL, 0, 0, 0, 0, 0]), generalSigningApdu]);
}
