/**
 * CS06 Activate Firmware (GBCS message code 0x0012, critical: the pipeline has checked the Supplier's
 * signature and the ACB's MAC before this runs). "A Device receiving an Activate Firmware Command shall
 * calculate a Hash over the Manufacturer Image it holds and ensure the Hash so calculated matches that in
 * the Activate Firmware Command, before the Device attempts to activate" (GBCS §11 introduction): the hash
 * compared is the one the device computed itself when the image arrived (imageCheck.ts), kept with the
 * verified slot.
 *
 * - immediate: a verified, not running slot with that hash -> the boot record names it (trial) and the
 *   previous image stays as fallback; response {0, new version}; the device then restarts into it
 *   (bootSelector.ts), which may roll back. No such slot -> {2 hash mismatch} when an image is held,
 *   {1 no image} otherwise, with the running version (RTDS 11.3_CS06 IMMEDIATE_ERROR).
 * - future-dated (execution date-time in the future): kept as the pending action 'cs06'
 *   (state/pendingActions.ts: hash | counter | originator), response NULL; when due (pipeline/futureDated.ts:
 *   checked at every frame, at boot and on `tick`; JerryScript has no timers) `executeDueActivation` runs
 *   the activation and the 00CA alert (alerts/alertSender.ts) reports 8F66 {0, version} or
 *   8F67 {status, running version} to the CS06 originator.
 * - cancellation (99991231235959Z): the pending activation is dropped, response NULL.
 * @module
 */
import { bytesEqual } from '../../lib/bytes.ts';
import { counterToBytes } from '../../gbcs/counter64.ts';
import type { CommandContext, Execution } from '../pipeline/commandContext.ts';
import type { StateTx } from '../state/stateTx.ts';
import { CANCEL_TIME, secondsToTime, timeToSeconds } from '../../gbcs/dateTime.ts';
import { activationResult, ALERT_FUTURE_ERROR, ALERT_FUTURE_SUCCESS, CODE_FUTURE_ACTIVATION_ALERT, decodeCs06, futureActivationAlert, nullContent, STATUS_HASH_MISMATCH, STATUS_NO_IMAGE, STATUS_SUCCESS } from '../../gbcs/contents/cs06.ts';
import { runningVersion } from './bootSelector.ts';
import type { AlertSpec } from '../alerts/alertSender.ts';
import type { DueContext } from '../pipeline/futureDated.ts';
import { cancelPending, schedulePending } from '../state/pendingActions.ts';
import { readBoot, readSlot, SLOT_VERIFIED, writeBoot } from './imageStore.ts';

/** The pending-action kind of a future-dated activation (state/pendingActions.ts). */
export const PENDING_CS06 = 'cs06';

type Readable = { read(k: string): Uint8Array | undefined };

/** Stages the activation of the image whose hash is `hash`; answers the activation status and version. */
export function stageActivation(tx: StateTx, hash: Uint8Array): { status: number; version: Uint8Array } {
  const boot = readBoot(tx);
  let held = false;
  for (let slot = 0; slot < 2; slot++) {
    const rec = readSlot(tx, slot);
    if (rec.state !== SLOT_VERIFIED) continue;
    held = true;
    if (!bytesEqual(rec.hash, hash)) continue;
    if (slot !== boot.active) writeBoot(tx, { active: slot, previous: boot.active, trial: true });
    return { status: STATUS_SUCCESS, version: rec.version };
  }
  return { status: held ? STATUS_HASH_MISMATCH : STATUS_NO_IMAGE, version: runningVersion(tx) };
}

/** Whether an activation is waiting for a restart (the boot record's trial flag). */
export function restartPending(s: Readable): boolean {
  return readBoot(s).trial;
}

export function activateFirmware(ctx: CommandContext): Execution {
  const cmd = decodeCs06(ctx.message.content);
  if (typeof cmd === 'string') return { ok: false, detail: 'CS06 content: ' + cmd };
  if (!bytesEqual(trimZeros(cmd.counter), trimZeros(counterToBytes(ctx.message.gs.counter)))) return { ok: false, detail: 'CS06 content counter differs from the header counter' };
  const now = ctx.board.clock.nowSec();
  if (cmd.executionTime === CANCEL_TIME) {
    cancelPending(ctx.tx, PENDING_CS06);
    return { ok: true, content: nullContent() };
  }
  if (cmd.executionTime !== undefined && timeToSeconds(cmd.executionTime) > now) {
    const p = new Uint8Array(32 + 8 + 8);
    p.set(cmd.hash, 0);
    p.set(counterToBytes(ctx.message.gs.counter), 32);
    p.set(ctx.message.gs.originator, 40);
    schedulePending(ctx.tx, PENDING_CS06, timeToSeconds(cmd.executionTime), p);
    return { ok: true, content: nullContent() };
  }
  const r = stageActivation(ctx.tx, cmd.hash);
  return { ok: true, content: activationResult(r.status, r.version) };
}

function trimZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/**
 * The executor of a due future-dated activation (pipeline/futureDated.ts): stages the activation and
 * returns the 00CA alert; the runner commits both with the pending record's removal.
 */
export function executeDueActivation(ctx: DueContext): AlertSpec[] {
  const p = ctx.action.data;
  if (p.length !== 48) return [];
  const r = stageActivation(ctx.tx, p.subarray(0, 32));
  const ok = r.status === STATUS_SUCCESS;
  const content = futureActivationAlert(ok ? ALERT_FUTURE_SUCCESS : ALERT_FUTURE_ERROR, secondsToTime(ctx.action.dueSec), trimZeros(p.subarray(32, 40)), r.status, r.version);
  return [{ messageCode: CODE_FUTURE_ACTIVATION_ALERT, recipient: new Uint8Array(p.subarray(40, 48)), content: content }];
}
