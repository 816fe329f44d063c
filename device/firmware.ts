/**
 * The firmware's entry: what a board runs at power-on. It counts boots in persistent storage (one
 * atomic commit, so a power cut during boot never loses or repeats a count) and reports itself.
 * The GBCS device behind the link is added by the device-core work.
 * @module
 */
import type { Board } from '../boards/board.ts';
import { FIRMWARE_VERSION } from './firmwareVersion.ts';

const BOOTS = 'boots';

function readUint32(bytes: Uint8Array | undefined): number {
  if (!bytes || bytes.length !== 4) return 0;
  return ((bytes[0] << 24) >>> 0) + (bytes[1] << 16) + (bytes[2] << 8) + bytes[3];
}

function uint32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

export interface Firmware {
  version: string;
  boots: number;
}

export function startFirmware(board: Board): Firmware {
  const boots = readUint32(board.storage.read(BOOTS)) + 1;
  const changes: Record<string, Uint8Array> = {};
  changes[BOOTS] = uint32(boots);
  board.storage.commit(changes);
  board.log('smets firmware ' + FIRMWARE_VERSION + ' on ' + board.name + ', boot ' + boots);
  return { version: FIRMWARE_VERSION, boots: boots };
}
