/**
 * The harness's Communications Hub on a zigbee-herdsman Controller (coordinator and trust centre):
 *   - CCS01 (GBCS: add a device to the CHF Device Log with its install code and join_timeout) drives the
 *     Controller: the install code is checked here first (hub/installCode.ts: herdsman silently repairs
 *     a bad CRC), then `addInstallCode`, the trust-centre key set to its link key (zoh 0.3.0 ignores
 *     install-code keys at join: setTrustCentreLinkKey, one device at a time) and `permitJoin` for the window;
 *   - CCS02 removes the device: `removeFromNetwork` (Mgmt_Leave), its CBKE key and tunnel dropped, off the log;
 *   - a device not on the log that joins (or comes back by secured rejoin, which zoh allows) is removed,
 *     and anything it sends above the NWK layer is refused with the reason;
 *   - CBKE (SE Annex C, cluster 0x0800, suite 2) with each device, the hub as responder; a device without
 *     a valid certificate gets no link key and no tunnel;
 *   - the SE Tunneling cluster 0x0704 server: RequestTunnel with ProtocolID 6 (GBCS), TransferData both
 *     ways (tunnelFraming.ts: GBT where herdsman/zoh cannot carry a frame).
 * Each device's tunnel is a harness Transport (harness/transport/transport.ts): the DCC side talks GBCS
 * through it without knowing ZigBee is there. Node only. @module
 */
import { Zcl, type Controller } from 'zigbee-herdsman';
import { parseInstallCode, linkKey } from '../../../hub/installCode.ts';
import type { InstallCodeReason } from '../../../hub/installCode.ts';
import { toHex } from '../../../lib/bytes.ts';
import { aes128EncryptBlock } from '../cbke/mmo.ts';
import { CbkeSession } from '../cbke/cbke.ts';
import type { CbkeIdentity, CbkeTrust } from '../cbke/cbke.ts';
import { decodeKeCommand, encodeKeCommand, KEY_ESTABLISHMENT_CLUSTER } from '../cbke/commands.ts';
import { changeNetworkKey, forgetInstallCode, setTrustCentreLinkKey, useInstallCodeKeysAtJoin, WELL_KNOWN_TC_LINK_KEY } from '../herdsman.ts';
import { randomBytes } from 'node:crypto';
import type { HerdsmanHub } from '../herdsman.ts';
import type { Transport } from '../../transport/transport.ts';
import type { Link } from '../../../boards/board.ts';
import { TRANSFER_DATA_OVERHEAD, tunnelFrames, ZOH_UNFRAGMENTED_MAX } from './tunnelFraming.ts';

export const SE_PROFILE = 0x0109;
export const TUNNELING_CLUSTER = 0x0704;
/** SE Tunneling ProtocolID for GBCS (HAN-FACTS; SE 1.4 Table D-133 "GB-HGM"). */
export const PROTOCOL_GBCS = 6;
export const TUNNEL_STATUS = { SUCCESS: 0x00, BUSY: 0x01, NO_MORE_IDS: 0x02, PROTOCOL_NOT_SUPPORTED: 0x03 } as const;
/** ZCL status NOT_AUTHORIZED in a Default Response. */
export const ZCL_NOT_AUTHORIZED = 0x7e;
/** herdsman's longest permit-join (it refuses 255, "forever"). */
export const MAX_PERMIT_JOIN_SEC = 254;

/** Our cluster-0x0800 server-to-client commands for herdsman (it has none): one opaque payload each. */
const BUFFER = Zcl.BuffaloZclDataType.BUFFER;
const KE_CLUSTER = {
  smetsKeyEstablishment: {
    ID: KEY_ESTABLISHMENT_CLUSTER, name: 'smetsKeyEstablishment', attributes: {}, commands: {},
    commandsResponse: {
      initiateRsp: { ID: 0x00, name: 'initiateRsp', parameters: [{ name: 'data', type: BUFFER }] },
      ephemeralRsp: { ID: 0x01, name: 'ephemeralRsp', parameters: [{ name: 'data', type: BUFFER }] },
      confirmRsp: { ID: 0x02, name: 'confirmRsp', parameters: [{ name: 'data', type: BUFFER }] },
      terminate: { ID: 0x03, name: 'terminate', parameters: [{ name: 'data', type: BUFFER }] },
    },
  },
};
const KE_RESPONSE_KEYS = ['initiateRsp', 'ephemeralRsp', 'confirmRsp', 'terminate'];

