/**
 * ESME configuration writes the lab's DCC builds from DUIS requests (the ACCESS codec is gbcs/dlms/access.ts),
 * in the shape the DCC RTDS 4.5.0 reference commands show; nothing is copied from the reference files.
 *
 * | use case | what |
 * |---|---|
 * | ECS28a load limiting | future-dated sets (GB class 9000: attribute 4 the value, 6 the activation date-time) of 0-0:94.44.0.3 (supply state on load limit, boolean), 0-0:94.44.128.7 threshold, .6 period, .8 restoration period |
 * | ECS29a / ECS29b voltage | average RMS measurement period (class 7 1-0:x.24.0.255 attribute 4, per phase), the four RMS limiters 0-0:17.0.1..4.255 (class 71: threshold 4, min duration 6: extreme over, extreme under, sag, swell), average RMS over/under thresholds (class 1 1-0:x.35.0.4 / x.31.0.4) and a reset of the average RMS counters (class 3 x.32.0.4, x.36.0.4) |
 * | ECS37 max demand period | the max demand schedule 0-0:12.0.0.255 (class 10) entries: start and end of the period, running script 0-0:10.128.100.255 selectors 1 and 2, every day |
 * | ECS47 auxiliary load | deactivate: duration to 0-0:94.44.(116+n).2 and script 0x(n)12 of 0-0:10.0.103.255; reset: script 0x(n)20 |
 * | ECS47e APC limit | start and end to 0-0:94.44.(116+n).3/.4, script 0-0:10.0.107.255 ((input 0x20 / output 0x10) + n, level) |
 * | ECS61a ALCS data | gets: descriptions 0-0:94.44.0.11..15, boost settings .21..25, ALCS special days 0-0:11.0.3.255, ALCS schedule 0-0:12.0.2.255, the five switches' control state 0-n:96.3.10.255 |
 * | ECS70 synchronise clock | clock 0-0:1.0.0.255: time source (attribute 9) enum 5, preset_adjusting_time (method 5) {unspecified, the request's time, + tolerance}, adjust_to_preset_time (4), then reads of time (2) and status (4) |
 * @module
 */
import type { Counter64 } from '../../gbcs/counter64.ts';
import { dlmsDateTime } from '../../gbcs/dateTime.ts';
import { accessRequestList, accessSpec, KIND_ACTION, KIND_GET, KIND_SET, obisBytes, setAttribute } from '../../gbcs/dlms/access.ts';
import { arrayData, doubleLongUnsigned, encodeData, enumData, integerData, longUnsigned, NULL_DATA, octetString, structureData, TAG_BIT_STRING, TAG_BOOLEAN, TAG_DOUBLE_LONG, TAG_LONG, TAG_UNSIGNED } from '../../gbcs/dlms/data.ts';

type Item = { spec: Uint8Array; data: Uint8Array };

const set = (classId: number, obis: string, attribute: number, data: Uint8Array): Item => ({ spec: accessSpec(KIND_SET, classId, obis, attribute), data });
const act = (classId: number, obis: string, method: number, data: Uint8Array): Item => ({ spec: accessSpec(KIND_ACTION, classId, obis, method), data });
const get = (classId: number, obis: string, attribute: number): Item => ({ spec: accessSpec(KIND_GET, classId, obis, attribute), data: NULL_DATA });

export function booleanData(v: boolean): Uint8Array {
  return encodeData({ tag: TAG_BOOLEAN, raw: new Uint8Array([v ? 0xff : 0x00]) });
}

/** The activation date-time of a future-dated write: now (all zero), cancel (all FF) or the date-time; deviation 8000, status FF. */
export function activation(when: 'now' | 'cancel' | number): Uint8Array {
  if (typeof when === 'number') return dlmsDateTime(when);
  const f = when === 'now' ? 0x00 : 0xff;
  return new Uint8Array([f, f, f, f, f, f, f, f, f, 0x80, 0x00, 0xff]);
}

/** GB future-dated writes (class 9000): each object's value (attribute 4), then each object's activation (attribute 6). */
export function futureDated(values: Array<[string, Uint8Array]>, when: 'now' | 'cancel' | number): Item[] {
  const at = octetString(activation(when));
  return values.map((v) => set(9000, v[0], 4, v[1])).concat(values.map((v) => set(9000, v[0], 6, at)));
}

