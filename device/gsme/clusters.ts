/**
 * What the GSME does with each ZCL command of a GBZ command (SE 1.4 cluster commands as GBCS §7.2 and the
 * GCS use cases carry them; the layouts as the RTDS 4.5.0 GSME commands and responses show them):
 *
 * - Read Attributes (any cluster) -> Read Attributes Response from the stored attributes (zclStore.ts);
 *   one the device lacks -> UNSUPPORTED_ATTRIBUTE (0x86). No sampled use case writes attributes (GCS41,
 *   Set MPRN, is not in the sample): Write Attributes is not carried (useCaseContents.ts refuses it).
 * - Metering 0x0702: Change Supply 0x0B (GCS32 close, GCS39 arm the valve) -> SupplyStatus 0x0014 and the
 *   Supply Status Response 0x0C; a GSME valve cannot be opened remotely (proposed status 2 -> INVALID_VALUE),
 *   and the status must be the one the message code asks (GCS32 off 0, GCS39 armed 1). Start Sampling 0x07
 *   (GCS31) -> Start Sampling Response 0x0D with the next sample id. Set Supply Status 0x0D, Set
 *   Uncontrolled Flow Threshold 0x0E (GCS24a) -> kept. Get Snapshot 0x06 -> NOT_FOUND (no snapshots kept).
 * - Prepayment 0x0705: Change Payment Mode 0x06 (GCS02/GCS03) -> PaymentControlConfiguration 0x0000 and
 *   the Change Payment Mode Response 0x02 (friendly credit from the friendly-credit calendar held, emergency
 *   credit limit 0x0010 and threshold 0x0011); Emergency Credit Setup 0x03 -> 0x0010, 0x0011; Set Low Credit
 *   Warning Level 0x09 -> 0x0031; Set Maximum Credit Limit 0x0B -> 0x0021, 0x0022; Set Overall Debt Cap 0x0C
 *   -> 0x0006; Change Debt 0x02 (GCS04), Select Available Emergency Credit 0x00 (GCS06) -> kept. Get
 *   Prepayment Snapshot 0x07, Get Top Up Log 0x08, Get Debt Repayment Log 0x0A -> NOT_FOUND (this GSME
 *   keeps none of these logs). Consumer Top Up 0x04 (CS01b) needs the UTRN check of
 *   GBCS §14.3.4-14.3.5, not built for the DCC's CS01b: UNSUP_CLUSTER_COMMAND (a joined PPMID's PCS01
 *   carries the same command: gsme/ppmidCommands.ts applies its UTRN).
 * - Events 0x0709: Get Event Log 0x00 (CS10b) -> Publish Event Log 0x01 from the security log
 *   (state/securityLog.ts) between the times asked, NOT_FOUND when none.
 * - The DCC publishing to the GSME as a ZigBee client (server-to-client frames): Price 0x0700 (GCS01b,
 *   GCS23, GCS25), Calendar 0x0707 (GCS05), Device Management 0x0708 (GCS20, GCS36, GCS44), Messaging 0x0703
 *   (GCS07) -> the published command is kept (the latest of each cluster and command; Calendar day and week
 *   profiles one per id) and answered with a Default Response SUCCESS; Price and Calendar "Get" commands
 *   (GCS21b, GCS21f, GCS21k) answer the kept publish(es), one component each, NOT_FOUND when none was kept.
 * - Commands with an implementation / start time in the future (ZigBee UTCTime in the payload, or the
 *   component's from date-time for Set Low Credit Warning Level; 0 = now, 0xFFFFFFFF or 0xFFFFFFFE =
 *   cancel): the prepayment settings, Change Supply, and the publishes with a start time (Publish Tariff
 *   Information, Price Matrix, Calendar, Special Days) are kept as a pending action (state/pendingActions.ts,
 *   kind `g` + cluster + command) and carried out when due (`executeDueGbz`), with the Future Dated Execution
 *   Of Instruction Alert 0x00CD to the command's originator; a cancellation removes it.
 * Anything else: Default Response UNSUP_CLUSTER_COMMAND (0x81) / UNSUP_GENERAL_COMMAND (0x82).
 * Portable.
 * @module
 */
