/**
 * A simulated SE meter on the air: our ZigBee stack (SimulatedHanDevice: join with its install-code
 * key, NWK/APS) with, above it, the CBKE client (SE Annex C, the initiator, cluster 0x0800) and the
 * Tunneling cluster 0x0704 client (RequestTunnel ProtocolID 6, TransferData), bridged to the byte link
 * of a board running the real device runtime (device/index.ts SmetsDevice): what the hub tunnels in is
 * handed to the board's link as a whole frame (or a GBT block, which the runtime reassembles), and
 * what the device says goes back up as TransferData. Node only (harness). @module
 */
import type { Link } from '../../../boards/board.ts';
import { BLOCK_SIZE, decodeBegin, FRAME_BEGIN, FRAME_BLOCK } from '../../../gbcs/ota/blockTransfer.ts';
import { decodeGbtFrame } from '../../../gbcs/gbt.ts';
import { decodeMessage } from '../../../gbcs/message.ts';
import { CbkeSession } from '../cbke/cbke.ts';
import type { CbkeIdentity, CbkeReason, CbkeTrust } from '../cbke/cbke.ts';
import { CERTIFICATE_BYTES } from '../cbke/certificate.ts';
import { decodeKeCommand, encodeKeCommand, KEY_ESTABLISHMENT_CLUSTER } from '../cbke/commands.ts';
import type { KeCommand } from '../cbke/commands.ts';
import type { SimulatedAir } from '../radio/air.ts';
import { SimulatedHanDevice } from '../stack/device.ts';
import type { ApsMessage, JoinResult } from '../stack/device.ts';
import { PROTOCOL_GBCS, SE_PROFILE, TUNNELING_CLUSTER, TUNNEL_STATUS } from './zigbeeHub.ts';

/** ZCL frame control: cluster-specific, client to server, no default response. */
const FC_CLIENT = 0x11;

export type CbkeOutcome = { ok: true; linkKey: Uint8Array; ms: number } | { ok: false; reason: CbkeReason | 'no-answer' | 'not-authorized' | 'not-joined' };
export type TunnelOutcome = { ok: true; tunnelId: number } | { ok: false; reason: 'no-answer' | 'not-authorized' | 'status' | 'not-joined'; status?: number };

export class ZigbeeMeter {
  readonly radio: SimulatedHanDevice;
  private readonly identity: CbkeIdentity;
  private readonly trust: CbkeTrust;
  private readonly hubEui: Uint8Array;
  protected tsn = 0;
  private tunnelId: number | undefined;
  private link: Link | undefined;
  private readonly seen = new Set<string>();
  /** an image block frame arriving in pieces of the tunnel's stream (tunnelFraming.ts), and the image size */
  private partial: Uint8Array | undefined;
  private transferSize = 0;
  private readonly recentTsns: number[] = [];
  private partialAt = 0;
  readonly stats = { framesDown: 0, framesUp: 0, duplicatesToDevice: 0, upFailures: 0, upRefused: 0, upRetries: 0, herdsmanDefaultResponses: 0, copiesDropped: 0 };

  constructor(air: SimulatedAir, o: { eui: string; installCodeKey: Uint8Array; cbke: CbkeIdentity; trust: CbkeTrust; hubEui: string; sleepy?: boolean }) {
    this.radio = new SimulatedHanDevice(air, BigInt('0x' + o.eui), o.installCodeKey, { sleepy: o.sleepy });
    this.identity = o.cbke;
    this.trust = o.trust;
    this.hubEui = Uint8Array.from(Buffer.from(o.hubEui, 'hex'));
    this.radio.onMessage((m) => this.onMessage(m));
  }

  /** Association, the Transport Key under the install-code key, then Device_annce (herdsman interviews it). */
  async join(extendedPanId: bigint, transportKeyWaitMs = 1500): Promise<JoinResult> {
    const r = await this.radio.join({ extendedPanId, transportKeyWaitMs });
    if (r.ok) await this.radio.announce();
    return r;
  }

