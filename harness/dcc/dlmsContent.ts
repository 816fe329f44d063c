/**
 * Which DLMS COSEM request the lab's DCC sends for each use case (the ACCESS service codec is
 * gbcs/dlms/access.ts), in the shape the DCC RTDS 4.5.0 reference commands show. Nothing here is copied
 * from the reference files.
 *
 * | use case | what | RTDS shape |
 * |---|---|---|
 * | ECS52 firmware version | get class 1, 0-0:0.2.1.255 attr 2 | 11.2_ECS52 |
 * | ECS45 load-switch status | get class 70, 0-0:96.3.10.255 attr 3 (control_state) | 7.4_ECS45 |
 * | ECS42 close (supply on) | action class 9 (script table) 0-0:10.0.106.255 method 1, script 0x0033 | 7.1_ECS42 |
 * | ECS43 open (supply off) | action class 70 0-0:96.3.10.255 method 1 remote_disconnect | none in the sample: UNCONFIRMED |
 * | ECS44 arm | action class 70 0-0:96.3.10.255 method 2 remote_reconnect (armed: ready_for_reconnection) | none in the sample: UNCONFIRMED |
 * | ECS35b security log | get-with-selection class 7, 0-0:99.98.1.255 attr 2, range by UTC seconds since 2000 | shape of 6.13_ECS35a/d; the ESME security-log OBIS is UNCONFIRMED |
 * | ECS15a / ECS15c clear event log | action class 7 (profile generic) method 1 reset on the event log 0-0:99.98.0.255 / ALCS event log 0-17:99.98.2.255 | 3.3_ECS15a/c |
 * | ECS28b reset load limit counter | action class 3 0-0:94.44.42.255 method 1 reset | 6.4.2_ECS28b |
 * | ECS29e / ECS29f reset RMS voltage counters | action class 3 method 1 on the average RMS over- and under-voltage counters of each phase (1-0:32/52/72.32.0.4 and .36.0.4) | 6.27_ECS29e/f |
 * | ECS09 activate emergency credit | action class 112 (credit) 0-0:19.10.1.255 method 3 | 2.5_ECS09 |
 * | ECS12 change of tenancy date | set class 1 0-0:94.44.3.2 attr 2, the date as a 12-byte date-time octet-string | 3.2_ECS12 |
 * | ECS14 disable privacy PIN | set class 1 0-0:94.44.3.1 attr 2, an empty octet-string | 3.5_ECS14 |
 * | ECS34 power thresholds | set class 21 (register monitor) 0-0:16.0.0.255 attr 2 thresholds, array of double-long-unsigned | 6.12_ECS34 |
 * | ECS20b/c, ECS21a, ECS21b, ECS22b protected profile reads | action class 30 (data protection) 0-0:43.2.N.255 method 1 get_protected_attributes: {[{class 7, profile, attr 2, data index 0, {selector 1, {from, to date-times}}}], [{protection type 2, {transaction id 04 + originator counter, originator, recipient, other information empty, key info {2 agreed key, {parameters 02, ciphered data empty}}}}]} | 4.4.2, 4.4.3, 4.6.1, 4.8.1, 4.14 |
 * | ECS61c boost button details | gets of 0-0:94.44.7.255, 0-0:94.44.6.1..5 and the boost button log 0-0:99.98.20.255 by UTC range | 7.11_ECS61c |
 * | ECS10 display message | set class 1 0-2:96.13.1.255 attr 2, the message as an octet-string | 3.1_ECS10 |
 * | ECS16 supplier name | set class 9000 0-0:96.13.0.255 attr 2 (telephone) and 0-0:96.13.1.255 attr 2 (name), octet-strings | 3.4_ECS16 |
 * | ECS46a ALCS/HCALCS descriptions | set class 1 0-0:94.44.0.(10+n) attr 2 for each switch n given, visible-string | 6.14.1_ECS46a |
 * | ECS04a adjust meter balance (prepayment mode) | action class 112 (credit) 0-0:19.10.0.255 method 1 update_amount, double-long | 1.5_ECS04a |
 * | CS01a top up (DUIS 2.2 TopUpDevice to an ESME) | action class 115 (token gateway) 0-0:19.40.0.255 method 1 enter, the UTRN's 20 ASCII digits as an octet-string | 2.2_CS01a (public RTDS 4.5.0; not in our sample) |
 * | ECS48 daily block counter reset | set class 22 (single action schedule) 0-0:15.1.0.255 attr 4 execution_time: every day 00:00 when enabled, none when disabled (UNCONFIRMED) | 6.26_ECS48 |
 * @module
 */