import type { GbzComponent } from '../../gbcs/gbz/components.ts';
import { ZCL_CLUSTER_SPECIFIC, ZCL_DISABLE_DEFAULT_RESPONSE, ZCL_SERVER_TO_CLIENT } from '../../gbcs/gbz/components.ts';
import {
  defaultResponsePayload, readRecord, readUintLe, uintLe,
  ZCL_DEFAULT_RESPONSE, ZCL_INVALID_FIELD, ZCL_INVALID_VALUE, ZCL_NOT_FOUND, ZCL_READ_ATTRIBUTES,
  ZCL_READ_ATTRIBUTES_RESPONSE, ZCL_SUCCESS, ZCL_UNSUP_CLUSTER_COMMAND, ZCL_UNSUP_GENERAL_COMMAND, ZCL_UNSUPPORTED_ATTRIBUTE,
} from '../../gbcs/gbz/zcl.ts';
import { UNIX_2000 } from '../../gbcs/dateTime.ts';
import { concatBytes, copyBytes } from '../../lib/bytes.ts';
import { writeCounter } from '../../gbcs/counter64.ts';
import type { Counter64 } from '../../gbcs/counter64.ts';
import { gbzAlertHeader } from '../../gbcs/gbz/alertHeader.ts';
import { readLog } from '../state/securityLog.ts';
import type { StateTx } from '../state/stateTx.ts';
import { cancelPending, schedulePending } from '../state/pendingActions.ts';
import { readAttribute, writeAttribute } from './zclStore.ts';

export const CLUSTER_PRICE = 0x0700;
export const CLUSTER_METERING = 0x0702;
export const CLUSTER_MESSAGING = 0x0703;
export const CLUSTER_PREPAYMENT = 0x0705;
export const CLUSTER_CALENDAR = 0x0707;
export const CLUSTER_DEVICE_MANAGEMENT = 0x0708;
export const CLUSTER_EVENTS = 0x0709;

export const ATTR_SUPPLY_STATUS = 0x0014;
export const ATTR_PAYMENT_CONTROL = 0x0000;

const T_U32 = 0x23;
const T_I32 = 0x2b;
const T_ENUM8 = 0x30;
const T_BITMAP16 = 0x19;

const NOW = 0;
const CANCEL = 0xffffffff;
/** Also a cancellation: RTDS's CANCELLATION variants carry it in Publish Price Matrix and Publish Calendar. */
const CANCEL_TOO = 0xfffffffe;

export interface ComponentContext {
  tx: StateTx;
  nowSec: number;
  messageCode: number;
  /** The command's originator and counter: a future-dated component's outcome alert names them. */
  originator: Uint8Array;
  counter: Counter64;
  c: GbzComponent;
}

/**
 * A component's answer; `failed` stops the components after it (they answer { 0xFF, FAILURE }). `more`:
 * further response components (a Calendar "Get" answers one publish per day or week profile kept).
 */
export interface ComponentAnswer {
  response: GbzComponent;
  more?: GbzComponent[];
  failed: boolean;
}

function respond(c: GbzComponent, frameControl: number, command: number, payload: Uint8Array): GbzComponent {
  return { control: 0, cluster: c.cluster, frameControl: frameControl, sequence: c.sequence, command: command, payload: payload };
}

/** A Default Response, in the direction opposite to the command's (as RTDS shows: 0x08 or 0x00). */
export function defaultResponse(c: GbzComponent, command: number, status: number): GbzComponent {
  return respond(c, (c.frameControl & ZCL_SERVER_TO_CLIENT) !== 0 ? 0x00 : ZCL_SERVER_TO_CLIENT, ZCL_DEFAULT_RESPONSE, defaultResponsePayload(command, status));
}

function status(c: GbzComponent, s: number): ComponentAnswer {
  return { response: defaultResponse(c, c.command, s), failed: s !== ZCL_SUCCESS && s !== ZCL_NOT_FOUND };
}

function u32At(p: Uint8Array, at: number): number {
  return readUintLe(p, at, 4);
}

