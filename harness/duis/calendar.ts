/**
 * DUIS calendar elements read into plain values: wildcard dates (Year / Month / DayOfMonth / DayOfWeek, as in
 * special days), schedule entries (script, special days and days of the week they apply to, switch time,
 * start and end dates). The DLMS encodings are in harness/dcc/dlmsConfig.ts.
 * @module
 */
import type { Element } from '@xmldom/xmldom';
import { child, childElements, textOf } from './xml.ts';

export class CalendarError extends Error {}

/** A DLMS date (5 bytes: year hi, year lo, month, day, day of week; FF not specified, FE/FD last/second last day). */
export type DlmsDate = number[];

function num(el: Element | undefined, what: string, min: number, max: number): number {
  const t = textOf(el);
  const v = Number(t);
  if (!t || !/^\d+$/.test(t) || v < min || v > max) throw new CalendarError(what + ' must be ' + min + '..' + max);
  return v;
}

/** A DUIS wildcard Date (Year, Month, DayOfMonth, DayOfWeek). */
export function wildcardDate(date: Element | undefined): DlmsDate {
  if (!date) throw new CalendarError('Date is missing');
  const y = child(date, 'Year');
  const m = child(date, 'Month');
  const d = child(date, 'DayOfMonth');
  const w = child(date, 'DayOfWeek');
  const year = y && child(y, 'SpecifiedYear') ? num(child(y, 'SpecifiedYear'), 'SpecifiedYear', 0, 0xfffe) : 0xffff;
  const month = m && child(m, 'SpecifiedMonth') ? num(child(m, 'SpecifiedMonth'), 'SpecifiedMonth', 1, 12) : 0xff;
  let day = 0xff;
  if (d && child(d, 'SpecifiedDayOfMonth')) day = num(child(d, 'SpecifiedDayOfMonth'), 'SpecifiedDayOfMonth', 1, 31);
  else if (d && child(d, 'LastDayOfMonth')) day = 0xfe;
  else if (d && child(d, 'SecondLastDayOfMonth')) day = 0xfd;
  const dow = w && child(w, 'SpecifiedDayOfWeek') ? num(child(w, 'SpecifiedDayOfWeek'), 'SpecifiedDayOfWeek', 1, 7) : 0xff;
  return [(year >> 8) & 0xff, year & 0xff, month, day, dow];
}

/** An xs:date `YYYY-MM-DD[Z]` (year 65535 = not specified) as a DLMS date, day of week not specified. */
export function scheduleDate(text: string | undefined, what: string): DlmsDate {
  const m = /^(\d{4,5})-(\d{2})-(\d{2})(Z|[+-]00:00)?$/.exec(text ?? '');
  if (!m || Number(m[1]) > 0xffff || Number(m[2]) < 1 || Number(m[2]) > 12 || Number(m[3]) < 1 || Number(m[3]) > 31) throw new CalendarError(what + ' must be a date YYYY-MM-DD');
  const y = Number(m[1]);
  return [(y >> 8) & 0xff, y & 0xff, Number(m[2]), Number(m[3]), 0xff];
}

/** An xs:time `hh:mm:ss[.ss]` as DLMS time bytes (hour, minute, second, hundredths). */
export function dlmsTime(text: string | undefined, what: string): number[] {
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,2}))?/.exec(text ?? '');
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3]) > 59) throw new CalendarError(what + ' must be hh:mm:ss');
  return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] ? Number(m[4].padEnd(2, '0')) : 0];
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export interface ScheduleEntry {
  /** The element's script value (e.g. START / STOP). */
  script: string;
  /** Special day ids (1..) it applies to. */
  specialDays: number[];
  /** Days of the week it applies to, 0 Monday .. 6 Sunday. */
  weekdays: number[];
  time: number[];
  start: DlmsDate;
  end: DlmsDate;
}

/** A schedule element: `<scriptElement>`, SpecialDaysApplicability, DaysOfWeekApplicability, ScheduleDatesAndTime. */
export function scheduleEntry(el: Element, scriptElement: string): ScheduleEntry {
  const script = textOf(child(el, scriptElement)) ?? '';
  const special = child(el, 'SpecialDaysApplicability');
  const specialDays = special ? childElements(special).map((e) => num(child(e, 'SpecialDayID'), 'SpecialDayID', 1, 50)) : [];
  const days = child(el, 'DaysOfWeekApplicability');
  const weekdays = days ? childElements(days).map((e) => {
    const i = WEEKDAYS.indexOf(textOf(child(e, 'DayOfWeekID')) ?? '');
    if (i < 0) throw new CalendarError('DayOfWeekID must name a day');
    return i;
  }) : [];
  const when = child(el, 'ScheduleDatesAndTime');
  return {
    script, specialDays, weekdays,
    time: dlmsTime(textOf(when && child(when, 'SwitchTime')), 'SwitchTime'),
    start: scheduleDate(textOf(when && child(when, 'StartDate')), 'StartDate'),
    end: scheduleDate(textOf(when && child(when, 'EndDate')), 'EndDate'),
  };
}