import { concatBytes } from '../../lib/bytes.ts';
import { counterToBytes } from '../../gbcs/counter64.ts';
import type { Counter64 } from '../../gbcs/counter64.ts';
import { dlmsDateTime, UNIX_2000 } from '../../gbcs/dateTime.ts';
import { accessRequest, accessRequestList, accessSpec, action, getAttribute, KIND_ACTION, KIND_GET, KIND_GET_WITH_SELECTION, KIND_SET, obisBytes, setAttribute } from '../../gbcs/dlms/access.ts';
import { arrayData, doubleLongUnsigned, encodeData, TAG_VISIBLE_STRING, enumData, integerData, longUnsigned, NULL_DATA, octetString, structureData } from '../../gbcs/dlms/data.ts';


/** A profile read restricted to [fromUnix, toUnix] by the GB UTC-time object 0-0:94.44.100.255 (as ECS35a). */
export function getLogRange(counter: Counter64, classId: number, obis: string, attribute: number, fromUnix: number, toUnix: number): Uint8Array {
  // range_descriptor { restricting_object { class 1, OBIS, attribute 2, data index 0 }, from, to, selected_values [] }
  return accessRequest(counter, concatBytes([accessSpec(KIND_GET_WITH_SELECTION, classId, obis, attribute, 0x01), utcRange(fromUnix, toUnix)]), NULL_DATA);
}

/** The range_descriptor restricting a profile to [fromUnix, toUnix] by the GB UTC-time object, all columns. */
export function utcRange(fromUnix: number, toUnix: number): Uint8Array {
  const gbSeconds = (t: number) => Math.max(0, Math.floor(t) - UNIX_2000);
  const restricting = concatBytes([new Uint8Array([0x02, 0x04]), longUnsigned(1), new Uint8Array([0x09, 0x06]), obisBytes('0-0:94.44.100.255'), integerData(2), longUnsigned(0)]);
  return concatBytes([new Uint8Array([0x02, 0x04]), restricting, doubleLongUnsigned(gbSeconds(fromUnix)), doubleLongUnsigned(gbSeconds(toUnix)), new Uint8Array([0x01, 0x00])]);
}

/**
 * ECS61c boost button details: the boost duration (GB 0-0:94.44.7.255), the boost button event log
 * (0-0:99.98.20.255) restricted to the period, and the five ALCS/HCALCS boost states (0-0:94.44.6.1..5).
 */
export function ecs61cReadBoostButton(c: Counter64, fromUnix: number, toUnix: number): Uint8Array {
  const items = [
    { spec: accessSpec(KIND_GET, 1, '0-0:94.44.7.255', 2), data: NULL_DATA },
    { spec: concatBytes([accessSpec(KIND_GET_WITH_SELECTION, 7, '0-0:99.98.20.255', 2, 0x01), utcRange(fromUnix, toUnix)]), data: NULL_DATA },
  ];
  for (let i = 1; i <= 5; i++) items.push({ spec: accessSpec(KIND_GET, 1, '0-0:94.44.6.' + i, 2), data: NULL_DATA });
  return accessRequestList(c, items);
}

export const OBIS = {
  firmwareVersion: '0-0:0.2.1.255',
  disconnectControl: '0-0:96.3.10.255',
  disconnectScripts: '0-0:10.0.106.255',
  securityLog: '0-0:99.98.1.255',
};

