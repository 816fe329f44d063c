/**
 * A simulated ZigBee HAN device on the SimulatedAir (issue 16 item 2), with its own stack from this
 * folder: it scans (Beacon Request), picks a coordinator beacon with association permit (and the
 * hub's Extended PAN ID, when given), associates (Association Request, then Data Request to fetch the
 * indirect Association Response, 802.15.4-2006 §7.5.3.1), and waits for the trust centre's APS
 * Transport Key, which it opens with the key-transport key of its install-code link key (ZigBee spec
 * §4.6.3.2: NWK unsecured, APS secured, key id 2). Rx-on-when-idle by default; `sleepy: true` makes a
 * battery end device like the GSME: its receiver is off except for a short window after each Data
 * Request it sends (802.15.4-2006 §7.5.6.3: the coordinator holds frames for it as indirect
 * transmissions), polling every `pollMs` while it waits for its key.
 *
 * Once joined: APS data NWK-secured both ways (APS ACKs, duplicate rejection, fragments sent and
 * reassembled), Device_annce, answers to the ZDO requests of herdsman's interview and to Mgmt_Leave
 * (zdo.ts), and secured NWK rejoin.
 *
 * `join` resolves with the network key, or with the reason it got none: 'no-beacon' (nobody answered),
 * 'association-not-permitted' (beacons without permit), 'no-ack', 'no-association-response',
 * 'association-denied', 'transport-key-mic' (a transport key came but did not open: wrong link key),
 * 'no-transport-key'. @module
 */
import type { Radio, SimulatedAir } from '../radio/air.ts';
import { APS_DELIVERY, APS_FRAME, KEY_TYPE, Reassembly, decodeAps, decodeTransportKey, encodeAps, openAps, type ApsFrame } from './aps.ts';
import { ASSOC_STATUS, CAP, MAC_CMD, MAC_FRAME, MAX_PSDU, decodeBeacon, decodeMac, encodeMac, type Beacon, type MacFrame } from './mac.ts';
import { NWK_FRAME, decodeNwk, openNwk, sealNwk } from './nwk.ts';
import { KEY_ID, keyTransportKey } from './security.ts';
import { ZDO, ZDO_STATUS, answerDescriptorRequest, decodeLeaveRequest, encodeDeviceAnnce, type NodeIdentity, type SimpleDescriptor } from './zdo.ts';

/** APS command identifier of Switch Key (ZigBee spec Table 4-28). */
const APS_CMD_SWITCH_KEY = 0x09;

/**
 * The endpoint a simulated meter shows: 1, SE profile 0x0109, metering device 0x0501; servers Metering
 * 0x0702, Tunneling 0x0704, Key Establishment 0x0800; clients Time 0x000A, Tunneling 0x0704. No Basic
 * cluster, so herdsman's interview reads no attributes.
 */
export const SE_METER_ENDPOINT: SimpleDescriptor = {
  endpoint: 1, profile: 0x0109, deviceId: 0x0501, version: 1, inClusters: [0x0702, 0x0704, 0x0800], outClusters: [0x000a, 0x0704],
};

export type JoinReason =
  | 'no-beacon' | 'association-not-permitted' | 'no-ack' | 'no-association-response' | 'association-denied'
  | 'transport-key-mic' | 'no-transport-key';

export type JoinResult =
  | { ok: true; pan: number; short: number; networkKey: Uint8Array; keySequence: number; trustCentre: bigint; ms: number }
  | { ok: false; reason: JoinReason; status?: number };

export interface ApsMessage {
  src16: number;
  apsCounter: number;
  profile: number;
  cluster: number;
  srcEndpoint: number;
  dstEndpoint: number;
  payload: Uint8Array;
}

export interface JoinOptions {
  channel?: number;
  extendedPanId?: bigint;
  scanMs?: number;
  responseWaitMs?: number;
  transportKeyWaitMs?: number;
}

