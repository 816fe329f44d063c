/**
 * The interface the GSME uses to reach its GPF (HAN-FACTS "Sleepy GSME"): when it wakes (every
 * `wakeInterval()` seconds) it reads the notification flags on its mirror; while bit 0x00200000 is set it
 * pulls the oldest message waiting, runs it through its own device pipeline, and acknowledges it, which
 * removes it from the queue. A message is removed only on acknowledgement, so a GSME that loses power
 * between pull and acknowledgement gets the same frame again at its next wake (its counter check refuses
 * a second execution). It also publishes its data, which the GPF answers Supplier reads from.
 * Each change is one commit whose result is checked: one the GPF's medium has no room for is refused
 * 'storage-full' with the queue or copy as it was (README "full-medium contract"); an acknowledgement so
 * refused leaves the message waiting, which the GSME's counter check refuses to run twice.
 * This is the hub's side; the GSME's is device/gsme/wake.ts (`gsmeWake` takes this object as it is).
 * @module
 */
import type { Board } from '../boards/board.ts';
// Directly, not through device/index.ts: that would pull the whole device runtime into the hub's engine
// bundles (Espruino keeps code in its variable pool; the cut bundle then ran out of 12,000 variables).
import { StateTx } from '../device/state/stateTx.ts';
import { notificationFlags, stageAcknowledge, stagePublish, waiting, wakeInterval } from './gpf.ts';
import type { QueuedMessage } from './gpf.ts';

export interface GsmeMailbox {
  /** Metering FunctionalNotificationFlags as the GSME reads them (FLAG_MESSAGE_WAITING while a message waits). */
  notificationFlags(): number;
  /** The oldest message waiting, left in the queue until acknowledged; undefined when none. */
  pull(): QueuedMessage | undefined;
  /** The GSME has message `id`: removed in one commit. Refused 'not-waiting' when no such message waits. */
  acknowledge(id: number): { ok: true } | { ok: false; reason: 'not-waiting' | 'storage-full' };
  /** The GSME's data for some read use cases, replacing the GPF's copy of each (one commit). */
  publish(items: { messageCode: number; content: Uint8Array }[]): { ok: true } | { ok: false; reason: 'storage-full' };
  /** Seconds between the GSME's wakes (configured on the GPF). */
  wakeInterval(): number;
}

/** The mailbox over the GPF's board (its storage and clock). */
export function gpfMailbox(board: Board): GsmeMailbox {
  return {
    notificationFlags: function () {
      return notificationFlags(board.storage, board.clock.nowSec());
    },
    pull: function () {
      const w = waiting(board.storage, board.clock.nowSec());
      return w.length ? w[0] : undefined;
    },
    acknowledge: function (id: number) {
      const tx = new StateTx(board.storage);
      if (!stageAcknowledge(tx, id, board.clock.nowSec())) return { ok: false, reason: 'not-waiting' };
      return tx.commit().ok ? { ok: true } : { ok: false, reason: 'storage-full' };
    },
    publish: function (items) {
      const tx = new StateTx(board.storage);
      stagePublish(tx, items);
      return tx.commit().ok ? { ok: true } : { ok: false, reason: 'storage-full' };
    },
    wakeInterval: function () {
      return wakeInterval(board.storage);
    },
  };
}
