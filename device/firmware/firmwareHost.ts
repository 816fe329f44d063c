/**
 * The firmware-update side of a running device, composed around SmetsDevice: the board boots through the
 * boot selector (which may roll a failed image back); block-transfer frames go to the image receiver;
 * after an accepted CS06 activation the device answers and then restarts into the new image; future-dated
 * activations are checked at every frame and on `tick` (JerryScript has no timers). CS06 itself and ECS52's
 * running version are use cases of the one dispatcher (pipeline/useCases.ts).
 * @module
 */
import { runPipeline } from '../pipeline/commandPipeline.ts';
import { buildResponse } from '../pipeline/responder.ts';
import { executorFor, handlerFor } from '../pipeline/useCases.ts';
import type { DeviceAnswer, SmetsDevice } from '../smetsDevice.ts';
import { restartPending } from './activateFirmware.ts';
import { runDueActions } from '../pipeline/futureDated.ts';
import { isTransferFrame } from '../../gbcs/ota/blockTransfer.ts';
import { bootFirmware } from './bootSelector.ts';
import type { BootOutcome } from './bootSelector.ts';
import { receiveTransferFrame } from './imageReceiver.ts';

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
    const outcome = runPipeline(d.board, d.secrets, identity, frame, handlerFor);
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
    const alerts = runDueActions(d.board, d.secrets, d.identity(), executorFor);
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