export class SimulatedHanDevice implements Radio {
  readonly eui64: bigint;
  private readonly linkKey: Uint8Array;
  private readonly air: SimulatedAir;
  private ch = 11;
  private pan = 0xffff;
  private short = 0xffff;
  private seq = 0;
  private waiters: ((f: MacFrame) => boolean)[] = [];
  /** frames heard that failed a check, by reason (counted, as a radio would drop them) */
  readonly dropped: Record<string, number> = {};
  /** after joining: the network key and counters for our NWK-secured frames */
  private network: { key: Uint8Array; keySequence: number; frameCounter: number; nwkSeq: number; apsCounter: number; zdoSeq: number } | undefined;
  /** APS data frames received NWK-secured after joining (opened with the network key) */
  readonly inbox: ApsMessage[] = [];
  private inboxWaiters: ((m: ApsMessage) => boolean)[] = [];
  private readonly reassembly = new Reassembly();
  /** APS duplicate rejection table: source:counter:block -> when first seen */
  private seenAps: Record<string, number> = {};
  /**
   * apsDuplicateRejectionTimeout (UNCONFIRMED value: 3 s here). It must stay well under the time the
   * hub takes to send 256 APS frames (the counter is 8 bits): at 10 s, an image sent through the tunnel
   * (~25 frames/s) wrapped zoh's counter and new frames were dropped as duplicates.
   */
  static readonly DUPLICATE_TIMEOUT_MS = 3_000;
  /**
   * The manufacturer code in our node descriptor: a placeholder, not an assigned code. Not 0 or 0x1002:
   * herdsman 11 takes those for Tuya devices and first reads Basic attributes we do not serve (10 s timeout).
   */
  static readonly MANUFACTURER_CODE = 0x1234;

  private readonly sleepy: boolean;
  private readonly pollMs: number;
  /** the receiver: always on for rx-on-when-idle devices; for sleepy ones only while waiting for a reply */
  private rxOn = true;
  /** `heardAsleep`: unicast frames to this device that came while its receiver was off (a sleepy device asleep) */
  readonly stats = { polls: 0, left: 0, apsRetries: 0, keySwitches: 0, heardAsleep: 0 };
  /** a sleepy device between wakes: receiver off, no polls (`setAwake`) */
  private awake = false;
  private doze: ReturnType<typeof setTimeout> | undefined;
  /** how long a sleepy device keeps its receiver on after its last poll of a wake (ms) */
  static readonly DOZE_MS = 250;

  constructor(air: SimulatedAir, eui64: bigint, linkKey: Uint8Array, o: { sleepy?: boolean; pollMs?: number } = {}) {
    this.air = air;
    this.eui64 = eui64;
    this.linkKey = linkKey;
    this.sleepy = o.sleepy ?? false;
    this.pollMs = o.pollMs ?? 50;
    air.attach(this);
  }

  private get capability(): number {
    return this.sleepy ? CAP.ALLOCATE_ADDRESS : CAP.ALLOCATE_ADDRESS | CAP.RX_ON_WHEN_IDLE | CAP.MAINS;
  }

  /**
   * One poll: a Data Request to the parent, then the receiver on for `listenMs` (802.15.4 macMaxFrameTotalWaitTime,
   * shortened) when the ACK says a frame is pending. Resolves with whether the parent acknowledged.
   */
  async poll(listenMs = 100): Promise<{ acked: boolean; framePending: boolean }> {
    this.stats.polls++;
    this.rxOn = true;
    const r = await this.air.send(this, encodeMac({
      frameType: MAC_FRAME.COMMAND, ackRequest: true, dstPan: this.pan, dst: 0x0000,
      src: this.short === 0xffff ? this.eui64 : this.short, sequence: this.seq++ & 0xff, payload: Uint8Array.of(MAC_CMD.DATA_REQ),
    }), true);
    if (r.acked && r.framePending) await new Promise((res) => setTimeout(res, listenMs));
    if (this.sleepy && !this.awake && this.doze === undefined) this.rxOn = false;
    return r;
  }

  /**
   * A sleepy device wakes (`true`): its receiver stays on and it sends a Data Request every `pollMs`, so
   * the parent hands over what it holds for it (802.15.4 indirect transmission, one frame per poll); or
   * goes back to sleep (`false`): receiver off, no polls. No effect on an rx-on-when-idle device.
   */
  setAwake(on: boolean): void {
    if (!this.sleepy || on === this.awake) return;
    this.awake = on;
    clearTimeout(this.doze);
    this.doze = undefined;
    if (!on) {
      // the receiver stays on for one listening window after the last poll (802.15.4
      // macMaxFrameTotalWaitTime, shortened): a frame the parent sent for that poll, and its radio's retries
      // of it when our ACK was lost, still arrive
      this.doze = setTimeout(() => {
        this.doze = undefined;
        if (!this.awake) this.rxOn = false;
      }, SimulatedHanDevice.DOZE_MS);
      return;
    }
    this.rxOn = true;
    void (async () => {
      while (this.awake) {
        if (this.short !== 0xffff) await this.poll(0);
        await new Promise((res) => setTimeout(res, this.pollMs));
      }
    })();
  }

