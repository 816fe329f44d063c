/**
 * The contents of the use cases the DCC builds from DUIS requests (transform.ts's catalogue uses them): the
 * request's values read and checked (each refusal a `TransformError`, `bad-content` or `not-implemented`),
 * then encoded through the DLMS builders (harness/dcc/dlmsContent.ts, dlmsConfig.ts), the GBZ builders
 * (harness/dcc/gbzContent.ts) or GBCS's ASN.1 (gbcs/der.ts). The DCC's own state a request does not carry
 * (its clock, its inventory, the meter's variant) comes in `BuildInput`.
 * @module
 */
import * as dlms from '../dcc/dlmsContent.ts';
import { invokeIdFor } from '../../gbcs/dlms/access.ts';
import type { Counter64 } from '../../gbcs/counter64.ts';
import { derBitString, derGeneralizedTime, derOctetString, derSequence, derSmallInteger, derUnsignedInteger } from '../../gbcs/der.ts';
import { CANCEL_TIME, secondsToTime } from '../../gbcs/dateTime.ts';
import { fromHex, toHex } from '../../lib/bytes.ts';
import type { DuisRequest } from './request.ts';
import type { Element } from '@xmldom/xmldom';
import { child, childElements, textOf } from './xml.ts';
import { gbzReadAttributes, zclUtcTime } from '../../gbcs/gbz/readAttributes.ts';
import * as gbz from '../dcc/gbzContent.ts';
import * as cfg from '../dcc/dlmsConfig.ts';
import * as calendar from './calendar.ts';
import type { DeviceType, Inventory } from './inventory.ts';

/**
 * GBCS device types as the join commands (CS03) carry them: the RTDS shows ESME 1, GPF 3, PPMID 5, which fits
 * the order GSME, ESME, CHF, GPF, HCALCS, PPMID (0..5). UNCONFIRMED beyond those three.
 */
export const JOIN_DEVICE_TYPE: Record<DeviceType, number> = { GSME: 0, ESME: 1, CHF: 2, GPF: 3, HCALCS: 4, PPMID: 5 };

export interface BuildInput {
  request: DuisRequest;
  counter: Counter64;
  /** The DCC's clock (Unix seconds): the Issuer Event ID of the ZCL commands it builds (gbzContent.ts). */
  now: number;
  /** The DCC's inventory (device types of other devices a request names, e.g. a join's). */
  inventory: Inventory;
  /** The target ESME's element variant, as the DCC's inventory records it (default single). */
  variant: EsmeVariant;
}

/** An ESME's element variant (DUIS ESMEVariant A single, B twin, C polyphase), as the DCC's inventory records it. */
export type EsmeVariant = 'single' | 'twin' | 'polyphase';

export class TransformError extends Error {
  constructor(public reason: TransformRefusal, message: string) {
    super(message);
  }
}

export type TransformRefusal = 'non-device' | 'unknown-device' | 'unknown-service' | 'wrong-device-type' | 'not-implemented' | 'bad-content';

/** DUIS ExecutionDateTime -> GeneralizedTime text; 3000-12-31T00:00:00 is DUIS's "cancel" (GBCS 99991231235959Z). */
export function executionTime(r: DuisRequest): string | undefined {
  const t = textOf(child(r.body, 'ExecutionDateTime'));
  if (!t) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(t);
  if (!m) return undefined;
  if (m[1] === '3000' && m[2] === '12' && m[3] === '31') return CANCEL_TIME;
  return m[1] + m[2] + m[3] + m[4] + m[5] + m[6] + 'Z';
}

export function counterMagnitude(c: Counter64): Uint8Array {
  const hex = (c.hi >>> 0).toString(16).padStart(8, '0') + (c.lo >>> 0).toString(16).padStart(8, '0');
  return fromHex(hex)!;
}

/** CS06 Activate Firmware content (GBCS-FACTS: {image hash, originator counter, optional time}). */
export function cs06(b: BuildInput): Uint8Array {
  const hash = fromHex(textOf(child(b.request.body, 'FirmwareHash')) ?? '');
  if (!hash || hash.length !== 32) throw new TransformError('bad-content', 'FirmwareHash must be 32 bytes of hex');
  const parts = [derOctetString(hash), derUnsignedInteger(counterMagnitude(b.counter))];
  const t = executionTime(b.request);
  if (t) parts.push(derGeneralizedTime(t));
  return derSequence(parts);
}

