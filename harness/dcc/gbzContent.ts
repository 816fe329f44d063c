/**
 * Which ZCL commands the lab's DCC sends to a GSME for each GBZ use case (the GBZ container is
 * gbcs/gbz/readAttributes.ts `gbzCommands`), in the shape the DCC RTDS 4.5.0 reference commands show.
 * Field layouts are the ZigBee SE 1.4 commands GBCS names for each use case; nothing is copied from the
 * reference files. Multi-byte ZCL fields are little-endian; times are ZigBee UTCTime (seconds since 2000).
 *
 * The Issuer Event ID of a ZCL command the DCC builds is the DCC's time of sending (as UTCTime): the RTDS
 * shows 2015-01-01T00:00:00Z (0x1C374A80) in every GSME command, its reference "now". Implementation
 * times: 0 = now (an immediate request), FFFFFFFF = cancel (DUIS ExecutionDateTime 3000-12-31), else the
 * request's ExecutionDateTime.
 *
 * | use case | cluster, command | fields |
 * |---|---|---|
 * | GCS07 display message | 0x0703 Display Message (0x00, server to client) | message id = issuer event id, control 0, start now, duration FFFF (until changed), message |
 * | GCS44 supplier name | 0x0708 Publish Change of Supplier (0x01) | provider 0, issuer event id, tariff type 0, proposed provider 0, now, control 0x1800, name, contact |
 * | GCS32 / GCS39 disable / arm supply | 0x0702 Change Supply (0x0B) | provider 0, issuer event id, request time now, implementation now, proposed status 0 off / 1 armed, control 1 (acknowledge) |
 * | GCS02 payment mode (credit) | 0x0705 Change Payment Mode (0x06) | provider 0, issuer event id, implementation, payment control 0x0C94, cut-off FFFFFFFF |
 * | GCS23 gas conversion | 0x0700 Publish Conversion Factor (0x02), Publish Calorific Value (0x03) | issuer event id, start now, value, trailing digits (factor 5 decimals, CV 1 decimal, MJ/m3) |
 * | GCS24a gas flow | 0x0702 Set Uncontrolled Flow Threshold (0x0E), Set Supply Status (0x0D) | threshold (4 decimals, divisor 10000, m3), stabilisation and measurement periods; tamper/depletion states |
 * | GCS25 / GCS25a billing calendar | 0x0700 Publish Billing Period (0x09), Publish Block Period (0x01) | provider 0, issuer event id, start, duration in months (type 0x23), block control 2, tariff type 0, resolution 1 |
 * @module
 */
import { gbzCommands, zclUtcTime } from '../../gbcs/gbz/readAttributes.ts';
import type { GbzCommandComponent } from '../../gbcs/gbz/readAttributes.ts';

/** Implementation time "now" (0) and "cancel" (FFFFFFFF) as a ZCL payload carries them. */
export const ZCL_NOW = -1;
export const ZCL_CANCEL = -2;

export function u32le(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

export function u16le(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff];
}

/** A ZCL time field: ZCL_NOW -> 0, ZCL_CANCEL -> FFFFFFFF, else the UTCTime of Unix seconds. */
export function zclTime(unixOrSpecial: number): number[] {
  if (unixOrSpecial === ZCL_NOW) return [0, 0, 0, 0];
  if (unixOrSpecial === ZCL_CANCEL) return [0xff, 0xff, 0xff, 0xff];
  return Array.from(zclUtcTime(unixOrSpecial));
}

/** A ZCL octet string: one length byte, then the bytes (characters 0..255 one byte each). */
export function zclString(text: string): number[] {
  if (text.length > 254) throw new RangeError('zclString: at most 254 characters');
  const out = [text.length];
  for (let i = 0; i < text.length; i++) out.push(text.charCodeAt(i) & 0xff);
  return out;
}

/** Server-to-client cluster command (frame control 0x09: cluster-specific, direction server to client, no default response). */
const S2C = 0x09;
/** Client-to-server cluster command (frame control 0x01). */
const C2S = 0x01;