export type HubRefusal =
  | { eui: string; at: 'ccs01'; reason: InstallCodeReason }
  | { eui: string; at: 'join' | 'cbke' | 'tunnel'; reason: string };

export interface ZigbeeHubOptions {
  herdsman: HerdsmanHub;
  /** The hub's CBKE identity (certificate from the test ZigBee CA) and the CA it trusts. */
  cbke: { identity: CbkeIdentity; trust: CbkeTrust };
  /** Whether the CHF Device Log lists `eui` (16 hex digits): by default the log this hub keeps from CCS01/CCS02. */
  onLog?: (eui: string) => boolean;
  /** How long the DCC side waits for a device's answer through the tunnel (ms). */
  answerWindowMs?: number;
  /** TransferData sends tried per frame before the hub gives up (the owning layer's retries). */
  sendAttempts?: number;
  /** How long the hub waits for a device's AckTransferData before sending the frame again (ms). */
  ackTimeoutMs?: number;
  /** CCS02 gives the devices that stay a new network key (zoh only; default true). */
  networkKeyChangeOnCcs02?: boolean;
}

interface DeviceState {
  cbke?: CbkeSession;
  linkKey?: Uint8Array;
  tunnelId?: number;
  handler?: (frame: Uint8Array) => void;
  /** the sender waiting for the device's AckTransferData (flow control) */
  acked?: (tsn: number | undefined) => void;
  /** the ZCL sequence numbers of the last 64 TransferData from the device (copies are dropped) */
  recentUpTsns?: number[];
  /** frames that arrived before anyone listened */
  early: Uint8Array[];
}

type ZclMessage = {
  type: string; cluster: string | number; device: { ieeeAddr: string; networkAddress: number; removeFromNetwork(): Promise<void> };
  endpoint: { ID: number }; data: unknown; meta: { zclTransactionSequenceNumber?: number };
};

export class ZigbeeHub {
  readonly herdsman: HerdsmanHub;
  readonly controller: Controller;
  private readonly o: ZigbeeHubOptions;
  private readonly log = new Set<string>();
  private readonly devices: Record<string, DeviceState> = {};
  private nextTunnel = 1;
  private tsn = 1;
  readonly refusals: HubRefusal[] = [];
  readonly stats = { copiesDropped: 0, ackTimeouts: 0, framesDown: 0, gbtMessages: 0, framesUp: 0, sendRetries: 0, sendFailures: 0, cbkeEstablished: 0, removed: 0, networkKeyChanges: 0 };
  /** TransferData frames per device (EUI-64, lower-case hex): down to it, up from it (copies not counted) */
  readonly perDevice: Record<string, { down: number; up: number }> = {};
  private counts(e: string): { down: number; up: number } {
    return this.perDevice[e] || (this.perDevice[e] = { down: 0, up: 0 });
  }
  /** per device: when CBKE finished (ms) */
  readonly cbkeMs: Record<string, number> = {};
  private readonly listener: (m: ZclMessage) => void;
  private readonly joinListener: (e: { device: ZclMessage['device'] }) => void;

  constructor(o: ZigbeeHubOptions) {
    this.o = o;
    this.onLogFn = o.onLog;
    this.herdsman = o.herdsman;
    this.controller = o.herdsman.controller;
    this.listener = (m) => void this.onMessage(m).catch((e) => this.refusals.push({ eui: eui(m.device.ieeeAddr), at: 'tunnel', reason: 'hub error: ' + (e as Error).message }));
    this.joinListener = (e) => void this.onJoined(e.device);
    this.controller.on('message', this.listener as never);
    this.controller.on('deviceJoined', this.joinListener as never);
    if (isZoh(o.herdsman)) useInstallCodeKeysAtJoin(o.herdsman);
  }

  onLog(e: string): boolean {
    return this.onLogFn ? this.onLogFn(e) : this.log.has(e);
  }

  private onLogFn: ((eui: string) => boolean) | undefined;

  /**
   * From now on, who may talk on the HAN is what the CHF Device Log says (e.g. a CommunicationsHub's
   * `admitted(eui) === 'ok'`: on the log with a TC link key), not the log this hub kept from its own
   * ccs01/ccs02 calls: a device the CHF drops (CCS02) loses its tunnel.
   */
  followDeviceLog(onLog: (eui: string) => boolean): void {
    this.onLogFn = onLog;
  }

  private state(e: string): DeviceState {
    return this.devices[e] || (this.devices[e] = { early: [] });
  }