/**
 * A DLMS ACCESS request reading a fixed list of attributes (IEC 62056-5-3 as GBCS §8 carries it):
 * `D9 long-invoke-id 00 n (01 class OBIS attribute)* n (00)*`, the invoke id from the counter as the
 * DCC's other commands (harness/dcc/dlmsContent.ts). Which attributes each use case reads is GBCS's
 * use-case definition (the objects named beside each entry below).
 */
export function getList(specs: Array<[number, string, number]>): (b: BuildInput) => Uint8Array {
  return (b) => {
    const out: number[] = [0xd9, ...invokeIdFor(b.counter), 0x00, specs.length];
    for (const sp of specs) {
      const obis = sp[1].split(/[-:.]/).map((x) => parseInt(x, 10));
      out.push(0x01, (sp[0] >> 8) & 0xff, sp[0] & 0xff, ...obis, sp[2]);
    }
    out.push(specs.length);
    for (let i = 0; i < specs.length; i++) out.push(0x00);
    return new Uint8Array(out);
  };
}

/** The ReadLogPeriod of a request, as Unix seconds. */
export function logPeriod(r: DuisRequest): [number, number] {
  const p = child(r.body, 'ReadLogPeriod');
  const from = Date.parse(textOf(p && child(p, 'StartDateTime')) ?? '');
  const to = Date.parse(textOf(p && child(p, 'EndDateTime')) ?? '');
  if (!(from >= 0) || !(to >= from)) throw new TransformError('bad-content', 'ReadLogPeriod must have StartDateTime <= EndDateTime');
  return [Math.floor(from / 1000), Math.floor(to / 1000)];
}

/** A log or profile read (6.13, 4.4.4, 4.4.5, 4.8.3): the profile's buffer restricted by UTC time (GB 0-0:94.44.100.255), as dlmsContent.getLogRange. */
export function logRead(obis: string): (b: BuildInput) => Uint8Array {
  return (b) => {
    const t = logPeriod(b.request);
    return dlms.getLogRange(b.counter, 7, obis, 2, t[0], t[1]);
  };
}

export const logIs = (which: string) => (r: DuisRequest) => textOf(child(r.body, 'LogToRead')) === which;

/**
 * A ZigBee device read: ZCL Read Attributes on each [cluster, attributes] (gbcs/gbz/readAttributes.ts). Which
 * attributes each use case reads is GBCS's use-case definition (clusters: 0x0000 basic, 0x0700 price,
 * 0x0702 metering, 0x0705 prepayment).
 */
export function zclRead(components: Array<[number, number[]]>): (b: BuildInput) => Uint8Array {
  return () => gbzReadAttributes(components.map((c) => ({ cluster: c[0], attributes: c[1] })));
}

export function protectedRead(protectionObis: string, profiles: string[]): (b: BuildInput) => Uint8Array {
  return (b) => {
    const t = logPeriod(b.request);
    return dlms.protectedProfileRead(b.counter, protectionObis, profiles, t[0], t[1], fromHex(b.request.originator)!, fromHex(b.request.target)!);
  };
}

/** ZCL snapshot commands (GetSnapshot 0x06 metering, GetPrepaySnapshot 0x07 prepayment) for offsets 0..n-1 over the ReadLogPeriod. */
export function snapshots(cluster: number, command: number, n: number, cause: number, t: [number, number]) {
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push({ cluster, frameControl: 0x01, command, payload: new Uint8Array([...zclUtcTime(t[0]), ...zclUtcTime(t[1]), i, cause & 0xff, (cause >>> 8) & 0xff, (cause >>> 16) & 0xff, (cause >>> 24) & 0xff]) });
  }
  return out;
}

export function protectedGet(protectionObis: string, obis: string): (b: BuildInput) => Uint8Array {
  return (b) => dlms.protectedRead(b.counter, protectionObis, [{ classId: 1, obis, selection: dlms.NO_SELECTION }], fromHex(b.request.originator)!, fromHex(b.request.target)!);
}