export function ecs28aLoadLimiting(c: Counter64, disableSupply: boolean, threshold: number, period: number, restoration: number, when: 'now' | 'cancel' | number): Uint8Array {
  return accessRequestList(c, futureDated([
    ['0-0:94.44.0.3', booleanData(disableSupply)],
    ['0-0:94.44.128.7', doubleLongUnsigned(threshold)],
    ['0-0:94.44.128.6', doubleLongUnsigned(period)],
    ['0-0:94.44.128.8', doubleLongUnsigned(restoration)],
  ], when));
}

export interface PhaseVoltage {
  averagePeriod: number;
  overThreshold: number;
  underThreshold: number;
}

export interface VoltageSettings {
  /** [threshold, period] of the extreme over-voltage, extreme under-voltage, sag and swell limiters. */
  limiters: Array<[number, number]>;
  /** Phase 1 (single phase), or phases 1, 2, 3. */
  phases: PhaseVoltage[];
}

/** ECS29a (one phase) / ECS29b (three): the RTDS writes phase 1's over threshold first, phases 2 and 3 under first. */
export function ecs29VoltageConfiguration(c: Counter64, v: VoltageSettings): Uint8Array {
  const base = (p: number) => 12 + 20 * p; // L1 32, L2 52, L3 72
  const items: Item[] = [];
  v.phases.forEach((p, i) => items.push(set(7, '1-0:' + base(i + 1) + '.24.0.255', 4, doubleLongUnsigned(p.averagePeriod))));
  v.limiters.forEach((l, i) => {
    items.push(set(71, '0-0:17.0.' + (i + 1) + '.255', 4, doubleLongUnsigned(l[0])), set(71, '0-0:17.0.' + (i + 1) + '.255', 6, doubleLongUnsigned(l[1])));
  });
  v.phases.forEach((p, i) => {
    const over = set(1, '1-0:' + base(i + 1) + '.35.0.4', 2, doubleLongUnsigned(p.overThreshold));
    const under = set(1, '1-0:' + base(i + 1) + '.31.0.4', 2, doubleLongUnsigned(p.underThreshold));
    if (i === 0) items.push(over, under);
    else items.push(under, over);
  });
  v.phases.forEach((_p, i) => items.push(act(3, '1-0:' + base(i + 1) + '.32.0.4', 1, integerData(0)), act(3, '1-0:' + base(i + 1) + '.36.0.4', 1, integerData(0))));
  return accessRequestList(c, items);
}

/** One schedule (class 10) entry: index, enabled, script and selector, time, every day, no special days, from 0000-01 on. */
function scheduleEntry(index: number, script: string, selector: number, hms: number[]): Uint8Array {
  return structureData([
    longUnsigned(index), booleanData(true), octetString(obisBytes(script)), longUnsigned(selector),
    octetString(new Uint8Array([hms[0], hms[1], hms[2], 0])), longUnsigned(0xffff),
    encodeData({ tag: TAG_BIT_STRING, raw: new Uint8Array([0xfe]), bits: 7 }), encodeData({ tag: TAG_BIT_STRING, raw: new Uint8Array(0), bits: 0 }),
    octetString(new Uint8Array([0x00, 0x00, 0x01, 0xff, 0xff])), octetString(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff])),
  ]);
}

export function ecs37MaxDemandPeriod(c: Counter64, start: number[], end: number[]): Uint8Array {
  return setAttribute(c, 10, '0-0:12.0.0.255', 2, arrayData([scheduleEntry(0, '0-0:10.128.100.255', 1, start), scheduleEntry(1, '0-0:10.128.100.255', 2, end)]));
}

const AUX_SCRIPTS = '0-0:10.0.103.255';

export function ecs47Deactivate(c: Counter64, n: number, duration: number | undefined): Uint8Array {
  const items: Item[] = [];
  if (duration !== undefined) items.push(set(1, '0-0:94.44.' + (116 + n) + '.2', 2, longUnsigned(duration)));
  items.push(act(9, AUX_SCRIPTS, 1, longUnsigned((n << 8) | 0x12)));
  return accessRequestList(c, items);
}

export function ecs47Reset(c: Counter64, n: number): Uint8Array {
  return accessRequestList(c, [act(9, AUX_SCRIPTS, 1, longUnsigned((n << 8) | 0x20))]);
}

export function ecs47eLimitApc(c: Counter64, n: number, input: boolean, from: number, to: number, level: number): Uint8Array {
  return accessRequestList(c, [
    set(1, '0-0:94.44.' + (116 + n) + '.3', 2, octetString(dlmsDateTime(from))),
    set(1, '0-0:94.44.' + (116 + n) + '.4', 2, octetString(dlmsDateTime(to))),
    act(9, '0-0:10.0.107.255', 1, longUnsigned((((input ? 0x20 : 0x10) | n) << 8) | (level & 0xff))),
  ]);
}