function readAttributes(ctx: ComponentContext): ComponentAnswer {
  const p = ctx.c.payload;
  if (p.length === 0 || p.length % 2 !== 0) return status(ctx.c, ZCL_INVALID_FIELD);
  const records: Uint8Array[] = [];
  for (let i = 0; i < p.length; i += 2) {
    const id = p[i] | (p[i + 1] << 8);
    const a = readAttribute(ctx.tx, ctx.c.cluster, id);
    records.push(a ? readRecord(id, ZCL_SUCCESS, a.type, a.value) : readRecord(id, ZCL_UNSUPPORTED_ATTRIBUTE));
  }
  return { response: respond(ctx.c, ZCL_SERVER_TO_CLIENT, ZCL_READ_ATTRIBUTES_RESPONSE, concatBytes(records)), failed: false };
}

// ---- kept publishes: the latest of each (cluster, command); Calendar day and week profiles by their id ----

function recordKey(cluster: number, command: number): string {
  return 'gbz.' + ((cluster << 8) | command).toString(16);
}

/** Day (0x01) and Week (0x02) profiles: provider id, issuer event id, issuer calendar id, then the profile's id. */
function isProfile(cluster: number, command: number): boolean {
  return cluster === CLUSTER_CALENDAR && (command === 0x01 || command === 0x02);
}

function keepKey(cluster: number, command: number, p: Uint8Array): string {
  const k = recordKey(cluster, command);
  return isProfile(cluster, command) && p.length > 12 ? k + '.' + (p[12] < 16 ? '0' : '') + p[12].toString(16) : k;
}

function keep(ctx: ComponentContext): ComponentAnswer {
  ctx.tx.write(keepKey(ctx.c.cluster, ctx.c.command, ctx.c.payload), ctx.c.payload);
  return status(ctx.c, ZCL_SUCCESS);
}

/**
 * Get Day Profiles (0x01) / Get Week Profiles (0x02): provider id, issuer calendar id, start id, number (0:
 * all) -> one Publish Day / Week Profile per kept profile from the start id on, in id order; NOT_FOUND when none.
 */
function answerProfiles(ctx: ComponentContext): ComponentAnswer {
  const p = ctx.c.payload;
  if (p.length !== 10) return status(ctx.c, ZCL_INVALID_FIELD);
  const start = p[8];
  const max = p[9];
  const prefix = recordKey(ctx.c.cluster, ctx.c.command) + '.';
  const keys = ctx.tx.keys();
  const out: GbzComponent[] = [];
  for (let i = 0; i < keys.length; i++) {
    if (keys[i].indexOf(prefix) !== 0 || keys[i].length !== prefix.length + 2) continue;
    if (parseInt(keys[i].substring(prefix.length), 16) < start || (max !== 0 && out.length >= max)) continue;
    out.push(respond(ctx.c, ZCL_SERVER_TO_CLIENT | ZCL_CLUSTER_SPECIFIC | ZCL_DISABLE_DEFAULT_RESPONSE, ctx.c.command, ctx.tx.read(keys[i]) as Uint8Array));
  }
  if (out.length === 0) return status(ctx.c, ZCL_NOT_FOUND);
  const more: GbzComponent[] = [];
  for (let i = 1; i < out.length; i++) more.push(out[i]);
  return { response: out[0], more: more, failed: false };
}

/** Answers a "Get" with the kept publish `publish` of the cluster (server-to-client, cluster specific). */
function answerKept(publish: number) {
  return function (ctx: ComponentContext): ComponentAnswer {
    const kept = ctx.tx.read(recordKey(ctx.c.cluster, publish));
    if (!kept) return status(ctx.c, ZCL_NOT_FOUND);
    return { response: respond(ctx.c, ZCL_SERVER_TO_CLIENT | ZCL_CLUSTER_SPECIFIC | ZCL_DISABLE_DEFAULT_RESPONSE, publish, kept), failed: false };
  };
}

// ---- effects that may be future-dated ----

type Effect = (tx: StateTx, payload: Uint8Array, messageCode: number, cluster: number, command: number) => number;

/** A publish kept when its start time comes (Price Tariff Information / Price Matrix, Calendar, Special Days). */
function keepEffect(tx: StateTx, p: Uint8Array, messageCode: number, cluster: number, command: number): number {
  tx.write(keepKey(cluster, command, p), p);
  return ZCL_SUCCESS;
}

/** Set Low Credit Warning Level: the level (u32) -> LowCreditWarningLevel 0x0031. */
function lowCreditWarning(tx: StateTx, p: Uint8Array): number {
  setU32(CLUSTER_PREPAYMENT, 0x0031, T_U32, p, 0, tx);
  return ZCL_SUCCESS;
}