  get isAwake(): boolean {
    return !this.sleepy || this.awake;
  }

  channel(): number {
    return this.ch;
  }

  hear(psdu: Uint8Array): { accepted: boolean } {
    if (!this.rxOn) {
      // asleep: nothing is heard, but a unicast to us is counted (a parent that should have held it)
      const a = decodeMac(psdu);
      if (a.ok && a.frame.frameType === MAC_FRAME.DATA && this.short !== 0xffff && (a.frame.dst === this.short || a.frame.dst === this.eui64)) this.stats.heardAsleep++;
      return { accepted: false };
    }
    const d = decodeMac(psdu);
    if (!d.ok) {
      this.dropped[d.reason] = (this.dropped[d.reason] ?? 0) + 1;
      return { accepted: false };
    }
    const f = d.frame;
    const mine =
      f.frameType === MAC_FRAME.BEACON ||
      ((f.dstPan === 0xffff || f.dstPan === this.pan) && (f.dst === 0xffff || f.dst === this.short || f.dst === this.eui64));
    if (!mine) return { accepted: false };
    if (this.network && f.frameType === MAC_FRAME.DATA) this.receiveSecured(f);
    this.waiters = this.waiters.filter((w) => !w(f));
    return { accepted: f.frameType !== MAC_FRAME.BEACON };
  }

