/**
 * A simulated ZigBee HAN device on the SimulatedAir (issue 16 item 2), with its own stack from this
 * folder: it scans (Beacon Request), picks a coordinator beacon with association permit (and the
 * hub's Extended PAN ID, when given), associates (Association Request, then Data Request to fetch the
 * indirect Association Response, 802.15.4-2006 §7.5.3.1), and waits for the trust centre's APS
 * Transport Key, which it opens with the key-transport key of its install-code link key (ZigBee spec
 * §4.6.3.2: NWK unsecured, APS secured, key id 2). Rx-on-when-idle end device for now; the sleepy GSME
 * (polling) and rejoin are not here yet.
 *
 * `join` resolves with the network key, or with the reason it got none: 'no-beacon' (nobody answered),
 * 'association-not-permitted' (beacons without permit), 'no-ack', 'no-association-response',
 * 'association-denied', 'transport-key-mic' (a transport key came but did not open: wrong link key),
 * 'no-transport-key'. @module
 */
import type { Radio, SimulatedAir } from '../radio/air.ts';
import { APS_FRAME, KEY_TYPE, decodeAps, decodeTransportKey, openAps } from './aps.ts';
import { ASSOC_STATUS, CAP, MAC_CMD, MAC_FRAME, decodeBeacon, decodeMac, encodeMac, type Beacon, type MacFrame } from './mac.ts';
import { NWK_FRAME, decodeNwk } from './nwk.ts';
import { KEY_ID, keyTransportKey } from './security.ts';

export type JoinReason =
  | 'no-beacon' | 'association-not-permitted' | 'no-ack' | 'no-association-response' | 'association-denied'
  | 'transport-key-mic' | 'no-transport-key';

export type JoinResult =
  | { ok: true; pan: number; short: number; networkKey: Uint8Array; keySequence: number; trustCentre: bigint; ms: number }
  | { ok: false; reason: JoinReason; status?: number };

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

  constructor(air: SimulatedAir, eui64: bigint, linkKey: Uint8Array) {
    this.air = air;
    this.eui64 = eui64;
    this.linkKey = linkKey;
    air.attach(this);
  }

  channel(): number {
    return this.ch;
  }

  hear(psdu: Uint8Array): { accepted: boolean } {
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
    return this.air.transmit(this, frame, !!f.ackRequest);
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
    const capability = CAP.ALLOCATE_ADDRESS | CAP.RX_ON_WHEN_IDLE | CAP.MAINS;
    const req = await this.send({
      frameType: MAC_FRAME.COMMAND, ackRequest: true, dstPan: target.pan, dst: target.coord, srcPan: 0xffff, src: this.eui64,
      panIdCompression: false, payload: Uint8Array.of(MAC_CMD.ASSOC_REQ, capability),
    });
    if (!req.acked) return { ok: false, reason: 'no-ack' };
    await new Promise((r) => setTimeout(r, o.responseWaitMs ?? 20));
    const response = this.wait(500, (f) =>
      f.frameType === MAC_FRAME.COMMAND && f.payload[0] === MAC_CMD.ASSOC_RSP && f.payload.length >= 4 ? f.payload : undefined);
    // the transport key may follow the response at once: listen for it before asking
    const transportKeys = this.collectTransportKeys(o.transportKeyWaitMs ?? 2000);
    const dr = await this.send({
      frameType: MAC_FRAME.COMMAND, ackRequest: true, dstPan: target.pan, dst: target.coord, src: this.eui64,
      payload: Uint8Array.of(MAC_CMD.DATA_REQ),
    });
    if (!dr.acked) return { ok: false, reason: 'no-ack' };
    const rsp = await response;
    if (!rsp) return { ok: false, reason: 'no-association-response' };
    if (rsp[3] !== ASSOC_STATUS.SUCCESS) return { ok: false, reason: 'association-denied', status: rsp[3] };
    this.short = rsp[1] | (rsp[2] << 8);
    // 4. the network key, APS-secured under our install-code link key
    const tk = await transportKeys;
    if (!tk.ok) return tk;
    return { ...tk, pan: this.pan, short: this.short, ms: performance.now() - t0 };
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