function setU32(cluster: number, attribute: number, type: number, payload: Uint8Array, at: number, tx: StateTx): void {
  writeAttribute(tx, { cluster: cluster, attribute: attribute, type: type, value: payload.subarray(at, at + 4) });
}

/** Change Supply: provider id, issuer event id, request time, implementation time, proposed supply status, control bits. */
function supplyAllowed(p: Uint8Array, messageCode: number): boolean {
  const proposed = p[16];
  // GCS32 closes the valve (0 off), GCS39 arms it (1); a GSME valve is never opened remotely (2 on).
  const wanted = messageCode === 0x0081 ? 0 : messageCode === 0x0085 ? 1 : -1;
  return proposed <= 1 && (wanted < 0 || proposed === wanted);
}

function changeSupply(tx: StateTx, p: Uint8Array, messageCode: number): number {
  const proposed = p[16];
  if (!supplyAllowed(p, messageCode)) return ZCL_INVALID_VALUE;
  writeAttribute(tx, { cluster: CLUSTER_METERING, attribute: ATTR_SUPPLY_STATUS, type: T_ENUM8, value: new Uint8Array([proposed]) });
  return ZCL_SUCCESS;
}

/** Change Payment Mode: provider id, issuer event id, implementation time, proposed configuration (bitmap16), cut-off value. */
function changePaymentMode(tx: StateTx, p: Uint8Array): number {
  writeAttribute(tx, { cluster: CLUSTER_PREPAYMENT, attribute: ATTR_PAYMENT_CONTROL, type: T_BITMAP16, value: p.subarray(12, 14) });
  return ZCL_SUCCESS;
}

/** Emergency Credit Setup: issuer event id, start time, limit, threshold. */
function emergencyCreditSetup(tx: StateTx, p: Uint8Array): number {
  setU32(CLUSTER_PREPAYMENT, 0x0010, T_U32, p, 8, tx);
  setU32(CLUSTER_PREPAYMENT, 0x0011, T_U32, p, 12, tx);
  return ZCL_SUCCESS;
}

/** Set Maximum Credit Limit: provider id, issuer event id, implementation time, max credit level, max credit per top up. */
function maximumCreditLimit(tx: StateTx, p: Uint8Array): number {
  setU32(CLUSTER_PREPAYMENT, 0x0021, T_U32, p, 12, tx);
  setU32(CLUSTER_PREPAYMENT, 0x0022, T_U32, p, 16, tx);
  return ZCL_SUCCESS;
}

/** Set Overall Debt Cap: provider id, issuer event id, implementation time, cap. */
function overallDebtCap(tx: StateTx, p: Uint8Array): number {
  setU32(CLUSTER_PREPAYMENT, 0x0006, T_I32, p, 12, tx);
  return ZCL_SUCCESS;
}

interface Timed {
  /** Exact payload length, or the minimum when `min`. */
  length: number;
  min?: boolean;
  /** Offset of the implementation / start time (ZigBee UTCTime, LE); -1: the component's from date-time. */
  timeAt: number;
  effect: Effect;
  /** The cluster-specific answer after the effect, instead of a Default Response. */
  answer?: (ctx: ComponentContext) => GbzComponent;
}

/** Supply Status Response: provider id, issuer event id, implementation time, the supply status now. */
function supplyStatusResponse(ctx: ComponentContext): GbzComponent {
  const p = ctx.c.payload;
  const out = new Uint8Array(13);
  out.set(p.subarray(0, 8), 0);
  out.set(p.subarray(12, 16), 8);
  const s = readAttribute(ctx.tx, CLUSTER_METERING, ATTR_SUPPLY_STATUS);
  out[12] = s ? s.value[0] : p[16];
  return respond(ctx.c, ZCL_SERVER_TO_CLIENT | ZCL_CLUSTER_SPECIFIC, 0x0c, out);
}

function u32Attr(tx: StateTx, attribute: number): Uint8Array {
  const a = readAttribute(tx, CLUSTER_PREPAYMENT, attribute);
  return a && a.value.length === 4 ? a.value : new Uint8Array(4);
}

