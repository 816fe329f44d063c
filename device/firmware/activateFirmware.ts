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
 * - future-dated (execution date-time in the future): kept in `fw.pend`, response NULL; at that time
 *   (`firmwareTick`, checked at every frame and on demand; JerryScript has no timers) the activation runs
 *   and the 00CA alert reports 8F66 {0, version} or 8F67 {status, running version}.
 * - cancellation (99991231235959Z): the pending activation is dropped, response NULL.
 * @module
 */
import type { Board } from '../../boards/board.ts';
import { bytesEqual } from '../bytes.ts';
import { counterToBytes } from '../gbcs/counter64.ts';
import type { CommandContext, Execution } from '../pipeline/commandPipeline.ts';
import type { Identity } from '../state/identity.ts';
import { readU32, StateTx, u32 } from '../state/stateTx.ts';
import { activationResult, ALERT_FUTURE_ERROR, ALERT_FUTURE_SUCCESS, CANCEL_TIME, CODE_FUTURE_ACTIVATION_ALERT, decodeCs06, futureActivationAlert, nullContent, STATUS_HASH_MISMATCH, STATUS_NO_IMAGE, STATUS_SUCCESS, timeToUnix, unixToTime } from './activationContent.ts';
import { runningVersion } from './bootSelector.ts';
import { buildCriticalAlert } from './firmwareAlerts.ts';
import { readBoot, readSlot, SLOT_VERIFIED, writeBoot } from './imageStore.ts';

export const PENDING_KEY = 'fw.pend';

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
    ctx.tx.remove(PENDING_KEY);
    return { ok: true, content: nullContent() };
  }
  if (cmd.executionTime !== undefined && timeToUnix(cmd.executionTime) > now) {
    const p = new Uint8Array(32 + 4 + 8 + 8);
    p.set(cmd.hash, 0);
    p.set(u32(timeToUnix(cmd.executionTime)), 32);
    p.set(counterToBytes(ctx.message.gs.counter), 36);
    p.set(ctx.message.gs.originator, 44);
    ctx.tx.write(PENDING_KEY, p);
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
 * Runs a future-dated activation whose time has come: one commit of the activation, the pending record's
 * removal and the 00CA alert's counter. Returns the alert frame (send it), or undefined.
 */
export function firmwareTick(board: Board, identity: Identity): Uint8Array | undefined {
  const p = board.storage.read(PENDING_KEY);
  if (!p || p.length !== 52) return undefined;
  const at = readU32(p, 32);
  if (board.clock.nowSec() < at) return undefined;
  const tx = new StateTx(board.storage);
  const r = stageActivation(tx, p.subarray(0, 32));
  tx.remove(PENDING_KEY);
  const ok = r.status === STATUS_SUCCESS;
  const content = futureActivationAlert(ok ? ALERT_FUTURE_SUCCESS : ALERT_FUTURE_ERROR, unixToTime(at), trimZeros(p.subarray(36, 44)), r.status, r.version);
  const alert = buildCriticalAlert(board, tx, identity, CODE_FUTURE_ACTIVATION_ALERT, new Uint8Array(p.subarray(44, 52)), content);
  tx.commit();
  return alert;
}
