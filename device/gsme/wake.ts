/**
 * The GSME's wake (HAN-FACTS "Sleepy GSME"; GBCS §13.8 the GPF's copy): a battery GSME sleeps, waking every
 * wake interval its GPF configures. At each wake it:
 *   1. publishes its data to the GPF, which answers Supplier reads from that copy without waking it: here
 *      the content of GCS60 (Read Meter Balance: Metering 0x0A00 and Prepayment 0x0001, the attributes RTDS's
 *      GCS60 command reads), built by the GSME's own Read Attributes over its ZCL store;
 *   2. reads its notification flags on the GPF; while FLAG_MESSAGE_WAITING is up, pulls the oldest message,
 *      runs it through its own device pipeline (authentication, counters, signatures: the ESME's pipeline)
 *      and only then acknowledges it, so a power cut between the two gives the same frame again at the
 *      next wake and the counter check refuses a second execution;
 *   3. hands each response and alert to `up` (the HAN, through the hub, to the WAN);
 *   4. when what it ran changed the data it published (a CS01b top-up: the balance), publishes it again, so
 *      a Supplier's GCS60 from the GPF shows the new balance before the next wake.
 * A GPF whose medium is full refuses a publish or an acknowledgement 'storage-full' (nothing stored): the
 * copy stays as it was (not reported published), and a message whose acknowledgement was refused stays
 * waiting, so the wake stops there (pulling it again would only meet the GSME's replay check) and the
 * next wake delivers it again, as after a power cut between the two.
 * The mailbox is the GPF's side (hub/gsmeMailbox.ts); device/ cannot import hub/, so its shape is
 * restated here (structural: the hub's object is passed as is).
 * @module
 */
import type { DeviceAnswer } from '../runtime.ts';
import type { Board } from '../../boards/board.ts';
import { counterFromNumber } from '../../gbcs/counter64.ts';
import { bytesEqual } from '../../lib/bytes.ts';
import { encodeGbz } from '../../gbcs/gbz/components.ts';
import type { GbzComponent } from '../../gbcs/gbz/components.ts';
import { ZCL_READ_ATTRIBUTES } from '../../gbcs/gbz/zcl.ts';
import { StateTx } from '../state/stateTx.ts';
import { runComponent } from './clusters.ts';

/** The Metering FunctionalNotificationFlags bit "message waiting at the GPF" (as hub/gpf.ts). */
export const FLAG_MESSAGE_WAITING = 0x00200000;

/** GCS60 Read Meter Balance (GBCS message code). */
export const MESSAGE_CODE_GCS60 = 0x008d;

/** The GPF as the GSME sees it (hub/gsmeMailbox.ts `GsmeMailbox`). */
export interface GpfMailboxView {
  notificationFlags(): number;
  pull(): { id: number; frame: Uint8Array } | undefined;
  acknowledge(id: number): { ok: true } | { ok: false; reason: string };
  publish(items: { messageCode: number; content: Uint8Array }[]): { ok: true } | { ok: false; reason: string };
  wakeInterval(): number;
}

/** The device the wake drives: one GBCS frame through its pipeline (runtime.ts `SmetsDevice`). */
export interface WakingDevice {
  readonly board: Board;
  receive(frame: Uint8Array): DeviceAnswer;
}

export interface WakeReport {
  published: number[];
  delivered: number;
  answered: number;
  /** Why the GPF refused the publish or an acknowledgement (e.g. 'storage-full'), when it did. */
  refused?: string;
}

/** A Read Attributes component of a GBZ command (client to server). */
function read(cluster: number, sequence: number, attribute: number): GbzComponent {
  return { control: 0, cluster: cluster, frameControl: 0x00, sequence: sequence, command: ZCL_READ_ATTRIBUTES, payload: new Uint8Array([attribute & 0xff, (attribute >> 8) & 0xff]) };
}

/** The GCS60 content the GSME publishes: its own answers to RTDS's GCS60 reads (a read-only transaction, never committed). */
export function meterBalanceContent(board: Board): Uint8Array {
  const tx = new StateTx(board.storage);
  const reads = [read(0x0702, 0, 0x0a00), read(0x0705, 1, 0x0001)];
  const out: GbzComponent[] = [];
  for (let i = 0; i < reads.length; i++) {
    out.push(runComponent({ tx: tx, nowSec: board.clock.nowSec(), messageCode: MESSAGE_CODE_GCS60, originator: new Uint8Array(8), counter: counterFromNumber(0), c: reads[i] }).response);
  }
  return encodeGbz(out);
}

/** One wake: publish, then pull, run and acknowledge what waits (at most `limit` messages), publish what changed. */
export function gsmeWake(device: WakingDevice, mailbox: GpfMailboxView, up: (frame: Uint8Array) => void, limit?: number): WakeReport {
  const balance = meterBalanceContent(device.board);
  const p = mailbox.publish([{ messageCode: MESSAGE_CODE_GCS60, content: balance }]);
  const report: WakeReport = { published: p.ok ? [MESSAGE_CODE_GCS60] : [], delivered: 0, answered: 0 };
  if (!p.ok) report.refused = p.reason;
  const max = limit || 8;
  while (report.delivered < max && (mailbox.notificationFlags() & FLAG_MESSAGE_WAITING) !== 0) {
    const m = mailbox.pull();
    if (!m) break;
    const a = device.receive(m.frame);
    const ack = mailbox.acknowledge(m.id);
    report.delivered++;
    if (a.response) {
      report.answered++;
      up(a.response);
    }
    for (let i = 0; i < a.alerts.length; i++) up(a.alerts[i]);
    if (!ack.ok) {
      report.refused = ack.reason;
      break;
    }
  }
  if (p.ok && report.delivered > 0) {
    const now = meterBalanceContent(device.board);
    if (!bytesEqual(now, balance)) {
      const again = mailbox.publish([{ messageCode: MESSAGE_CODE_GCS60, content: now }]);
      if (again.ok) report.published.push(MESSAGE_CODE_GCS60);
      else if (!report.refused) report.refused = again.reason;
    }
  }
  return report;
}
