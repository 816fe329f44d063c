/**
 * The boot selector: which image the board runs at start-up. The board boots the active image; an image
 * just activated (trial) must first pass the start-up self-check it declares (imageCheck.ts `selfCheck`);
 * if it fails, the board returns to the previous image and the failed slot is marked rejected, in one
 * commit. A boot record can only name a verified slot or the factory image (imageStore.ts), so whatever a
 * power cut interrupted, the board boots a verified image.
 *
 * Until the boot selector has passed a trial, the image running is the one it was activated from (its
 * fallback, or the factory image): that is what `runningVersion` reports. A medium with no room for the
 * new boot record (confirming the trial, or rolling it back) refuses the activation: the record stays as
 * it was (the trial still pending, tried again at the next start-up), the old image runs and the outcome
 * says `refused: 'storage-full'`.
 * @module
 */
import type { Board } from '../../boards/board.ts';
import { asciiBytes } from '../../lib/bytes.ts';
import { FIRMWARE_VERSION } from '../firmwareVersion.ts';
import { StateTx } from '../state/stateTx.ts';
import { selfCheck } from './imageCheck.ts';
import { FACTORY, NONE, readBoot, readSlot, SLOT_REJECTED, SLOT_VERIFIED, writeBoot, writeSlot } from './imageStore.ts';
import type { BootRecord } from './imageStore.ts';

type Readable = { read(k: string): Uint8Array | undefined };

export interface BootOutcome {
  /** The slot running (FACTORY for the image the device shipped with). */
  slot: number;
  version: Uint8Array;
  /** Set when a trial image failed its self-check and the previous one was restored. */
  rolledBackFrom?: number;
  /**
   * Set when the medium had no room for the boot record: the activation is refused, the old image runs
   * and the record stays as it was (the trial pending until a start-up can store its outcome).
   */
  refused?: 'storage-full';
}

/** The version of the image in `slot` (the factory image reports FIRMWARE_VERSION). */
export function slotVersion(s: Readable, slot: number): Uint8Array {
  if (slot === FACTORY) return asciiBytes(FIRMWARE_VERSION);
  return readSlot(s, slot).version;
}

/** The slot running under a boot record: a trial runs only once the boot selector has passed it. */
export function runningSlot(boot: BootRecord): number {
  if (!boot.trial) return boot.active;
  return boot.previous === NONE ? FACTORY : boot.previous;
}

/** The version of the image the board runs now (ECS52, CS06 responses). */
export function runningVersion(s: Readable): Uint8Array {
  return slotVersion(s, runningSlot(readBoot(s)));
}

export function bootFirmware(board: Board): BootOutcome {
  const boot = readBoot(board.storage);
  const active = boot.active;
  const verified = active === FACTORY || readSlot(board.storage, active).state === SLOT_VERIFIED;
  if (verified && !boot.trial) return { slot: active, version: slotVersion(board.storage, active) };
  // Back to the previous image (verified by construction), or the factory image.
  const back = boot.previous === NONE ? FACTORY : boot.previous;
  if (verified && selfCheck(board.storage, active)) {
    const tx = new StateTx(board.storage);
    writeBoot(tx, { active: active, previous: boot.previous, trial: false });
    // No room to confirm the trial: the activation refused, the old image runs, the record as it was.
    if (!tx.commit().ok) return { slot: back, version: slotVersion(board.storage, back), refused: 'storage-full' };
    return { slot: active, version: slotVersion(board.storage, active) };
  }
  const tx = new StateTx(board.storage);
  if (active !== FACTORY) {
    const rec = readSlot(board.storage, active);
    rec.state = SLOT_REJECTED;
    writeSlot(tx, active, rec);
  }
  writeBoot(tx, { active: back, previous: NONE, trial: false });
  // No room to store the roll-back: the old image runs all the same (the record still names the trial,
  // which fails its self-check again at the next start-up), the slot not yet marked rejected.
  if (!tx.commit().ok) return { slot: back, version: slotVersion(board.storage, back), rolledBackFrom: active, refused: 'storage-full' };
  return { slot: back, version: slotVersion(board.storage, back), rolledBackFrom: active };
}