export function ecs61aReadAlcsData(c: Counter64): Uint8Array {
  const items: Item[] = [];
  for (let i = 11; i <= 15; i++) items.push(get(1, '0-0:94.44.0.' + i, 2));
  for (let i = 21; i <= 25; i++) items.push(get(1, '0-0:94.44.0.' + i, 2));
  items.push(get(11, '0-0:11.0.3.255', 2), get(10, '0-0:12.0.2.255', 2));
  for (let n = 1; n <= 5; n++) items.push(get(70, '0-' + n + ':96.3.10.255', 2));
  return accessRequestList(c, items);
}

export function ecs70SynchroniseClock(c: Counter64, current: number, tolerance: number): Uint8Array {
  const clock = '0-0:1.0.0.255';
  return accessRequestList(c, [
    set(8, clock, 9, enumData(5)),
    act(8, clock, 5, structureData([octetString(activation('cancel')), octetString(dlmsDateTime(current)), octetString(dlmsDateTime(current + tolerance))])),
    act(8, clock, 4, integerData(0)),
    get(8, clock, 2),
    get(8, clock, 4),
  ]);
}

/** long Data (tag 10, signed 16-bit big-endian). */
function longData(v: number): Uint8Array {
  return encodeData({ tag: TAG_LONG, raw: new Uint8Array([(v >> 8) & 0xff, v & 0xff]) });
}