export const ecs52ReadFirmwareVersion = (c: Counter64) => getAttribute(c, 1, OBIS.firmwareVersion, 2);
export const ecs45ReadSupplyStatus = (c: Counter64) => getAttribute(c, 70, OBIS.disconnectControl, 3);
export const ecs42EnableSupply = (c: Counter64) => action(c, 9, OBIS.disconnectScripts, 1, longUnsigned(0x0033));
export const ecs43DisableSupply = (c: Counter64) => action(c, 70, OBIS.disconnectControl, 1, integerData(0));
export const ecs44ArmSupply = (c: Counter64) => action(c, 70, OBIS.disconnectControl, 2, integerData(0));
export const ecs35bReadSecurityLog = (c: Counter64, nowUnix: number) => getLogRange(c, 7, OBIS.securityLog, 2, UNIX_2000, nowUnix);

/** COSEM `reset` (method 1, parameter integer 0) on each object, one access-request. */
export function resetAll(c: Counter64, objects: Array<[number, string]>): Uint8Array {
  return accessRequestList(c, objects.map((o) => ({ spec: accessSpec(KIND_ACTION, o[0], o[1], 1), data: integerData(0) })));
}

export const ecs15ClearLog = (c: Counter64, alcs: boolean) => action(c, 7, alcs ? '0-17:99.98.2.255' : '0-0:99.98.0.255', 1, integerData(0));
export const ecs28bResetLoadLimitCounter = (c: Counter64) => action(c, 3, '0-0:94.44.42.255', 1, integerData(0));
/** ECS29e (phases [1]) / ECS29f (phases [1, 2, 3]): the average RMS over- and under-voltage counters of each phase. */
export function ecs29ResetRmsVoltageCounters(c: Counter64, phases: number[]): Uint8Array {
  const objects: Array<[number, string]> = [];
  for (const p of phases) {
    const a = 12 + 20 * p; // L1 32, L2 52, L3 72
    objects.push([3, '1-0:' + a + '.32.0.4'], [3, '1-0:' + a + '.36.0.4']);
  }
  return resetAll(c, objects);
}
export const ecs09ActivateEmergencyCredit = (c: Counter64) => action(c, 112, '0-0:19.10.1.255', 3, integerData(0));
export const ecs12ChangeOfTenancy = (c: Counter64, unixSeconds: number) => setAttribute(c, 1, '0-0:94.44.3.2', 2, octetString(dlmsDateTime(unixSeconds)));
export const ecs14DisablePrivacyPin = (c: Counter64) => setAttribute(c, 1, '0-0:94.44.3.1', 2, octetString(new Uint8Array(0)));
export const ecs34PowerThresholds = (c: Counter64, thresholds: number[]) => setAttribute(c, 21, '0-0:16.0.0.255', 2, arrayData(thresholds.map(doubleLongUnsigned)));
/** A single-action-schedule execution_time entry: time (hh mm ss hundredths) and date (wildcards FF). */
function executionEntry(time: number[], date: number[]): Uint8Array {
  return structureData([octetString(new Uint8Array(time)), octetString(new Uint8Array(date))]);
}
export const ecs48DailyBlockCounterReset = (c: Counter64, enable: boolean) =>
  setAttribute(c, 22, '0-0:15.1.0.255', 4, arrayData(enable ? [executionEntry([0, 0, 0, 0], [0xff, 0xff, 0xff, 0xff, 0xff])] : []));

/** One attribute of a protected read: class, OBIS, attribute 2, data index 0, and its access selection (selector, parameters). */
export interface ProtectedGet {
  classId: number;
  obis: string;
  selection: Uint8Array;
}

/** The access selection of a protected profile read: selector 1 (range) over [fromUnix, toUnix] as date-times. */
export function dateRangeSelection(fromUnix: number, toUnix: number): Uint8Array {
  return structureData([enumData(1), structureData([octetString(dlmsDateTime(fromUnix)), octetString(dlmsDateTime(toUnix))])]);
}

/** No access selection (selector 0, null-data). */
export const NO_SELECTION = structureData([enumData(0), NULL_DATA]);

/**
 * A protected read (DLMS data protection, class 30, method 1 get_protected_attributes), the response
 * protected for the originator: the form the billing data logs, daily read logs, active import profile
 * (with a date range) and the instantaneous import registers (no selection) are read in (see the table above).
 */