/** Change Payment Mode Response: friendly credit, friendly credit calendar id, emergency credit limit and threshold. */
function paymentModeResponse(ctx: ComponentContext): GbzComponent {
  // The friendly-credit calendar is the kept Publish Calendar whose calendar type is 0x03 (SE 1.4 Calendar).
  const cal = ctx.tx.read(recordKey(CLUSTER_CALENDAR, 0x00));
  const friendly = cal && cal.length >= 17 && cal[16] === 0x03;
  const head = new Uint8Array(5);
  if (friendly) {
    head[0] = 1;
    head.set((cal as Uint8Array).subarray(8, 12), 1);
  }
  return respond(ctx.c, ZCL_SERVER_TO_CLIENT | ZCL_CLUSTER_SPECIFIC | ZCL_DISABLE_DEFAULT_RESPONSE, 0x02, concatBytes([head, u32Attr(ctx.tx, 0x0010), u32Attr(ctx.tx, 0x0011)]));
}

/**
 * Commands carried out at a time they carry: client-to-server ones the GSME serves, and (`published`)
 * the DCC's publishes with a start time (SE 1.4: Publish Tariff Information and Publish Calendar / Special
 * Days at offset 12, Publish Price Matrix at 8).
 */
function timedTable(cluster: number, command: number, published: boolean): Timed | undefined {
  if (published) {
    if (cluster === CLUSTER_PRICE && command === 0x04) return { length: 16, min: true, timeAt: 12, effect: keepEffect };
    if (cluster === CLUSTER_PRICE && command === 0x05) return { length: 12, min: true, timeAt: 8, effect: keepEffect };
    if (cluster === CLUSTER_CALENDAR && (command === 0x00 || command === 0x04)) return { length: 16, min: true, timeAt: 12, effect: keepEffect };
    return undefined;
  }
  if (cluster === CLUSTER_METERING && command === 0x0b) return { length: 18, timeAt: 12, effect: changeSupply, answer: supplyStatusResponse };
  if (cluster !== CLUSTER_PREPAYMENT) return undefined;
  if (command === 0x09) return { length: 4, timeAt: -1, effect: lowCreditWarning };
  if (command === 0x06) return { length: 18, timeAt: 8, effect: changePaymentMode, answer: paymentModeResponse };
  if (command === 0x03) return { length: 16, timeAt: 4, effect: emergencyCreditSetup };
  if (command === 0x0b) return { length: 20, timeAt: 8, effect: maximumCreditLimit };
  if (command === 0x0c) return { length: 16, timeAt: 8, effect: overallDebtCap };
  return undefined;
}

export function pendingKind(cluster: number, command: number): string {
  return 'g' + ((cluster << 8) | command).toString(16);
}

function timed(t: Timed) {
  return function (ctx: ComponentContext): ComponentAnswer {
    const p = ctx.c.payload;
    if (t.min ? p.length < t.length : p.length !== t.length) return status(ctx.c, ZCL_INVALID_FIELD);
    const when = t.timeAt >= 0 ? u32At(p, t.timeAt) : ctx.c.fromDateTime === undefined ? NOW : ctx.c.fromDateTime;
    const kind = pendingKind(ctx.c.cluster, ctx.c.command);
    const now = ctx.nowSec - UNIX_2000;
    if (when === CANCEL || when === CANCEL_TOO) cancelPending(ctx.tx, kind);
    else if (when + UNIX_2000 > 0xffffffff) return status(ctx.c, ZCL_INVALID_FIELD);
    else if (when === NOW || when <= now) {
      const s = t.effect(ctx.tx, p, ctx.messageCode, ctx.c.cluster, ctx.c.command);
      if (s !== ZCL_SUCCESS) return status(ctx.c, s);
    } else {
      // Checked now, carried out when due. The record: message code (2), originator (8), originator
      // counter (8), ZCL frame control (1), command id (1), then the payload.
      if (ctx.c.cluster === CLUSTER_METERING && !supplyAllowed(p, ctx.messageCode)) return status(ctx.c, ZCL_INVALID_VALUE);
      const head = new Uint8Array(RECORD_HEAD);
      head[0] = (ctx.messageCode >> 8) & 0xff;
      head[1] = ctx.messageCode & 0xff;
      head.set(ctx.originator, 2);
      writeCounter(head, 10, ctx.counter);
      head[18] = ctx.c.frameControl;
      head[19] = ctx.c.command;
      schedulePending(ctx.tx, kind, when + UNIX_2000, concatBytes([head, p]));
    }
    return t.answer ? { response: t.answer(ctx), failed: false } : status(ctx.c, ZCL_SUCCESS);
  };
}

