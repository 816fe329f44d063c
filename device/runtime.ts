/**
 * The device runtime: the one loop a SMETS2 device runs, on every board. Frames arrive on `board.link`;
 * whatever the device says leaves on it, in one way (`emit`): the response, then the alerts, in order.
 *
 *   powerOn  the boot selector picks the image (firmwareUpdate/bootSelector.ts: a trial image that fails its
 *            self-check is rolled back), then the future-dated actions that fell due while the power was off
 *   receive  one GBCS frame: first the future-dated actions now due (pipeline/futureDated.ts), so the
 *            command sees their effect; then the command pipeline and its response; an accepted CS06
 *            activation answers and then restarts into the new image
 *   receiveBlock  one GBT block (GBCS §7.3.6: a message too large for one HAN frame, as the hub sends it):
 *            reassembled in RAM, the whole message then goes through `receive`
 *   receiveTransfer  one block-transfer frame, in the same order, to the image receiver (firmwareUpdate/imageReceiver.ts)
 *   tick     time-driven work, from the board's wake-up (JerryScript has no timers; nothing here schedules
 *            itself): the actions now due, their alerts sent on the link
 *   raise    an alert the device originates outside a command (a CHF's CCS08), committed then sent
 *   attach   answer frames from `board.link`
 *   hanRequest  a request from a device on the HAN that joined this meter (pairing/hanRequests.ts)
 *
 * `receive` and `receiveTransfer` hand back what they would send without sending it, for drivers that
 * inspect every answer (the RTDS replay, tests); `attach` is one of them followed by `emit`.
 * @module
 */
import type { Board } from '../boards/board.ts';
import { sharedSecrets } from '../gbcs/protection/sharedSecrets.ts';
import type { SharedSecrets } from '../gbcs/protection/sharedSecrets.ts';
import { restartPending } from './firmwareUpdate/activateFirmware.ts';
import { isTransferFrame } from '../gbcs/ota/blockTransfer.ts';
import { decodeGbtFrame, describeGbtRejection, GbtReassembler } from '../gbcs/gbt.ts';
import type { DecodedGbtFrame } from '../gbcs/gbt.ts';
import { bootFirmware } from './firmwareUpdate/bootSelector.ts';
import type { BootOutcome } from './firmwareUpdate/bootSelector.ts';
import { receiveTransferFrame } from './firmwareUpdate/imageReceiver.ts';
import { BOOT_KEY } from './firmwareUpdate/imageStore.ts';
import { toHex } from '../lib/bytes.ts';
import { runPipeline } from './pipeline/commandPipeline.ts';
import type { PipelineOutcome } from './pipeline/commandPipeline.ts';
import { runDueActions } from './pipeline/futureDated.ts';
import { buildResponse } from './pipeline/responder.ts';
import { useCasesFor } from './pipeline/useCaseTables.ts';
import type { UseCaseTable } from './pipeline/useCaseTables.ts';
import { readIdentity } from './state/identity.ts';
import { handleHanRequest } from './pairing/hanRequests.ts';
import type { ChfView, HanOutcome, HanRequest } from './pairing/hanRequests.ts';
import { StateTx } from './state/stateTx.ts';
import { stageAlert } from './alerts/alertSender.ts';
import type { AlertRejection, AlertSpec } from './alerts/alertSender.ts';
import type { Identity } from './state/identity.ts';

export interface DeviceAnswer {
  outcome: PipelineOutcome;
  /** The response frame sent for an accepted command (absent when rejected, or when no key to MAC it). */
  response?: Uint8Array;
  /** Why an accepted command got no response. */
  responseProblem?: string;
  /**
   * Alerts, in the order they were raised: those of future-dated actions that fell due before the frame
   * (run first, so the command sees their effect), then the frame's own (a refused command's security alert,
   * or the alerts an accepted command raised, e.g. a CHF's CS14).
   */
  alerts: Uint8Array[];
  /** Set when the command made the device restart (an accepted activation): what the boot selector chose. */
  boot?: BootOutcome;
}

/** A block-transfer frame's answer: the acknowledgement, and alerts (due actions', then an image's 00CE receipt). */
export interface TransferAnswer {
  ack: Uint8Array;
  alerts: Uint8Array[];
}

/** A GBT block's answer: still waiting for blocks, the block refused (by name), or the message's answer. */
export type BlockAnswer = { complete: false; refused?: string } | { complete: true; answer: DeviceAnswer };

/** Largest GBT block and message a device reassembles (RAM; GBCS messages are at most 65,535 + header bytes). */
const GBT_LIMITS = { maxBlockSize: 1024, maxMessageSize: 65535 + 64 };