  /**
   * CCS01's HAN side: the device's install code (its CRC checked here, herdsman would repair it) and
   * join_timeout open the Controller for it. Refused codes leave everything as it was.
   */
  async ccs01(deviceEui: string, installCode: string | Uint8Array, joinTimeoutSec: number): Promise<{ ok: true; linkKey: Uint8Array } | { ok: false; reason: InstallCodeReason }> {
    const e = deviceEui.toLowerCase();
    const ic = parseInstallCode(installCode);
    if (!ic.ok) {
      this.refusals.push({ eui: e, at: 'ccs01', reason: ic.reason });
      return ic;
    }
    const key = linkKey(aes128EncryptBlock, ic);
    const hex = toHex(ic.code) + (ic.crc & 0xff).toString(16).padStart(2, '0') + (ic.crc >> 8).toString(16).padStart(2, '0');
    // zoh: the Transport Key of this device's join goes under this key (useInstallCodeKeysAtJoin), so
    // several CCS01 windows can be open at once; a device without an install code on the trust centre
    // gets it under the global key, the well-known one
    await this.controller.addInstallCode('Z:' + e + '$I:' + hex.toUpperCase());
    this.log.add(e);
    this.removedByCcs02.delete(e);
    // herdsman permits joining for at most 254 s (a CCS01 window may be up to 3,600 s: GBCS CCS01, DUIS)
    await this.controller.permitJoin(Math.max(1, Math.min(MAX_PERMIT_JOIN_SEC, joinTimeoutSec)));
    return { ok: true, linkKey: key };
  }

  /** Closes joining and puts the well-known key back (the window of CCS01 is over). */
  async closeJoining(): Promise<void> {
    await this.controller.permitJoin(0);
    if (isZoh(this.herdsman)) await setTrustCentreLinkKey(this.herdsman, WELL_KNOWN_TC_LINK_KEY);
  }

  /** CCS02's HAN side: off the log, key and tunnel dropped, removed from the network (Mgmt_Leave). */
  async ccs02(deviceEui: string): Promise<{ removed: boolean; networkKey?: string }> {
    const e = deviceEui.toLowerCase();
    this.log.delete(e);
    delete this.devices[e];
    this.removedByCcs02.add(e);
    if (!isZoh(this.herdsman) || this.o.networkKeyChangeOnCcs02 === false) {
      if (isZoh(this.herdsman)) forgetInstallCode(this.herdsman, e);
      return { removed: await this.remove(e) };
    }
    forgetInstallCode(this.herdsman, e);
    const removed = await this.remove(e);
    // a removed device may have kept the network key (zoh lets it back by secured rejoin, README):
    // the devices that stay get a new one under their own link keys, the removed one does not
    const keep = Object.keys(this.devices).concat(Array.from(this.log)).filter((x, i, all) => x !== e && all.indexOf(x) === i && this.onLog(x));
    const k = await changeNetworkKey(this.herdsman, new Uint8Array(randomBytes(16)), keep);
    this.stats.networkKeyChanges++;
    return { removed, networkKey: 'network key changed (sequence ' + k.sequence + ') for ' + k.sentTo.length + ' device' + (k.sentTo.length === 1 ? '' : 's') + ' staying on the HAN' };
  }

  /** Why a device off the log is refused: CCS02 removed it, or it was never added. */
  private offLog(e: string): 'removed-by-ccs02' | 'not-on-log' {
    return this.removedByCcs02.has(e) ? 'removed-by-ccs02' : 'not-on-log';
  }

  /** devices CCS02 removed (until a CCS01 adds them again): a join from one is refused by that name */
  private readonly removedByCcs02 = new Set<string>();

  private async remove(e: string): Promise<boolean> {
    const d = this.controller.getDeviceByIeeeAddr('0x' + e);
    if (!d) return false;
    try {
      await d.removeFromNetwork();
      this.stats.removed++;
      return true;
    } catch {
      return false;
    }
  }

  private async onJoined(device: ZclMessage['device']): Promise<void> {
    const e = eui(device.ieeeAddr);
    if (this.onLog(e)) return;
    this.refusals.push({ eui: e, at: 'join', reason: this.offLog(e) });
    await this.remove(e);
  }

  /** A device that completed CBKE and holds a tunnel. */
  tunnelled(deviceEui: string): boolean {
    const d = this.devices[deviceEui.toLowerCase()];
    return !!(d && d.tunnelId !== undefined);
  }