export const eventLogIs = (which: string) => (r: DuisRequest) => textOf(child(r.body, 'ESMEEventLogType')) === which;

/** A request element's text, found at any depth of the body. */
export function bodyText(r: DuisRequest, name: string): string | undefined {
  const todo = [r.body];
  for (let el = todo.shift(); el; el = todo.shift()) {
    const hit = child(el, name);
    if (hit) return textOf(hit);
    todo.push(...childElements(el));
  }
  return undefined;
}

export function requestText(r: DuisRequest, name: string): string {
  const t = bodyText(r, name);
  if (t === undefined) throw new TransformError('bad-content', name + ' is missing');
  return t;
}

export function requestInt32(r: DuisRequest, name: string): number {
  const t = bodyText(r, name);
  if (!t || !/^-?\d+$/.test(t) || Number(t) > 0x7fffffff || Number(t) < -0x80000000) throw new TransformError('bad-content', name + ' must be a signed 32-bit integer');
  return Number(t);
}

export function requestUint(r: DuisRequest, name: string): number {
  const t = bodyText(r, name);
  if (!t || !/^\d+$/.test(t) || Number(t) > 0xffffffff) throw new TransformError('bad-content', name + ' must be an unsigned 32-bit integer');
  return Number(t);
}

export function requestBool(r: DuisRequest, name: string): boolean {
  const t = bodyText(r, name);
  if (t !== 'true' && t !== 'false' && t !== '1' && t !== '0') throw new TransformError('bad-content', name + ' must be a boolean');
  return t === 'true' || t === '1';
}

/** A non-negative xs:decimal scaled by 10^digits, exactly (no floating point), bounded by `max`. */
export function requestDecimal(r: DuisRequest, name: string, digits: number, max: number): number {
  const t = bodyText(r, name) ?? '';
  const m = /^\+?(\d+)(?:\.(\d*))?$/.exec(t);
  const frac = m ? (m[2] ?? '') : '';
  if (!m || frac.length > digits) throw new TransformError('bad-content', name + ' must be a decimal with at most ' + digits + ' fraction digits');
  const v = Number(m[1] + frac.padEnd(digits, '0'));
  if (!(v <= max)) throw new TransformError('bad-content', name + ' is out of range');
  return v;
}

/** The implementation time of a future-datable request for a ZCL command: now, cancel or the ExecutionDateTime. */
export function zclExecution(r: DuisRequest): number {
  const t = executionTime(r);
  if (!t) return gbz.ZCL_NOW;
  if (t === CANCEL_TIME) return gbz.ZCL_CANCEL;
  return requestSeconds(r, 'ExecutionDateTime');
}