export class SmetsDevice {
  readonly board: Board;
  /** Static-static ECDH secrets with each remote party, computed once (gbcs/protection/sharedSecrets.ts). */
  readonly secrets: SharedSecrets;
  /** What the boot selector chose at the last (re)start; undefined before `powerOn`. */
  lastBoot: BootOutcome | undefined;
  /** The use-case table given at construction, else the one of the stored kind (`useCases`), made once. */
  private table: UseCaseTable | undefined;

  /**
   * `secrets`: a cache to use instead of a fresh one. A real device starts each power-up with an empty
   * cache; a test that makes many devices with the same keys (power-cut sweeps) may share one, since Z is
   * a pure function of the two keys and the cache holds nothing else (on Espruino one ECDH takes ~18 s).
   */
  constructor(board: Board, secrets?: SharedSecrets, useCases?: UseCaseTable) {
    this.board = board;
    this.secrets = secrets || sharedSecrets(board.crypto.ecdh);
    this.table = useCases;
  }

  /** The identity as stored now (CS02d may change the device's keys). */
  identity(): Identity {
    const id = readIdentity(this.board.storage);
    if (!id) throw new Error('SmetsDevice: the device has not been manufactured');
    return id;
  }

  /** The use cases given at construction, else those of this device's kind (kinds.ts; refused at manufacture when not carried). */
  useCases(): UseCaseTable {
    if (this.table) return this.table;
    const t = useCasesFor(this.identity().kind);
    if (!t) throw new Error('SmetsDevice: no use cases for kind ' + this.identity().kind);
    this.table = t;
    return t;
  }

  /** Power-on: the boot selector, then what fell due while the power was off (alerts sent on the link). */
  powerOn(): BootOutcome {
    const boot = this.restart();
    this.tick();
    return boot;
  }

  /** One GBCS frame through the pipeline: due actions first, then the command and its response. Nothing is sent. */
  receive(frame: Uint8Array): DeviceAnswer {
    const alerts = this.runDue();
    const identity = this.identity();
    const outcome = runPipeline(this.board, this.secrets, identity, frame, this.useCases().handlerFor);
    if (!outcome.ok) {
      if (outcome.alert) alerts.push(outcome.alert);
      return { outcome: outcome, alerts: alerts };
    }
    for (let i = 0; i < outcome.alerts.length; i++) alerts.push(outcome.alerts[i]);
    const out: DeviceAnswer = { outcome: outcome, alerts: alerts };
    const r = buildResponse(this.board, this.secrets, identity, outcome);
    if (r.ok) out.response = r.frame;
    else out.responseProblem = r.reason;
    // An accepted activation names a trial image: the device answers, then restarts into it.
    if (this.restartDue()) out.boot = this.restart();
    return out;
  }

  /** The GBT message being reassembled (RAM only: a restart drops it and the sender repeats). */
  private gbt: GbtReassembler | undefined;

  /**
   * One GBT block. A refused block (duplicate, out of window, inconsistent...) is dropped with its reason;
   * a block 1 starts a message over. The reassembled message goes through
   * `receive` (due actions first, then the pipeline) and its answer is returned.
   */
  receiveBlock(frame: Uint8Array | DecodedGbtFrame): BlockAnswer {
    const f = frame instanceof Uint8Array ? decodeGbtFrame(frame) : frame;
    if (!f.ok) return { complete: false, refused: f.reason + ' at ' + f.at };
    // Block 1 (re)starts a message: the sender began again, or another message replaces an unfinished one.
    if (!this.gbt || f.blockNumber === 1) this.gbt = new GbtReassembler(GBT_LIMITS);
    const r = this.gbt.accept(f);
    if (!r.ok) return { complete: false, refused: 'block' in r ? describeGbtRejection(r) : r.reason + ' at ' + r.at };
    if (!r.complete) return { complete: false };
    this.gbt = undefined;
    return { complete: true, answer: this.receive(r.apdu) };
  }

  /** One block-transfer frame (gbcs/ota/blockTransfer.ts): due actions first, then the image receiver. Nothing is sent. */
  receiveTransfer(frame: Uint8Array): TransferAnswer {
    const alerts = this.runDue();
    const t = receiveTransferFrame(this.board, this.identity(), frame).frames;
    for (let i = 1; i < t.length; i++) alerts.push(t[i]);
    return { ack: t[0], alerts: alerts };
  }