  private wait<T>(ms: number, pick: (f: MacFrame) => T | undefined): Promise<T | undefined> {
    return new Promise((resolve) => {
      const w = (f: MacFrame) => {
        const v = pick(f);
        if (v === undefined) return false;
        clearTimeout(timer);
        resolve(v);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        resolve(undefined);
      }, ms);
      this.waiters.push(w);
    });
  }

  private send(f: Omit<MacFrame, 'sequence'>): Promise<{ acked: boolean }> {
    const frame = encodeMac({ ...f, sequence: this.seq++ & 0xff });
    return this.air.send(this, frame, !!f.ackRequest);
  }

  async join(o: JoinOptions = {}): Promise<JoinResult> {
    const t0 = performance.now();
    this.ch = o.channel ?? 11;
    // 1. active scan
    const beacons: { pan: number; coord: number; beacon: Beacon }[] = [];
    const scan = this.wait(o.scanMs ?? 100, (f) => {
      if (f.frameType === MAC_FRAME.BEACON && typeof f.src === 'number') {
        const b = decodeBeacon(f.payload);
        if (b) beacons.push({ pan: f.srcPan ?? 0xffff, coord: f.src, beacon: b });
      }
      return undefined;
    });
    await this.send({ frameType: MAC_FRAME.COMMAND, dstPan: 0xffff, dst: 0xffff, payload: Uint8Array.of(MAC_CMD.BEACON_REQ) });
    await scan;
    const candidates = beacons.filter((b) => o.extendedPanId === undefined || b.beacon.extendedPanId === o.extendedPanId);
    if (candidates.length === 0) return { ok: false, reason: 'no-beacon' };
    const target = candidates.find((b) => b.beacon.associationPermit && b.beacon.endDeviceCapacity);
    if (!target) return { ok: false, reason: 'association-not-permitted' };
    this.pan = target.pan;
    // 2. association request; 3. data request for the (indirect) response
    const capability = this.capability;
    const req = await this.send({
      frameType: MAC_FRAME.COMMAND, ackRequest: true, dstPan: target.pan, dst: target.coord, srcPan: 0xffff, src: this.eui64,
      panIdCompression: false, payload: Uint8Array.of(MAC_CMD.ASSOC_REQ, capability),
    });
    if (!req.acked) return { ok: false, reason: 'no-ack' };
    // the transport key may follow the response at once: listen for it before asking
    const transportKeys = this.collectTransportKeys(o.transportKeyWaitMs ?? 2000);
    // macResponseWaitTime, then a Data Request; the coordinator may still be deciding (zigbee-on-host
    // answers asynchronously), so ask up to 4 times before giving up
    let rsp: Uint8Array | undefined;
    for (let ask = 0; ask < 4 && !rsp; ask++) {
      await new Promise((r) => setTimeout(r, o.responseWaitMs ?? 20));
      const response = this.wait(150, (f) =>
        f.frameType === MAC_FRAME.COMMAND && f.payload[0] === MAC_CMD.ASSOC_RSP && f.payload.length >= 4 ? f.payload : undefined);
      const dr = await this.send({
        frameType: MAC_FRAME.COMMAND, ackRequest: true, dstPan: target.pan, dst: target.coord, src: this.eui64,
        payload: Uint8Array.of(MAC_CMD.DATA_REQ),
      });
      if (!dr.acked) return { ok: false, reason: 'no-ack' };
      rsp = await response;
    }
    if (!rsp) return { ok: false, reason: 'no-association-response' };
    if (rsp[3] !== ASSOC_STATUS.SUCCESS) return { ok: false, reason: 'association-denied', status: rsp[3] };
    this.short = rsp[1] | (rsp[2] << 8);
    // 4. the network key, APS-secured under our install-code link key (a sleepy device polls for it)
    let polling = this.sleepy;
    const polls = (async () => {
      while (polling) {
        if (!this.awake) this.rxOn = false;
        await new Promise((res) => setTimeout(res, this.pollMs));
        if (polling) await this.poll();
      }
    })();
    const tk = await transportKeys;
    polling = false;
    await polls;
    if (!tk.ok) return tk;
    this.network = { key: tk.networkKey, keySequence: tk.keySequence, frameCounter: 0, nwkSeq: 0, apsCounter: 0, zdoSeq: 0 };
    return { ...tk, pan: this.pan, short: this.short, ms: performance.now() - t0 };
  }

  /** A NWK-secured frame for us: open it with the network key and keep its APS data frame. */
  private receiveSecured(f: MacFrame): void {
    const n = decodeNwk(f.payload);
    if (!n.ok) return;
    if (n.frame.dst16 !== this.short && n.frame.dst16 < 0xfff8) return;
    if (!n.frame.aux) {
      this.receiveKeyUpdate(n.frame.payload);
      return;
    }
    const net = this.network as { key: Uint8Array };
    const o = openNwk(n, net.key);
    if (!o.ok) {
      this.dropped[o.reason] = (this.dropped[o.reason] ?? 0) + 1;
      return;
    }
    if (n.frame.frameType === NWK_FRAME.COMMAND) {
      // Rejoin Response (ZigBee spec §3.4.7): new address, status
      if (o.payload[0] === 0x07 && o.payload.length >= 4) {
        const r = { short: o.payload[1] | (o.payload[2] << 8), status: o.payload[3] };
        this.rejoinWaiters = this.rejoinWaiters.filter((w) => !w(r));
      }
      return;
    }
    if (n.frame.frameType !== NWK_FRAME.DATA) return;
    const a = decodeAps(o.payload);
    if (a.ok && a.frame.frameType === APS_FRAME.COMMAND && !a.frame.aux && a.frame.payload[0] === APS_CMD_SWITCH_KEY) {
      this.switchKey(a.frame.payload[1]);
      return;
    }
    if (a.ok && a.frame.frameType === APS_FRAME.ACK) {
      const src = n.frame.src16;
      const counter = a.frame.counter;
      this.apsAckWaiters = this.apsAckWaiters.filter((w) => !w(src, counter));
      return;
    }
    if (!a.ok || a.frame.frameType !== APS_FRAME.DATA || a.frame.aux) return;
    // APS ACK (§2.2.8.4.2), for each fragment too: the sender waits for it before the next block
    // (a device that has just left, e.g. on a Mgmt_Leave that came in meanwhile, sends nothing: dropped)
    if (a.frame.ackRequest) void this.sendApsAck(n.frame.src16, a.frame).catch(() => undefined);
    // APS duplicate rejection (§2.2.8.4.2): a retry (radio or APS) of a frame we already took is
    // acknowledged again above, but not delivered twice
    if (this.duplicate(n.frame.src16, a.frame)) {
      this.dropped['aps-duplicate'] = (this.dropped['aps-duplicate'] ?? 0) + 1;
      return;
    }
    this.reassembly.expired(30_000);
    const payload = this.reassembly.add(n.frame.src16, a.frame);
    if (!payload) return;
    const m: ApsMessage = {
      src16: n.frame.src16, apsCounter: a.frame.counter, profile: a.frame.profile ?? 0, cluster: a.frame.cluster ?? 0,
      srcEndpoint: a.frame.srcEndpoint ?? 0, dstEndpoint: a.frame.dstEndpoint ?? 0, payload,
    };
    if (m.profile === 0 && m.cluster === ZDO.MGMT_LEAVE_REQ) {
      void this.onLeaveRequest(m).catch(() => undefined);
      return;
    }
    if (m.profile === 0 && (m.cluster === ZDO.NODE_DESC_REQ || m.cluster === ZDO.SIMPLE_DESC_REQ || m.cluster === ZDO.ACTIVE_EP_REQ)) {
      void this.onDescriptorRequest(m).catch(() => undefined);
      return;
    }
    this.inbox.push(m);
    if (this.inbox.length > 256) this.inbox.splice(0, this.inbox.length - 256);
    this.inboxWaiters = this.inboxWaiters.filter((w) => !w(m));
    for (const l of this.listeners) l(m);
  }

  private listeners: ((m: ApsMessage) => void)[] = [];

  /** Every APS message received from now on (the layers above: ZCL clusters of the simulated meter). */
  onMessage(listener: (m: ApsMessage) => void): void {
    this.listeners.push(listener);
  }

  /** The first APS message (already received or to come within `ms`) matching `pick`. */
  receive(pick: (m: ApsMessage) => boolean, ms: number): Promise<ApsMessage | undefined> {
    const have = this.inbox.find(pick);
    if (have) return Promise.resolve(have);
    return new Promise((resolve) => {
      const w = (m: ApsMessage) => {
        if (!pick(m)) return false;
        clearTimeout(timer);
        resolve(m);
        return true;
      };
      const timer = setTimeout(() => {
        this.inboxWaiters = this.inboxWaiters.filter((x) => x !== w);
        resolve(undefined);
      }, ms);
      this.inboxWaiters.push(w);
    });
  }

  /**
   * Sends an APS data frame, NWK-secured with the network key (ZigBee spec §4.3.1.1), from endpoint
   * `srcEndpoint`. Broadcast when `dst16` >= 0xFFF8. `apsAck`: ask for an APS ACK and resend (same APS
   * counter, so the receiver's duplicate rejection drops copies) until it comes, 3 times at most. A unicast payload too long for one 127-byte frame
   * is fragmented (§2.2.8.4.5; window of one block, each acknowledged by an APS ACK, 3 retries): in the
   * spec's form (the first fragment's block number = the block count), or, with `fragmentForm:
   * 'zigbee-on-host'`, in the form zigbee-on-host 0.3.0 reassembles (first block 0, the last marked 3).
   * A broadcast that does not fit is refused ('frame-too-long'), and so is a block nobody acknowledged
   * ('no-aps-ack'). Throws if the device has not joined (caller bug).
   */
  async sendAps(
    m: { dst16: number; profile: number; cluster: number; srcEndpoint: number; dstEndpoint: number; payload: Uint8Array },
    o: { apsAck?: boolean; fragmentForm?: 'spec' | 'zigbee-on-host'; ackTimeoutMs?: number } = {},
  ): Promise<{ acked: boolean; reason?: 'frame-too-long' | 'no-aps-ack'; fragments?: number }> {
    const net = this.network;
    if (!net) throw new Error('SimulatedHanDevice.sendAps: not joined');
    const broadcast = m.dst16 >= 0xfff8;
    const counter = net.apsCounter++ & 0xff;
    const frame = (payload: Uint8Array, extra: Partial<ApsFrame>) => encodeAps({
      frameType: APS_FRAME.DATA, deliveryMode: broadcast ? APS_DELIVERY.BROADCAST : APS_DELIVERY.UNICAST,
      dstEndpoint: m.dstEndpoint, cluster: m.cluster, profile: m.profile, srcEndpoint: m.srcEndpoint, counter, payload, ...extra,
    });
    if (broadcast || !o.apsAck) {
      const whole = await this.sendNwkSecured(m.dst16, frame(m.payload, {}));
      if (whole.reason !== 'frame-too-long' || broadcast) return whole;
    } else {
      // APS acknowledged delivery (§2.2.8.4.4): up to apsMaxFrameRetries (3) resends with the same counter
      let tooLong = false;
      for (let attempt = 0; attempt < 4; attempt++) {
        if (attempt > 0) this.stats.apsRetries++;
        const ack = this.waitApsAck(m.dst16, counter, o.ackTimeoutMs ?? 500);
        const r = await this.sendNwkSecured(m.dst16, frame(m.payload, { ackRequest: true }));
        if (r.reason === 'frame-too-long') {
          tooLong = true;
          break;
        }
        if (await ack) return { acked: true };
      }
      if (!tooLong) return { acked: false, reason: 'no-aps-ack' };
    }
    // fragments: 64 bytes of payload per block fits with every header (MAC 11, NWK 16 + 14 + 4, APS 10)
    const BLOCK = 64;
    const blocks: Uint8Array[] = [];
    for (let at = 0; at < m.payload.length; at += BLOCK) blocks.push(m.payload.subarray(at, at + BLOCK));
    const zoh = o.fragmentForm === 'zigbee-on-host';
    for (let i = 0; i < blocks.length; i++) {
      const fragmentation = i === 0 ? 1 : zoh && i === blocks.length - 1 ? 3 : 2;
      const blockNumber = i === 0 && !zoh ? blocks.length : i;
      let acked = false;
      for (let attempt = 0; attempt < 4 && !acked; attempt++) {
        const ack = this.waitApsAck(m.dst16, counter, o.ackTimeoutMs ?? 500);
        await this.sendNwkSecured(m.dst16, frame(blocks[i], { ackRequest: true, fragmentation, blockNumber }));
        acked = await ack;
      }
      if (!acked) return { acked: false, reason: 'no-aps-ack', fragments: i };
    }
    return { acked: true, fragments: blocks.length };
  }

  private apsAckWaiters: ((src16: number, counter: number) => boolean)[] = [];
  private rejoinWaiters: ((r: { short: number; status: number }) => boolean)[] = [];
  /** what the device knew before it left (a device that keeps it after a Leave is a tampered one) */
  private previousNetwork: { key: Uint8Array; keySequence: number; frameCounter: number; nwkSeq: number; apsCounter: number; zdoSeq: number; short: number; pan: number } | undefined;

  /**
   * NWK rejoin with the network key it holds (ZigBee spec §3.6.1.4.2, secured rejoin): Rejoin Request
   * (command 0x06, capability) to the coordinator, NWK-secured, then the Rejoin Response (0x07) with its
   * address and status. `useForgottenKey`: rejoin with the key it had before a Leave (models a device that
   * did not forget it). Resolves with the status (0 = success) or 'no-rejoin-response'.
   */
  async rejoin(o: { useForgottenKey?: boolean; timeoutMs?: number } = {}): Promise<{ ok: true; short: number } | { ok: false; reason: 'not-joined' | 'no-rejoin-response' | 'rejoin-denied'; status?: number }> {
    if (!this.network && o.useForgottenKey && this.previousNetwork) {
      const p = this.previousNetwork;
      this.network = { key: p.key, keySequence: p.keySequence, frameCounter: p.frameCounter, nwkSeq: p.nwkSeq, apsCounter: p.apsCounter, zdoSeq: p.zdoSeq };
      this.short = p.short;
      this.pan = p.pan;
    }
    if (!this.network) return { ok: false, reason: 'not-joined' };
    const response = new Promise<{ short: number; status: number } | undefined>((resolve) => {
      const w = (r: { short: number; status: number }) => {
        clearTimeout(timer);
        resolve(r);
        return true;
      };
      const timer = setTimeout(() => {
        this.rejoinWaiters = this.rejoinWaiters.filter((x) => x !== w);
        resolve(undefined);
      }, o.timeoutMs ?? 2000);
      this.rejoinWaiters.push(w);
    });
    await this.sendNwkSecured(0x0000, Uint8Array.of(0x06, this.capability), NWK_FRAME.COMMAND, 1);
    const r = await response;
    if (!r) return { ok: false, reason: 'no-rejoin-response' };
    if (r.status !== 0) return { ok: false, reason: 'rejoin-denied', status: r.status };
    this.short = r.short;
    return { ok: true, short: r.short };
  }

  private waitApsAck(src16: number, counter: number, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const w = (s: number, c: number) => {
        if (s !== src16 || c !== counter) return false;
        clearTimeout(timer);
        resolve(true);
        return true;
      };
      const timer = setTimeout(() => {
        this.apsAckWaiters = this.apsAckWaiters.filter((x) => x !== w);
        resolve(false);
      }, ms);
      this.apsAckWaiters.push(w);
    });
  }

  private duplicate(src16: number, f: ApsFrame, now = Date.now()): boolean {
    for (const k of Object.keys(this.seenAps)) if (now - this.seenAps[k] > SimulatedHanDevice.DUPLICATE_TIMEOUT_MS) delete this.seenAps[k];
    const key = src16 + ':' + f.counter + ':' + (f.fragmentation ? f.blockNumber ?? 0 : '-');
    if (this.seenAps[key] !== undefined) return true;
    this.seenAps[key] = now;
    return false;
  }

  private sendApsAck(dst16: number, f: ApsFrame): Promise<{ acked: boolean; reason?: 'frame-too-long' }> {
    const ack: ApsFrame = {
      frameType: APS_FRAME.ACK, deliveryMode: APS_DELIVERY.UNICAST, dstEndpoint: f.srcEndpoint, cluster: f.cluster,
      profile: f.profile, srcEndpoint: f.dstEndpoint, counter: f.counter, payload: new Uint8Array(0),
    };
    if (f.fragmentation) {
      ack.fragmentation = 1;
      ack.blockNumber = f.blockNumber ?? 0;
      ack.ackBitfield = 0x01;
    }
    return this.sendNwkSecured(dst16, encodeAps(ack));
  }

  private async sendNwkSecured(dst16: number, aps: Uint8Array, frameType: number = NWK_FRAME.DATA, radius = 30): Promise<{ acked: boolean; reason?: 'frame-too-long' }> {
    const net = this.network;
    if (!net) throw new Error('SimulatedHanDevice: not joined');
    const broadcast = dst16 >= 0xfff8;
    const nwk = sealNwk({
      frameType, discoverRoute: broadcast ? 0 : 1, dst16, src16: this.short, radius,
      sequence: net.nwkSeq++ & 0xff, src64: this.eui64,
      aux: { keyId: KEY_ID.NETWORK, frameCounter: net.frameCounter++, source: this.eui64, keySequence: net.keySequence },
      payload: aps,
    }, net.key);
    // MAC header 9 bytes (short addresses, PAN compression) + FCS 2
    if (nwk.length + 11 > MAX_PSDU) return { acked: false, reason: 'frame-too-long' };
    // an end device's next hop is always its parent, here the coordinator (0x0000)
    return this.send({
      frameType: MAC_FRAME.DATA, ackRequest: !broadcast, dstPan: this.pan, dst: broadcast ? 0xffff : 0x0000, src: this.short, payload: nwk,
    });
  }

  /** Who this device says it is in ZDO answers: endpoint 1 on the SE profile (see `SE_METER_ENDPOINT`). */
  private get identity(): NodeIdentity {
    return { short: this.short, eui64: this.eui64, capability: this.capability, manufacturerCode: SimulatedHanDevice.MANUFACTURER_CODE, endpoints: [SE_METER_ENDPOINT] };
  }

  /** The descriptor requests of a coordinator's interview (zdo.ts answers them). */
  private async onDescriptorRequest(m: ApsMessage): Promise<void> {
    const rsp = answerDescriptorRequest(m.cluster, m.payload, this.identity);
    if (rsp) await this.sendAps({ dst16: m.src16, profile: 0, cluster: m.cluster | 0x8000, srcEndpoint: 0, dstEndpoint: 0, payload: rsp });
  }

  /** a network key the trust centre sent (key update), waiting for its Switch Key */
  private pendingKey: { key: Uint8Array; keySequence: number } | undefined;

  /**
   * A joined device's network key update (ZigBee spec §4.6.3.4): an APS Transport Key (standard network
   * key, for us) NWK-unsecured and APS-secured under our link key's key-transport key is staged; the APS
   * Switch Key with its sequence number (NWK-secured, `switchKey`) makes it the network key.
   */
  private receiveKeyUpdate(nwkPayload: Uint8Array): void {
    const a = decodeAps(nwkPayload);
    if (!a.ok || a.frame.frameType !== APS_FRAME.COMMAND || !a.frame.aux || a.frame.aux.keyId !== KEY_ID.KEY_TRANSPORT) return;
    const p = openAps(a, keyTransportKey(this.linkKey));
    if (!p.ok) {
      this.dropped['transport-key-mic'] = (this.dropped['transport-key-mic'] ?? 0) + 1;
      return;
    }
    const t = decodeTransportKey(p.payload);
    if (!t.ok || t.transportKey.keyType !== KEY_TYPE.STANDARD_NETWORK || t.transportKey.destination !== this.eui64) return;
    this.pendingKey = { key: t.transportKey.key, keySequence: t.transportKey.keySequence ?? 0 };
  }

  private switchKey(keySequence: number): void {
    const p = this.pendingKey;
    const net = this.network;
    if (!p || !net || p.keySequence !== keySequence) return;
    net.key = p.key;
    net.keySequence = p.keySequence;
    this.pendingKey = undefined;
    this.stats.keySwitches++;
  }

  /** the network key sequence number in use (a key update moves it on) */
  get keySequence(): number | undefined {
    return this.network?.keySequence;
  }

  /** whether the device has a network (joined and not left) */
  get joined(): boolean {
    return this.network !== undefined;
  }

  /**
   * ZDO Mgmt_Leave_req (ZigBee spec §2.4.3.3.5, cluster 0x0034: TSN, device address, flags) for us:
   * Mgmt_Leave_rsp (0x8034) with SUCCESS, then the NWK Leave command (§3.4.4, command 0x04, options 0:
   * leaving, no rejoin) broadcast with radius 1, then forget the network.
   */
  private async onLeaveRequest(m: ApsMessage): Promise<void> {
    const r = decodeLeaveRequest(m.payload);
    if (!r || (r.device !== this.eui64 && r.device !== 0n)) return;
    await this.sendAps({ dst16: m.src16, profile: 0, cluster: ZDO.MGMT_LEAVE_REQ | 0x8000, srcEndpoint: 0, dstEndpoint: 0, payload: Uint8Array.of(r.tsn, ZDO_STATUS.SUCCESS) });
    await this.sendNwkSecured(0xfffd, Uint8Array.of(0x04, 0x00), NWK_FRAME.COMMAND, 1);
    const net = this.network;
    if (net) this.previousNetwork = { ...net, short: this.short, pan: this.pan };
    this.network = undefined;
    this.short = 0xffff;
    this.pan = 0xffff;
    this.stats.left++;
  }

  /** ZDO Device_annce (ZigBee spec §2.4.3.1.11, cluster 0x0013), broadcast to rx-on-when-idle devices. */
  announce(): Promise<{ acked: boolean }> {
    const net = this.network;
    if (!net) throw new Error('SimulatedHanDevice.announce: not joined');
    return this.sendAps({ dst16: 0xfffd, profile: 0x0000, cluster: ZDO.DEVICE_ANNCE, srcEndpoint: 0, dstEndpoint: 0, payload: encodeDeviceAnnce(net.zdoSeq++, this.identity) });
  }


  private async collectTransportKeys(ms: number): Promise<
    { ok: true; networkKey: Uint8Array; keySequence: number; trustCentre: bigint } | { ok: false; reason: JoinReason }
  > {
    const ktk = keyTransportKey(this.linkKey);
    let micFailed = false;
    const got = await this.wait(ms, (f) => {
      if (f.frameType !== MAC_FRAME.DATA) return undefined;
      const n = decodeNwk(f.payload);
      if (!n.ok || n.frame.frameType !== NWK_FRAME.DATA || n.frame.aux) return undefined; // the key comes NWK-unsecured
      const a = decodeAps(n.frame.payload);
      if (!a.ok || a.frame.frameType !== APS_FRAME.COMMAND || !a.frame.aux || a.frame.aux.keyId !== KEY_ID.KEY_TRANSPORT) return undefined;
      const p = openAps(a, ktk);
      if (!p.ok) {
        micFailed = true;
        this.dropped['transport-key-mic'] = (this.dropped['transport-key-mic'] ?? 0) + 1;
        return undefined;
      }
      const t = decodeTransportKey(p.payload);
      if (!t.ok || t.transportKey.keyType !== KEY_TYPE.STANDARD_NETWORK || t.transportKey.destination !== this.eui64) return undefined;
      return t.transportKey;
    });
    if (!got) return { ok: false, reason: micFailed ? 'transport-key-mic' : 'no-transport-key' };
    return { ok: true, networkKey: got.key, keySequence: got.keySequence ?? 0, trustCentre: got.source };
  }
}
