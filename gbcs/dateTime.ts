/**
 * Date-times as GBCS carries them, from and to the device clock's seconds since 1970 (UTC; the Board's
 * `clock.nowSec`):
 * - ASN.1 GeneralizedTime text `YYYYMMDDHHMMSSZ` (CS02b / CS06 execution date-times, the future-dated
 *   alerts 0x00CA / 0x00CB; RTDS 4.5.0 6.23_CS02bSupplierByTransCoS, 11.3_CS06);
 * - the 12-byte DLMS COSEM date-time (IEC 62056-6-2 "date-time": year u16, month, day, day-of-week, hour,
 *   minute, second, hundredths, deviation s16, clock status) as the DLMS alerts carry it. The RTDS alerts
 *   (NA_GCA-DLMS, 1.2.1_ECS01b 8F66) write day-of-week FF (not specified), hundredths 00, deviation 8000
 *   (not specified) and clock status FF; so do we.
 * Calendar arithmetic is the proleptic Gregorian days-from-civil / civil-from-days pair (H. Hinnant),
 * written out in plain arithmetic (portable: no Date parsing differences between engines).
 * @module
 */

/** The text of the "never" date-time: as a CS02b or CS06 execution date-time it cancels (GBCS CS02b/CS06). */
export const CANCEL_TIME = '99991231235959Z';

function daysFromCivil(y0: number, m: number, d: number): number {
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** [year, month, day] of a day number since 1970-01-01. */
function civilFromDays(days: number): number[] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** Seconds since 1970 of a `YYYYMMDDHHMMSSZ` GeneralizedTime (UTC). */
export function timeToSeconds(t: string): number {
  const n = function (a: number, b: number): number {
    return parseInt(t.substring(a, b), 10);
  };
  return daysFromCivil(n(0, 4), n(4, 6), n(6, 8)) * 86400 + n(8, 10) * 3600 + n(10, 12) * 60 + n(12, 14);
}

function two(n: number): string {
  return (n < 10 ? '0' : '') + n;
}

/** `YYYYMMDDHHMMSSZ` of seconds since 1970 (UTC). */
export function secondsToTime(sec: number): string {
  const days = Math.floor(sec / 86400);
  const rem = sec - days * 86400;
  const c = civilFromDays(days);
  let y = '' + c[0];
  while (y.length < 4) y = '0' + y;
  return y + two(c[1]) + two(c[2]) + two(Math.floor(rem / 3600)) + two(Math.floor((rem % 3600) / 60)) + two(rem % 60) + 'Z';
}

/** The 12-byte DLMS COSEM date-time of seconds since 1970, as the RTDS DLMS alerts write it. */
export function dlmsDateTime(sec: number): Uint8Array {
  const days = Math.floor(sec / 86400);
  const rem = sec - days * 86400;
  const c = civilFromDays(days);
  return new Uint8Array([(c[0] >> 8) & 0xff, c[0] & 0xff, c[1], c[2], 0xff, Math.floor(rem / 3600), Math.floor((rem % 3600) / 60), rem % 60, 0x00, 0x80, 0x00, 0xff]);
}

/**
 * Seconds since 1970 of a 12-byte DLMS COSEM date-time, or undefined when a date or time field is not
 * specified (FF) or out of range. The deviation is not applied: GBCS alerts write 8000 (not specified)
 * and carry UTC.
 */
export function dlmsDateTimeToSeconds(b: Uint8Array): number | undefined {
  if (b.length !== 12) return undefined;
  const year = (b[0] << 8) | b[1];
  const month = b[2];
  const day = b[3];
  if (year === 0xffff || month < 1 || month > 12 || day < 1 || day > 31 || b[5] > 23 || b[6] > 59 || b[7] > 59) return undefined;
  return daysFromCivil(year, month, day) * 86400 + b[5] * 3600 + b[6] * 60 + b[7];
}

/** Seconds from 1970-01-01 to 2000-01-01: ZigBee UTCTime (GBZ time stamps) and GBCS log ranges count from 2000. */
export const UNIX_2000 = 946684800;