function cmd(cluster: number, frameControl: number, command: number, payload: number[]): GbzCommandComponent {
  return { cluster, frameControl, command, payload: new Uint8Array(payload) };
}

export function gcs07DisplayMessage(issuer: number, message: string): Uint8Array {
  return gbzCommands([cmd(0x0703, S2C, 0x00, [...zclTime(issuer), 0x00, ...zclTime(ZCL_NOW), 0xff, 0xff, ...zclString(message)])]);
}

export function gcs44SupplierName(issuer: number, name: string, telephone: string): Uint8Array {
  return gbzCommands([cmd(0x0708, S2C, 0x01, [...u32le(0), ...zclTime(issuer), 0x00, ...u32le(0), ...zclTime(ZCL_NOW), ...u32le(0x1800), ...zclString(name), ...zclString(telephone)])]);
}

/** Change Supply: proposed status 0 (off: GCS32) or 1 (armed: GCS39), acknowledgement requested. */
export function changeSupply(issuer: number, proposed: number): Uint8Array {
  return gbzCommands([cmd(0x0702, C2S, 0x0b, [...u32le(0), ...zclTime(issuer), ...zclTime(ZCL_NOW), ...zclTime(ZCL_NOW), proposed, 0x01])]);
}

/** GCS02 to credit mode (payment control configuration 0x0C94); `at` the implementation time. */
export function gcs02CreditMode(issuer: number, at: number): Uint8Array {
  return gbzCommands([cmd(0x0705, C2S, 0x06, [...u32le(0), ...zclTime(issuer), ...zclTime(at), ...u16le(0x0c94), ...u32le(0xffffffff)])]);
}

/** GCS23: conversion factor (scaled by 1e5, trailing digits 5) and calorific value (scaled by 10, MJ/m3, trailing digits 1). */
export function gcs23GasConversion(issuer: number, factorE5: number, calorificE1: number): Uint8Array {
  return gbzCommands([
    cmd(0x0700, S2C, 0x02, [...zclTime(issuer), ...zclTime(ZCL_NOW), ...u32le(factorE5), 0x50]),
    cmd(0x0700, S2C, 0x03, [...zclTime(issuer), ...zclTime(ZCL_NOW), ...u32le(calorificE1), 0x01, 0x10]),
  ]);
}

/** Supply Status values of Set Supply Status (ZCL): 3 = unchanged. */
export const SUPPLY_UNCHANGED = 0x03;

/** GCS24a: uncontrolled flow threshold (scaled by 1e4: unit m3, multiplier 1, divisor 10000) and the supply states. */
export function gcs24aGasFlow(issuer: number, thresholdE4: number, stabilisation: number, measurement: number, tamper: number, depletion: number): Uint8Array {
  return gbzCommands([
    cmd(0x0702, C2S, 0x0e, [...u32le(0), ...zclTime(issuer), ...u16le(thresholdE4), 0x01, ...u16le(1), ...u16le(10000), stabilisation & 0xff, ...u16le(measurement)]),
    cmd(0x0702, C2S, 0x0d, [...zclTime(issuer), tamper, depletion, 0x00, SUPPLY_UNCHANGED]),
  ]);
}

/** GCS25/GCS25a: billing and block periods from `start`, `months` long (duration type 0x23: months). */
export function gcs25BillingCalendar(issuer: number, start: number, months: number): Uint8Array {
  const dur = [months & 0xff, (months >>> 8) & 0xff, (months >>> 16) & 0xff];
  return gbzCommands([
    cmd(0x0700, S2C, 0x09, [...u32le(0), ...zclTime(issuer), ...zclTime(start), ...dur, 0x23, 0x00]),
    cmd(0x0700, S2C, 0x01, [...u32le(0), ...zclTime(issuer), ...zclTime(start), ...dur, 0x02, 0x23, 0x00, 0x01]),
  ]);
}

