/**
 * The device's firmware image store: two slots (A/B) streamed into the board's storage block by block,
 * a boot record saying which image runs, and the manufacturer's image-signing key. Every change is one
 * all-or-nothing commit (boards/board.ts), so a power cut at any write leaves either the state before or
 * the state after that step: a half-received slot is only ever "receiving", never "verified", and the
 * boot record never points at a slot that is not verified (GBCS §11: an image is activated only after
 * the device has checked it; seed ¶296-297).
 *
 * Why blocks in storage, not a buffer: an image does not fit an MCU's RAM (Espruino's 12,000 variables,
 * JerryScript's 256 KiB heap hold code and data); each block is one storage record, and verification
 * streams them back through an incremental SHA-256 (imageCheck.ts).
 *
 * Keys (storage names are at most 26 characters):
 *   fw.cfg    manufacturer public key (65) | slot capacity u32            (written at manufacture)
 *   fw.boot   active u8 | previous u8 | trial u8      (slot 0/1, FACTORY = the image the device shipped
 *             with, NONE = no fallback; trial = activated, start-up self-check not yet passed)
 *   fw.s0/1   slot record: state u8 | size u32 | received u32 | hash (32) | version (4) | firmware id (8)
 *   fw.s0.N   block N of slot 0 (BLOCK_SIZE bytes, the last one shorter)
 * @module
 */
import type { CommitResult, Storage } from '../../boards/board.ts';
import { readU32, StateTx, u32 } from '../state/stateTx.ts';
import { BLOCK_SIZE } from '../../gbcs/ota/blockTransfer.ts';

export const FACTORY = 0xff;
export const NONE = 0xfe;
export const CONFIG_KEY = 'fw.cfg';
export const BOOT_KEY = 'fw.boot';

export const SLOT_EMPTY = 0;
export const SLOT_RECEIVING = 1;
export const SLOT_VERIFIED = 2;
export const SLOT_REJECTED = 3;

type Readable = { read(k: string): Uint8Array | undefined };

export interface SlotRecord {
  state: number;
  size: number;
  received: number;
  hash: Uint8Array;
  version: Uint8Array;
  firmwareId: Uint8Array;
}

export interface BootRecord {
  active: number;
  previous: number;
  trial: boolean;
}

export interface FirmwareConfig {
  manufacturerKey: Uint8Array;
  capacity: number;
}

export function slotKey(slot: number): string {
  return 'fw.s' + slot;
}

export function blockKey(slot: number, n: number): string {
  return 'fw.s' + slot + '.' + n;
}

export function blockCount(size: number): number {
  return Math.floor((size + BLOCK_SIZE - 1) / BLOCK_SIZE);
}

export function readConfig(s: Readable): FirmwareConfig | undefined {
  const b = s.read(CONFIG_KEY);
  if (!b || b.length !== 69) return undefined;
  return { manufacturerKey: new Uint8Array(b.subarray(0, 65)), capacity: readU32(b, 65) };
}

export function writeConfig(tx: StateTx, c: FirmwareConfig): void {
  if (c.manufacturerKey.length !== 65) throw new Error('writeConfig: expected a 65-byte P-256 public key, got ' + c.manufacturerKey.length);
  const b = new Uint8Array(69);
  b.set(c.manufacturerKey, 0);
  b.set(u32(c.capacity), 65);
  tx.write(CONFIG_KEY, b);
}

export function readBoot(s: Readable): BootRecord {
  const b = s.read(BOOT_KEY);
  if (!b || b.length !== 3) return { active: FACTORY, previous: NONE, trial: false };
  return { active: b[0], previous: b[1], trial: b[2] === 1 };
}

export function writeBoot(tx: StateTx, r: BootRecord): void {
  tx.write(BOOT_KEY, new Uint8Array([r.active, r.previous, r.trial ? 1 : 0]));
}

const EMPTY_SLOT: SlotRecord = { state: SLOT_EMPTY, size: 0, received: 0, hash: new Uint8Array(32), version: new Uint8Array(4), firmwareId: new Uint8Array(8) };

export function readSlot(s: Readable, slot: number): SlotRecord {
  const b = s.read(slotKey(slot));
  if (!b || b.length !== 53) return EMPTY_SLOT;
  return {
    state: b[0], size: readU32(b, 1), received: readU32(b, 5),
    hash: new Uint8Array(b.subarray(9, 41)), version: new Uint8Array(b.subarray(41, 45)), firmwareId: new Uint8Array(b.subarray(45, 53)),
  };
}

export function writeSlot(tx: StateTx, slot: number, r: SlotRecord): void {
  const b = new Uint8Array(53);
  b[0] = r.state;
  b.set(u32(r.size), 1);
  b.set(u32(r.received), 5);
  b.set(r.hash, 9);
  b.set(r.version, 41);
  b.set(r.firmwareId, 45);
  tx.write(slotKey(slot), b);
}

/** The slot a new image goes into: the one not running (slot 0 while the factory image runs). */
export function targetSlot(boot: BootRecord): number {
  return boot.active === 0 ? 1 : 0;
}

/** Block N of a slot (undefined when missing). */
export function readBlock(s: Storage | Readable, slot: number, n: number): Uint8Array | undefined {
  return s.read(blockKey(slot, n));
}

/**
 * Manufacture-time: the manufacturer's image-signing key and the slot capacity, one commit; 'storage-full'
 * when the medium has no room (the former configuration as it was).
 */
export function provisionFirmwareStore(storage: Storage, c: FirmwareConfig): CommitResult {
  const tx = new StateTx(storage);
  writeConfig(tx, c);
  return tx.commit();
}
