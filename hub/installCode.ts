/**
 * ZigBee install codes and the link key a Communications Hub derives from them (ZigBee SE 1.x §5.4.8.1,
 * "Installation Code Format" and "Hashing Function"; HAN-FACTS "Install codes and link keys").
 *
 * - An install code is 6, 8, 12 or 16 bytes followed by its CRC-16/X-25 (reflected polynomial 0x8408,
 *   init 0xFFFF, final xor 0xFFFF), appended LOW byte first.
 * - The preconfigured (TC) link key is the AES-MMO hash of code || CRC, built here on the board's
 *   `aes128EncryptBlock` (the hub has no other AES).
 * - GBCS CCS01 carries the install code in its `key` parameter as 16 bytes WITHOUT a CRC (RTDS 8.11_CCS01:
 *   `09 10` + 16 bytes; the public-domain HenryGiraldo/gbcs `c/zigbee.c` computes the CRC over those 16
 *   bytes and hashes the 18): `linkKeyFromCcs01Key`.
 *
 * Input forms `parseInstallCode` accepts (what installers type or scan; zigbee2mqtt / herdsman issues show
 * all of them in the wild), each WITH its CRC, because a code without one cannot be checked and a mistyped
 * code would silently give a wrong key:
 *   bytes           8, 10, 14 or 18 bytes (code || CRC low byte first)
 *   hex text        the same bytes in hex; spaces, ':' and '-' between digits are ignored
 *   QR text         `Z:<EUI-64 hex>$I:<code||CRC hex>` (the ZigBee install-code QR form; further `$` fields,
 *                   e.g. `$P:` or `%`-suffixes, are refused rather than guessed at). Gives the EUI-64 too.
 * Not accepted: a code without its CRC, or an already hashed link key (both are 16 bytes and cannot be told
 * apart from a 16-byte code missing its CRC). Rejections: 'install-code-format' (not hex, not one of the
 * forms), 'install-code-length' (not 8/10/14/18 bytes), 'install-code-crc' (CRC does not match).
 *
 * CRC-16/X-25 is written by hand (a dozen lines, no table: the firmware bundle carries no dependency for it;
 * checked against the HAN-FACTS vector). @module
 */
import { copyBytes, fromHex } from '../lib/bytes.ts';

/** Install code lengths without the CRC (ZigBee SE §5.4.8.1.1). */
export const INSTALL_CODE_LENGTHS = [6, 8, 12, 16];
export const CRC_LENGTH = 2;
export const LINK_KEY_LENGTH = 16;

export type InstallCodeReason = 'install-code-format' | 'install-code-length' | 'install-code-crc';

export interface InstallCode {
  ok: true;
  /** The code without its CRC. */
  code: Uint8Array;
  crc: number;
  /** The device's EUI-64 when the input was a QR text. */
  eui64?: Uint8Array;
}

