/**
 * The DCC player: takes a user's service request through the DCC's steps to a device and back
 * (DUIS service request -> GBCS command -> response -> the user), talking to the device only through a
 * Transport (a byte link of whole GBCS frames).
 *
 * 1. eligibility and state checks (serviceRequests.ts) — a refusal is returned, nothing is sent;
 * 2. the pre-command: a General Signing APDU without signature, content built for the use case, counter
 *    from the originator's own monotonic counter;
 * 3. the originator completes it: signs a critical one with its DS key (the user's side), else `00`;
 * 4. the ACB checks it and adds the DD wrapper and the command MAC (acb.ts);
 * 5. it goes out on the transport; the answer window passes with or without a Response;
 * 6. the Response is checked (responseCheck.ts) and read (DLMS / CS02b) for the user; the DCC updates
 *    what it knows of the device (supply state).
 * Alerts (CRA 03) that arrive are kept for `alerts()`, never mistaken for a Response.
 * @module
 */
import { topUpResultName } from '../../device/prepayment/utrnTopUp.ts';
import type { BoardCrypto } from '../../boards/board.ts';
import { bytesEqual, copyBytes, toHex } from '../../lib/bytes.ts';
import { counterFromHex, counterFromNumber, counterToHex } from '../../gbcs/counter64.ts';
import type { Counter64 } from '../../gbcs/counter64.ts';
import { CRA_ALERT } from '../../gbcs/generalSigning.ts';
import { decodeMessage } from '../../gbcs/message.ts';
import { messageCodeInfo } from '../../gbcs/messageCodes.ts';
import { sharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import type { SharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import { Inbox } from '../transport/transport.ts';
import type { Transport } from '../transport/transport.ts';
import { protectCommand } from './acb.ts';
import { encodeCs02bCommand, MODE, readCs02bResponse } from '../../gbcs/contents/cs02b.ts';
import type { Cs02bCommand } from '../../gbcs/contents/cs02b.ts';
import { KEY_USAGE_DIGITAL_SIGNATURE, KEY_USAGE_KEY_CERT_SIGN } from '../../gbcs/smki/certificate.ts';
import { readAccessResponse } from '../../gbcs/dlms/access.ts';
import type { DataValue } from '../../gbcs/dlms/data.ts';
import { buildPrecommand, signCritical, withNullSignature } from './preCommand.ts';
import { checkAlert, checkResponse } from './responseCheck.ts';
import type { Check, ResponseExpectation } from './responseCheck.ts';
import { roleMayOriginate, serviceRequest } from './serviceRequests.ts';
import { decodeActivationResponse } from '../../gbcs/contents/cs06.ts';
import type { CertifiedProductsList } from '../cpl/certifiedProductsList.ts';
import type { SuspensionRegister } from './suspension.ts';
import { distributeImage } from './imageDistribution.ts';
import type { KnownDeviceState, SupplyState } from './serviceRequests.ts';
import type { Party, User } from './users.ts';
import { firstRefusal, serviceOfFolder } from './rules/index.ts';
import type { DccRules, RequestFacts } from './rules/index.ts';

/** What the DCC knows of a commissioned device (its SMKI device certificates' keys). */
export interface DeviceRecord {
  eui: string;
  euiBytes: Uint8Array;
  deviceType: string;
  dsPublic: Uint8Array;
  kaPublic: Uint8Array;
}

export type FrameKind = 'PRECOMMAND' | 'COMMAND' | 'RESPONSE' | 'ALERT';

export interface ExchangedFrame {
  kind: FrameKind;
  bytes: Uint8Array;
  /** Who sent it: a party or the device. */
  from: string;
  to: string;
}

export type Verdict = 'accepted' | 'refused-by-dcc' | 'refused-by-supplier' | 'no-response' | 'bad-response' | 'held-by-dcc' | 'dropped-by-dcc' | 'queued-for-gsme' | 'refused-on-han';

/** What a response said, read for the user. */
export interface Reading {
  firmwareVersion?: string;
  supply?: SupplyState;
  securityLog?: Array<{ time: number; event: string }>;
  cs02bStatuses?: number[];
  /** DLMS results (0 success) per specification. */
  dlmsResults?: number[];
  /** CS06: activation status (0 ok, 1 no image, 2 hash mismatch, 3 failure); absent for a NULL (future-dated) answer. */
  activationStatus?: number;
  /** Firmware distribution: the Image Hash the DCC computed, and the one the device reported (00CE). */
  imageHash?: string;
  receiptHash?: string;
  problem?: string;
  /** A response the lab reads itself (premises steps): its content, hex. */
  contentHex?: string;
  /** Premises steps: what the step found, in words (e.g. the CHF log, the meter's Device Log, a balance). */
  found?: string;
}

export interface Exchange {
  user: string;
  request: string;
  messageCode?: number;
  folder?: string;
  counter?: string;
  critical?: boolean;
  verdict: Verdict;
  reason?: string;
  frames: ExchangedFrame[];
  checks: Check[];
  reading: Reading;
  /** Set when the command on the wire is not the one the DCC built (a test of the device). */
  tampered?: string;
  /** With `tampered`: the offsets of the bytes that differ from the command the DCC built. */
  altered?: Array<{ offset: number; was: number; now: number }>;
  replayOf?: string;
  /** What the response check needs, kept so a replay's answer can be checked the same way. */
  expectation?: ResponseExpectation;
  /** A critical command held by the anomaly check (rules/anomaly.ts): release or drop it by this id. */
  holdId?: string;
  /** Update Firmware: the package's size and each block sent (offset, length), for the evidence. */
  transfer?: { size: number; blocks: Array<{ offset: number; length: number }> };
}

export type Tamper = 'content' | 'mac' | 'counter';

export interface DccOptions {
  crypto: BoardCrypto;
  transport: Transport;
  acb: Party;
  device: DeviceRecord;
  users: User[];
  /** Parties by id (CS02b names them). */
  parties: Record<string, Party>;
  issuingOca: Uint8Array;
  nowUnix: () => number;
  /** First originator counter of every party (default 1000, as the RTDS commands start). */
  firstCounter?: number;
  /** The Certified Products List the DCC checks firmware against (seed ¶297). */
  cpl?: CertifiedProductsList;
  /** The device's model on the CPL (e.g. "1234-0001"). */
  deviceModel?: string;
  /** Suspended devices and future-dated requests (seed ¶292). */
  suspension?: SuspensionRegister;
  /** The DCC's rules (rules/index.ts): refusals before anything is built, anomaly holds before signing. */
  rules?: DccRules;
  /** What an earlier player remembered of this device (`memory()`): a fleet keeps it between sessions. */
  memory?: DccMemory;
}

/**
 * What the DCC remembers of one device between sessions: each originator's last counter (so no counter
 * is ever used twice towards the device), the supply state it learned, the device's last alert counter.
 */
export interface DccMemory {
  counters: Record<string, number>;
  supply: SupplyState;
  lastAlertCounter?: string;
}

const SUPPLY_BY_ENUM: SupplyState[] = ['off', 'on', 'armed'];

/** The DCC's business originator id on contingency commands (the RTDS contingency responses' recipient). */
export const CONTINGENCY_ORIGINATOR = new Uint8Array([0x70, 0xb3, 0xd5, 0x1f, 0x30, 0x00, 0x17, 0xff]);

export class DccPlayer {
  readonly known: KnownDeviceState = { supply: 'unknown' };
  private readonly inbox: Inbox;
  private readonly secrets: SharedSecrets;
  private readonly counters: Record<string, number> = {};
  private readonly receivedAlerts: Uint8Array[] = [];
  /** Every alert verified so far, in arrival order (kept for the summary and the evidence). */
  readonly alertVerdicts: Array<{ frame: Uint8Array; ok: boolean; checks: Check[] }> = [];
  private lastAlertCounter: Counter64 | undefined;

  constructor(private readonly o: DccOptions) {
    this.inbox = new Inbox(o.transport);
    this.secrets = sharedSecrets(o.crypto.ecdh, 64);
    if (o.memory) {
      Object.assign(this.counters, o.memory.counters);
      this.known.supply = o.memory.supply;
      this.lastAlertCounter = o.memory.lastAlertCounter ? counterFromHex(o.memory.lastAlertCounter) : undefined;
    }
  }

  /** What this player knows of the device now, to hand to the next one (`DccOptions.memory`). */
  memory(): DccMemory {
    return { counters: { ...this.counters }, supply: this.known.supply, ...(this.lastAlertCounter ? { lastAlertCounter: counterToHex(this.lastAlertCounter) } : {}) };
  }

  user(id: string): User | undefined {
    return this.o.users.find((u) => u.id === id);
  }

  /**
   * The next originator counter of the party whose EUI-64 (upper-case hex) is `eui`: also what a user's
   * DUIS request in the lab carries as its RequestID counter (harness/duis/labStep.ts), so that its GBCS
   * counter rises with the party's other commands.
   */
  nextCounter(eui: string): Counter64 {
    const n = (this.counters[eui] ?? (this.o.firstCounter ?? 1000) - 1) + 1;
    this.counters[eui] = n;
    return counterFromNumber(n);
  }

  /** A user's service request, end to end. `tamper` alters the protected command on the wire (a forgery). */
  async submit(userId: string, requestName: string, params: Record<string, unknown> = {}, tamper?: Tamper): Promise<Exchange> {
    return this.run(userId, requestName, params, tamper, undefined);
  }

  /**
   * The second action on a command the anomaly check held (SEC G3): `release` signs and sends it as it
   * was asked for; `drop` discards it. `by` is the user taking the action (not the one who asked).
   */
  async settleHeld(holdId: string, by: string, action: 'release' | 'drop'): Promise<Exchange> {
    const h = this.held[holdId];
    const a = this.o.rules?.anomalies;
    const base: Exchange = { user: by, request: action + ' ' + holdId + (h ? ' (' + h.requestName + ' by ' + h.userId + ')' : ''), verdict: 'refused-by-dcc', frames: [], checks: [], reading: {}, holdId };
    if (!a) return { ...base, reason: 'no-anomaly-check: this DCC holds nothing' };
    const releaser = this.user(by);
    if (!releaser) throw new Error('DccPlayer.settleHeld: unknown user ' + by);
    // The second pair of eyes belongs to the requester's organisation (or is the DCC's own operator).
    const requester = h ? this.user(h.userId) : undefined;
    if (requester && releaser.party !== requester.party && releaser.party.role !== 'acb') return { ...base, reason: 'releaser-not-of-the-party: ' + by + ' acts for ' + releaser.party.name + ', not ' + requester.party.name };
    const r = action === 'release' ? a.release(holdId, by) : a.drop(holdId, by);
    if (!r.ok) return { ...base, reason: r.reason };
    delete this.held[holdId];
    if (action === 'drop') return { ...base, verdict: 'dropped-by-dcc', reason: 'dropped by ' + by };
    return this.run(h!.userId, h!.requestName, h!.params, h!.tamper, holdId);
  }

  private readonly held: Record<string, { userId: string; requestName: string; params: Record<string, unknown>; tamper?: Tamper }> = {};

  private async run(userId: string, requestName: string, params: Record<string, unknown>, tamper: Tamper | undefined, released: string | undefined): Promise<Exchange> {
    const user = this.user(userId);
    if (!user) throw new Error('DccPlayer.submit: unknown user ' + userId);
    const sr = serviceRequest(requestName);
    if (!sr) throw new Error('DccPlayer.submit: unknown service request ' + requestName);
    const party = user.party;
    const code = sr.code(party);
    const ex: Exchange = { user: userId, request: requestName, messageCode: code, folder: sr.folder(party), verdict: 'refused-by-dcc', frames: [], checks: [], reading: {} };
    if (!roleMayOriginate(party.role, code)) return { ...ex, reason: 'role-not-authorised' };
    const suspended = this.o.suspension?.reason(this.o.device.eui);
    if (suspended) return { ...ex, reason: 'device-suspended: ' + suspended };
    const info = messageCodeInfo(code)!;
    const critical = info.originators.indexOf(party.role) >= 0 ? info.critical : !!info.variant?.critical;
    const facts: RequestFacts = { user, party, request: requestName, service: serviceOfFolder(ex.folder!), messageCode: code, critical, device: this.o.device.eui.toUpperCase(), nowMs: this.o.nowUnix() * 1000 };
    const ruled = firstRefusal(this.o.rules, facts);
    if (ruled) return { ...ex, reason: ruled };
    const refusal = sr.precheck?.(this.known, { originator: party, parties: this.o.parties, params, cpl: this.o.cpl, model: this.o.deviceModel });
    if (refusal) return { ...ex, reason: refusal };
    if (!released && this.o.rules?.anomalies) {
      const d = this.o.rules.anomalies.consider(facts);
      if (!d.ok) {
        this.held[d.holdId] = { userId, requestName, params, ...(tamper ? { tamper } : {}) };
        return { ...ex, critical, verdict: 'held-by-dcc', reason: d.reason, holdId: d.holdId };
      }
    }
    if (released) ex.holdId = released;
    const counter = this.nextCounter(party.eui);
    ex.counter = counterToHex(counter);
    ex.critical = critical;
    const content = sr.content({ counter, nowUnix: this.o.nowUnix(), originator: party, parties: this.o.parties, issuingOca: this.o.issuingOca, params, device: this.o.device, crypto: this.o.crypto });
    const pre = buildPrecommand({ counter, originator: party.euiBytes, recipient: this.o.device.euiBytes, messageCode: code, content });
    const completed = critical ? signCritical(this.o.crypto, party.ds.privateKey, pre) : withNullSignature(pre);
    if (critical) ex.frames.push({ kind: 'PRECOMMAND', bytes: pre, from: 'DCC', to: party.name });
    const acb = protectCommand(this.o.crypto, this.secrets, {
      acbKaPrivate: this.o.acb.ka.privateKey, deviceKaPublic: this.o.device.kaPublic, precommand: pre, completed, critical, originatorDsPublic: party.ds.publicKey,
    });
    if (!acb.ok) return { ...ex, reason: 'acb: ' + acb.reason };
    let command = acb.command;
    if (tamper) {
      const genuine = command;
      command = tamperWith(command, tamper);
      ex.tampered = tamper;
      ex.altered = [];
      for (let i = 0; i < command.length; i++) if (command[i] !== genuine[i]) ex.altered.push({ offset: i, was: genuine[i], now: command[i] });
    }
    ex.expectation = {
      device: this.o.device.euiBytes, originator: party.euiBytes, counter, messageCode: code, critical,
      deviceDsPublic: this.o.device.dsPublic, deviceKaPublic: this.o.device.kaPublic, recipientKaPrivate: party.ka.privateKey,
    };
    const done = await this.exchange(ex, command, sr.effect);
    if (done.verdict === 'accepted' && code === 0x0012 && typeof params.executionTime === 'string' && params.cancel !== true) {
      this.o.suspension?.schedule({ eui: this.o.device.eui, request: requestName, counter: ex.counter!, executeAt: params.executionTime });
    }
    if (done.verdict === 'accepted' && code === 0x0012 && params.cancel === true) this.o.suspension?.cancel(this.o.device.eui, requestName);
    return done;
  }

  /**
   * A pre-command the DCC built from a DUIS request (harness/duis/transform.ts), completed by its
   * originator: signed (critical) or with the null signature. The DCC's ACB checks and MACs it, sends
   * it, and checks the device's answer, as for `submit` (steps 4-6). The caller has done the DUIS checks.
   */
  async deliver(userId: string, pre: Uint8Array, completed: Uint8Array, messageCode: number, critical: boolean, folder: string): Promise<Exchange> {
    const user = this.user(userId);
    if (!user) throw new Error('DccPlayer.deliver: unknown user ' + userId);
    const party = user.party;
    const m = decodeMessage(pre);
    if (!m.ok) throw new Error('DccPlayer.deliver: the pre-command does not decode');
    const counter = m.gs.counter;
    const ex: Exchange = { user: userId, request: 'duis', messageCode, folder, counter: counterToHex(counter), critical, verdict: 'refused-by-dcc', frames: [], checks: [], reading: {} };
    if (critical) ex.frames.push({ kind: 'PRECOMMAND', bytes: pre, from: 'DCC', to: party.name });
    const acb = protectCommand(this.o.crypto, this.secrets, {
      acbKaPrivate: this.o.acb.ka.privateKey, deviceKaPublic: this.o.device.kaPublic, precommand: pre, completed, critical, originatorDsPublic: party.ds.publicKey,
    });
    if (!acb.ok) return { ...ex, reason: 'acb: ' + acb.reason };
    ex.expectation = {
      device: this.o.device.euiBytes, originator: party.euiBytes, counter, messageCode, critical,
      deviceDsPublic: this.o.device.dsPublic, deviceKaPublic: this.o.device.kaPublic, recipientKaPrivate: party.ka.privateKey,
    };
    return this.exchange(ex, acb.command, undefined);
  }

  /**
   * DUIS 11.1 Update Firmware: the DCC recomputes the Image Hash of the package and distributes it only
   * when that hash is the one the CPL lists for the package's model and version, certified (seed ¶297);
   * then the image goes to the device in blocks (imageDistribution.ts) and the device's 00CE receipt alert
   * (its own SHA-256 of the image) is checked against the hash.
   */
  async updateFirmware(userId: string, pkg: Uint8Array): Promise<Exchange> {
    const user = this.user(userId);
    if (!user) throw new Error('DccPlayer.updateFirmware: unknown user ' + userId);
    const ex: Exchange = { user: userId, request: 'update-firmware', folder: '11.1_UpdateFirmware', verdict: 'refused-by-dcc', frames: [], checks: [], reading: {} };
    if (user.party.role !== 'supplier') return { ...ex, reason: 'role-not-authorised' };
    const ruled = firstRefusal(this.o.rules, { user, party: user.party, request: 'update-firmware', service: '11.1', critical: true, device: this.o.device.eui.toUpperCase(), nowMs: this.o.nowUnix() * 1000 });
    if (ruled) return { ...ex, reason: ruled };
    const suspended = this.o.suspension?.reason(this.o.device.eui);
    if (suspended) return { ...ex, reason: 'device-suspended: ' + suspended };
    const transfer: NonNullable<Exchange['transfer']> = { size: pkg.length, blocks: [] };
    const r = await distributeImage({
      crypto: this.o.crypto, transport: this.o.transport, inbox: this.inbox, pkg, cpl: this.o.cpl, deviceModel: this.o.deviceModel,
      device: this.o.device.euiBytes, deviceDsPublic: this.o.device.dsPublic, notify: user.party.euiBytes,
      onBlock: (offset, length) => transfer.blocks.push({ offset, length }),
    });
    if (transfer.blocks.length) ex.transfer = transfer;
    ex.reading = { imageHash: r.imageHash, receiptHash: r.receiptHash };
    ex.checks = r.checks;
    // Alerts that arrived before the receipt (waiting in the inbox on a slow line) are checked first: the
    // device counter must rise in the order the device sent them.
    this.collectAlerts();
    if (r.alert) {
      this.verifyAlert(r.alert);
      ex.frames.push({ kind: 'ALERT', bytes: r.alert, from: this.o.device.eui, to: user.party.name });
    }
    if (r.verdict === 'refused-by-dcc') return { ...ex, reason: r.reason };
    if (r.verdict !== 'accepted') return { ...ex, verdict: r.verdict, reason: r.reason };
    return { ...ex, verdict: 'accepted', reason: r.reason };
  }

  /**
   * CS02b anyByContingency, which the DCC sends itself after a Root OCA compromise (SEC L10): the command
   * names the contingency symmetric key, is signed with the Contingency Private Key and travels as a
   * General Signing message without the ACB's MAC (GBCS: recovery and contingency). `newRoot` replaces the
   * root cell. The originator id is the DCC's contingency id (RTDS NA_CS02bAnyByContingency: 70B3D51F300017FF).
   */
  async contingency(key: { privateKey: Uint8Array; symmetricKey: Uint8Array }, newRoot: Uint8Array): Promise<Exchange> {
    const code = 0x0100 + MODE.anyByContingency;
    const originator = CONTINGENCY_ORIGINATOR;
    const counter = this.nextCounter(toHex(originator).toUpperCase());
    const ex: Exchange = { user: 'dcc', request: 'contingency-root-replacement', messageCode: code, folder: 'NA_CS02bAnyByContingency', counter: counterToHex(counter), critical: true, verdict: 'refused-by-dcc', frames: [], checks: [], reading: {} };
    const content = encodeCs02bCommand({ mode: MODE.anyByContingency, seq: counter, plaintextSymmetricKey: key.symmetricKey, otherFloors: [], replacements: [{ certificate: newRoot, cell: { role: 0, keyUsage: KEY_USAGE_KEY_CERT_SIGN, cellUsage: 0 } }], path: [] });
    const pre = buildPrecommand({ counter, originator, recipient: this.o.device.euiBytes, messageCode: code, content });
    ex.frames.push({ kind: 'PRECOMMAND', bytes: pre, from: 'DCC', to: 'the DCC contingency key holder' });
    ex.expectation = {
      device: this.o.device.euiBytes, originator, counter, messageCode: code, critical: true,
      deviceDsPublic: this.o.device.dsPublic, deviceKaPublic: this.o.device.kaPublic, recipientKaPrivate: this.o.acb.ka.privateKey,
    };
    return this.exchange(ex, signCritical(this.o.crypto, key.privateKey, pre), undefined);
  }

  /**
   * CS02b recovery (0x0108): the DCC's Recovery party replaces trust anchors (any cell but the root, its
   * own included), authorised by the recovery cell, signed with the Recovery DS key and sent without the
   * ACB's MAC (GBCS-FACTS "Who protects what"). The device's signed response is checked against the
   * Recovery KA key. `recovery` is the party whose key signs, as the device's recovery cell holds it now.
   */
  async recovery(recovery: Party, replacements: Cs02bCommand['replacements']): Promise<Exchange> {
    const code = 0x0100 + MODE.anyExceptAbnormalRootByRecovery;
    const counter = this.nextCounter(recovery.eui);
    const ex: Exchange = { user: 'dcc', request: 'recovery-replacement', messageCode: code, folder: 'NA_CS02bRecovery', counter: counterToHex(counter), critical: true, verdict: 'refused-by-dcc', frames: [], checks: [], reading: {} };
    const content = encodeCs02bCommand({ mode: MODE.anyExceptAbnormalRootByRecovery, seq: counter, authorisingCell: { role: 1, keyUsage: KEY_USAGE_DIGITAL_SIGNATURE, cellUsage: 0 }, otherFloors: [], replacements, path: [this.o.issuingOca] });
    const pre = buildPrecommand({ counter, originator: recovery.euiBytes, recipient: this.o.device.euiBytes, messageCode: code, content });
    ex.frames.push({ kind: 'PRECOMMAND', bytes: pre, from: 'DCC', to: recovery.name });
    ex.expectation = {
      device: this.o.device.euiBytes, originator: recovery.euiBytes, counter, messageCode: code, critical: true,
      deviceDsPublic: this.o.device.dsPublic, deviceKaPublic: this.o.device.kaPublic, recipientKaPrivate: recovery.ka.privateKey,
    };
    return this.exchange(ex, signCritical(this.o.crypto, recovery.ds.privateKey, pre), undefined);
  }

  /**
   * A command whose content the lab builds itself (the premises' CCS01/CCS02, CS03/CS04 joins, GBZ commands
   * to the GSME): the DCC's role check (GBCS use-case originators), the pre-command, the originator's
   * signature when critical for its role, the ACB's MAC, sent; the answer checked as for `submit`.
   */
  async command(userId: string, request: string, code: number, folder: string, content: Uint8Array): Promise<Exchange> {
    const user = this.user(userId);
    if (!user) throw new Error('DccPlayer.command: unknown user ' + userId);
    const party = user.party;
    const ex: Exchange = { user: userId, request, messageCode: code, folder, verdict: 'refused-by-dcc', frames: [], checks: [], reading: {} };
    const info = messageCodeInfo(code);
    if (!info) throw new Error('DccPlayer.command: unknown message code ' + code.toString(16));
    if (!roleMayOriginate(party.role, code)) return { ...ex, reason: 'role-not-authorised' };
    const critical = info.originators.indexOf(party.role) >= 0 ? info.critical : !!info.variant?.critical;
    const counter = this.nextCounter(party.eui);
    const pre = buildPrecommand({ counter, originator: party.euiBytes, recipient: this.o.device.euiBytes, messageCode: code, content });
    const completed = critical ? signCritical(this.o.crypto, party.ds.privateKey, pre) : withNullSignature(pre);
    return this.deliver(userId, pre, completed, code, critical, folder).then((x) => ({ ...x, request }));
  }

  /**
   * The answer to an earlier command that was held on its way (a GSME's command queued at the GPF until the
   * GSME wakes): waits for the next response, checked as the earlier command's answer (counter echo,
   * originator, the device's signature or MAC). The exchange carries the earlier command and the response.
   */
  async lateResponse(earlier: Exchange, windowMs?: number): Promise<Exchange> {
    const cmd = earlier.frames.find((f) => f.kind === 'COMMAND');
    const ex: Exchange = {
      user: earlier.user, request: earlier.request, messageCode: earlier.messageCode, folder: earlier.folder, counter: earlier.counter, critical: earlier.critical,
      verdict: 'no-response', frames: cmd ? [cmd] : [], checks: [], reading: {}, expectation: earlier.expectation,
    };
    if (!earlier.expectation) return { ...ex, reason: 'nothing was sent' };
    const frame = await this.inbox.next((f) => !isAlert(f), windowMs ?? this.o.transport.answerWindowMs);
    this.collectAlerts();
    if (!frame) return { ...ex, reason: 'the device sent no response' };
    const partyName = this.o.users.find((u) => u.id === ex.user)?.party.name ?? ex.user;
    ex.frames.push({ kind: 'RESPONSE', bytes: frame, from: this.o.device.eui, to: partyName });
    const r = checkResponse(this.o.crypto, this.secrets, frame, earlier.expectation);
    ex.checks = r.checks;
    if (!r.ok || !r.message) return { ...ex, verdict: 'bad-response', reason: r.checks.filter((c) => !c.ok).map((c) => c.name + ': ' + c.detail).join('; ') };
    return { ...ex, verdict: 'accepted', reading: { ...read(earlier.expectation.messageCode, r.message.content), contentHex: toHex(r.message.content) } };
  }

  /** Sends an earlier exchange's command again, byte for byte (a replay, as an attacker on the WAN would). */
  async replay(earlier: Exchange): Promise<Exchange> {
    const cmd = earlier.frames.find((f) => f.kind === 'COMMAND');
    if (!cmd || !earlier.expectation) throw new Error('DccPlayer.replay: that exchange sent no command');
    const ex: Exchange = {
      user: earlier.user, request: earlier.request, messageCode: earlier.messageCode, folder: earlier.folder, counter: earlier.counter, critical: earlier.critical,
      verdict: 'no-response', frames: [], checks: [], reading: {}, replayOf: earlier.request, expectation: earlier.expectation,
    };
    return this.exchange(ex, cmd.bytes, undefined);
  }

  private async exchange(ex: Exchange, command: Uint8Array, effect: SupplyState | undefined): Promise<Exchange> {
    const e = ex.expectation!;
    const partyName = this.o.users.find((u) => u.id === ex.user)?.party.name ?? ex.user;
    ex.frames.push({ kind: 'COMMAND', bytes: command, from: ex.replayOf ? 'a replay on the WAN' : 'DCC for ' + partyName + (ex.tampered ? ', altered in transit (' + ex.tampered + ')' : ''), to: this.o.device.eui });
    // The inbox keeps what arrives during `send` (an in-process device answers inside it).
    await this.o.transport.send(command);
    let settled = false;
    const frame = await this.inbox.next((f) => !isAlert(f), this.o.transport.answerWindowMs, this.o.transport.settled?.().then(() => {
      settled = true;
    }));
    this.collectAlerts();
    if (!frame) return { ...ex, verdict: 'no-response', reason: settled ? 'the device handled the command and sent no response' : 'the device sent no response within ' + this.o.transport.answerWindowMs + ' ms' };
    ex.frames.push({ kind: 'RESPONSE', bytes: frame, from: this.o.device.eui, to: partyName });
    const r = checkResponse(this.o.crypto, this.secrets, frame, e);
    ex.checks = r.checks;
    if (!r.ok || !r.message) {
      const failed = r.checks.filter((c) => !c.ok).map((c) => c.name + ': ' + c.detail).join('; ');
      return { ...ex, verdict: 'bad-response', reason: failed };
    }
    ex.reading = read(e.messageCode, r.message.content);
    if (ex.reading.supply) this.known.supply = ex.reading.supply;
    else if (effect && (ex.reading.dlmsResults ?? []).every((x) => x === 0)) this.known.supply = effect;
    return { ...ex, verdict: 'accepted' };
  }

  private collectAlerts(): void {
    for (const f of this.inbox.drain()) {
      this.verifyAlert(f);
      this.receivedAlerts.push(f);
    }
  }

  /** Checks an alert as its recipient would: protection for its code, from the device, device counter rising. */
  private verifyAlert(frame: Uint8Array): void {
    const m = decodeMessage(frame);
    const recipient = m.ok ? Object.values(this.o.parties).find((p) => bytesEqual(p.euiBytes, m.gs.recipient)) : undefined;
    const v = checkAlert(this.o.crypto, this.secrets, frame, {
      device: this.o.device.euiBytes, deviceDsPublic: this.o.device.dsPublic, deviceKaPublic: this.o.device.kaPublic,
      recipientKaPrivate: recipient?.ka.privateKey, lastCounter: this.lastAlertCounter,
    });
    if (v.ok && v.message) this.lastAlertCounter = v.message.gs.counter;
    this.alertVerdicts.push({ frame, ok: v.ok, checks: v.checks });
  }

  /** Alerts received so far (taken: each is returned once). */
  alerts(): Uint8Array[] {
    this.collectAlerts();
    return this.receivedAlerts.splice(0, this.receivedAlerts.length);
  }
}

function isAlert(f: Uint8Array): boolean {
  const m = decodeMessage(f);
  return m.ok && m.gs.cra === CRA_ALERT;
}

/** Flips one bit of the protected command: in the content, in the MAC, or in the counter. */
function tamperWith(command: Uint8Array, how: Tamper): Uint8Array {
  const out = copyBytes(command);
  const m = decodeMessage(out);
  if (!m.ok) throw new Error('tamperWith: the DCC built an undecodable command');
  let at: number;
  if (how === 'mac') at = out.length - 1;
  else if (how === 'counter') at = m.gs.ranges.apdu.start + 10;
  else at = m.gs.ranges.content.end - 1;
  out[at] ^= 0x01;
  return out;
}

function dataSummary(d: DataValue): string {
  if (d === null) return 'null';
  if (typeof d === 'number') return String(d);
  if (d instanceof Uint8Array) return Buffer.from(d).toString('hex');
  return '[' + d.map(dataSummary).join(',') + ']';
}

/** A firmware version for people: printable ASCII as text ("0.1.0"), else hex ("00020000"). */
export function versionText(v: Uint8Array): string {
  return v.every((b) => b >= 0x20 && b < 0x7f) ? Buffer.from(v).toString('latin1') : Buffer.from(v).toString('hex');
}

/** Reads a response's content for the user, by use case. */
export function read(code: number, content: Uint8Array): Reading {
  if (code === 0x0012) {
    const a = decodeActivationResponse(content);
    if (typeof a === 'string' && a !== 'null') return { problem: a };
    if (a === 'null') return {};
    return { activationStatus: a.status, firmwareVersion: versionText(a.version) };
  }
  if (code >= 0x0100 && code <= 0x0109) {
    const s = readCs02bResponse(content);
    return typeof s === 'string' ? { problem: s } : { cs02bStatuses: (s.outcome?.replacements ?? []).map((x) => x.status) };
  }
  const r = readAccessResponse(content);
  if (typeof r === 'string') return { problem: r };
  const out: Reading = { dlmsResults: r.results.map((x) => x.result) };
  const first = r.data[0];
  if (code === 0x0059 && first instanceof Uint8Array) out.firmwareVersion = versionText(first);
  if (code === 0x0052 && typeof first === 'number') out.supply = SUPPLY_BY_ENUM[first] ?? 'unknown';
  // CS01a: the token gateway's result (device/prepayment/esmeTopUp.ts), in words
  if (code === 0x0007 && r.results.length === 1) out.found = 'top-up ' + topUpResultName(r.results[0].result);
  if (code === 0x0049 && Array.isArray(first)) {
    out.securityLog = first.map((row) => {
      const cols = Array.isArray(row) ? row : [];
      const event = typeof cols[1] === 'number' ? cols[1].toString(16).toUpperCase().padStart(4, '0') : dataSummary(cols[1] ?? null);
      return { time: typeof cols[0] === 'number' ? cols[0] : 0, event };
    });
  }
  return out;
}
