/**
 * A simulated 802.15.4 medium: every attached radio on the same channel hears every frame (PSDU with
 * its FCS) except its own. A radio that accepts a unicast frame with the ACK-request bit acknowledges it
 * (802.15.4-2020 §6.7.4), which `transmit` reports to the sender, with the frame-pending bit the
 * acknowledger set. Frames, and ACKs, can be dropped at a set rate (issue 16 item 5) from an injected
 * random source; `send` retries an unacknowledged frame up to macMaxFrameRetries times (802.15.4-2006
 * §7.5.6.4, done by the radio itself on real hardware), so a lost ACK delivers a duplicate, as on the air.
 * The air counts what it carried, lost and retried. Delivery is asynchronous (setImmediate). @module
 */

export interface Radio {
  channel(): number;
  /** a frame heard on the air; true = the radio accepted it (address match) and, if asked, acknowledges */
  hear(psdu: Uint8Array): { accepted: boolean; framePending?: boolean };
}

export interface TxResult {
  acked: boolean;
  framePending: boolean;
}

export class SimulatedAir {
  private radios: Radio[] = [];
  private lossRate: number;
  private random: () => number;
  readonly stats = { frames: 0, delivered: 0, lost: 0, acked: 0, acksLost: 0, retries: 0, failed: 0 };

  constructor(o: { lossRate?: number; random?: () => number } = {}) {
    this.lossRate = o.lossRate ?? 0;
    this.random = o.random ?? Math.random;
  }

  /** Changes the loss rate (and optionally the random source) from now on. */
  setLoss(rate: number, random?: () => number): void {
    this.lossRate = rate;
    if (random) this.random = random;
  }

  private lose(): boolean {
    if (this.lossRate > 0 && this.random() < this.lossRate) {
      this.stats.lost++;
      return true;
    }
    return false;
  }

  /** A frame with the radio's retries: up to 1 + maxRetries attempts while an ACK was asked for and not heard. */
  async send(from: Radio, psdu: Uint8Array, ackRequested: boolean, maxRetries = 3): Promise<TxResult & { attempts: number }> {
    let attempts = 0;
    for (;;) {
      attempts++;
      const r = await this.transmit(from, psdu, ackRequested);
      if (!ackRequested || r.acked) return { ...r, attempts };
      if (attempts > maxRetries) {
        this.stats.failed++;
        return { ...r, attempts };
      }
      this.stats.retries++;
    }
  }

  attach(radio: Radio): () => void {
    this.radios.push(radio);
    return () => {
      this.radios = this.radios.filter((r) => r !== radio);
    };
  }

  /** Puts a frame on the air from `from`; resolves with whether it was acknowledged (when `ackRequested`). */
  transmit(from: Radio, psdu: Uint8Array, ackRequested: boolean): Promise<TxResult> {
    this.stats.frames++;
    const channel = from.channel();
    return new Promise((resolve) => {
      setImmediate(() => {
        let acked = false;
        let framePending = false;
        for (const r of this.radios) {
          if (r === from || r.channel() !== channel) continue;
          if (this.lose()) continue;
          this.stats.delivered++;
          const h = r.hear(new Uint8Array(psdu));
          if (h.accepted && ackRequested) {
            if (this.lose()) {
              this.stats.acksLost++;
              continue;
            }
            acked = true;
            framePending = framePending || !!h.framePending;
          }
        }
        if (acked) this.stats.acked++;
        resolve({ acked, framePending });
      });
    });
  }
}