/** ECS30's BillingTime (xs:time, UTC) as [hour, minute, second]; only a monthly calendar is built. */
export function billingTime(r: DuisRequest): number[] {
  if (!bodyText(r, 'Monthly')) throw new TransformError('not-implemented', 'only a Monthly electricity billing calendar is built');
  const m = /^(\d{2}):(\d{2}):(\d{2})/.exec(requestText(r, 'BillingTime'));
  if (!m) throw new TransformError('bad-content', 'BillingTime must be hh:mm:ss');
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export const PERIOD_MONTHS: Record<string, number> = { Monthly: 1, Quarterly: 3, SixMonthly: 6, Yearly: 12 };

export function gasBillingCalendar(b: BuildInput): Uint8Array {
  const p = requestText(b.request, 'Periodicity');
  const months = PERIOD_MONTHS[p];
  if (!months) throw new TransformError('not-implemented', 'a ' + p + ' gas billing calendar is not built (its ZCL duration type is not confirmed here)');
  return gbz.gcs25BillingCalendar(b.now, requestSeconds(b.request, 'BillingPeriodStart'), months);
}

/** An integer child `name` of `el` within [min, max]. */
export function elementInt(el: Element | undefined, name: string, min: number, max: number): number {
  const t = textOf(el && child(el, name));
  if (!t || !/^[-+]?\d+$/.test(t) || Number(t) < min || Number(t) > max) throw new TransformError('bad-content', name + ' must be an integer ' + min + '..' + max);
  return Number(t);
}

/** The index of `el`'s child `name`'s value among `values`. */
export function requestChoiceIn(el: Element | undefined, name: string, values: string[]): number {
  const i = values.indexOf(textOf(el && child(el, name)) ?? '');
  if (i < 0) throw new TransformError('bad-content', name + ' must be one of ' + values.join(', '));
  return i;
}

/** The index of the request's value of `name` among `values`. */
export function requestChoice(r: DuisRequest, name: string, values: string[]): number {
  const t = requestText(r, name);
  const i = values.indexOf(t);
  if (i < 0) throw new TransformError('bad-content', name + ' must be one of ' + values.join(', '));
  return i;
}

export function requestUint16(r: DuisRequest, name: string): number {
  const v = requestUint(r, name);
  if (v > 0xffff) throw new TransformError('bad-content', name + ' must be at most 65535');
  return v;
}

/** An xs:time (UTC) as [hour, minute, second]. */
export function requestTime(r: DuisRequest, name: string): number[] {
  const m = /^(\d{2}):(\d{2}):(\d{2})/.exec(requestText(r, name));
  if (!m) throw new TransformError('bad-content', name + ' must be hh:mm:ss');
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** The activation of a future-datable DLMS write: now, cancel or the ExecutionDateTime. */
export function dlmsExecution(r: DuisRequest): 'now' | 'cancel' | number {
  const t = executionTime(r);
  if (!t) return 'now';
  if (t === CANCEL_TIME) return 'cancel';
  return requestSeconds(r, 'ExecutionDateTime');
}

/** The switch (index 1..5) an auxiliary load request names: `<element index="n">`. */
export function auxSwitch(r: DuisRequest, element: string): number {
  const n = Number(child(r.body, element)?.getAttribute('index'));
  if (!(n >= 1 && n <= 5)) throw new TransformError('bad-content', element + ' must have an index 1..5');
  return n;
}

export function voltageSettings(r: DuisRequest): cfg.VoltageSettings {
  const rms = child(r.body, 'RMSVoltageSettings');
  if (!rms) throw new TransformError('bad-content', 'RMSVoltageSettings is missing');
  const num = (el: Element | undefined, name: string) => {
    const t = textOf(el && child(el, name));
    if (!t || !/^\d+$/.test(t) || Number(t) > 0xffffffff) throw new TransformError('bad-content', name + ' must be an unsigned 32-bit integer');
    return Number(t);
  };
  const limiters = ['ExtremeOverVoltage', 'ExtremeUnderVoltage', 'VoltageSag', 'VoltageSwell'].map((k) => [num(rms, 'RMS' + k + 'Threshold'), num(rms, 'RMS' + k + 'MeasurementPeriod')] as [number, number]);
  const phase = (el: Element | undefined) => ({ averagePeriod: num(el, 'AverageRMSVoltageMeasurementPeriod'), overThreshold: num(el, 'AverageRMSOverVoltageThreshold'), underThreshold: num(el, 'AverageRMSUnderVoltageThreshold') });
  const single = child(r.body, 'SinglePhaseVoltageSettings');
  if (single) return { limiters, phases: [phase(single)] };
  const poly = childElements(r.body).filter((e) => e.localName === 'PolyPhaseVoltageSettings');
  const byPhase: Element[] = [];
  for (const p of poly) {
    const n = Number(textOf(child(p, 'Phase')));
    if (!(n >= 1 && n <= 3) || byPhase[n - 1]) throw new TransformError('bad-content', 'PolyPhaseVoltageSettings must give phases 1, 2 and 3 once each');
    byPhase[n - 1] = child(p, 'PhaseVoltageSettings')!;
  }
  if (byPhase.length !== 3 || byPhase.some((e) => !e)) throw new TransformError('bad-content', 'PolyPhaseVoltageSettings must give phases 1, 2 and 3');
  return { limiters, phases: byPhase.map(phase) };
}

/** The electricity prepayment configuration of a 2.1 request (UpdatePrepayConfigElectricity). */
export function elecPrepay(r: DuisRequest): cfg.ElecPrepayConfiguration {
  const e = child(r.body, 'UpdatePrepayConfigElectricity')!;
  const int = (name: string) => elementInt(e, name, -0x80000000, 0x7fffffff);
  const cal = child(e, 'ElectricityNonDisablementCalendar');
  const days = childElements(child(cal!, 'ElectricitySpecialDays') ?? e).filter((d) => d.localName === 'SpecialDay');
  const specialDays = days.map((d) => { const i = Number(d.getAttribute('index')); return { index: i, date: calendar.wildcardDate(child(d, 'Date')), dayId: i }; });
  const schedule = childElements(cal!).filter((x) => x.localName === 'ElectricityNonDisablementSchedule').map((x, i) => {
    const l = calendar.scheduleEntry(x, 'NonDisablementScript');
    return { index: i + 1, script: '0-0:10.0.106.255', selector: l.script === 'STOP' ? 0x21 : 0x20, time: l.time, weekdays: l.weekdays, specialDays: l.specialDays, specialBits: specialDays.length, begin: l.start, end: l.end };
  });
  return {
    debtRecoveryRateCap: elementInt(e, 'DebtRecoveryRateCap', 0, 0xffff), emergencyCreditLimit: int('EmergencyCreditLimit'), emergencyCreditThreshold: int('EmergencyCreditThreshold'),
    lowCreditThreshold: int('LowCreditThreshold'), maxMeterBalance: int('MaxMeterBalance'), maxCreditThreshold: int('MaxCreditThreshold'), specialDays, schedule,
  };
}

/** A DUIS gas wildcard date (GasYear/Month/DayOfMonth/DayOfWeekWithWildcards) as a ZCL Date: year - 1900, month, day, day of week; FF not specified. */
export function gasDate(d: Element | undefined): number[] {
  const part = (el: string, name: string, min: number, max: number) => {
    const e = d && child(d, el);
    const v = e && child(e, name);
    if (!v) return 0xff;
    const n = Number(textOf(v));
    if (!(n >= min && n <= max)) throw new TransformError('bad-content', name + ' must be ' + min + '..' + max);
    return n;
  };
  const y = part('GasYearWithWildcards', 'SpecifiedYear', 1900, 2154);
  return [y === 0xff ? 0xff : y - 1900, part('GasMonthWithWildcards', 'SpecifiedMonth', 1, 12), part('GasDayOfMonthWithWildcards', 'SpecifiedDayOfMonth', 1, 31), part('GasDayOfWeekWithWildcards', 'SpecifiedDayOfWeek', 1, 7)];
}

/** The gas prepayment configuration of a 2.1 request (UpdatePrepayConfigGas). */
export function gasPrepay(r: DuisRequest): gbz.GasPrepayConfiguration {
  const e = child(r.body, 'UpdatePrepayConfigGas')!;
  const u32 = (name: string) => elementInt(e, name, 0, 0xffffffff);
  const cal = child(e, 'GasNonDisablementCalendar');
  const els = (parent: Element | undefined, name: string) => (parent ? childElements(parent).filter((x) => x.localName === name) : []);
  const small = (el: Element | undefined, name: string) => elementInt(el, name, 0, 255);
  const days = els(cal && child(cal, 'DayProfiles'), 'GasNonDisablementDayProfile').map((d) => ({
    id: small(d, 'GasDayName'),
    entries: els(d, 'TimeStartAction').map((t) => {
      const hms = calendar.dlmsTime(textOf(child(t, 'StartTime')), 'StartTime');
      const action = textOf(child(t, 'NonDisablementAction'));
      if (action !== 'START' && action !== 'STOP') throw new TransformError('bad-content', 'NonDisablementAction must be START or STOP');
      return [hms[0] * 60 + hms[1], action === 'START' ? 1 : 0] as [number, number];
    }),
  }));
  const weeks = els(cal && child(cal, 'WeekProfiles'), 'WeekProfile').map((w) => {
    const ids = indexedPrices(w, 'ReferencedDayName', 7, 0, 255);
    if (ids.length !== 7) throw new TransformError('bad-content', 'a WeekProfile names the day of each of the 7 days');
    return { id: small(w, 'WeekName'), days: ids };
  });
  const seasons = els(cal && child(cal, 'SeasonProfiles'), 'Season').map((s) => ({ start: gasDate(child(s, 'SeasonStartDate')), week: small(s, 'ReferencedWeekName') }));
  const specialDays = els(cal && child(cal, 'SpecialDays'), 'SpecialDay').map((s) => ({ date: gasDate(child(s, 'Date')), day: small(s, 'ReferencedDayName') }));
  return {
    debtRecoveryRateCap: u32('DebtRecoveryRateCap'), emergencyCreditLimit: u32('EmergencyCreditLimit'), emergencyCreditThreshold: u32('EmergencyCreditThreshold'),
    lowCreditThreshold: u32('LowCreditThreshold'), maxMeterBalance: u32('MaxMeterBalance'), maxCreditThreshold: u32('MaxCreditThreshold'), days, weeks, seasons, specialDays,
  };
}

/** CS03 join content for the OtherDeviceID, whose type the inventory gives (the DCC's knowledge, not the request's). */
export function joinContent(b: BuildInput, method: number): Uint8Array {
  const other = euiOf(requestText(b.request, 'OtherDeviceID'));
  const type = b.inventory[toHex(other).toUpperCase()];
  if (!type) throw new TransformError('bad-content', 'OtherDeviceID ' + toHex(other).toUpperCase() + ' is not in the DCC inventory');
  return derSequence([derSmallInteger(method), derOctetString(other), derSmallInteger(JOIN_DEVICE_TYPE[type])]);
}

/** The alert settings (`<sr:xNNNN>Enable|Disable</sr:xNNNN>` in the Common and, on a polyphase ESME, PolyPhase groups) of a 6.22 request. */
export function ecs25(element: string, obis: string): (b: BuildInput) => Uint8Array {
  return (b) => {
    const settings: Array<[number, boolean]> = [];
    for (const group of childElements(child(b.request.body, element)!)) {
      if (/PolyPhase$/.test(group.localName ?? '') && b.variant !== 'polyphase') continue;
      for (const a of childElements(group)) {
        const m = /^x(8[0-9A-F])([0-9A-F]{2})$/.exec(a.localName ?? '');
        const v = textOf(a);
        if (!m || (v !== 'Enable' && v !== 'Disable')) throw new TransformError('bad-content', 'alert setting ' + a.localName + ' must be xNNNN with Enable or Disable');
        settings.push([parseInt(m[2], 16), v === 'Enable']);
      }
    }
    return cfg.ecs25AlertBehaviours(b.counter, obis, settings);
  };
}

export function clockWindow(r: DuisRequest): [number, number] {
  const now = requestSeconds(r, 'CurrentDateTime');
  return [now, now + requestUint(r, 'TolerancePeriod')];
}

export const ecs70 = (b: BuildInput) => { const w = clockWindow(b.request); return cfg.ecs70SynchroniseClock(b.counter, w[0], w[1] - w[0]); };
/** GCS28: SEQUENCE { validity start, validity end } as GeneralizedTime (GBCS's ASN.1 for the GSME clock). */
export const gcs28 = (b: BuildInput) => { const w = clockWindow(b.request); return derSequence([derGeneralizedTime(secondsToTime(w[0])), derGeneralizedTime(secondsToTime(w[1]))]); };

export const DUIS_ROLE_NUMBERS: Record<string, number> = { Root: 0, Recovery: 1, Supplier: 2, NetworkOperator: 3, ACB: 4, TransCoS: 5, WANProvider: 6, IssuingAuthority: 7, LoadController: 8 };

/** The GBCS role numbers of a request's RemotePartyRole elements (unknown names as -1). */
export function credentialRoles(r: DuisRequest): number[] {
  return childElements(r.body).filter((e) => e.localName === 'RemotePartyRole').map((e) => DUIS_ROLE_NUMBERS[textOf(e) ?? ''] ?? -1);
}

export function cs02CredentialDetails(r: DuisRequest): Uint8Array {
  const roles = credentialRoles(r);
  if (roles.length === 0 || roles.indexOf(-1) >= 0) throw new TransformError('bad-content', 'RemotePartyRole must name known roles');
  return derSequence([derSequence([derSmallInteger(4), derBitString(new Uint8Array([0x08]), 3)]), derSequence(roles.map((n) => derSmallInteger(n)))]);
}

/** The first element named `name` anywhere under the body. */
export function bodyElement(r: DuisRequest, name: string): Element | undefined {
  const todo = [r.body];
  for (let el = todo.shift(); el; el = todo.shift()) {
    const hit = child(el, name);
    if (hit) return hit;
    todo.push(...childElements(el));
  }
  return undefined;
}

/** Indexed prices (`<name index="i">v</name>`, i 1..max) of `el`, as an array (missing entries undefined). */
export function indexedPrices(el: Element | undefined, name: string, max: number, lo: number, hi: number): number[] {
  const out: number[] = [];
  for (const e of el ? childElements(el).filter((x) => x.localName === name) : []) {
    const i = Number(e.getAttribute('index'));
    const t = textOf(e) ?? '';
    if (!(i >= 1 && i <= max) || out[i - 1] !== undefined) throw new TransformError('bad-content', name + ' index must be 1..' + max + ', each once');
    if (!/^-?\d+$/.test(t) || Number(t) < lo || Number(t) > hi) throw new TransformError('bad-content', name + ' must be an integer ' + lo + '..' + hi);
    out[i - 1] = Number(t);
  }
  return out;
}

export function ecs01b(b: BuildInput): Uint8Array {
  const e = bodyElement(b.request, 'ElectricityPriceElements')!;
  const tariff = child(e, 'TOUTariff') ?? child(e, 'BlockTariff') ?? child(e, 'HybridTariff');
  const tou = indexedPrices(tariff, 'TOUPrice', 48, -0x8000, 0x7fff);
  const sets = tariff ? childElements(tariff).filter((x) => x.localName === 'BlockPrices') : [];
  const blocks: number[][] = [];
  for (const s of sets) {
    const i = Number(s.getAttribute('index'));
    if (!(i >= 1 && i <= 8) || blocks[i - 1]) throw new TransformError('bad-content', 'BlockPrices index must be 1..8, each once');
    blocks[i - 1] = indexedPrices(s, 'BlockPrice', 4, -0x8000, 0x7fff);
  }
  return cfg.ecs01bPrices(b.counter, elementInt(e, 'StandingCharge', -0x8000, 0x7fff), elementInt(e, 'StandingChargeScale', -128, 127), elementInt(e, 'PriceScale', -128, 127), tou, blocks, dlmsExecution(b.request));
}

export function gcs01b(b: BuildInput): Uint8Array {
  const e = bodyElement(b.request, 'GasPriceElements')!;
  const currency = gbz.CURRENCY[textOf(child(e, 'CurrencyUnits')) ?? ''];
  if (currency === undefined) throw new TransformError('bad-content', 'CurrencyUnits must be GBP or ECB');
  const touEl = child(e, 'TOUTariff');
  const blockEl = child(e, 'BlockTariff');
  const tou = indexedPrices(touEl, 'TOUPrice', 4, 0, 0xffffffff);
  const block = indexedPrices(blockEl, 'BlockPrice', 4, 0, 0xffffffff);
  const gap = (a: number[]) => { for (let i = 0; i < a.length; i++) if (a[i] === undefined) return true; return false; };
  if (gap(tou) || gap(block)) throw new TransformError('bad-content', 'prices must be given from index 1 without gaps');
  return gbz.gcs01bPrices(b.now, zclExecution(b.request), currency, elementInt(e, 'StandingCharge', 0, 0xffffffff), tou, block, blockEl ? elementInt(blockEl, 'NumberOfThresholds', 1, 3) : 0);
}

/** A dashed EUI-64 (`00-DB-12-...`) as 8 bytes. */
export function euiOf(text: string): Uint8Array {
  const hex = text.replace(/-/g, '');
  const b = /^[0-9A-Fa-f]{16}$/.test(hex) ? fromHex(hex) : undefined;
  if (!b) throw new TransformError('bad-content', 'a device id must be an EUI-64');
  return b;
}

/** A request xs:dateTime (UTC) as Unix seconds. */
export function requestSeconds(r: DuisRequest, name: string): number {
  const ms = Date.parse(bodyText(r, name) ?? '');
  if (!(ms >= 0)) throw new TransformError('bad-content', name + ' must be a UTC date-time');
  return Math.floor(ms / 1000);
}

