/**
 * The GSME on the air: a sleepy ZigBee end device (SimulatedHanDevice `sleepy: true`: receiver off and no
 * polls between wakes, so the hub's coordinator holds anything for it as an indirect transmission) with
 * the CBKE client and SE tunnel of a ZigbeeMeter, and the GBCS pull flow over that tunnel (HAN-FACTS
 * "Sleepy GSME"; the tunnel headers as the Wireshark GBCS dissector reads them: `01` GET, `02 ‖ remaining`
 * GET-RESPONSE, `03` PUT). At each wake it:
 *   1. wakes its radio (receiver on, a Data Request every poll period: the parent hands over one held
 *      frame per poll);
 *   2. reads FunctionalNotificationFlags from the hub's Metering mirror (ZCL Read Attributes, cluster 0x0702,
 *      attribute 0x0000 of the client-side Notification Attribute Set, SE 1.2+; UNCONFIRMED which side GBCS
 *      meant), which opens a wake on the GPF's side (gpfTunnel.ts);
 *   3. while the flag 0x00200000 is up: GET; the GET-RESPONSE carries the oldest waiting message (whole,
 *      or GBT blocks each behind the header, reassembled here), which runs through the GSME's own device
 *      pipeline (`receive`, as device/gsme/wake.ts does); its response and alerts go up as PUTs; the next
 *      GET tells the GPF this one has run (then it is removed). A GET-RESPONSE without a message ends it;
 *   4. goes back to sleep once its radio has sent everything.
 * A wake that ends early (no answer) leaves the last message on the GPF: it comes again at the next wake
 * and the device's counter check refuses a second execution. Node only. @module
 */
import type { DeviceAnswer } from '../../../device/index.ts';
import { FLAG_MESSAGE_WAITING } from '../../../device/index.ts';
import { decodeGbtFrame, GbtReassembler } from '../../../gbcs/gbt.ts';
import type { CbkeIdentity, CbkeTrust } from '../cbke/cbke.ts';
import type { SimulatedAir } from '../radio/air.ts';
import type { ApsMessage } from '../stack/device.ts';
import { ZigbeeMeter } from './zigbeeMeter.ts';

/** GBCS tunnel headers (TransferData data, first octet). */
export const TUNNEL_GET = 0x01;
export const TUNNEL_GET_RESPONSE = 0x02;
export const TUNNEL_PUT = 0x03;
export const METERING_CLUSTER = 0x0702;
/** Metering client attribute FunctionalNotificationFlags (Notification Attribute Set 0x00). */
export const FUNCTIONAL_NOTIFICATION_FLAGS = 0x0000;
/** ZCL Read Attributes / Read Attributes Response (global commands). */
const ZCL_READ = 0x00;
const ZCL_READ_RSP = 0x01;
/** Global frame, server to client (a client-side attribute is read), no default response. */
const FC_GLOBAL_TO_CLIENT = 0x18;

/** The device a wake drives: one GBCS frame through its pipeline (device/gsme/wake.ts `WakingDevice`). */
export interface WakingGsme {
  receive(frame: Uint8Array): DeviceAnswer;
}

export interface AirWakeReport {
  delivered: number;
  answered: number;
  /** the flags read from the mirror, when the hub answered */
  flags?: number;
  /** why the wake ended before the GPF said nothing waits */
  stopped?: 'no-flags' | 'no-get-response' | 'limit';
  ms: number;
}

export class ZigbeeGsme extends ZigbeeMeter {
  /** what the pull flow did: wakes, flag reads, GETs, GET-RESPONSEs with a message and without, PUTs */
  readonly pull = { wakes: 0, flagReads: 0, gets: 0, messages: 0, empty: 0, puts: 0, putFailures: 0, notGetResponse: 0 };
  private getAnswer: ((r: { remaining: number; message?: Uint8Array }) => void) | undefined;
  private flagsAnswer: { tsn: number; resolve: (flags: number | undefined) => void } | undefined;
  private gbt: GbtReassembler | undefined;

  constructor(air: SimulatedAir, o: { eui: string; installCodeKey: Uint8Array; cbke: CbkeIdentity; trust: CbkeTrust; hubEui: string }) {
    super(air, { ...o, sleepy: true });
    this.radio.onMessage((m) => this.onGlobal(m));
  }

  /** Wakes the radio (receiver on, polling) or puts it to sleep. */
  setAwake(on: boolean): void {
    this.radio.setAwake(on);
  }

  protected override accepts(): boolean {
    return true;
  }