  /** The CBKE link key agreed with a device (SE: its TC link key from then on; zoh 0.3.0 cannot use it, README). */
  cbkeKey(deviceEui: string): Uint8Array | undefined {
    return this.devices[deviceEui.toLowerCase()]?.linkKey;
  }

  private async onMessage(m: ZclMessage): Promise<void> {
    const e = eui(m.device.ieeeAddr);
    const refuse = async (at: 'cbke' | 'tunnel', reason: string, commandId: number, cluster: number) => {
      this.refusals.push({ eui: e, at, reason });
      await this.defaultResponse(m, cluster, commandId, ZCL_NOT_AUTHORIZED).catch(() => undefined);
    };
    if (m.type === 'raw' && m.cluster === KEY_ESTABLISHMENT_CLUSTER) {
      const zcl = m.data as Buffer;
      if (zcl.length < 3 || (zcl[0] & 0x04)) return; // manufacturer-specific frames are not ours
      if (!this.onLog(e)) {
        await refuse('cbke', this.offLog(e), zcl[2], KEY_ESTABLISHMENT_CLUSTER);
        await this.remove(e);
        return;
      }
      await this.onKeyEstablishment(m, e, zcl[1], zcl[2], new Uint8Array(zcl.subarray(3)));
      return;
    }
    if (m.cluster !== 'seTunneling') return;
    if (m.type === 'commandRequestTunnel') {
      const p = m.data as { protocolId: number };
      if (!this.onLog(e)) {
        await refuse('tunnel', this.offLog(e), 0x00, TUNNELING_CLUSTER);
        await this.remove(e);
        return;
      }
      const d = this.state(e);
      if (!d.linkKey) return refuse('tunnel', 'no-cbke-key', 0x00, TUNNELING_CLUSTER);
      if (p.protocolId !== PROTOCOL_GBCS) return this.tunnelResponse(m, 0xffff, TUNNEL_STATUS.PROTOCOL_NOT_SUPPORTED);
      if (d.tunnelId === undefined) d.tunnelId = this.nextTunnel++;
      return this.tunnelResponse(m, d.tunnelId, TUNNEL_STATUS.SUCCESS);
    }
    if (m.type === 'commandAckTransferData') {
      const d = this.devices[e];
      if (d && d.acked) d.acked(m.meta.zclTransactionSequenceNumber);
      return;
    }
    if (m.type === 'commandTransferData') {
      const p = m.data as { tunnelId: number; data: Buffer };
      const d = this.devices[e];
      if (!this.onLog(e) || !d || d.tunnelId === undefined || d.tunnelId !== p.tunnelId) {
        return refuse('tunnel', !this.onLog(e) ? this.offLog(e) : 'no-tunnel', 0x02, TUNNELING_CLUSTER);
      }
      // AckTransferData (flow control) with the frame's ZCL sequence number; a copy (a number among the
      // last 64) is acknowledged again and dropped
      const tsn = m.meta.zclTransactionSequenceNumber ?? -1;
      await this.sendZcl(m.device, m.endpoint.ID, 'seTunneling', 'ackTransferData', { tunnelId: p.tunnelId, numberOfBytesLeft: 1500 }, tsn & 0xff).catch(() => undefined);
      const recent = d.recentUpTsns || (d.recentUpTsns = []);
      if (recent.indexOf(tsn) >= 0) {
        this.stats.copiesDropped++;
        return;
      }
      recent.push(tsn);
      if (recent.length > 64) recent.shift();
      this.stats.framesUp++;
      this.counts(e).up++;
      const frame = new Uint8Array(p.data);
      if (d.handler) d.handler(frame);
      else d.early.push(frame);
    }
  }

  private async onKeyEstablishment(m: ZclMessage, e: string, tsn: number, commandId: number, payload: Uint8Array): Promise<void> {
    const d = this.state(e);
    if (commandId === 0x00) {
      // a new Initiate starts a new session (a device may retry); its key replaces the old one only when agreed
      d.cbke = new CbkeSession('responder', this.o.cbke.identity, this.o.cbke.trust, fromHexEui(e));
    }
    const session = d.cbke;
    if (!session) return;
    const c = decodeKeCommand(commandId, payload);
    if (!c.ok) {
      this.refusals.push({ eui: e, at: 'cbke', reason: c.reason });
      await this.keSend(m, { id: 0x03, status: 0x03, waitTime: 10, suite: 2 }, tsn);
      return;
    }
    const step = session.receive(c.command);
    if (!step.ok) {
      this.refusals.push({ eui: e, at: 'cbke', reason: step.reason });
      d.cbke = undefined;
      if (step.send) await this.keSend(m, step.send, tsn);
      return;
    }
    if (step.linkKey) {
      d.linkKey = step.linkKey;
      this.stats.cbkeEstablished++;
    }
    if (step.send) await this.keSend(m, step.send, tsn);
  }

