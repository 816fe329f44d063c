/**
 * What the hub suites share: the RTDS files of the CHF device-log use cases, their contents, and a
 * fingerprint of everything a board has stored (to assert "old state or new state, never a mix").
 * Portable (runs inside the engines' self-test bundles).
 * @module
 */
import type { Board } from '../../boards/board.ts';
import { decodeMessage } from '../../gbcs/message.ts';
import { fromHex, toHex } from '../../lib/bytes.ts';
import type { SelfTestContext } from './selftest.ts';

export const RTDS = 'rtds/RTDS-4.5.0/';
/** The RTDS folders whose contents the hub codecs decode (GBCS CCS01, CCS02, CCS05/CCS04). */
export const HUB_RTDS_FOLDERS = ['8.11_CCS01', '8.11_CCS02', '8.9_CCS05CCS04'];

export function hubVectors(): string[] {
  return HUB_RTDS_FOLDERS.map((f) => RTDS + f + '/');
}

/** The content bytes (and message code) of one RTDS file, by folder and file name. */
export function rtdsContent(ctx: SelfTestContext, folder: string, file: string): { content: Uint8Array; messageCode: number } {
  const bytes = fromHex(ctx.vector(RTDS + folder + '/' + file));
  if (!bytes) throw new Error(file + ': not hex');
  const m = decodeMessage(bytes);
  if (!m.ok) throw new Error(file + ': ' + m.reason + ' at ' + m.at);
  return { content: m.content, messageCode: m.gs.messageCode };
}

/** Every stored key and value, as one string. */
export function storageFingerprint(board: Board): string {
  const keys = board.storage.keys();
  let s = '';
  for (let i = 0; i < keys.length; i++) {
    const v = board.storage.read(keys[i]);
    s += keys[i] + '=' + (v ? toHex(v) : '-') + ';';
  }
  return s;
}

/** An EUI-64 whose last byte is `n` (test devices 00DB1234567890xx like RTDS's). */
export function eui(n: number): Uint8Array {
  return new Uint8Array([0x00, 0xdb, 0x12, 0x34, 0x56, 0x78, 0x90, n & 0xff]);
}

/** A 16-byte key whose bytes are all `n`. */
export function key16(n: number): Uint8Array {
  const k = new Uint8Array(16);
  for (let i = 0; i < 16; i++) k[i] = n & 0xff;
  return k;
}

/** The same board with a clock stopped at `nowSec` (sweeps replay one change many times: its time must not move). */
export function stoppedClock(board: Board, nowSec: number): Board {
  return {
    name: board.name,
    crypto: board.crypto,
    storage: board.storage,
    clock: { nowSec: () => nowSec },
    link: board.link,
    log: (line: string) => board.log(line),
    memory: () => board.memory(),
  };
}
