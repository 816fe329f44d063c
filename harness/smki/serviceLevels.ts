/**
 * SMKI service levels (SEC L8): how fast the SMKI must answer, measured on the SMKI's clock (a simulated
 * one in tests, so no test waits):
 * - a single certificate request: issued within 30 s of receipt;
 * - a batch (2..49,999 device CSRs) received between 07:00 and 19:00 (GB time, Europe/London): done by
 *   07:00 the next day; received at any other time: done within 24 hours.
 * Every request is recorded with its receipt and completion times and its deadline; a completion after
 * the deadline is a breach, kept and reported (`breaches()`, `report()`; `onBreach` listeners).
 * @module
 */

export const SINGLE_TARGET_MS = 30_000;
export const DAY_MS = 24 * 3600_000;

export type RequestKind = 'single' | 'batch';

export interface ServiceRecord {
  kind: RequestKind;
  /** What was asked: 'device ESME', 'organisation 02', 'batch of 1200'. */
  what: string;
  receivedMs: number;
  doneMs: number;
  deadlineMs: number;
  breached: boolean;
}

/** The hour and minute in GB local time (Europe/London) of an instant. */
function londonParts(ms: number): { y: number; m: number; d: number; hour: number; minute: number } {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const p: Record<string, number> = {};
  for (const x of f.formatToParts(new Date(ms))) if (x.type !== 'literal') p[x.type] = Number(x.value);
  return { y: p.year!, m: p.month!, d: p.day!, hour: p.hour!, minute: p.minute! };
}

/** The instant of hh:00 GB time on the calendar day (y, m, d) (m 1-based; d may overflow). */
function londonTime(y: number, m: number, d: number, hh: number): number {
  // Guess as UTC, then correct by London's offset at that instant (0 or +1 h; 07:00 is never in a DST gap).
  const guess = Date.UTC(y, m - 1, d, hh);
  const p = londonParts(guess);
  const offsetMs = (p.hour - hh) * 3600_000;
  return guess - (offsetMs > 12 * 3600_000 ? offsetMs - DAY_MS : offsetMs < -12 * 3600_000 ? offsetMs + DAY_MS : offsetMs);
}

/** The deadline of a request received at `receivedMs` (SEC L8). */
export function deadline(kind: RequestKind, receivedMs: number): number {
  if (kind === 'single') return receivedMs + SINGLE_TARGET_MS;
  const p = londonParts(receivedMs);
  if (p.hour >= 7 && p.hour < 19) return londonTime(p.y, p.m, p.d + 1, 7);
  return receivedMs + DAY_MS;
}

export class ServiceLevelMonitor {
  readonly records: ServiceRecord[] = [];
  private readonly listeners: Array<(r: ServiceRecord) => void> = [];

  onBreach(listener: (r: ServiceRecord) => void): void {
    this.listeners.push(listener);
  }

  record(kind: RequestKind, what: string, receivedMs: number, doneMs: number): ServiceRecord {
    const deadlineMs = deadline(kind, receivedMs);
    const r: ServiceRecord = { kind, what, receivedMs, doneMs, deadlineMs, breached: doneMs > deadlineMs };
    this.records.push(r);
    if (r.breached) for (const l of this.listeners) l(r);
    return r;
  }

  breaches(): ServiceRecord[] {
    return this.records.filter((r) => r.breached);
  }

  /** One line per breach, then the totals. */
  report(): string {
    const iso = (ms: number) => new Date(ms).toISOString();
    const lines = this.breaches().map((r) => 'BREACH SEC L8 ' + r.kind + ' ' + r.what + ': received ' + iso(r.receivedMs) + ', due ' + iso(r.deadlineMs) +
      ', done ' + iso(r.doneMs) + ' (' + ((r.doneMs - r.deadlineMs) / 1000).toFixed(0) + ' s late)');
    lines.push('SEC L8: ' + this.records.length + ' request(s), ' + this.breaches().length + ' breach(es)');
    return lines.join('\n');
  }
}