  /**
   * A cluster-0x0800 command to the device. The Initiate response (81 bytes of ZCL) falls in zoh 0.3.0's
   * unsendable 74..100: it gets trailing zero octets up to 101 bytes, so zoh fragments it (ZCL: a
   * receiver ignores octets after the fields it knows; our meter reads the 78 it needs).
   */
  private async keSend(m: ZclMessage, c: Parameters<typeof encodeKeCommand>[0], tsn: number): Promise<void> {
    let data = Buffer.from(encodeKeCommand(c));
    if (data.length + 3 > 73 && data.length + 3 <= ZOH_UNFRAGMENTED_MAX) data = Buffer.concat([data, Buffer.alloc(ZOH_UNFRAGMENTED_MAX + 1 - 3 - data.length)]);
    await this.sendZcl(m.device, m.endpoint.ID, 'smetsKeyEstablishment', KE_RESPONSE_KEYS[c.id], { data }, tsn, KE_CLUSTER);
  }

  private async tunnelResponse(m: ZclMessage, tunnelId: number, status: number): Promise<void> {
    await this.sendZcl(m.device, m.endpoint.ID, 'seTunneling', 'requestTunnelRsp', { tunnelId, status, maxIncomingTransferSize: 1500 }, m.meta.zclTransactionSequenceNumber ?? this.tsn++);
  }

  private async defaultResponse(m: ZclMessage, cluster: number, commandId: number, status: number): Promise<void> {
    await this.controller.sendRaw({
      ieeeAddress: m.device.ieeeAddr, networkAddress: m.device.networkAddress, dstEndpoint: m.endpoint.ID, srcEndpoint: 1, profileId: SE_PROFILE,
      clusterKey: cluster, disableResponse: true,
      zcl: { frameType: Zcl.FrameType.GLOBAL, direction: Zcl.Direction.SERVER_TO_CLIENT, disableDefaultResponse: true, tsn: m.meta.zclTransactionSequenceNumber ?? this.tsn++, commandKey: 'defaultRsp', payload: { cmdId: commandId, statusCode: status } },
    } as Parameters<Controller['sendRaw']>[0]);
  }

  private async sendZcl(device: { ieeeAddr: string; networkAddress: number }, endpoint: number, clusterKey: string, commandKey: string, payload: unknown, tsn: number, custom?: unknown): Promise<void> {
    await this.controller.sendRaw({
      ieeeAddress: device.ieeeAddr, networkAddress: device.networkAddress, dstEndpoint: endpoint, srcEndpoint: 1, profileId: SE_PROFILE,
      clusterKey, disableResponse: true,
      zcl: { frameType: Zcl.FrameType.SPECIFIC, direction: Zcl.Direction.SERVER_TO_CLIENT, disableDefaultResponse: true, tsn: tsn & 0xff, commandKey, payload },
    } as Parameters<Controller['sendRaw']>[0], (custom ?? {}) as never);
  }

  /**
   * One GBCS message to a device through its tunnel (TransferData, server to client), GBT blocks where
   * needed. Each frame is tried `sendAttempts` times (a radio that gave up after its retries); a frame
   * that went through but whose acknowledgement was lost is sent again: the device's GBCS counter check
   * is what stops it running twice.
   */
  async sendTunnel(deviceEui: string, message: Uint8Array, header?: Uint8Array): Promise<{ ok: true; frames: number } | { ok: false; reason: string }> {
    const t = tunnelFrames(message, header ? header.length : 0);
    if (!t.ok) return t;
    const r = await this.sendTunnelFrames(deviceEui, header ? t.frames.map((f) => concat(header, f)) : t.frames);
    if (r.ok && t.gbt) this.stats.gbtMessages++;
    return r;
  }