const RECORD_HEAD = 20;

/** GBZ Future Dated Execution Of Instruction Alert (GBCS; layout as RTDS 1.6_GCS02 / 2.1_GCS05 8F66 alerts). */
export const MESSAGE_CODE_FUTURE_DATED_GBZ = 0x00cd;
export const ALERT_FUTURE_DATED_ACTIONED = 0x8f66;
export const ALERT_FUTURE_DATED_NOT_ACTIONED = 0x8f67;

/**
 * Carries out a due GBZ action (pendingActions kind from `pendingKind`) and gives the 0x00CD alert for the
 * command's originator: a GBZ alert header (1 component, 8F66 actioned / 8F67 not, the execution time),
 * then 0E, the command's message code, its originator counter, cluster id, ZCL frame control, command id.
 * Undefined when the kind or record is not one.
 */
export function executeDueGbz(tx: StateTx, kind: string, data: Uint8Array, dueSec: number): { recipient: Uint8Array; content: Uint8Array } | undefined {
  const code = parseInt(kind.substring(1), 16);
  const cluster = (code >> 8) & 0xffff;
  if (data.length < RECORD_HEAD) return undefined;
  const t = timedTable(cluster, code & 0xff, (data[18] & ZCL_SERVER_TO_CLIENT) !== 0);
  if (!t) return undefined;
  const messageCode = (data[0] << 8) | data[1];
  const s = t.effect(tx, data.subarray(RECORD_HEAD), messageCode, cluster, code & 0xff);
  const body = new Uint8Array(15);
  body[0] = 0x0e;
  body[1] = data[0];
  body[2] = data[1];
  body.set(data.subarray(10, 18), 3);
  body[11] = (cluster >> 8) & 0xff;
  body[12] = cluster & 0xff;
  body[13] = data[18];
  body[14] = data[19];
  const head = gbzAlertHeader(1, s === ZCL_SUCCESS ? ALERT_FUTURE_DATED_ACTIONED : ALERT_FUTURE_DATED_NOT_ACTIONED, dueSec);
  return { recipient: copyBytes(data, 2, 10), content: concatBytes([head, body]) };
}

// ---- Start Sampling, Get Event Log ----

function startSampling(ctx: ComponentContext): ComponentAnswer {
  if (ctx.c.payload.length !== 13) return status(ctx.c, ZCL_INVALID_FIELD);
  const last = ctx.tx.read('gsme.sample');
  const id = last && last.length === 2 ? ((last[0] << 8) | last[1]) + 1 : 1;
  const next = id > 0xfffe ? 1 : id;
  ctx.tx.write('gsme.sample', new Uint8Array([(next >> 8) & 0xff, next & 0xff]));
  ctx.tx.write(recordKey(ctx.c.cluster, ctx.c.command), ctx.c.payload);
  return { response: respond(ctx.c, ZCL_SERVER_TO_CLIENT | ZCL_CLUSTER_SPECIFIC, 0x0d, uintLe(next, 2)), failed: false };
}

/** Get Event Log: event control / log id, event id, start time, end time, number of events, offset. */
function getEventLog(ctx: ComponentContext): ComponentAnswer {
  const p = ctx.c.payload;
  if (p.length !== 14) return status(ctx.c, ZCL_INVALID_FIELD);
  const logId = p[0] & 0x0f;
  const eventId = p[1] | (p[2] << 8);
  const start = u32At(p, 3);
  const end = u32At(p, 7);
  const max = p[11];
  const offset = p[12] | (p[13] << 8);
  const events: Uint8Array[] = [];
  // The security log is log id 4 (SE 1.4 Events: Security Event Log); 0 asks for every log.
  const entries = logId === 0 || logId === 4 ? readLog(ctx.tx) : [];
  let matching = 0;
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i];
    const t = e.timeSec - UNIX_2000;
    if (t < start || t > end || (eventId !== 0 && eventId !== e.eventCode)) continue;
    matching++;
    if (matching <= offset || (max !== 0 && events.length >= max)) continue;
    events.push(concatBytes([new Uint8Array([4]), uintLe(e.eventCode, 2), uintLe(t, 4), new Uint8Array([0])]));
  }
  if (events.length === 0) return status(ctx.c, ZCL_NOT_FOUND);
  const head = concatBytes([uintLe(matching, 2), new Uint8Array([0, 1, 0])]);
  return { response: respond(ctx.c, ZCL_SERVER_TO_CLIENT | ZCL_CLUSTER_SPECIFIC | ZCL_DISABLE_DEFAULT_RESPONSE, 0x01, concatBytes([head].concat(events))), failed: false };
}