/** CRC-16/X-25 (a.k.a. CRC-16/IBM-SDLC): reflected 0x1021 (0x8408), init 0xFFFF, xorout 0xFFFF. */
export function crc16X25(data: Uint8Array): number {
  let crc = 0xffff;
  for (let i = 0; i < data.length; i++) {
    crc ^= data[i];
    for (let b = 0; b < 8; b++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return (crc ^ 0xffff) & 0xffff;
}

function isHexDigit(ch: string): boolean {
  return ch.length === 1 && '0123456789abcdefABCDEF'.indexOf(ch) >= 0;
}

/** code || CRC (low byte first): the bytes an install code is hashed from. */
export function withCrc(code: Uint8Array): Uint8Array {
  if (INSTALL_CODE_LENGTHS.indexOf(code.length) < 0) throw new Error('withCrc: install code must be 6, 8, 12 or 16 bytes, got ' + code.length);
  const crc = crc16X25(code);
  const out = new Uint8Array(code.length + CRC_LENGTH);
  out.set(code, 0);
  out[code.length] = crc & 0xff;
  out[code.length + 1] = crc >> 8;
  return out;
}

/** An install code with its CRC, checked. */
export function parseInstallCode(input: Uint8Array | string): InstallCode | { ok: false; reason: InstallCodeReason } {
  let eui: Uint8Array | undefined;
  let bytes: Uint8Array | undefined;
  if (typeof input === 'string') {
    // Parsed by hand, not by regular expression: Espruino 2v29's regex engine failed these patterns and
    // JerryScript backtracked without end on a nested quantifier (both seen in the engine self-tests).
    let text = input.trim();
    if (text.indexOf('Z:') === 0) {
      const sep = text.indexOf('$I:');
      if (sep !== 18 || text.indexOf('$', sep + 1) >= 0 || text.indexOf('%') >= 0) return { ok: false, reason: 'install-code-format' };
      eui = fromHex(text.substring(2, 18));
      if (!eui) return { ok: false, reason: 'install-code-format' };
      text = text.substring(sep + 3);
    }
    let hex = '';
    for (let i = 0; i < text.length; i++) {
      const ch = text.charAt(i);
      const separator = ch === ' ' || ch === ':' || ch === '-';
      // a separator only between two digits, never first, last or doubled
      if (separator && (i === 0 || i === text.length - 1 || !isHexDigit(text.charAt(i - 1)) || !isHexDigit(text.charAt(i + 1)))) return { ok: false, reason: 'install-code-format' };
      if (!separator) hex += ch;
    }
    bytes = hex.length > 0 ? fromHex(hex) : undefined;
    if (!bytes) return { ok: false, reason: 'install-code-format' };
  } else {
    bytes = input;
  }
  const n = bytes.length - CRC_LENGTH;
  if (INSTALL_CODE_LENGTHS.indexOf(n) < 0) return { ok: false, reason: 'install-code-length' };
  const code = copyBytes(bytes, 0, n);
  const crc = bytes[n] | (bytes[n + 1] << 8);
  if (crc16X25(code) !== crc) return { ok: false, reason: 'install-code-crc' };
  const out: InstallCode = { ok: true, code: code, crc: crc };
  if (eui) out.eui64 = eui;
  return out;
}

/**
 * AES-MMO (Matyas-Meyer-Oseas over AES-128, ZigBee spec §B.6): H0 = 0; Hj = E(Hj-1, Mj) xor Mj, over the
 * message padded with 0x80, zeros, and its length in bits as 16 bits big-endian (messages under 8,192
 * bytes, which covers every install code).
 */
export function aesMmo(encryptBlock: (key: Uint8Array, block: Uint8Array) => Uint8Array, message: Uint8Array): Uint8Array {
  if (message.length >= 8192) throw new Error('aesMmo: message must be under 8192 bytes, got ' + message.length);
  let padded = message.length + 1 + 2;
  padded += (16 - (padded % 16)) % 16;
  const m = new Uint8Array(padded);
  m.set(message, 0);
  m[message.length] = 0x80;
  const bits = message.length * 8;
  m[padded - 2] = (bits >> 8) & 0xff;
  m[padded - 1] = bits & 0xff;
  let h = new Uint8Array(16);
  for (let at = 0; at < padded; at += 16) {
    const block = m.subarray(at, at + 16);
    const e = encryptBlock(h, block);
    const next = new Uint8Array(16);
    for (let i = 0; i < 16; i++) next[i] = e[i] ^ block[i];
    h = next;
  }
  return h;
}

/** The link key of a checked install code: AES-MMO(code || CRC). */
export function linkKey(encryptBlock: (key: Uint8Array, block: Uint8Array) => Uint8Array, ic: InstallCode): Uint8Array {
  return aesMmo(encryptBlock, withCrc(ic.code));
}

/** The link key of a CCS01 `key` (16 bytes, no CRC: the hub appends it). Throws on another length (caller bug). */
export function linkKeyFromCcs01Key(encryptBlock: (key: Uint8Array, block: Uint8Array) => Uint8Array, key: Uint8Array): Uint8Array {
  if (key.length !== 16) throw new Error('linkKeyFromCcs01Key: the CCS01 key is 16 bytes, got ' + key.length);
  return aesMmo(encryptBlock, withCrc(key));
}
