/**
 * Future-dated execution: runs the pending actions (state/pendingActions.ts) whose time has come, each in
 * ONE commit holding its effect, the removal of its record and the device counter of its alert(s), then
 * hands back the alert frames to send (alerts/alertSender.ts). A power cut before that commit leaves the
 * action pending (it runs at the next check); after it, the effect, the removal and the alert counter
 * have all landed, so an action never runs twice and an alert counter is never reused.
 *
 * When the device checks: before each received frame is processed (a command that arrives after the
 * execution time sees the executed state), at power-on (`openDevice`), and whenever the board calls
 * `device.tick()`. JerryScript has no timers and Espruino boards sleep: the board decides how often to
 * tick (e.g. once a minute from its RTC wake-up); nothing here schedules itself.
 *
 * Executor contract (how a use case plugs in; CS06 is one):
 *   1. while handling the command, stage `schedulePending(ctx.tx, 'cs06', dueSec, record)` (or
 *      `cancelPending(ctx.tx, 'cs06')` for 99991231235959Z) and answer as GBCS says for a future-dated
 *      command; the record lands with the command's counter.
 *   2. give an executor for the kind in `executorFor` (pipeline/useCases.ts):
 *        function (ctx: DueContext): AlertSpec[]
 *      it stages its effect in `ctx.tx` (reading state through `ctx.tx`) and returns the alerts to send
 *      (message code, recipient — usually the command's originator, kept in the record —, content).
 *      It must not commit; it may return [] when GBCS defines no alert.
 *   3. the runner removes the record, stages the alerts' counters and commits, then returns the frames.
 * An action of a kind no executor knows stays pending (a record from another firmware image).
 * @module
 */
import type { Board } from '../../boards/board.ts';
import { stageAlert } from '../alerts/alertSender.ts';
import type { AlertSpec } from '../alerts/alertSender.ts';
import type { SharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import type { Identity } from '../state/identity.ts';
import { cancelPending, listPending } from '../state/pendingActions.ts';
import type { PendingAction } from '../state/pendingActions.ts';
import { StateTx } from '../state/stateTx.ts';

export interface DueContext {
  board: Board;
  secrets: SharedSecrets;
  tx: StateTx;
  identity: Identity;
  action: PendingAction;
}

export type DueExecutor = (ctx: DueContext) => AlertSpec[];

export type ExecutorLookup = (kind: string) => DueExecutor | undefined;

/** Runs every due action (earliest first), one commit each; returns the alert frames to send, in order. */
export function runDueActions(board: Board, secrets: SharedSecrets, identity: Identity, executorFor: ExecutorLookup): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const due = listPending(board.storage);
  if (due.length === 0) return frames;
  const now = board.clock.nowSec();
  for (let i = 0; i < due.length; i++) {
    const action = due[i];
    if (action.dueSec > now) break;
    const exec = executorFor(action.kind);
    if (!exec) continue;
    const tx = new StateTx(board.storage);
    const alerts = exec({ board: board, secrets: secrets, tx: tx, identity: identity, action: action });
    cancelPending(tx, action.kind);
    const out: Uint8Array[] = [];
    for (let j = 0; j < alerts.length; j++) {
      const a = stageAlert(board, secrets, tx, identity, alerts[j]);
      if (a.ok) out.push(a.frame);
    }
    // No room: the action stays pending (retried at the next tick) and its alerts, not stored, are not sent.
    if (!tx.commit().ok) continue;
    for (let j = 0; j < out.length; j++) frames.push(out[j]);
  }
  return frames;
}