  /** Our radio sends one APS frame (or fragmented frame) at a time, in order. */
  private chain: Promise<unknown> = Promise.resolve();

  protected send(cluster: number, commandId: number, payload: Uint8Array, tsn?: number, frameControl = FC_CLIENT): Promise<{ acked: boolean }> {
    const r = this.chain.then(() => this.sendNow(cluster, commandId, payload, tsn, frameControl));
    this.chain = r.catch(() => undefined);
    return r;
  }

  /** Resolves when everything handed to the radio so far has been sent (acknowledged or given up). */
  protected idle(): Promise<unknown> {
    return this.chain;
  }

  private sendNow(cluster: number, commandId: number, payload: Uint8Array, tsn: number | undefined, frameControl: number): Promise<{ acked: boolean }> {
    if (!this.radio.joined) return Promise.resolve({ acked: false });
    const zcl = new Uint8Array(3 + payload.length);
    zcl[0] = frameControl;
    zcl[1] = tsn === undefined ? this.tsn++ & 0xff : tsn;
    zcl[2] = commandId;
    zcl.set(payload, 3);
    // a device that left the network while this frame was going (a Mgmt_Leave after CCS02) sends no more
    return this.radio.sendAps({ dst16: 0, profile: SE_PROFILE, cluster, srcEndpoint: 1, dstEndpoint: 1, payload: zcl }, { apsAck: true, fragmentForm: 'zigbee-on-host' })
      .catch(() => ({ acked: false }));
  }

  private waiters: ((m: ApsMessage) => boolean)[] = [];

