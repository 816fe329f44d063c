/**
 * The boot selector: which image the board runs at start-up. The board boots the active image; an image
 * just activated (trial) must first pass the start-up self-check it declares (imageCheck.ts `selfCheck`);
 * if it fails, the board returns to the previous image and the failed slot is marked rejected, in one
 * commit. A boot record can only name a verified slot or the factory image (imageStore.ts), so whatever a
 * power cut interrupted, the board boots a verified image.
 * @module
 */
import type { Board } from '../../boards/board.ts';
import { asciiBytes } from '../../lib/bytes.ts';
import { FIRMWARE_VERSION } from '../firmwareVersion.ts';
import { StateTx } from '../state/stateTx.ts';
import { selfCheck } from './imageCheck.ts';
import { FACTORY, NONE, readBoot, readSlot, SLOT_REJECTED, SLOT_VERIFIED, writeBoot, writeSlot } from './imageStore.ts';

type Readable = { read(k: string): Uint8Array | undefined };

export interface BootOutcome {
  /** The slot running (FACTORY for the image the device shipped with). */
  slot: number;
  version: Uint8Array;
  /** Set when a trial image failed its self-check and the previous one was restored. */
  rolledBackFrom?: number;
}

/** The version of the image in `slot` (the factory image reports FIRMWARE_VERSION). */
export function slotVersion(s: Readable, slot: number): Uint8Array {
  if (slot === FACTORY) return asciiBytes(FIRMWARE_VERSION);
  return readSlot(s, slot).version;
}

/** The version of the image the board runs now (ECS52, CS06 responses). */
export function runningVersion(s: Readable): Uint8Array {
  return slotVersion(s, readBoot(s).active);
}

export function bootFirmware(board: Board): BootOutcome {
  const boot = readBoot(board.storage);
  const active = boot.active;
  const verified = active === FACTORY || readSlot(board.storage, active).state === SLOT_VERIFIED;
  if (verified && !boot.trial) return { slot: active, version: slotVersion(board.storage, active) };
  if (verified && selfCheck(board.storage, active)) {
    const tx = new StateTx(board.storage);
    writeBoot(tx, { active: active, previous: boot.previous, trial: false });
    tx.commit();
    return { slot: active, version: slotVersion(board.storage, active) };
  }
  // Back to the previous image (verified by construction), or the factory image.
  const back = boot.previous === NONE ? FACTORY : boot.previous;
  const tx = new StateTx(board.storage);
  if (active !== FACTORY) {
    const rec = readSlot(board.storage, active);
    rec.state = SLOT_REJECTED;
    writeSlot(tx, active, rec);
  }
  writeBoot(tx, { active: back, previous: NONE, trial: false });
  tx.commit();
  return { slot: back, version: slotVersion(board.storage, back), rolledBackFrom: active };
}
