/**
 * The DCC side's only way to a device: a byte link carrying whole GBCS frames (GBCS §7: a Command, a
 * Response or an Alert is one frame; GBT segmentation, when a link needs it, lives below this interface).
 * Implementations: in process (inProcess.ts), a serial line (serial.ts), ZigBee's SE tunnel
 * (harness/zigbee/se/zigbeeBearer.ts).
 * The layer above never learns what is on the other end: a simulated device, a hub, real hardware.
 *
 * `Inbox` turns the push-style link into "wait for the frame that answers this": frames that nobody is
 * waiting for (alerts) are kept until asked for, so nothing the device says is lost.
 * @module
 */

export interface Transport {
  /** e.g. 'in-process', 'serial /dev/ttyUSB0'. */
  readonly name: string;
  /**
   * How long the far end may take to answer a frame (ms). After this with no frame, the DCC concludes
   * the device sent nothing (GBCS: a command failing authentication gets no Response).
   */
  readonly answerWindowMs: number;
  send(frame: Uint8Array): Promise<void>;
  /**
   * Optional: resolves once the far end has finished handling every frame sent so far, with whatever it
   * answered already delivered (the serial link's `handled` notices). Lets the DCC conclude "no response"
   * without waiting out the answer window; a transport that cannot tell leaves it out.
   */
  settled?(): Promise<void>;
  /** One handler; frames are whole GBCS messages. */
  onFrame(handler: (frame: Uint8Array) => void): void;
  close(): Promise<void>;
}

/** Frames received on a transport, waited for by predicate. */
export class Inbox {
  private readonly frames: Uint8Array[] = [];
  private readonly waiters: Array<{ match: (f: Uint8Array) => boolean; resolve: (f: Uint8Array | undefined) => void }> = [];

  constructor(transport: Transport) {
    transport.onFrame((f) => this.deliver(f));
  }

  private deliver(frame: Uint8Array): void {
    for (let i = 0; i < this.waiters.length; i++) {
      const w = this.waiters[i];
      if (w.match(frame)) {
        this.waiters.splice(i, 1);
        w.resolve(frame);
        return;
      }
    }
    this.frames.push(frame);
  }

  /**
   * The first received frame `match` accepts (removed from the inbox), or undefined after `timeoutMs`, or
   * undefined as soon as `until` resolves (the far end has settled: Transport.settled).
   */
  next(match: (f: Uint8Array) => boolean, timeoutMs: number, until?: Promise<void>): Promise<Uint8Array | undefined> {
    const i = this.frames.findIndex(match);
    if (i >= 0) return Promise.resolve(this.frames.splice(i, 1)[0]);
    return new Promise((resolve) => {
      const waiter = { match, resolve: (f: Uint8Array | undefined) => resolve(f) };
      this.waiters.push(waiter);
      until?.then(() => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) {
          this.waiters.splice(at, 1);
          waiter.resolve(undefined);
        }
      });
      const timer = setTimeout(() => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) {
          this.waiters.splice(at, 1);
          resolve(undefined);
        }
      }, timeoutMs);
      const done = waiter.resolve;
      waiter.resolve = (f) => {
        clearTimeout(timer);
        done(f);
      };
    });
  }

  /** Every frame received and not yet taken (e.g. alerts), oldest first; the inbox is emptied. */
  drain(): Uint8Array[] {
    return this.frames.splice(0, this.frames.length);
  }
}