export function protectedRead(c: Counter64, protectionObis: string, gets: ProtectedGet[], originator: Uint8Array, recipient: Uint8Array): Uint8Array {
  const list = arrayData(gets.map((g) => structureData([longUnsigned(g.classId), octetString(obisBytes(g.obis)), integerData(2), longUnsigned(0), g.selection])));
  const transactionId = concatBytes([new Uint8Array([0x04]), counterToBytes(c)]);
  const keyInfo = structureData([enumData(2), structureData([octetString(new Uint8Array([0x02])), octetString(new Uint8Array(0))])]);
  const protection = arrayData([structureData([enumData(2), structureData([octetString(transactionId), octetString(originator), octetString(recipient), octetString(new Uint8Array(0)), keyInfo])])]);
  return action(c, 30, protectionObis, 1, structureData([list, protection]));
}

export function protectedProfileRead(c: Counter64, protectionObis: string, profiles: string[], fromUnix: number, toUnix: number, originator: Uint8Array, recipient: Uint8Array): Uint8Array {
  const sel = dateRangeSelection(fromUnix, toUnix);
  return protectedRead(c, protectionObis, profiles.map((o) => ({ classId: 7, obis: o, selection: sel })), originator, recipient);
}

/** The bytes of a text (characters 0..255 each one byte; DUIS strings here are ASCII). */
function latin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** visible-string Data (tag 0A). */
function visibleString(text: string): Uint8Array {
  const b = latin1(text);
  return encodeData({ tag: TAG_VISIBLE_STRING, raw: b });
}

export const ecs10DisplayMessage = (c: Counter64, message: string) => setAttribute(c, 1, '0-2:96.13.1.255', 2, octetString(latin1(message)));

export function ecs16SupplierName(c: Counter64, name: string, telephone: string): Uint8Array {
  return accessRequestList(c, [
    { spec: accessSpec(KIND_SET, 9000, '0-0:96.13.0.255', 2), data: octetString(latin1(telephone)) },
    { spec: accessSpec(KIND_SET, 9000, '0-0:96.13.1.255', 2), data: octetString(latin1(name)) },
  ]);
}

/** ECS46a: the descriptions of the switches given (index 1..5 -> 0-0:94.44.0.11..15), in the request's order. */
export function ecs46aAlcDescriptions(c: Counter64, descriptions: Array<[number, string]>): Uint8Array {
  return accessRequestList(c, descriptions.map((d) => ({ spec: accessSpec(KIND_SET, 1, '0-0:94.44.0.' + (10 + d[0]), 2), data: visibleString(d[1]) })));
}

/** double-long Data (tag 05, signed 32-bit big-endian). */
function doubleLong(v: number): Uint8Array {
  return new Uint8Array([0x05, (v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
}

export const ecs04aAdjustMeterBalance = (c: Counter64, amount: number) => action(c, 112, '0-0:19.10.0.255', 1, doubleLong(amount));

/** CS01a: the UTRN (its digits as ASCII) entered into the ESME's token gateway (device/prepayment/esmeTopUp.ts reads it). */
export const cs01aTopUp = (c: Counter64, utrn: string) => action(c, 115, '0-0:19.40.0.255', 1, octetString(new Uint8Array(Array.from(utrn, (ch) => ch.charCodeAt(0) & 0xff))));

/** ECS30: the billing single action schedule 0-0:15.0.0.255 execution_time, monthly on `day` at `hms` (date wildcards FF). */
export const ecs30BillingCalendar = (c: Counter64, hms: number[], day: number) =>
  setAttribute(c, 22, '0-0:15.0.0.255', 4, arrayData([executionEntry([hms[0], hms[1], hms[2], 0], [0xff, 0xff, 0xff, day & 0xff, 0xff])]));

/** ECS39b: the export MPAN (class 1 1-0:0.0.2.255 attribute 2) as an octet-string of its digits. */
export const ecs39bExportMpan = (c: Counter64, mpan: string) => setAttribute(c, 1, '1-0:0.0.2.255', 2, octetString(latin1(mpan)));