/** double-long Data (tag 05, signed 32-bit big-endian). */
function doubleLongData(v: number): Uint8Array {
  return encodeData({ tag: TAG_DOUBLE_LONG, raw: new Uint8Array([(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]) });
}

export interface TimeDebtRecovery {
  /** Charge per period (long) and its price scale (integer). */
  rate: number;
  priceScale: number;
  /** Collection period in seconds (DUIS HOURLY 3600, DAILY 86400). */
  periodSeconds: number;
}

/**
 * ECS07 manage debt: the time debt charges 0-0:19.20.1/2.255 (class 113: unit_charge_passive (6) with one charge
 * per unit, period (8), activate_passive_unit_charge (method 2)), the payment debt charge 0-0:19.20.3.255's
 * proportion (13), and each register's amount (update_total_amount_remaining, method 4): payment debt, then time
 * debts 1 and 2, as the RTDS orders them.
 */
export function ecs07ManageDebt(c: Counter64, timeDebts: [number, number], paymentDebt: number, proportion: number, recovery: [TimeDebtRecovery, TimeDebtRecovery]): Uint8Array {
  const charge = (o: string) => '0-0:19.20.' + o + '.255';
  const unitCharge = (r: TimeDebtRecovery) => structureData([
    structureData([integerData(0), integerData(r.priceScale)]),
    structureData([longUnsigned(0), octetString(new Uint8Array(6)), integerData(0)]),
    arrayData([structureData([octetString(new Uint8Array(0)), longData(r.rate)])]),
  ]);
  return accessRequestList(c, [
    set(113, charge('1'), 6, unitCharge(recovery[0])),
    set(113, charge('2'), 6, unitCharge(recovery[1])),
    set(113, charge('3'), 13, longUnsigned(proportion)),
    set(113, charge('1'), 8, doubleLongUnsigned(recovery[0].periodSeconds)),
    set(113, charge('2'), 8, doubleLongUnsigned(recovery[1].periodSeconds)),
    act(113, charge('1'), 2, integerData(0)),
    act(113, charge('2'), 2, integerData(0)),
    act(113, charge('3'), 4, doubleLongData(paymentDebt)),
    act(113, charge('1'), 4, doubleLongData(timeDebts[0])),
    act(113, charge('2'), 4, doubleLongData(timeDebts[1])),
  ]);
}

/** A bit-string of `bits` bits with the given bit positions (0 = first, most significant) set. */
function bitString(bits: number, set: number[]): Uint8Array {
  const raw = new Uint8Array((bits + 7) >> 3);
  for (const i of set) raw[i >> 3] |= 0x80 >> (i & 7);
  return encodeData({ tag: TAG_BIT_STRING, raw, bits });
}

/** A special day (class 11 entry): index, date, day id. */
export interface SpecialDay {
  index: number;
  date: number[];
  dayId: number;
}

export function specialDaysTable(days: SpecialDay[]): Uint8Array {
  return arrayData(days.map((d) => structureData([longUnsigned(d.index), octetString(new Uint8Array(d.date)), encodeData({ tag: TAG_UNSIGNED, raw: new Uint8Array([d.dayId]) })])));
}

/** One schedule (class 10) entry with a script selector, weekdays (0 Monday..6 Sunday) and special days (1..n of `specialBits`). */
export interface ScheduleLine {
  index: number;
  script: string;
  selector: number;
  time: number[];
  weekdays: number[];
  specialDays: number[];
  specialBits: number;
  begin: number[];
  end: number[];
}

export function scheduleTable(lines: ScheduleLine[]): Uint8Array {
  return arrayData(lines.map((l) => structureData([
    longUnsigned(l.index), booleanData(true), octetString(obisBytes(l.script)), longUnsigned(l.selector),
    octetString(new Uint8Array(l.time)), longUnsigned(0xffff),
    bitString(7, l.weekdays), bitString(l.specialBits, l.specialDays.map((d) => d - 1)),
    octetString(new Uint8Array(l.begin)), octetString(new Uint8Array(l.end)),
  ])));
}

export interface ElecPrepayConfiguration {
  debtRecoveryRateCap: number;
  emergencyCreditLimit: number;
  emergencyCreditThreshold: number;
  lowCreditThreshold: number;
  maxMeterBalance: number;
  maxCreditThreshold: number;
  specialDays: SpecialDay[];
  schedule: ScheduleLine[];
}

/**
 * ECS08a prepayment configuration: the non-disablement special days (0-1:11.0.2.255) and schedule
 * (0-1:12.0.1.255, script table 0-0:10.0.106.255, selector 0x20 start / 0x21 stop), then future-dated values
 * (class 9000) of max meter balance (0-0:94.44.2.20), max credit threshold (.2.10), debt recovery rate cap
 * (0-0:94.44.128.12), the 0-0:94.44.128.13 period (one week, 604800 s: not in the request, as the RTDS),
 * low credit threshold (.128.9), emergency credit limit (.128.2) and threshold (.128.3), with the activation of
 * each and of 0-0:94.44.128.31 and .128.28 (the calendar's), in the RTDS's order.
 */
export function ecs08aPrepayConfiguration(c: Counter64, p: ElecPrepayConfiguration, when: 'now' | 'cancel' | number): Uint8Array {
  const at = octetString(activation(when));
  const gb = (x: string) => '0-0:94.44.' + x;
  const value = (x: string, d: Uint8Array) => set(9000, gb(x), 4, d);
  const activate = (x: string) => set(9000, gb(x), 6, at);
  return accessRequestList(c, [
    set(11, '0-1:11.0.2.255', 2, specialDaysTable(p.specialDays)),
    value('2.20', doubleLongData(p.maxMeterBalance)),
    value('2.10', doubleLongData(p.maxCreditThreshold)),
    set(10, '0-1:12.0.1.255', 2, scheduleTable(p.schedule)),
    value('128.12', longUnsigned(p.debtRecoveryRateCap)),
    value('128.13', doubleLongData(604800)),
    value('128.9', doubleLongData(p.lowCreditThreshold)),
    value('128.2', doubleLongData(p.emergencyCreditLimit)),
    activate('128.31'),
    value('128.3', doubleLongData(p.emergencyCreditThreshold)),
    activate('2.20'), activate('2.10'), activate('128.12'), activate('128.13'), activate('128.9'), activate('128.2'), activate('128.3'), activate('128.28'),
  ]);
}

/**
 * ECS01b primary element prices: the standing charge (0-0:19.20.4.255) and the unit charge (0-0:19.20.0.255,
 * commodity active import 1-0:1.8.0.255, commodity scale 3) as class 113 unit_charge_passive (6) with their
 * activation time (7). The unit charge lists all 80 prices, zero where not given: TOU rates 1..48 (index 01..30)
 * then the block prices, index A0 + 0x10 x (block - 1) + (block price set 1..8).
 */
export function ecs01bPrices(c: Counter64, standingCharge: number, standingChargeScale: number, priceScale: number, tou: number[], blocks: number[][], when: 'now' | 'cancel' | number): Uint8Array {
  const entry = (index: number[], price: number) => structureData([octetString(new Uint8Array(index)), longData(price)]);
  const charges: Uint8Array[] = [];
  for (let i = 1; i <= 48; i++) charges.push(entry([i], tou[i - 1] ?? 0));
  for (let b = 1; b <= 4; b++) for (let s = 1; s <= 8; s++) charges.push(entry([0xa0 + 0x10 * (b - 1) + s], (blocks[s - 1] ?? [])[b - 1] ?? 0));
  const standing = structureData([
    structureData([integerData(0), integerData(standingChargeScale)]),
    structureData([longUnsigned(0), octetString(new Uint8Array(6)), integerData(0)]),
    arrayData([entry([], standingCharge)]),
  ]);
  const unit = structureData([
    structureData([integerData(3), integerData(priceScale)]),
    structureData([longUnsigned(3), octetString(obisBytes('1-0:1.8.0.255')), integerData(2)]),
    arrayData(charges),
  ]);
  const at = octetString(activation(when));
  return accessRequestList(c, [set(113, '0-0:19.20.4.255', 6, standing), set(113, '0-0:19.20.0.255', 6, unit), set(113, '0-0:19.20.4.255', 7, at), set(113, '0-0:19.20.0.255', 7, at)]);
}

export interface PaymentModePrepayment {
  /** The meter's element variant (the DCC's inventory): a twin element meter has the secondary unit charge 0-0:19.20.5.255. */
  twin: boolean;
  suspendDebtDisabled: boolean;
  suspendDebtEmergency: boolean;
  disablementThreshold: number;
}

/**
 * ECS03 payment mode to prepayment: account (class 111, 0-1:19.0.0.255) payment mode {prepayment 2, 1}, the
 * disablement threshold (GB 0-0:94.44.128.22, future-dated), the credit-charge configuration (attribute 11:
 * {credit, charge, collection bits}), then the activations (128.22 attribute 6, the account's attribute 13).
 * Credits 0-0:19.10.0/1/2.255 (token, emergency, debt-recovery-suspension credit), charges 0-0:19.20.0..5.255.
 * The list as the three RTDS commands show it (UNCONFIRMED beyond them): token and emergency credit with charges
 * 0,4,1,2,3 / 3,0,4,1,2, the time-debt charges 1 and 2 collected with bits 110 when SuspendDebtDisabled, else
 * 111; credit 2 with charges 4,1,2 when SuspendDebtEmergency; a twin meter's charge 5 on credits 0 and 1 last.
 */
export function ecs03PrepaymentMode(c: Counter64, p: PaymentModePrepayment, when: 'now' | 'cancel' | number): Uint8Array {
  const entry = (credit: number, charge: number, bits: number) =>
    structureData([octetString(obisBytes('0-0:19.10.' + credit + '.255')), octetString(obisBytes('0-0:19.20.' + charge + '.255')), encodeData({ tag: TAG_BIT_STRING, raw: new Uint8Array([bits]), bits: 3 })]);
  const debtBits = p.suspendDebtDisabled ? 0xc0 : 0xe0;
  const bitsFor = (charge: number) => (charge === 1 || charge === 2 ? debtBits : 0xe0);
  const list: Uint8Array[] = [];
  for (const ch of [0, 4, 1, 2, 3]) list.push(entry(0, ch, bitsFor(ch)));
  for (const ch of [3, 0, 4, 1, 2]) list.push(entry(1, ch, bitsFor(ch)));
  if (p.suspendDebtEmergency) for (const ch of [4, 1, 2]) list.push(entry(2, ch, 0xe0));
  if (p.twin) list.push(entry(0, 5, 0xe0), entry(1, 5, 0xe0));
  const at = octetString(activation(when));
  return accessRequestList(c, [
    set(111, '0-1:19.0.0.255', 2, structureData([enumData(2), enumData(1)])),
    set(9000, '0-0:94.44.128.22', 4, doubleLongData(p.disablementThreshold)),
    set(111, '0-1:19.0.0.255', 11, arrayData(list)),
    set(9000, '0-0:94.44.128.22', 6, at),
    set(111, '0-1:19.0.0.255', 13, at),
  ]);
}

/**
 * ECS25a/a1/a2/a3/b/b3 alert and event behaviours: one 512-bit bit-string (class 1, attribute 2) numbered from
 * its last bit: bit n (0..255) enables the alert 0x8X00 + n, bit 256 + n says that alert is being configured
 * (so a disabled alert is configured with its enable bit clear). As the RTDS's ECS25a1, ECS25b and ECS25b3 show.
 */
export function ecs25AlertBehaviours(c: Counter64, obis: string, settings: Array<[number, boolean]>): Uint8Array {
  const raw = new Uint8Array(64);
  const mark = (pos: number) => { raw[63 - (pos >> 3)] |= 1 << (pos & 7); };
  for (const s of settings) {
    mark(256 + (s[0] & 0xff));
    if (s[1]) mark(s[0] & 0xff);
  }
  return setAttribute(c, 1, obis, 2, encodeData({ tag: TAG_BIT_STRING, raw, bits: 512 }));
}