  /** The next frame from the hub (server to client) on `cluster`, within `ms`. */
  protected next(cluster: number, ms: number, match?: (p: Uint8Array) => boolean): Promise<ApsMessage | undefined> {
    return new Promise((resolve) => {
      const w = (m: ApsMessage) => {
        if (m.cluster !== cluster || m.payload.length < 3 || (m.payload[0] & 0x08) === 0) return false;
        if (match && !match(m.payload)) return false;
        // herdsman 11 answers every frame of a cluster it has no definition for (0x0800) with a Default
        // Response UNSUP_COMMAND (0x81), "disable default response" set or not: only NOT_AUTHORIZED counts
        if ((m.payload[0] & 0x03) === 0 && !(m.payload[2] === 0x0b && m.payload[4] === 0x7e)) {
          this.stats.herdsmanDefaultResponses++;
          return false;
        }
        clearTimeout(timer);
        resolve(m);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        resolve(undefined);
      }, ms);
      this.waiters.push(w);
    });
  }

  /** CBKE as initiator with the hub (the trust centre): the link key, or the refusal by name. */
  async keyEstablishment(stepMs = 3000): Promise<CbkeOutcome> {
    if (!this.radio.joined) return { ok: false, reason: 'not-joined' };
    const t0 = performance.now();
    const session = new CbkeSession('initiator', this.identity, this.trust, this.hubEui);
    let out: KeCommand | undefined = session.start();
    while (out) {
      const answer = this.next(KEY_ESTABLISHMENT_CLUSTER, stepMs);
      await this.send(KEY_ESTABLISHMENT_CLUSTER, out.id, encodeKeCommand(out));
      const m = await answer;
      if (!m) return { ok: false, reason: 'no-answer' };
      const p = m.payload;
      if ((p[0] & 0x03) === 0) return { ok: false, reason: 'not-authorized' }; // the hub's Default Response NOT_AUTHORIZED
      // the hub pads the Initiate response past zoh's unsendable sizes: the fields are the first 78 octets
      const body = p[2] === 0x00 ? p.subarray(3, 3 + 4 + CERTIFICATE_BYTES) : p.subarray(3);
      const c = decodeKeCommand(p[2], body);
      if (!c.ok) return { ok: false, reason: 'unexpected-command' };
      const step = session.receive(c.command);
      if (!step.ok) {
        if (step.send) await this.send(KEY_ESTABLISHMENT_CLUSTER, step.send.id, encodeKeCommand(step.send));
        return { ok: false, reason: step.reason };
      }
      if (step.linkKey) return { ok: true, linkKey: step.linkKey, ms: performance.now() - t0 };
      out = step.send;
    }
    return { ok: false, reason: 'unexpected-command' };
  }

  /** RequestTunnel (ProtocolID 6 = GBCS, no flow control, 1,500 bytes in). */
  async requestTunnel(ms = 3000): Promise<TunnelOutcome> {
    if (!this.radio.joined) return { ok: false, reason: 'not-joined' };
    const answer = this.next(TUNNELING_CLUSTER, ms);
    // flow control on: each TransferData is acknowledged (AckTransferData), the hub sends the next on it
    await this.send(TUNNELING_CLUSTER, 0x00, Uint8Array.of(PROTOCOL_GBCS, 0xff, 0xff, 0x01, 1500 & 0xff, 1500 >> 8));
    const m = await answer;
    if (!m) return { ok: false, reason: 'no-answer' };
    const p = m.payload;
    if ((p[0] & 0x03) === 0) return { ok: false, reason: 'not-authorized' };
    const tunnelId = p[3] | (p[4] << 8);
    if (p[2] !== 0x00 || p[5] !== TUNNEL_STATUS.SUCCESS) return { ok: false, reason: 'status', status: p[5] };
    this.tunnelId = tunnelId;
    return { ok: true, tunnelId };
  }

  /** Bridges the tunnel to a board's link (the host end of its byte link: the device runtime is on the other). */
  attach(host: Link): void {
    this.link = host;
    host.onFrame((frame) => void this.up(frame));
  }

  private async up(frame: Uint8Array): Promise<void> {
    await this.transfer(frame);
  }

  /**
   * One TransferData up the tunnel (client to server): 'acked' by the hub's AckTransferData, 'refused'
   * when the hub answered with a Default Response NOT_AUTHORIZED (e.g. the device is off the CHF log), or
   * 'failed' after 5 attempts.
   */
  protected async transfer(frame: Uint8Array): Promise<'acked' | 'refused' | 'failed'> {
    const id = this.tunnelId;
    if (id === undefined || !this.radio.joined) {
      this.stats.upFailures++;
      return 'failed';
    }
    const payload = new Uint8Array(2 + frame.length);
    payload[0] = id & 0xff;
    payload[1] = id >> 8;
    payload.set(frame, 2);
    // each TransferData waits for the hub's AckTransferData (same ZCL sequence number) and is resent with
    // that number: zoh acknowledged every APS fragment of a frame and yet, at 20 % loss, sometimes never
    // handed it to herdsman, so the APS ACK alone does not say the frame arrived
    const tsn = this.tsn++ & 0xff;
    for (let a = 0; a < 5; a++) {
      if (a > 0) this.stats.upRetries++;
      if (!this.radio.joined) break;
      const ack = this.next(TUNNELING_CLUSTER, 1000, (q) => q[1] === tsn && ((q[2] === 0x03 && (q[0] & 0x03) === 0x01) || ((q[0] & 0x03) === 0 && q[2] === 0x0b)));
      await this.send(TUNNELING_CLUSTER, 0x02, payload, tsn);
      const m = await ack;
      if (m && (m.payload[0] & 0x03) === 0) {
        this.stats.upRefused++;
        return 'refused';
      }
      if (m) {
        this.stats.framesUp++;
        return 'acked';
      }
    }
    this.stats.upFailures++;
    return 'failed';
  }

  private onMessage(m: ApsMessage): void {
    const p = m.payload;
    const before = this.waiters.length;
    this.waiters = this.waiters.filter((w) => !w(m));
    if (this.waiters.length !== before) return;
    // TransferData, server to client (command 0x01), cluster-specific
    if (m.cluster !== TUNNELING_CLUSTER || p.length < 5 || (p[0] & 0x03) !== 0x01 || (p[0] & 0x08) === 0 || p[2] !== 0x01) return;
    if (this.tunnelId === undefined || (p[3] | (p[4] << 8)) !== this.tunnelId || !this.accepts()) return;
    const piece = p.slice(5);
    // AckTransferData (SE Tunneling, flow control): tunnel id, octets we can still take; with the ZCL
    // sequence number of the TransferData it acknowledges, so a late ack cannot be taken for the next one's
    void this.send(TUNNELING_CLUSTER, 0x04, Uint8Array.of(p[3], p[4], 1500 & 0xff, 1500 >> 8), p[1]);
    // a ZCL sequence number among the last 64 TransferData's: a copy (the hub resent after a lost
    // acknowledgement, or herdsman resent it as a new APS frame, seen 20 frames late at 20 % loss):
    // dropped here, which also keeps a piece of an image frame from being added twice. Copies this cannot
    // see (older than 64 frames) reach the device, whose GBCS counter check refuses a command it has run.
    if (this.recentTsns.indexOf(p[1]) >= 0) {
      this.stats.copiesDropped++;
      return;
    }
    this.recentTsns.push(p[1]);
    if (this.recentTsns.length > 64) this.recentTsns.shift();
    this.stats.framesDown++;
    this.deliver(piece);
  }

  /** Whether TransferData from the hub has somewhere to go (here: a board's link attached). */
  protected accepts(): boolean {
    return !!this.link;
  }

  /** The data of one new TransferData from the hub: to the board's link, image and GBT pieces rebuilt first. */
  protected deliver(piece: Uint8Array): void {
    if (!this.link) return;
    const frame = this.rebuild(piece);
    if (!frame) return;
    // a copy of what already came (herdsman resends as new APS frames; the hub's own retries): counted and
    // handed on all the same: the device's GBCS counter check decides, not the bearer
    const key = Buffer.from(frame).toString('base64');
    if (this.seen.has(key)) this.stats.duplicatesToDevice++;
    this.seen.add(key);
    this.link.send(frame);
  }

  /** A whole frame, or undefined while an image block frame is still arriving in pieces. */
  private rebuild(piece: Uint8Array): Uint8Array | undefined {
    let f = piece;
    // a piece that never got its rest (the sender gave up): dropped, not glued to the next frame
    if (this.partial && Date.now() - this.partialAt > 5000) this.partial = undefined;
    if (this.partial) {
      f = new Uint8Array(this.partial.length + piece.length);
      f.set(this.partial, 0);
      f.set(piece, this.partial.length);
      this.partial = undefined;
    }
    if (f[0] === FRAME_BEGIN) {
      const b = decodeBegin(f);
      if (b) this.transferSize = b.size;
    }
    // a GBT block in pieces (tunnelFraming.ts): a DD frame that is no message and a GBT block cut short;
    // complete when it decodes
    if (f[0] === 0xdd && !decodeMessage(f).ok && truncated(decodeGbtFrame(f))) {
      this.partial = f;
      this.partialAt = Date.now();
      return undefined;
    }
    if (f[0] === FRAME_BLOCK && f.length >= 5) {
      const offset = f[1] * 16777216 + ((f[2] << 16) | (f[3] << 8) | f[4]);
      const want = 5 + (this.transferSize > offset ? Math.min(BLOCK_SIZE, this.transferSize - offset) : BLOCK_SIZE);
      if (f.length < want) {
        this.partial = f;
        this.partialAt = Date.now();
        return undefined;
      }
    }
    return f;
  }
}

function truncated(r: { ok: boolean; reason?: string }): boolean {
  return !r.ok && (r.reason === 'truncated' || r.reason === 'length-overrun');
}
