/**
 * The premises lab: a whole SMETS2 home on one machine, behind a Communications Hub (scenario field
 * "premises"; scenarios/premises.json). The factory makes the CHF and the GPF (hub/, each a device of its
 * kind), the ESME, the GSME and a PPMID, each on its own Node board with its own SMKI device certificates;
 * the IHD (a GBCS Type 2 device, no certificate) is an EUI-64 with an install code. Data flows
 *
 *   DCC player (one per addressed device) -> transport (WAN link) -> hub.fromWan -> CHF / GPF pipelines,
 *     the GSME's queue on the GPF, or the ESME's HAN link -> device
 *   device -> HAN link -> hub.fromHan (admitted?) -> WAN link -> the DCC player its header's originator names
 *
 * The GSME sleeps: what is sent to it waits on the GPF (the step's outcome `queued-for-gsme`) until a
 * `gsme-wake` step, where the lab clock moves on by the wake interval the GPF configures, the GSME
 * (device/gsme/wake.ts) publishes its data to the GPF's copy, pulls each waiting message, runs it through
 * its own pipeline and acknowledges it; its answer goes up through the hub and the DCC checks it as the
 * answer to the queued command (`DccPlayer.lateResponse`).
 * HAN-side actions have no GBCS frame of their own: a device joining with the link key of its install code
 * (hub `tcLinkKeyEstablished`: the CHF's CS14 alert, which the DCC checks), and requests a joined PPMID or
 * IHD makes of the ESME (top-up by UTRN, read balance / supply: device `hanRequest`), refused by the hub
 * when the sender is not admitted on the HAN (`refused-on-han`).
 * Gas top-ups (device/gsme/topUp.ts): the PPMID's is a GBCS message, PCS01, MAC'ed with its KA key and the
 * GSME's (the keys of their CS03C pairing): the hub queues it on the GPF (`hanToHan`), the wake interval
 * passes, the GSME runs it and its answer comes back to the PPMID on the HAN, which checks the MAC and shows
 * the credit. The Supplier's is CS01b (`gsme-top-up`), queued like any command to the GSME; the GSME
 * publishes its new balance to the GPF's copy at that wake, so a GCS60 from the GPF shows it.
 * @module
 */
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Board, BoardCrypto, Link } from '../../boards/board.ts';
import { memoryLinkPair } from '../../boards/memoryLink.ts';
import { nodeBoard } from '../../boards/node/index.ts';
import { bytesEqual, fromHex, toHex } from '../../lib/bytes.ts';
import { decodeMessage, encodeMessage } from '../../gbcs/message.ts';
import { checkMac, wrapWithMac } from '../../gbcs/protection/protection.ts';
import { sharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import { decodeGbz } from '../../gbcs/gbz/components.ts';
import { readUintLe } from '../../gbcs/gbz/zcl.ts';
import { encodeCcs01Command, encodeCcs02Command } from '../../gbcs/contents/hub/chfDeviceLog.ts';
import { decodeReadJoinDetailsResponse, decodeResponseCode, encodeJoinCommand, encodeReadJoinDetailsCommand, encodeUnjoinCommand,
  DEVICE_GPF, DEVICE_PPMID, DEVICE_TYPE2, DEVICE_TYPE_NAMES,
  MESSAGE_CODE_CS03A1, MESSAGE_CODE_CS03B, MESSAGE_CODE_CS03C, MESSAGE_CODE_CS04AC, MESSAGE_CODE_CS04B, MESSAGE_CODE_CS07,
  METHOD_A_INITIATOR, METHOD_B, METHOD_C } from '../../gbcs/contents/join.ts';
import { invokeIdFor } from '../../gbcs/dlms/access.ts';
import { counterFromNumber } from '../../gbcs/counter64.ts';
import { gbzCommands, gbzReadAttributes } from '../../gbcs/gbz/readAttributes.ts';
import { makeUtrn, ptutHigh, ptutMac, VALUE_POUNDS } from '../../gbcs/utrn.ts';
import { carryGsme, carryHanKinds, chfViewOf, gsmeWake, meterBalanceContent, MESSAGE_CODE_GCS60, openDevice, readJoined } from '../../device/index.ts';
import { MESSAGE_CODE_CS01B, readTopUpResponse, topUpResultName } from '../../device/gsme/topUp.ts';
import type { HanRequest, SmetsDevice, WakeReport } from '../../device/index.ts';
import { chfUseCases, CommunicationsHub, gpfMailbox } from '../../hub/index.ts';
import type { GsmeMailbox, Routed } from '../../hub/index.ts';
import { readDeviceLog } from '../../hub/chf.ts';
import type { LinkStats } from '../../hub/chf.ts';
import { waiting } from '../../hub/gpf.ts';
import { linkKey, parseInstallCode, withCrc } from '../../hub/installCode.ts';
import { DccPlayer } from '../dcc/dccPlayer.ts';
import type { DeviceRecord, Exchange } from '../dcc/dccPlayer.ts';
import type { Party, User } from '../dcc/users.ts';
import type { Transport } from '../transport/transport.ts';
import { manufactureEsme } from './factory.ts';
import type { DeviceCredentials, FactoryOrder } from './factory.ts';

/** The devices of a premises, by the name scenarios use. */
export type PremisesDeviceName = 'CHF' | 'GPF' | 'ESME' | 'GSME' | 'PPMID' | 'IHD';
export const PREMISES_DEVICES: PremisesDeviceName[] = ['CHF', 'GPF', 'ESME', 'GSME', 'PPMID', 'IHD'];
/** Devices on the HAN, which the CHF Device Log admits (CCS01) and which join with an install code. */
export const HAN_DEVICES: PremisesDeviceName[] = ['ESME', 'GSME', 'PPMID', 'IHD'];

/** The scenario's "premises": the EUI-64s (upper-case hex) and the GSME's wake interval. */
export interface PremisesSpec {
  chf: string;
  gpf: string;
  gsme: string;
  ppmid: string;
  ihd: string;
  /** Seconds between the GSME's wakes, configured on the GPF at installation (default 1,800). */
  gsmeWakeSeconds: number;
}

export const DEFAULT_PREMISES: PremisesSpec = {
  chf: '00DB1234567890A2', gpf: '00DB1234567890A3', gsme: '00DB1234567890A1', ppmid: '00DB1234567890A4', ihd: '00DB1234567890A5', gsmeWakeSeconds: 1800,
};

/** One device of the premises, for the evidence (keystore) and the report's picture. */
export interface PremisesDevice {
  name: PremisesDeviceName;
  eui: string;
  /** 'hub': inside the Communications Hub; 'HAN': a device on the hub's HAN. */
  where: 'hub' | 'HAN';
  ds?: DeviceCredentials;
  ka?: DeviceCredentials;
  /** The install code as printed on the device (with its CRC, hex): HAN devices only. */
  installCode?: string;
}

/** What the premises looks like now, for the report's picture. */
export interface PremisesPicture {
  devices: PremisesDevice[];
  /** EUIs on the CHF Device Log, and which of them hold a TC link key (joined the HAN). */
  chfLog: Array<{ eui: string; joined: boolean }>;
  /** Meter Device Logs: meter name -> [{ eui, type }]. */
  pairings: Array<{ meter: PremisesDeviceName; device: string; type: string }>;
  gsmeQueue: number;
  gsmeWakeSeconds: number;
}

/**
 * The HAN on the air (`smets lab --bearer zigbee`: harness/zigbee/se/premisesAir.ts): the GSME, the PPMID
 * and the IHD talk to the hub through their SE tunnels instead of in-process calls.
 */
export interface PremisesAir {
  /** The GPF's side of the GSME's tunnel from now on: flags, GET/GET-RESPONSE from `mailbox`, PUTs to `up`. */
  serveGsme(o: { mailbox: GsmeMailbox; waitingCount(): number; up(frame: Uint8Array): void }): void;
  /** One wake of the GSME on the air: it reads its flags and pulls, runs and answers what waits. */
  wakeGsme(device: SmetsDevice): Promise<{ delivered: number; answered: number; stopped?: string; ms: number }>;
  /** The hub's side of the PPMID's and IHD's tunnels: each HAN request they send goes to `handle`, a GBCS frame they PUT to `put`. */
  serveHanRequests(handle: (from: Uint8Array, request: HanRequest) => { ok: true; credit: number; supply: string } | { ok: false; reason: string }, put: (from: Uint8Array, frame: Uint8Array) => void): void;
  /** A GBCS frame from a PPMID or IHD (`from`: hex) up its tunnel; the reason when it did not get to the hub. */
  hanPut(from: string, frame: Uint8Array): Promise<{ ok: true } | { ok: false; reason: string; detail?: string }>;
  /** The hub's HAN link to a PPMID or IHD: GBCS frames down its tunnel; what arrives there goes to `received`. */
  hanLink(eui: string, received: (frame: Uint8Array) => void): { send(frame: Uint8Array): void };
  /** Resolves when every frame sent down a `hanLink` has arrived or been given up. */
  settled(): Promise<void>;
  /** A HAN request from the PPMID or IHD (`from`: its EUI-64, hex) over the air; the hub's reason when it refused it. */
  hanRequest(from: string, request: HanRequest): Promise<{ ok: true; answer: { ok: true; credit: number; supply: string } | { ok: false; reason: string } } | { ok: false; reason: string; detail?: string }>;
}

export interface PremisesOptions {
  out: string;
  crypto: BoardCrypto;
  spec: PremisesSpec;
  esme: { eui: string; link: Link; record: DeviceRecord; device: () => SmetsDevice };
  /** The factory's order for every premises device (root, anchors, SMKI). */
  order: Omit<FactoryOrder, 'eui' | 'deviceType' | 'board' | 'firmware'>;
  nowSec: () => number;
  advance: (ms: number) => void;
  /** The GSME, PPMID and IHD on the air (ZigBee); in process when absent. */
  air?: PremisesAir;
  /** The DCC's parties and users, for one DCC player per addressed device. */
  dcc: { acb: Party; users: User[]; parties: Record<string, Party>; issuingOca: Uint8Array };
  /**
   * A real HAN under the hub (ZigBee, harness/zigbee/se/chfDriver.ts): a `han-join` step first has the
   * device join it; undefined for a device not on it (its join is then the CHF's record alone).
   */
  hanJoin?: (eui: string) => Promise<{ ok: true; detail: string } | { ok: false; reason: string; detail: string } | undefined>;
}

/** A GSME's factory data: the attributes RTDS's GCS60 reads (Metering 0x0A00, Prepayment 0x0001 credit remaining). */
const GSME_ATTRIBUTES = [
  { cluster: 0x0702, attribute: 0x0a00, type: 0x23, value: new Uint8Array([0xe0, 0x67, 0x35, 0x00]) },
  { cluster: 0x0705, attribute: 0x0001, type: 0x2b, value: new Uint8Array([0xa0, 0x25, 0x26, 0x00]) },
];

const DEVICE_TYPE_OF: Record<string, number> = { PPMID: DEVICE_PPMID, IHD: DEVICE_TYPE2, GPF: DEVICE_GPF };

/** A step's result before the lab files it. */
function result(request: string, user: string, verdict: Exchange['verdict'], reason: string | undefined, found: string, folder?: string): Exchange {
  const x: Exchange = { user, request, verdict, frames: [], checks: [], reading: { found } };
  if (reason) x.reason = reason;
  if (folder) x.folder = folder;
  return x;
}

export class Premises {
  readonly hub: CommunicationsHub;
  readonly devices: PremisesDevice[] = [];
  /** What the hub did with each WAN frame, oldest first (the report's routing notes). */
  readonly routed: string[] = [];
  private readonly players: Partial<Record<PremisesDeviceName, DccPlayer>> = {};
  private readonly handlers: Record<string, (f: Uint8Array) => void> = {};
  private readonly running: Partial<Record<PremisesDeviceName, SmetsDevice>> = {};
  private readonly euis: Record<PremisesDeviceName, string>;
  private readonly installCodes: Record<string, Uint8Array> = {};
  private readonly queued: Exchange[] = [];
  private lastRoute: Routed | undefined;
  private lastUtrn: string | undefined;
  private utrnCounter = 0;

  private constructor(private readonly o: PremisesOptions, hub: CommunicationsHub, euis: Record<PremisesDeviceName, string>) {
    this.hub = hub;
    this.euis = euis;
  }

  /** Makes every device at the factory, powers the hub on and wires the WAN and the HAN. */
  static build(o: PremisesOptions): Premises | { ok: false; reason: string } {
    carryGsme(); // the GSME and the PPMID are made as their kinds (the CHF and GPF: hub/index.ts)
    carryHanKinds();
    const s = o.spec;
    const euis: Record<PremisesDeviceName, string> = { CHF: s.chf, GPF: s.gpf, ESME: o.esme.eui, GSME: s.gsme, PPMID: s.ppmid, IHD: s.ihd };
    const wan = memoryLinkPair();
    const boards: Partial<Record<PremisesDeviceName, Board>> = {};
    const hubLinks: Partial<Record<PremisesDeviceName, ReturnType<typeof memoryLinkPair>>> = {};
    const made: Partial<Record<PremisesDeviceName, { ds: DeviceCredentials; ka: DeviceCredentials }>> = {};
    for (const name of ['CHF', 'GPF', 'GSME', 'PPMID'] as const) {
      const link = memoryLinkPair();
      hubLinks[name] = link;
      const board = nodeBoard({ storageDir: join(o.out, 'device-' + euis[name].toLowerCase()), link: link.device, log: () => undefined, clock: { nowSec: o.nowSec } });
      boards[name] = board;
      const m = manufactureEsme({ ...o.order, eui: euis[name], deviceType: name, board, ...(name === 'GSME' ? { attributes: GSME_ATTRIBUTES } : {}) });
      if (!m.ok) return { ok: false, reason: 'the factory failed making the ' + name + ' at "' + m.step + '": ' + m.reason };
      made[name] = { ds: m.ds, ka: m.ka };
    }
    const stats: LinkStats = {};
    const chf = openDevice(boards.CHF!, undefined, chfUseCases(stats));
    const gpf = openDevice(boards.GPF!);
    const gsme = openDevice(boards.GSME!);
    const ppmid = openDevice(boards.PPMID!);
    if (!chf || !gpf || !gsme || !ppmid) return { ok: false, reason: 'a premises device did not open as its kind' };
    const esmeEui = fromHex(o.esme.eui)!;
    // What reaches the PPMID on the HAN (the GSME's answers to its PCS01), read by the step that sent it.
    const ppmidInbox: Uint8Array[] = [];
    const hub = new CommunicationsHub({
      chf, gpf, gsme: fromHex(s.gsme)!, stats,
      // on the air the PPMID's link is its SE tunnel (the GSME's answers to its PCS01 go down it as PUT)
      han: { [toHex(esmeEui)]: { send: (f) => o.esme.link.send(f) }, [s.ppmid.toLowerCase()]: o.air ? o.air.hanLink(s.ppmid, (f) => void ppmidInbox.push(f)) : { send: (f) => void ppmidInbox.push(f) } },
      alertRecipient: o.dcc.acb.euiBytes,
    });
    const p = new Premises(o, hub, euis);
    p.ppmidInbox = ppmidInbox;
    p.running.CHF = chf;
    p.running.GPF = gpf;
    p.running.GSME = gsme;
    p.running.PPMID = ppmid;
    // The WAN: the hub's end routes; the DCC's end hands each frame to the player of the device that sent it.
    wan.device.onFrame((f) => p.fromWan(f, wan.device));
    wan.host.onFrame((f) => {
      const m = decodeMessage(f);
      const h = m.ok ? p.handlers[toHex(m.gs.originator)] : undefined;
      if (h) h(f);
    });
    // What the CHF raises outside a command (CS14 on a join) goes up; the ESME answers on its HAN link.
    hubLinks.CHF!.host.onFrame((f) => wan.device.send(f));
    o.esme.link.onFrame((f) => {
      const up = hub.fromHan(esmeEui, f);
      if (up.ok) wan.device.send(up.frame);
      else p.routed.push('from the ESME on the HAN: refused ' + up.reason);
    });
    // GSME -> hub: its answers at wake go up from the HAN to the WAN, or to the PPMID whose PCS01 it ran.
    p.gsmeUp = (f) => {
      const up = hub.hanToHan(fromHex(s.gsme)!, f);
      if (up.ok && up.to === 'WAN') wan.device.send(up.frame);
      else if (up.ok) p.routed.push('from the GSME to ' + (up.to === 'HAN' ? up.device.toUpperCase() + ' on the HAN' : up.to));
      else p.routed.push('from the GSME on the HAN: refused ' + up.reason);
    };
    const wake = hub.setGsmeWakeInterval(s.gsmeWakeSeconds);
    if (!wake.ok) return { ok: false, reason: 'the GPF refused the GSME wake interval of ' + s.gsmeWakeSeconds + ' s: ' + wake.reason };
    if (o.air) {
      // the GSME pulls through its tunnel; the PPMID's and IHD's requests come through theirs: the hub lets
      // only admitted devices talk, and asks the ESME (its answer goes back down the requester's tunnel)
      const gpfBoard = boards.GPF!;
      o.air.serveGsme({ mailbox: gpfMailbox(gpfBoard), waitingCount: () => waiting(gpfBoard.storage, gpfBoard.clock.nowSec()).length, up: (f) => p.gsmeUp(f) });
      o.air.serveHanRequests((from, request) => {
        const admitted = hub.fromHan(from, new Uint8Array(0));
        if (!admitted.ok) return { ok: false, reason: admitted.reason };
        const log = readDeviceLog(boards.CHF!).map((e) => e.ieeeAddress);
        const r = o.esme.device().hanRequest(from, request, chfViewOf(log));
        return r.ok ? { ok: true, credit: r.credit, supply: r.supply } : { ok: false, reason: r.reason };
      }, (from, frame) => {
        // GBCS from a HAN device to another (a PPMID's PCS01 to the GSME): routed by the hub as in process
        p.lastHanToHan = hub.hanToHan(from, frame);
      });
    }
    for (const name of PREMISES_DEVICES) {
      const d: PremisesDevice = { name, eui: euis[name], where: name === 'CHF' || name === 'GPF' ? 'hub' : 'HAN' };
      const m = name === 'ESME' ? undefined : made[name];
      if (m) {
        d.ds = m.ds;
        d.ka = m.ka;
      }
      if (HAN_DEVICES.indexOf(name) >= 0) {
        // The manufacturer's install code (16 bytes) and its CRC, as printed on the device's label.
        const code = new Uint8Array(randomBytes(16));
        p.installCodes[name] = code;
        d.installCode = toHex(withCrc(code)).toUpperCase();
      }
      p.devices.push(d);
    }
    const records: Partial<Record<PremisesDeviceName, DeviceRecord>> = { ESME: o.esme.record };
    for (const name of ['CHF', 'GPF', 'GSME', 'PPMID'] as const) {
      records[name] = { eui: euis[name], euiBytes: fromHex(euis[name])!, deviceType: name, dsPublic: made[name]!.ds.publicKey, kaPublic: made[name]!.ka.publicKey };
    }
    for (const name of ['CHF', 'GPF', 'GSME'] as const) p.players[name] = p.player(records[name]!, wan.host);
    p.wanHost = wan.host;
    return p;
  }

  private gsmeUp: (f: Uint8Array) => void = () => undefined;
  private wanHost: Link | undefined;
  private ppmidInbox: Uint8Array[] = [];
  /** on the air: what the hub did with the last GBCS frame a HAN device PUT up its tunnel */
  private lastHanToHan: ReturnType<CommunicationsHub['hanToHan']> | undefined;
  private ppmidCounter = 0;
  private lastGasUtrn: string | undefined;

  /** The transport through the hub for the player of the device `eui` (frames from it come to it alone). */
  transportFor(eui: string, host?: Link): Transport {
    const link = host ?? this.wanHost!;
    const handlers = this.handlers;
    let open = true;
    return {
      name: 'in-process, through the Communications Hub',
      answerWindowMs: 5,
      async send(frame) {
        if (!open) throw new Error('transport closed');
        link.send(frame);
      },
      onFrame(handler) {
        handlers[eui.toLowerCase()] = (f) => {
          if (open) handler(f);
        };
      },
      async close() {
        open = false;
      },
    };
  }

  private player(record: DeviceRecord, host: Link): DccPlayer {
    const d = this.o.dcc;
    return new DccPlayer({
      crypto: this.o.crypto, transport: this.transportFor(record.eui, host), acb: d.acb, users: d.users, parties: d.parties, issuingOca: d.issuingOca,
      device: record, nowUnix: this.o.nowSec,
    });
  }

  /** Every alert any premises player verified (for the lab's summary). */
  alertVerdicts(): DccPlayer['alertVerdicts'] {
    const out: DccPlayer['alertVerdicts'] = [];
    for (const name of ['CHF', 'GPF', 'GSME'] as const) out.push(...this.players[name]!.alertVerdicts);
    return out;
  }

  /** Alerts the premises players received and no step took yet. */
  alerts(): Array<{ frame: Uint8Array; from: string }> {
    const out: Array<{ frame: Uint8Array; from: string }> = [];
    for (const name of ['CHF', 'GPF', 'GSME'] as const) for (const a of this.players[name]!.alerts()) out.push({ frame: a, from: this.euis[name] });
    return out;
  }

  private fromWan(frame: Uint8Array, up: Link): void {
    const r = this.hub.fromWan(frame);
    this.lastRoute = r;
    if (!r.ok) {
      this.routed.push('refused ' + r.reason + (r.device ? ' (' + r.device.toUpperCase() + ')' : ''));
      return;
    }
    if (r.to === 'CHF' || r.to === 'GPF') {
      this.routed.push('to the ' + r.to);
      if (r.answer.response) up.send(r.answer.response);
      for (const a of r.answer.alerts) up.send(a);
      return;
    }
    if (r.to === 'GSME-queue') this.routed.push('queued for the GSME on the GPF (message ' + r.id + ')');
    else if (r.to === 'HAN') this.routed.push('to ' + r.device.toUpperCase() + ' on the HAN in ' + r.frames + ' frame' + (r.frames > 1 ? 's' : ''));
  }

  private eui(name: PremisesDeviceName): Uint8Array {
    return fromHex(this.euis[name])!;
  }

  /** The CHF Device Log and the meters' Device Logs, for the report's picture. */
  picture(): PremisesPicture {
    const chfBoard = this.running.CHF!.board;
    const chfLog = readDeviceLog(chfBoard).map((e) => ({ eui: toHex(e.ieeeAddress).toUpperCase(), joined: !!e.tcLinkKey }));
    const pairings: PremisesPicture['pairings'] = [];
    const meters: Array<[PremisesDeviceName, Board]> = [['ESME', this.o.esme.device().board], ['GSME', this.running.GSME!.board]];
    for (const [meter, board] of meters) for (const j of readJoined(board.storage)) pairings.push({ meter, device: toHex(j.eui).toUpperCase(), type: DEVICE_TYPE_NAMES[j.deviceType] ?? String(j.deviceType) });
    const gpfBoard = this.running.GPF!.board;
    return { devices: this.devices, chfLog, pairings, gsmeQueue: waiting(gpfBoard.storage, gpfBoard.clock.nowSec()).length, gsmeWakeSeconds: gpfMailbox(gpfBoard).wakeInterval() };
  }

  /** The DCC player of the device a command goes to. */
  private playerOf(name: PremisesDeviceName, esmePlayer: DccPlayer): DccPlayer {
    return name === 'ESME' ? esmePlayer : this.players[name]!;
  }

  /** A GBCS command to a premises device; a GSME's waits on the GPF (`queued-for-gsme`). */
  private async send(esmePlayer: DccPlayer, to: PremisesDeviceName, as: string, request: string, code: number, folder: string, content: Uint8Array): Promise<Exchange> {
    this.lastRoute = undefined;
    const x = await this.playerOf(to, esmePlayer).command(as, request, code, folder, content);
    return this.settle(to, x);
  }

  private settle(to: PremisesDeviceName, x: Exchange): Exchange {
    const r = this.lastRoute;
    if (to === 'GSME' && x.verdict === 'no-response' && r && r.ok && r.to === 'GSME-queue') {
      this.queued.push(x);
      return { ...x, verdict: 'queued-for-gsme', reason: 'waiting on the GPF (message ' + r.id + ', flag 0x00200000 up) until the GSME wakes' };
    }
    if (x.verdict === 'no-response' && r && !r.ok) return { ...x, reason: 'the hub refused it: ' + r.reason };
    return x;
  }

  /** Runs one premises step; undefined when the step is not a premises request. */
  async step(step: { request: string; as: string; params: Record<string, unknown> }, esmePlayer: DccPlayer): Promise<Exchange | undefined> {
    const p = step.params;
    const dev = (k: string) => p[k] as PremisesDeviceName;
    switch (step.request) {
      case 'chf-add-device': {
        const name = dev('device');
        const code = this.installCodes[name];
        // The installer gives the DCC the code with its CRC (label / QR); the DCC checks it before CCS01.
        const printed = withCrc(code);
        if (p.installCode === 'bad-crc') printed[printed.length - 1] ^= 0x01;
        const ic = parseInstallCode(printed);
        if (!ic.ok) return result(step.request, step.as, 'refused-by-dcc', ic.reason, 'install code ' + toHex(printed).toUpperCase() + ' refused: ' + ic.reason);
        const content = encodeCcs01Command({ invokeId: invokeIdFor(counterFromNumber(0)), ieeeAddress: this.eui(name), key: ic.code, registrationA: 1, registrationB: 0, joinTimeout: 3600, enableJoining: true });
        return this.withChfLog(await this.send(esmePlayer, 'CHF', step.as, step.request, 0x0001, '8.11_CCS01', content));
      }
      case 'chf-remove-device': {
        const content = encodeCcs02Command({ invokeId: invokeIdFor(counterFromNumber(0)), ieeeAddress: this.eui(dev('device')) });
        return this.withChfLog(await this.send(esmePlayer, 'CHF', step.as, step.request, 0x0002, '8.11_CCS02', content));
      }
      case 'han-join': {
        const name = dev('device');
        // The device's ZigBee stack joins with the link key of its install code (AES-MMO); the CHF records it.
        const key = linkKey(this.o.crypto.aes128EncryptBlock, { ok: true, code: this.installCodes[name], crc: 0 });
        const air = this.o.hanJoin ? await this.o.hanJoin(this.euis[name].toLowerCase()) : undefined;
        if (air && !air.ok) return this.withChfLog(result(step.request, step.as, 'refused-on-han', air.reason, name + ' not let on the HAN ' + air.detail, '8.11_CS14'));
        const j = this.hub.tcLinkKeyEstablished(this.eui(name), key);
        const x = result(step.request, step.as, j.ok ? 'accepted' : 'refused-on-han', j.ok ? undefined : j.reason, (j.ok ? name + ' joined the HAN: CHF Device Log updated, CS14 raised' : name + ' not let on the HAN: ' + j.reason) + (air ? ' (' + air.detail + ')' : ''), '8.11_CS14');
        return this.withChfLog(x);
      }
      case 'gsme-wake-interval': {
        const set = this.hub.setGsmeWakeInterval(p.seconds as number);
        const why = set.ok ? undefined : set.reason === 'wake-interval' ? 'bad-wake-interval' : set.reason;
        return result(step.request, step.as, set.ok ? 'accepted' : 'refused-on-han', why, 'the GPF tells the GSME to wake every ' + gpfMailbox(this.running.GPF!.board).wakeInterval() + ' s');
      }
      case 'gsme-wake': {
        const w = await this.wakeGsme();
        if (w.answers.length === 0) return result(step.request, step.as, 'accepted', undefined, w.found + ' (nothing was waiting)');
        const first = w.answers[0];
        const bad = w.answers.find((a) => a.verdict !== 'accepted');
        const x: Exchange = {
          ...first, request: step.request,
          frames: w.answers.flatMap((a) => a.frames), checks: w.answers.flatMap((a) => a.checks),
          verdict: bad ? bad.verdict : 'accepted', reading: { ...first.reading, found: w.found + '; ' + w.answers.map((a) => describeAnswer(a)).join('; ') },
        };
        if (bad) x.reason = bad.reason;
        return x;
      }
      case 'gsme-top-up': {
        // CS01b: the Supplier's UTRN in a Consumer Top Up (originating device 0), as the DUIS transform builds it.
        const utrn = this.utrn(p.pounds as number, this.running.GSME!);
        const content = gbzCommands([{ cluster: 0x0705, frameControl: 0x01, command: 0x04, payload: new Uint8Array([0x00, utrn.length, ...Array.from(utrn, (ch) => ch.charCodeAt(0))]) }]);
        const x = await this.send(esmePlayer, 'GSME', step.as, step.request, MESSAGE_CODE_CS01B, '2.2_CS01b', content);
        return { ...x, reading: { ...x.reading, found: 'UTRN ' + utrn + ' (' + (p.pounds as number).toFixed(2) + ')' + (x.reading.found ? '; ' + x.reading.found : '') } };
      }
      case 'commission-device': {
        const name = dev('device');
        const x = await this.playerOf(name, esmePlayer).submit(step.as, 'update-security-credentials', { to: p.to, ...(name === 'ESME' || name === 'GSME' ? { prepayment: true } : {}) });
        return this.settle(name, x);
      }
      case 'read-gas-from-gpf': {
        // GCS60 as RTDS sends it (Read Attributes of Metering 0x0A00 and Prepayment 0x0001), to the GPF.
        const content = gbzReadAttributes([{ cluster: 0x0702, attributes: [0x0a00] }, { cluster: 0x0705, attributes: [0x0001] }]);
        const x = await this.send(esmePlayer, 'GPF', step.as, step.request, 0x008d, '4.18_GCS60', content);
        if (x.verdict !== 'accepted') return x;
        const m = decodeMessage(x.frames.find((f) => f.kind === 'RESPONSE')!.bytes);
        const copy = meterBalanceContent(this.running.GSME!.board);
        const same = m.ok && bytesEqual(m.content, copy);
        x.checks.push({ name: 'from the GSME', ok: same, detail: same ? 'the content is what the GSME published at its last wake' : 'the content is not the GSME\'s' });
        const credit = m.ok ? gasCredit(m.content) : undefined;
        x.reading = { ...x.reading, found: 'GCS60 answered by the GPF from its copy of the GSME\'s data (' + (m.ok ? m.content.length : 0) + ' bytes, ' + (same ? 'equal to' : 'NOT') + ' what the GSME published at its last wake)' + (credit === undefined ? '' : ': gas credit ' + (credit / 100000).toFixed(2)) };
        return same ? x : { ...x, verdict: 'bad-response', reason: 'the GPF did not answer from the GSME\'s copy' };
      }
      case 'pair':
      case 'unpair': {
        const meter = dev('meter');
        const other = dev('device');
        const type = DEVICE_TYPE_OF[other];
        let code: number;
        let folder: string;
        let content: Uint8Array;
        if (step.request === 'pair') {
          const method = meter === 'GSME' && other === 'PPMID' ? METHOD_C : other === 'PPMID' ? METHOD_A_INITIATOR : METHOD_B;
          code = method === METHOD_C ? MESSAGE_CODE_CS03C : method === METHOD_A_INITIATOR ? MESSAGE_CODE_CS03A1 : MESSAGE_CODE_CS03B;
          folder = method === METHOD_C ? '8.7.1_CS03CCritical' : method === METHOD_A_INITIATOR ? '8.7.1_CS03A1Critical' : '8.7.2_CS03B';
          const ka = this.devices.find((d) => d.name === other)?.ka;
          content = encodeJoinCommand({ method, other: this.eui(other), otherType: type, ...(method === METHOD_C && ka ? { certificate: ka.der } : {}) });
        } else {
          code = other === 'PPMID' ? MESSAGE_CODE_CS04AC : MESSAGE_CODE_CS04B;
          folder = other === 'PPMID' ? '8.8.1_CS04ACCritical' : '8.8.2_CS04B';
          content = encodeUnjoinCommand(this.eui(other));
        }
        const x = await this.send(esmePlayer, meter, step.as, step.request, code, folder, content);
        return x.verdict === 'accepted' ? { ...x, reading: { ...x.reading, found: describeAnswer(x) } } : x;
      }
      case 'read-join-details': {
        const x = await this.send(esmePlayer, dev('meter'), step.as, step.request, MESSAGE_CODE_CS07, '8.9_CS07', encodeReadJoinDetailsCommand());
        return x.verdict === 'accepted' ? { ...x, reading: { ...x.reading, found: describeAnswer(x) } } : x;
      }
      case 'han-request': {
        const from = dev('from');
        const what = p.request as string;
        if (p.meter === 'GSME') return this.ppmidToGsme(step, from, what, p);
        const esme = this.o.esme.device();
        let request: HanRequest;
        if (what === 'top-up') {
          const utrn = p.repeat === true && this.lastUtrn ? this.lastUtrn : this.utrn(p.pounds as number, esme);
          this.lastUtrn = utrn;
          request = { kind: 'top-up', utrn };
        } else request = { kind: what as 'read-balance' | 'read-supply' };
        if (this.o.air) {
          const r = await this.o.air.hanRequest(this.euis[from], request);
          if (!r.ok) return result(step.request, step.as, 'refused-on-han', r.reason, 'the hub refused the ' + from + ' on the HAN (over ZigBee): ' + r.reason + (r.detail ? ' (' + r.detail + ')' : ''));
          const a = r.answer;
          if (!a.ok) return result(step.request, step.as, 'refused-on-han', a.reason, 'the ' + from + '\'s ' + what + ' was refused (answer over ZigBee): ' + a.reason);
          return result(step.request, step.as, 'accepted', undefined, 'the ESME answered the ' + from + '\'s ' + what + ' over ZigBee' + (request.kind === 'top-up' ? ' (UTRN ' + request.utrn + ')' : '') + ': credit ' + (a.credit / 100).toFixed(2) + ', supply ' + a.supply);
        }
        // The hub lets only admitted devices talk on the HAN; the meter checks its own Device Log.
        const admitted = this.hub.fromHan(this.eui(from), new Uint8Array(0));
        if (!admitted.ok) return result(step.request, step.as, 'refused-on-han', admitted.reason, 'the hub refused the ' + from + ' on the HAN: ' + admitted.reason);
        const log = readDeviceLog(this.running.CHF!.board).map((e) => e.ieeeAddress);
        const r = esme.hanRequest(this.eui(from), request, chfViewOf(log));
        if (!r.ok) return result(step.request, step.as, 'refused-on-han', r.reason, 'the ESME refused the ' + from + '\'s ' + what + ': ' + r.reason);
        return result(step.request, step.as, 'accepted', undefined, 'the ESME answered the ' + from + '\'s ' + what + (request.kind === 'top-up' ? ' (UTRN ' + request.utrn + ')' : '') + ': credit ' + (r.credit / 100).toFixed(2) + ', supply ' + r.supply);
      }
    }
    return undefined;
  }

  /**
   * The wake interval passes and the GSME wakes (device/gsme/wake.ts): it publishes to the GPF's copy, runs
   * what waits (commands from the DCC, PCS01s from the PPMID) and publishes again what they changed; the
   * DCC checks each queued command's answer.
   */
  private async wakeGsme(): Promise<{ found: string; answers: Exchange[]; report: WakeReport }> {
    const mailbox = gpfMailbox(this.running.GPF!.board);
    const interval = mailbox.wakeInterval();
    this.o.advance(interval * 1000);
    const waiting = this.queued.splice(0, this.queued.length);
    let report: WakeReport;
    let air = '';
    if (this.o.air) {
      // on the air: the GSME's data to the GPF's copy goes in process, before and (when what ran changed
      // it) after the pull, as gsmeWake does (not modelled as ZCL reports); the flags, the pull and the
      // answers go through its tunnel while it is awake
      const board = this.running.GSME!.board;
      const balance = meterBalanceContent(board);
      const pub = mailbox.publish([{ messageCode: MESSAGE_CODE_GCS60, content: balance }]);
      const r = await this.o.air.wakeGsme(this.running.GSME!);
      report = { published: pub.ok ? [MESSAGE_CODE_GCS60] : [], delivered: r.delivered, answered: r.answered };
      if (!pub.ok) report.refused = pub.reason;
      const now = meterBalanceContent(board);
      if (pub.ok && r.delivered > 0 && !bytesEqual(now, balance)) {
        const again = mailbox.publish([{ messageCode: MESSAGE_CODE_GCS60, content: now }]);
        if (again.ok) report.published.push(MESSAGE_CODE_GCS60);
        else report.refused = again.reason;
      }
      air = ' over ZigBee (awake ' + r.ms.toFixed(0) + ' ms' + (r.stopped ? ', stopped: ' + r.stopped : '') + ')';
    } else report = gsmeWake(this.running.GSME!, mailbox, this.gsmeUp);
    const found = 'after ' + interval + ' s the GSME woke' + air + ': published GCS60 to the GPF copy, pulled and ran ' + report.delivered + ' message' + (report.delivered === 1 ? '' : 's') + ', answered ' + report.answered +
      (report.published.length > 1 ? ', published its new balance' : '');
    const answers: Exchange[] = [];
    for (const w of waiting) answers.push(await this.players.GSME!.lateResponse(w));
    return { found, answers, report };
  }

  /**
   * The consumer tops up gas at the PPMID: PCS01 (0x009B) from the PPMID to the GSME, MAC'ed with the
   * PPMID's KA key and the GSME's (their CS03C pairing), its counter the PPMID's own; the hub queues it on
   * the GPF (refused when the PPMID is not admitted on the HAN), the GSME runs it when it wakes and its
   * answer comes back to the PPMID, which checks the MAC and shows the result and the credit.
   */
  private async ppmidToGsme(step: { request: string; as: string }, from: PremisesDeviceName, what: string, p: Record<string, unknown>): Promise<Exchange> {
    if (from !== 'PPMID' || what !== 'top-up') return result(step.request, step.as, 'refused-on-han', 'not-permitted', 'the GSME takes a top-up (PCS01) from a PPMID, nothing else here');
    const gsme = this.running.GSME!;
    const ppmid = this.running.PPMID!;
    const crypto = this.o.crypto;
    const utrn = p.repeat === true && this.lastGasUtrn ? this.lastGasUtrn : this.utrn(p.pounds as number, gsme);
    this.lastGasUtrn = utrn;
    const gsmeKa = crypto.p256PublicKey(gsme.identity().kaPrivate);
    const content = gbzCommands([{ cluster: 0x0705, frameControl: 0x01, command: 0x04, payload: new Uint8Array([0x02, utrn.length, ...Array.from(utrn, (ch) => ch.charCodeAt(0))]) }]);
    const gs = { cra: 1, counter: counterFromNumber(++this.ppmidCounter), originator: this.eui('PPMID'), recipient: this.eui('GSME'), messageCode: 0x009b, content, signatureForm: 'null' as const };
    const frame = wrapWithMac(crypto, sharedSecrets(crypto.ecdh), ppmid.identity().kaPrivate, gsmeKa, encodeMessage({ wrapper: 'signed', gs }));
    if (!frame) throw new Error('Premises.ppmidToGsme: no MAC');
    const x = result(step.request, step.as, 'refused-on-han', undefined, '', 'NA_PCS01');
    x.messageCode = 0x009b;
    x.frames.push({ kind: 'COMMAND', bytes: frame, from: 'PPMID ' + this.euis.PPMID, to: this.euis.GSME });
    let r: ReturnType<CommunicationsHub['hanToHan']>;
    if (this.o.air) {
      // on the air: up the PPMID's tunnel (PUT); the hub routes it as in process (serveHanRequests' put)
      this.lastHanToHan = undefined;
      const sent = await this.o.air.hanPut(this.euis.PPMID, frame);
      if (!sent.ok) return { ...x, reason: sent.reason, reading: { found: 'the hub refused the PPMID\'s gas top-up on the HAN (over ZigBee, UTRN ' + utrn + '): ' + sent.reason + (sent.detail ? ' (' + sent.detail + ')' : '') } };
      // the hub acknowledges the TransferData before it hands the frame on: wait for its routing (1 s at most)
      for (let i = 0; i < 50 && !this.lastHanToHan; i++) await new Promise((res) => setTimeout(res, 20));
      r = this.lastHanToHan ?? { ok: false, reason: 'malformed' };
    } else r = this.hub.hanToHan(this.eui('PPMID'), frame);
    if (!r.ok || r.to !== 'GSME-queue') {
      const why = r.ok ? 'not-queued' : r.reason;
      return { ...x, reason: why, reading: { found: 'the hub refused the PPMID\'s gas top-up on the HAN (UTRN ' + utrn + '): ' + why } };
    }
    this.routed.push('from the PPMID on the HAN: queued for the GSME on the GPF (message ' + r.id + ')');
    this.ppmidInbox.length = 0;
    const w = await this.wakeGsme();
    if (this.o.air) await this.o.air.settled();
    const head = 'UTRN ' + utrn + ' queued on the GPF (message ' + r.id + ')' + (this.o.air ? ' through the PPMID\'s tunnel' : '') + '; ' + w.found;
    const answer = this.ppmidInbox.shift();
    if (!answer) return { ...x, verdict: 'no-response', reason: 'the GSME sent the PPMID no answer', reading: { found: head + '; no answer to the PPMID' } };
    x.frames.push({ kind: 'RESPONSE', bytes: answer, from: this.euis.GSME, to: 'PPMID ' + this.euis.PPMID });
    const m = decodeMessage(answer);
    const mac = m.ok && toHex(m.gs.recipient) === toHex(this.eui('PPMID')) && checkMac(crypto, sharedSecrets(crypto.ecdh), ppmid.identity().kaPrivate, gsmeKa, m).ok;
    x.checks.push({ name: 'PPMID checks the MAC', ok: !!mac, detail: mac ? 'the GSME\'s answer, MAC\'ed with the keys of their pairing' : 'not the GSME\'s answer to the PPMID' });
    const t = m.ok ? readTopUpResponse(m.content) : 'does not decode';
    if (!mac || typeof t === 'string') return { ...x, verdict: 'bad-response', reason: typeof t === 'string' ? t : 'MAC', reading: { found: head } };
    const shown = 'the PPMID shows: gas top-up ' + topUpResultName(t.result) + (t.result === 0 ? ', ' + (t.added / 100000).toFixed(2) + ' added, gas credit ' + (t.credit / 100000).toFixed(2) : '');
    if (t.result !== 0) return { ...x, reason: topUpResultName(t.result), reading: { found: head + '; ' + shown } };
    return { ...x, verdict: 'accepted', reading: { found: head + '; ' + shown } };
  }

  /** A UTRN the Supplier makes for a meter: PTUT under its prepayment KA key (gbcs/utrn.ts), counter rising. */
  private utrn(pounds: number, esme: SmetsDevice): string {
    const supplier = this.o.dcc.parties.supplier;
    this.utrnCounter++;
    const counter = new Uint8Array([0, 0, 0, this.utrnCounter, 0, 0, 0, 0]);
    const high = ptutHigh(counter, VALUE_POUNDS, pounds);
    const z = this.o.crypto.ecdh(supplier.ka.privateKey, esme.board.crypto.p256PublicKey(esme.identity().kaPrivate));
    if (!z) throw new Error('Premises.utrn: no ECDH secret');
    return makeUtrn(high, ptutMac(this.o.crypto, z, supplier.euiBytes, esme.identity().eui, counter, high));
  }

  private withChfLog(x: Exchange): Exchange {
    const log = this.picture().chfLog.map((e) => e.eui.substring(12) + (e.joined ? ' joined' : ' waiting'));
    const found = (x.reading.found ? x.reading.found + '; ' : '') + 'CHF Device Log: ' + (log.join(', ') || 'empty');
    return { ...x, reading: { ...x.reading, found } };
  }
}

/** The gas credit (CreditRemaining, 1,000 to the penny) a GCS60 answer carries, or undefined. */
function gasCredit(content: Uint8Array): number | undefined {
  const comps = decodeGbz(content);
  if (typeof comps === 'string') return undefined;
  for (const c of comps) {
    const p = c.payload;
    // Read Attributes Response record: attribute 0x0001, status 0, type int32, value.
    if (c.cluster === 0x0705 && p.length >= 8 && p[0] === 0x01 && p[1] === 0x00 && p[2] === 0x00 && p[3] === 0x2b) return readUintLe(p, 4, 4) | 0;
  }
  return undefined;
}

/** A join, unjoin, join-details or top-up answer in words. */
function describeAnswer(x: Exchange): string {
  const m = x.frames.find((f) => f.kind === 'RESPONSE');
  const d = m ? decodeMessage(m.bytes) : undefined;
  if (!d || !d.ok) return x.request + ': ' + x.verdict;
  const code = d.gs.messageCode;
  if (code === MESSAGE_CODE_CS01B) {
    const t = readTopUpResponse(d.content);
    return typeof t === 'string' ? 'CS01b: ' + t : 'CS01b top-up ' + topUpResultName(t.result) + (t.result === 0 ? ', ' + (t.added / 100000).toFixed(2) + ' added, gas credit ' + (t.credit / 100000).toFixed(2) : '');
  }
  if (code === MESSAGE_CODE_CS07) {
    const j = decodeReadJoinDetailsResponse(d.content);
    return typeof j === 'string' ? 'CS07: ' + j : 'meter Device Log: ' + ((j.entries ?? []).map((e) => toHex(e.eui).toUpperCase().substring(12) + ' ' + DEVICE_TYPE_NAMES[e.deviceType]).join(', ') || 'empty');
  }
  if (code >= 0x0100 && code <= 0x0109) return 'CS02b statuses ' + (x.reading.cs02bStatuses ?? []).join(',');
  const r = decodeResponseCode(d.content);
  const join = code === MESSAGE_CODE_CS03A1 || code === MESSAGE_CODE_CS03B || code === MESSAGE_CODE_CS03C;
  return (join ? 'join' : 'unjoin') + ' response ' + r + (r === 0 ? ' (success)' : '');
}