export interface GasDebtRecovery {
  rate: number;
  /** ZCL Debt Recovery Frequency: 0 hourly, 1 daily. */
  frequency: number;
}

/** One ZCL Change Debt (prepayment cluster 0x02): no label, start now, no collection time. */
function changeDebt(issuer: number, amount: number, method: number, amountType: number, frequency: number, recoveryAmount: number, percentage: number): GbzCommandComponent {
  return cmd(0x0705, C2S, 0x02, [...zclTime(issuer), 0x00, ...u32le(amount), method, amountType, ...zclTime(ZCL_NOW), ...u16le(0), frequency, ...u32le(recoveryAmount), ...u16le(percentage)]);
}

/**
 * GCS04 manage debt: time debts 1 and 2 (time based, amount types 1 and 3: incremental) with their recovery
 * rate and frequency, then the payment debt (percentage based, type 5) with its recovery per payment.
 */
export function gcs04ManageDebt(issuer: number, timeDebts: [number, number], paymentDebt: number, perPayment: number, recovery: [GasDebtRecovery, GasDebtRecovery]): Uint8Array {
  return gbzCommands([
    changeDebt(issuer, timeDebts[0], 0x00, 0x01, recovery[0].frequency, recovery[0].rate, 0),
    changeDebt(issuer, timeDebts[1], 0x00, 0x03, recovery[1].frequency, recovery[1].rate, 0),
    changeDebt(issuer, paymentDebt, 0x01, 0x05, 0x01, 0, perPayment),
  ]);
}

/** A ZCL UTCTime of Unix seconds for a log read's end, clamped to FFFFFFFE (DUIS's 3000-12-31 "no end"). */
function zclEnd(unix: number): number[] {
  const t = Math.floor(unix) - 946684800;
  return u32le(t > 0xfffffffe ? 0xfffffffe : Math.max(0, t));
}

/** GCS15d: Get Debt Repayment Log (prepayment 0x0A) from `from` (the component's From Date Time) to `to`: the last 10 payments of debt 3 (payment-based). */
export function gcs15dDebtPayments(from: number, to: number): Uint8Array {
  return gbzCommands([{ ...cmd(0x0705, C2S, 0x0a, [...zclEnd(to), 10, 0x02]), fromTime: from - 946684800 }]);
}

/** GCS15e: Get Top Up Log (prepayment 0x08) from `from` to `to`: the last 5 top-ups. */
export function gcs15eTopUps(from: number, to: number): Uint8Array {
  return gbzCommands([{ ...cmd(0x0705, C2S, 0x08, [...zclEnd(to), 5]), fromTime: from - 946684800 }]);
}

/** CS10b: Get Event Log (events cluster 0x0709, 0x00) of the security log (log id 4) over [from, to], all events from offset 0. */
export function cs10bSecurityLog(from: number, to: number): Uint8Array {
  return gbzCommands([cmd(0x0709, C2S, 0x00, [0x04, ...u16le(0), ...zclEnd(from), ...zclEnd(to), 0x00, ...u16le(0)])]);
}

/** GCS31 record network data: Start Sampling (metering 0x07) now, consumption delivered, every 360 s, 41 samples (GBCS's fixed parameters, as the RTDS). */
export function gcs31StartSampling(issuer: number): Uint8Array {
  return gbzCommands([cmd(0x0702, C2S, 0x07, [...zclTime(issuer), ...zclTime(ZCL_NOW), 0x00, ...u16le(360), ...u16le(41)])]);
}

/** ZCL currency codes (ISO 4217 numeric) of DUIS CurrencyUnits. */
export const CURRENCY: Record<string, number> = { GBP: 826, ECB: 978 };

/**
 * GCS01b gas prices: price cluster Publish Tariff Information (0x04: issuer tariff id 1, TOU (type 0, tiers in
 * use) or block (type 0x10, thresholds in use), currency, 5 trailing digits, standing charge, block threshold
 * multiplier 1 / divisor 1000) and Publish Price Matrix (0x05: one command, TOU tiers 1..n or block 0..n-1).
 * A cancellation writes start FFFFFFFF in the first and FFFFFFFE in the second, as the RTDS.
 */