  /** Time-driven work: the future-dated actions now due; their alerts go out on the link and are returned. */
  tick(): Uint8Array[] {
    const alerts = this.runDue();
    this.emit(undefined, alerts);
    return alerts;
  }

  /**
   * A request from HAN device `from` (its EUI-64, as the HAN link authenticated it), allowed by its join
   * with this meter and by the CHF Device Log the hub reports (`chf`): pairing/hanRequests.ts.
   */
  hanRequest(from: Uint8Array, request: HanRequest, chf: ChfView): HanOutcome {
    return handleHanRequest(this.board, this.secrets, this.identity(), from, request, chf);
  }

  /**
   * An alert the device raises outside a command (e.g. the CHF's CCS08 when it has handed an image to a HAN
   * device, its CS14 when a device joined): `effect`, when given, stages the change that causes it (its
   * refusal, a reason, stops everything); the change and the alert's device counter land in ONE commit,
   * then the frame is sent on the link and returned. A refusal (the effect's, alerts/alertSender.ts's
   * when the alert cannot be built, or 'storage-full' when the medium has no room) leaves storage as it was.
   */
  raise<R extends string>(spec: AlertSpec, effect?: (tx: StateTx) => R | undefined): { ok: true; frame: Uint8Array } | { ok: false; reason: R | AlertRejection | 'storage-full' } {
    const tx = new StateTx(this.board.storage);
    const refused = effect ? effect(tx) : undefined;
    if (refused) return { ok: false, reason: refused };
    const a = stageAlert(this.board, this.secrets, tx, this.identity(), spec);
    if (!a.ok) return a;
    // No room for the change and the alert's counter: neither happens, the alert is not sent.
    if (!tx.commit().ok) return { ok: false, reason: 'storage-full' };
    this.emit(undefined, [a.frame]);
    return { ok: true, frame: a.frame };
  }

  /** Answers frames arriving on the board's link. */
  attach(): void {
    const self = this;
    this.board.link.onFrame(function (frame: Uint8Array) {
      const gbt = isTransferFrame(frame) ? undefined : decodeGbtFrame(frame);
      if (isTransferFrame(frame)) {
        const t = self.receiveTransfer(frame);
        self.emit(t.ack, t.alerts);
      } else if (gbt && gbt.ok) {
        const b = self.receiveBlock(gbt);
        if (b.complete) self.emit(b.answer.response, b.answer.alerts);
      } else {
        const a = self.receive(frame);
        self.emit(a.response, a.alerts);
      }
    });
  }

  /** The one way out: the response, then every alert, on the board's link. */
  private emit(answer: Uint8Array | undefined, alerts: Uint8Array[]): void {
    if (answer) this.board.link.send(answer);
    for (let i = 0; i < alerts.length; i++) this.board.link.send(alerts[i]);
  }

  /** Due future-dated actions (one commit each); a due activation restarts the device into its image. */
  private runDue(): Uint8Array[] {
    const alerts = runDueActions(this.board, this.secrets, this.identity(), this.useCases().executorFor);
    if (this.restartDue()) this.restart();
    return alerts;
  }

  private restart(): BootOutcome {
    this.lastBoot = bootFirmware(this.board);
    const record = this.board.storage.read(BOOT_KEY);
    this.refusedTrial = this.lastBoot.refused && record ? toHex(record) : undefined;
    return this.lastBoot;
  }

  /**
   * The boot record of a trial whose start-up the medium refused (bootSelector.ts: no room for its
   * outcome): not restarted into again at every frame, only at the next power-on or a new activation.
   */
  private refusedTrial: string | undefined;

  /** An activation waits for a restart, and it is not the one whose start-up was refused. */
  private restartDue(): boolean {
    if (!restartPending(this.board.storage)) return false;
    const record = this.board.storage.read(BOOT_KEY);
    return this.refusedTrial === undefined || !record || toHex(record) !== this.refusedTrial;
  }
}

/**
 * Power-on of the device on this board: undefined if it was never manufactured or its kind is not carried
 * by this firmware (no use-case table given or registered); else the device, after
 * the boot selector has run and the future-dated actions that fell due while the power was off have run
 * (their alerts sent on the link).
 */
export function openDevice(board: Board, secrets?: SharedSecrets, useCases?: UseCaseTable): SmetsDevice | undefined {
  const id = readIdentity(board.storage);
  if (!id) return undefined;
  // A kind this firmware does not carry (hub/ not loaded for a CHF/GPF) is not run with another kind's table.
  const table = useCases || useCasesFor(id.kind);
  if (!table) return undefined;
  const device = new SmetsDevice(board, secrets, table);
  device.powerOn();
  return device;
}
