/**
 * The firmware-update side of a running device, composed around SmetsDevice without changing it: the
 * use-case lookup gains CS06 Activate Firmware (activateFirmware.ts) and ECS52 answers the version of the
 * image the board runs (bootSelector.ts); block-transfer frames go to the image receiver; after an
 * accepted activation the device answers and then restarts into the new image (the boot selector may roll
 * it back); future-dated activations are checked at every frame and on `tick` (JerryScript has no timers).
 *
 * Why a wrapper: the dispatcher (pipeline/useCases.ts) and smetsDevice.ts are being reworked in parallel;
 * once they settle, `firmwareHandlerFor` belongs in the dispatcher and `attachFirmware` in `attach`.
 * @module
 */
import { runPipeline } from '../pipeline/commandPipeline.ts';
import type { CommandContext, Execution, Handler } from '../pipeline/commandPipeline.ts';
import { accessResponse, octetString, readAccessRequest, RESULT_SUCCESS } from '../pipeline/dlms.ts';
import type { AccessResult } from '../pipeline/dlms.ts';
import { buildResponse } from '../pipeline/responder.ts';
import { handlerFor } from '../pipeline/useCases.ts';
import type { DeviceAnswer, SmetsDevice } from '../smetsDevice.ts';
import { activateFirmware, executeDueActivation, PENDING_CS06, restartPending } from './activateFirmware.ts';
import { runDueActions } from '../pipeline/futureDated.ts';
import type { DueExecutor } from '../pipeline/futureDated.ts';
import { executorFor } from '../pipeline/useCases.ts';
import { isTransferFrame } from './blockTransfer.ts';
import { bootFirmware, runningVersion } from './bootSelector.ts';
import type { BootOutcome } from './bootSelector.ts';
import { receiveTransferFrame } from './imageReceiver.ts';

/** ECS52: the running image's version for each attribute asked. */
function readRunningVersion(ctx: CommandContext): Execution {
  const req = readAccessRequest(ctx.message.content);
  if (!req) return { ok: true, content: new Uint8Array(0) };
  const results: AccessResult[] = [];
  for (let i = 0; i < req.specs.length; i++) results.push({ data: octetString(runningVersion(ctx.tx)), result: RESULT_SUCCESS });
  return { ok: true, content: accessResponse(req, results) };
}

export function firmwareHandlerFor(code: number): Handler {
  if (code === 0x0012) return activateFirmware;
  if (code === 0x0059) return readRunningVersion;
  return handlerFor(code);
}

/** The device's future-dated executors plus CS06's. */
export function firmwareExecutorFor(kind: string): DueExecutor | undefined {
  if (kind === PENDING_CS06) return executeDueActivation;
  return executorFor(kind);
}

export interface FirmwareAnswer extends DeviceAnswer {
  alerts: Uint8Array[];
  /** Set when the frame made the device restart (an activation). */
  boot?: BootOutcome;
}

export class FirmwareHost {
  readonly device: SmetsDevice;
  lastBoot: BootOutcome;

  /** Power-on: the boot selector picks the image to run. */
  constructor(device: SmetsDevice) {
    this.device = device;
    this.lastBoot = bootFirmware(device.board);
  }

  /** One GBCS frame through the pipeline with the firmware use cases; then due future-dated work. */
  receive(frame: Uint8Array): FirmwareAnswer {
    const d = this.device;
    const identity = d.identity();
    const outcome = runPipeline(d.board, d.secrets, identity, frame, firmwareHandlerFor);
    const out: FirmwareAnswer = { outcome: outcome, alerts: [] };
    if (outcome.ok) {
      const r = buildResponse(d.board, d.secrets, identity, outcome);
      if (r.ok) out.response = r.frame;
      else out.responseProblem = r.reason;
      if (restartPending(d.board.storage)) out.boot = this.restart();
    }
    if (!outcome.ok && outcome.alert) out.alerts.push(outcome.alert);
    const due = this.tick();
    for (let i = 0; i < due.length; i++) out.alerts.push(due[i]);
    return out;
  }

  restart(): BootOutcome {
    this.lastBoot = bootFirmware(this.device.board);
    return this.lastBoot;
  }

  /**
   * Time-driven work: future-dated actions falling due (pipeline/futureDated.ts), among them an activation
   * (alert 00CA, then a restart). Returns the alert frames (the caller sends them).
   */
  tick(): Uint8Array[] {
    const d = this.device;
    const alerts = runDueActions(d.board, d.secrets, d.identity(), firmwareExecutorFor);
    if (restartPending(d.board.storage)) this.restart();
    return alerts;
  }

  /** Answers frames on the board's link: block transfer to the image receiver, GBCS to `receive`. */
  attach(): void {
    const self = this;
    const link = this.device.board.link;
    link.onFrame(function (frame: Uint8Array) {
      if (isTransferFrame(frame)) {
        const t = receiveTransferFrame(self.device.board, self.device.identity(), frame).frames;
        for (let i = 0; i < t.length; i++) link.send(t[i]);
        return;
      }
      const a = self.receive(frame);
      if (a.response) link.send(a.response);
      for (let i = 0; i < a.alerts.length; i++) link.send(a.alerts[i]);
    });
  }
}