function notFound(ctx: ComponentContext): ComponentAnswer {
  return status(ctx.c, ZCL_NOT_FOUND);
}

type ComponentHandler = (ctx: ComponentContext) => ComponentAnswer;

/** Client-to-server cluster commands the GSME serves. */
function serverCommand(cluster: number, command: number): ComponentHandler | undefined {
  const t = timedTable(cluster, command, false);
  if (t) return timed(t);
  if (cluster === CLUSTER_METERING) {
    if (command === 0x07) return startSampling;
    if (command === 0x0d || command === 0x0e) return keep;
    if (command === 0x06) return notFound;
  }
  if (cluster === CLUSTER_PREPAYMENT) {
    if (command === 0x00 || command === 0x02) return keep;
    if (command === 0x07 || command === 0x08 || command === 0x0a) return notFound;
  }
  if (cluster === CLUSTER_EVENTS && command === 0x00) return getEventLog;
  // Price and Calendar "Get" commands (SE 1.4): answered with the kept publish.
  if (cluster === CLUSTER_PRICE) {
    const gets = [0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0b];
    const pubs = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x09];
    const i = gets.indexOf(command);
    if (i >= 0) return answerKept(pubs[i]);
    if (command === 0x00) return answerKept(0x00);
  }
  if (cluster === CLUSTER_CALENDAR && (command === 0x01 || command === 0x02)) return answerProfiles;
  if (cluster === CLUSTER_CALENDAR && command <= 0x04) return answerKept(command);
  return undefined;
}

/** Server-to-client commands the DCC publishes to the GSME (it keeps them). */
function publishedCommand(cluster: number, command: number): ComponentHandler | undefined {
  const t = timedTable(cluster, command, true);
  if (t) return timed(t);
  if (cluster === CLUSTER_PRICE && [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x09, 0x0c, 0x0e].indexOf(command) >= 0) return keep;
  if (cluster === CLUSTER_CALENDAR && command <= 0x05) return keep;
  if (cluster === CLUSTER_DEVICE_MANAGEMENT && command <= 0x06) return keep;
  if (cluster === CLUSTER_MESSAGING && command <= 0x03) return keep;
  return undefined;
}

/** One component's answer. */
export function runComponent(ctx: ComponentContext): ComponentAnswer {
  const c = ctx.c;
  if (c.encrypted || c.manufacturer !== undefined) return status(c, (c.frameControl & ZCL_CLUSTER_SPECIFIC) !== 0 ? ZCL_UNSUP_CLUSTER_COMMAND : ZCL_UNSUP_GENERAL_COMMAND);
  if ((c.frameControl & 0x03) === 0) {
    if ((c.frameControl & ZCL_SERVER_TO_CLIENT) === 0 && c.command === ZCL_READ_ATTRIBUTES) return readAttributes(ctx);
    return status(c, ZCL_UNSUP_GENERAL_COMMAND);
  }
  if ((c.frameControl & 0x03) !== ZCL_CLUSTER_SPECIFIC) return status(c, ZCL_UNSUP_GENERAL_COMMAND);
  const h = (c.frameControl & ZCL_SERVER_TO_CLIENT) !== 0 ? publishedCommand(c.cluster, c.command) : serverCommand(c.cluster, c.command);
  return h ? h(ctx) : status(c, ZCL_UNSUP_CLUSTER_COMMAND);
}

/** The answer of a component after one failed: not carried out (RTDS: Default Response { 0xFF, FAILURE }). */
export function notCarriedOut(c: GbzComponent): GbzComponent {
  return defaultResponse(c, 0xff, 0x01);
}