export function gcs01bPrices(issuer: number, at: number, currency: number, standingCharge: number, tou: number[], block: number[], thresholds: number): Uint8Array {
  const isTou = tou.length > 0;
  const start = zclTime(at);
  const matrixStart = at === ZCL_CANCEL ? [0xfe, 0xff, 0xff, 0xff] : start;
  const prices: number[] = [];
  (isTou ? tou : block).forEach((p, i) => prices.push(isTou ? i + 1 : i, ...u32le(p)));
  return gbzCommands([
    cmd(0x0700, S2C, 0x04, [...u32le(0), ...zclTime(issuer), ...u32le(1), ...start, isTou ? 0x00 : 0x10, 0x00, isTou ? tou.length : 0, isTou ? 0 : thresholds, 0x00, ...u16le(currency), 0x50, ...u32le(standingCharge), 0xff, 0x01, 0x00, 0x00, ...u16le(1000), 0x00]),
    cmd(0x0700, S2C, 0x05, [...u32le(0), ...zclTime(issuer), ...matrixStart, ...u32le(1), 0x00, 0x01, isTou ? 0x01 : 0x00, ...prices]),
  ]);
}

/** A calendar command's start: now 0, cancel FFFFFFFE (the RTDS's calendar and price-matrix cancellations), else the time. */
function calendarStart(at: number): number[] {
  return at === ZCL_CANCEL ? [0xfe, 0xff, 0xff, 0xff] : zclTime(at);
}

export interface GasPrepayConfiguration {
  debtRecoveryRateCap: number;
  emergencyCreditLimit: number;
  emergencyCreditThreshold: number;
  lowCreditThreshold: number;
  maxMeterBalance: number;
  maxCreditThreshold: number;
  /** Day profiles: id and [minutes after midnight, action 1 start / 0 stop] entries. */
  days: Array<{ id: number; entries: Array<[number, number]> }>;
  /** Week profiles: id and the day ids of Monday..Sunday. */
  weeks: Array<{ id: number; days: number[] }>;
  /** Seasons: start as a ZCL date [year - 1900 | FF, month, day, day of week] and week id. */
  seasons: Array<{ start: number[]; week: number }>;
  specialDays: Array<{ date: number[]; day: number }>;
}

/**
 * GCS05 gas prepayment configuration: prepayment cluster Emergency Credit Setup (0x03), Set Overall Debt Cap
 * (0x0C), Set Low Credit Warning Level (0x09, its component timed by the implementation time as From Date
 * Time), Set Maximum Credit Limit (0x0B); then the non-disablement calendar in the calendar cluster 0x0707:
 * Publish Calendar (0x00: calendar id = issuer event id, type 3, no name), Day Profiles (0x01), Week Profiles
 * (0x02), Seasons (0x03), Special Days (0x04).
 */