  /** A GET-RESPONSE piece from the hub (whole message, a GBT block of it, or nothing waiting). */
  protected override deliver(piece: Uint8Array): void {
    if (piece.length < 2 || piece[0] !== TUNNEL_GET_RESPONSE) {
      this.pull.notGetResponse++;
      return;
    }
    const remaining = piece[1];
    const body = piece.subarray(2);
    let message: Uint8Array | undefined;
    // a GBT block (GBCS §7.3.6: a routing header, then E0 and the block) of a message too large for one frame
    if (body.length > 0 && decodeGbtFrame(body).ok) {
      if (!this.gbt) this.gbt = new GbtReassembler({ maxBlockSize: 1024 });
      const a = this.gbt.accept(body);
      if (!a.ok) {
        this.gbt = undefined;
        return;
      }
      if (!a.complete) return;
      this.gbt = undefined;
      message = a.apdu;
    } else if (body.length > 0) message = new Uint8Array(body);
    const answer = this.getAnswer;
    this.getAnswer = undefined;
    if (answer) answer({ remaining, message });
  }

  /** Read Attributes Response from the hub's Metering mirror (global, cluster 0x0702). */
  private onGlobal(m: ApsMessage): void {
    const p = m.payload;
    const f = this.flagsAnswer;
    if (!f || m.cluster !== METERING_CLUSTER || p.length < 3 || (p[0] & 0x03) !== 0 || p[2] !== ZCL_READ_RSP || p[1] !== f.tsn) return;
    this.flagsAnswer = undefined;
    // attribute id (2), status (1), then type (1) and a 32-bit bitmap on success
    const ok = p.length >= 11 && (p[3] | (p[4] << 8)) === FUNCTIONAL_NOTIFICATION_FLAGS && p[5] === 0x00;
    f.resolve(ok ? (p[7] | (p[8] << 8) | (p[9] << 16) | (p[10] << 24)) >>> 0 : undefined);
  }

  private async readFlags(ms: number): Promise<number | undefined> {
    this.pull.flagReads++;
    // a lost request or answer is asked again (a ZCL read has no retry of its own above the APS ACK)
    for (let attempt = 0; attempt < 3; attempt++) {
      const tsn = this.tsn++ & 0xff;
      const answer = new Promise<number | undefined>((resolve) => {
        const timer = setTimeout(() => {
          this.flagsAnswer = undefined;
          resolve(undefined);
        }, ms);
        this.flagsAnswer = { tsn, resolve: (v) => { clearTimeout(timer); resolve(v); } };
      });
      await this.send(METERING_CLUSTER, ZCL_READ, Uint8Array.of(FUNCTIONAL_NOTIFICATION_FLAGS & 0xff, FUNCTIONAL_NOTIFICATION_FLAGS >> 8), tsn, FC_GLOBAL_TO_CLIENT);
      const flags = await answer;
      if (flags !== undefined) return flags;
    }
    return undefined;
  }

  private async get(ms: number): Promise<{ remaining: number; message?: Uint8Array } | undefined> {
    this.pull.gets++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const answer = new Promise<{ remaining: number; message?: Uint8Array } | undefined>((resolve) => {
      timer = setTimeout(() => {
        this.getAnswer = undefined;
        resolve(undefined);
      }, ms);
      this.getAnswer = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
    });
    if ((await this.transfer(Uint8Array.of(TUNNEL_GET))) !== 'acked') {
      clearTimeout(timer);
      this.getAnswer = undefined;
      return undefined;
    }
    const r = await answer;
    if (r && r.message) this.pull.messages++;
    else if (r) this.pull.empty++;
    return r;
  }

  private async put(frame: Uint8Array): Promise<void> {
    const data = new Uint8Array(1 + frame.length);
    data[0] = TUNNEL_PUT;
    data.set(frame, 1);
    this.pull.puts++;
    if ((await this.transfer(data)) !== 'acked') this.pull.putFailures++;
  }

  /**
   * One wake: flags, then GET / run / PUT until the GPF has nothing more (at most `limit` messages).
   * `answerMs`: how long to wait for each answer from the hub (it resends a frame up to 5 times, 1 s apart).
   */
  async wake(device: WakingGsme, o: { limit?: number; answerMs?: number } = {}): Promise<AirWakeReport> {
    const t0 = performance.now();
    const answerMs = o.answerMs ?? 8000;
    const limit = o.limit ?? 8;
    const report: AirWakeReport = { delivered: 0, answered: 0, ms: 0 };
    this.pull.wakes++;
    this.setAwake(true);
    try {
      const flags = await this.readFlags(Math.min(answerMs, 2000));
      if (flags === undefined) {
        report.stopped = 'no-flags';
        return report;
      }
      report.flags = flags;
      if ((flags & FLAG_MESSAGE_WAITING) === 0) return report;
      for (;;) {
        const r = await this.get(answerMs);
        if (!r) {
          report.stopped = 'no-get-response';
          break;
        }
        if (!r.message) break;
        if (report.delivered >= limit) {
          report.stopped = 'limit';
          break;
        }
        const a = device.receive(r.message);
        report.delivered++;
        if (a.response) {
          report.answered++;
          await this.put(a.response);
        }
        for (const alert of a.alerts) await this.put(alert);
      }
      return report;
    } finally {
      await this.idle();
      this.setAwake(false);
      report.ms = performance.now() - t0;
    }
  }
}