  /**
   * TransferData frames to a device as they are (each one's data field), one at a time, each acknowledged
   * (`sendTunnel` makes them from a GBCS message; the GSME's GET-RESPONSE adds its header: gpfTunnel.ts).
   */
  async sendTunnelFrames(deviceEui: string, frames: Uint8Array[]): Promise<{ ok: true; frames: number } | { ok: false; reason: string }> {
    const e = deviceEui.toLowerCase();
    const d = this.devices[e];
    if (!this.onLog(e)) return { ok: false, reason: 'not-on-log' };
    if (!d || d.tunnelId === undefined) return { ok: false, reason: 'no-tunnel' };
    const device = this.controller.getDeviceByIeeeAddr('0x' + e);
    if (!device) return { ok: false, reason: 'not-on-network' };
    const t = { frames };
    const attempts = this.o.sendAttempts ?? 3;
    // one frame at a time, each acknowledged by the device (SE Tunneling flow control, AckTransferData):
    // zoh returns from a fragmented send after its first block, so without this frames overtake each other
    for (const data of t.frames) {
      let sent = false;
      let last = '';
      // one ZCL sequence number per frame, kept on resends: the meter drops a copy by it (zigbeeMeter.ts)
      const tsn = this.tsn++ & 0xff;
      for (let a = 0; a < attempts && !sent; a++) {
        if (a > 0) this.stats.sendRetries++;
        const ack = new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), this.o.ackTimeoutMs ?? 1000);
          d.acked = (ackTsn) => {
            if (ackTsn !== tsn) return; // a late ack of an earlier frame
            clearTimeout(timer);
            resolve(true);
          };
        });
        try {
          await this.sendZcl(device, 1, 'seTunneling', 'transferData', { tunnelId: d.tunnelId, data: Buffer.from(data) }, tsn);
          sent = await ack;
          if (!sent) {
            this.stats.ackTimeouts++;
            last = 'no AckTransferData';
          }
        } catch (err) {
          last = (err as Error).message;
        }
        d.acked = undefined;
      }
      if (!sent) {
        this.stats.sendFailures++;
        return { ok: false, reason: 'send failed after ' + attempts + ' attempts: ' + last };
      }
      this.stats.framesDown++;
      this.counts(e).down++;
    }
    return { ok: true, frames: t.frames.length };
  }

  /** The DCC side's Transport to one device: GBCS messages through its tunnel. */
  transport(deviceEui: string): Transport {
    const e = deviceEui.toLowerCase();
    const hub = this;
    let open = true;
    return {
      name: 'zigbee ' + e + ' (herdsman ' + this.herdsman.result + ', SE tunnel)',
      answerWindowMs: this.o.answerWindowMs ?? 2500,
      async send(frame) {
        if (!open) throw new Error('zigbee transport: closed');
        const r = await hub.sendTunnel(e, frame);
        if (!r.ok) hub.refusals.push({ eui: e, at: 'tunnel', reason: 'send: ' + r.reason });
      },
      onFrame(handler) {
        const d = hub.state(e);
        d.handler = (f) => {
          if (open) handler(f);
        };
        for (const f of d.early.splice(0)) handler(f);
      },
      async close() {
        open = false;
      },
    };
  }

  /**
   * The HAN link to one device as the Communications Hub's router takes it (hub/communicationsHub.ts
   * `HanLink`, a board Link): frames go down the tunnel one message after another (sends are queued: the
   * router does not wait), what the device says comes back to the handler.
   */
  hanLink(deviceEui: string): Link {
    const e = deviceEui.toLowerCase();
    let queue: Promise<unknown> = Promise.resolve();
    return {
      send: (frame) => {
        queue = queue.then(() => this.sendTunnel(e, frame)).then((r) => {
          if (!r.ok) this.refusals.push({ eui: e, at: 'tunnel', reason: 'send: ' + r.reason });
        }, () => undefined);
      },
      onFrame: (handler) => {
        const d = this.state(e);
        d.handler = handler;
        for (const f of d.early.splice(0)) handler(f);
      },
    };
  }

  /** Stops listening (the Controller is the caller's to stop). */
  detach(): void {
    this.controller.off('message', this.listener as never);
    this.controller.off('deviceJoined', this.joinListener as never);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Whether the Controller runs zigbee-on-host (the zoh adapter), whose trust centre the workarounds reach into. */
function isZoh(h: HerdsmanHub): boolean {
  const a = (h.controller as unknown as { adapter?: { driver?: { apsHandler?: unknown; context?: unknown } } }).adapter;
  return !!(a && a.driver && a.driver.apsHandler && a.driver.context);
}

function eui(ieeeAddr: string): string {
  return ieeeAddr.replace(/^0x/, '').toLowerCase();
}

function fromHexEui(e: string): Uint8Array {
  return Uint8Array.from(Buffer.from(e, 'hex'));
}

export { TRANSFER_DATA_OVERHEAD };