export function gcs05PrepayConfiguration(issuer: number, at: number, p: GasPrepayConfiguration): Uint8Array {
  const iss = zclTime(issuer);
  const start = zclTime(at);
  const calHead = [...u32le(0), ...iss, ...iss];
  const fromTime = at === ZCL_NOW ? 0 : at === ZCL_CANCEL ? 0xffffffff : at - 946684800;
  const days = p.days.map((d) => {
    const entries: number[] = [];
    for (const e of d.entries) entries.push(...u16le(e[0]), e[1]);
    return cmd(0x0707, S2C, 0x01, [...calHead, d.id, d.entries.length, 0x00, 0x01, 0x03, ...entries]);
  });
  const weeks = p.weeks.map((w) => cmd(0x0707, S2C, 0x02, [...calHead, w.id, ...w.days]));
  const seasons: number[] = [];
  for (const s of p.seasons) seasons.push(...s.start, s.week);
  const special: number[] = [];
  for (const s of p.specialDays) special.push(...s.date, s.day);
  return gbzCommands([
    cmd(0x0705, C2S, 0x03, [...iss, ...start, ...u32le(p.emergencyCreditLimit), ...u32le(p.emergencyCreditThreshold)]),
    cmd(0x0705, C2S, 0x0c, [...u32le(0), ...iss, ...start, ...u32le(p.debtRecoveryRateCap)]),
    { ...cmd(0x0705, C2S, 0x09, [...u32le(p.lowCreditThreshold)]), fromTime },
    cmd(0x0705, C2S, 0x0b, [...u32le(0), ...iss, ...start, ...u32le(p.maxMeterBalance), ...u32le(p.maxCreditThreshold)]),
    cmd(0x0707, S2C, 0x00, [...calHead, ...calendarStart(at), 0x03, 0x00, 0x00, p.seasons.length, p.weeks.length, p.days.length]),
    ...days,
    ...weeks,
    cmd(0x0707, S2C, 0x03, [...calHead, 0x00, 0x01, ...seasons]),
    cmd(0x0707, S2C, 0x04, [...calHead, ...calendarStart(at), 0x03, p.specialDays.length, 0x00, 0x01, ...special]),
  ]);
}

/** ZCL Read Attributes (profile-wide command 0x00) of `attributes` of `cluster`, as one command component. */
function readAttrs(cluster: number, attributes: number[]): GbzCommandComponent {
  const p: number[] = [];
  for (const a of attributes) p.push(...u16le(a));
  return cmd(cluster, 0x00, 0x00, p);
}

/**
 * The calendar cluster (0x0707) reads of one calendar: Get Day Profiles (0x01) and Get Week Profiles (0x02)
 * from day/week 1, all; Get Seasons (0x03); Get Special Days (0x04) of `type`: all, from now. `calendarId`
 * FFFFFFFE for the prepayment non-disablement calendar, FFFFFFFF for the tariff calendar, as the RTDS.
 */
function calendarReads(calendarId: number, type: number): GbzCommandComponent[] {
  const id = u32le(calendarId);
  return [
    cmd(0x0707, C2S, 0x01, [...u32le(0), ...id, 0x01, 0x00]),
    cmd(0x0707, C2S, 0x02, [...u32le(0), ...id, 0x01, 0x00]),
    cmd(0x0707, C2S, 0x03, [...u32le(0), ...id]),
    cmd(0x0707, C2S, 0x04, [...zclTime(ZCL_NOW), 0x00, type, ...u32le(0), ...id]),
  ];
}

/**
 * GCS21b read prepayment configuration: the prepayment cluster's configuration attributes (debt recovery caps
 * and thresholds, emergency credit, low credit, maximum credit and meter balance) and the price cluster's
 * currency (0x0617), then the non-disablement calendar.
 */
export function gcs21bReadPrepayConfiguration(): Uint8Array {
  return gbzCommands([
    readAttrs(0x0705, [0x0239, 0x0006, 0x0216, 0x0226, 0x0040, 0x0010, 0x0011, 0x0031, 0x0021, 0x0022, 0x0217, 0x0227]),
    readAttrs(0x0700, [0x0617]),
    ...calendarReads(0xfffffffe, 0x03),
  ]);
}

/** GCS21f read tariff (primary element): the price cluster's tariff attributes, the tariff calendar, Get Current Price (0x00). */
export function gcs21fReadTariff(): Uint8Array {
  return gbzCommands([
    readAttrs(0x0700, [0x0203, 0x0202, 0x0100, 0x0101, 0x0102, 0x0615, 0x0400, 0x0401, 0x0402, 0x0403, 0x0410, 0x0420, 0x0430, 0x0440, 0x0616, 0x0617, 0x0301]),
    ...calendarReads(0xffffffff, 0x00),
    cmd(0x0700, C2S, 0x00, [0x00]),
  ]);
}
