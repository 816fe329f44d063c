/**
 * Anomaly detection before signing (SEC G3: the DCC and Users check for anomalous volumes of commands
 * before a command that could affect supply is signed). Thresholds are per service request, user and
 * period, in a JSON file the user edits (scenarios/dcc-rules.json):
 *
 *   { "thresholds": [ { "request": "disable-supply", "user": "*", "max": 3, "periodSeconds": 3600 } ] }
 *
 * `request` and `user` name one service request / user id, or "*" for all. Every row that matches a
 * critical command counts that user's commands of that request in the last `periodSeconds` (the ones
 * signed, released ones included); if this one would take the count over `max`, the command is *held*:
 * not signed, not sent, the user told why (`anomaly-threshold: ...`) with a hold id. A held command waits
 * for an explicit second action: `release` (by another user: four eyes; then it is signed and sent) or
 * `drop`. Non-critical commands are not held. Every decision — signed, held, released, dropped, and a
 * refused release — is logged with its time, and handed to `onDecision` listeners (the lab writes them
 * to anomaly-log.jsonl). Time comes from the DCC's clock (a simulated one in the lab and the tests).
 * @module
 */
import { readFileSync } from 'node:fs';
import type { RequestFacts } from './types.ts';

export interface Threshold {
  request: string;
  user: string;
  max: number;
  periodSeconds: number;
}

export type DecisionKind = 'signed' | 'held' | 'released' | 'dropped' | 'release-refused';

export interface Decision {
  atMs: number;
  kind: DecisionKind;
  user: string;
  request: string;
  holdId?: string;
  /** Who released or dropped it. */
  by?: string;
  detail: string;
}

export interface Held {
  id: string;
  user: string;
  request: string;
  atMs: number;
  reason: string;
}

export type Consideration = { ok: true } | { ok: false; holdId: string; reason: string };
export type HoldAction = { ok: true; held: Held } | { ok: false; reason: string };

export type ThresholdsResult = { ok: true; thresholds: Threshold[] } | { ok: false; errors: string[] };

/** Checks a parsed thresholds value; every problem is named with its path. */
export function validateThresholds(raw: unknown): ThresholdsResult {
  const errors: string[] = [];
  const rows = (raw as { thresholds?: unknown })?.thresholds;
  if (!Array.isArray(rows)) return { ok: false, errors: ['thresholds: must be an array of { "request", "user", "max", "periodSeconds" }'] };
  const out: Threshold[] = [];
  rows.forEach((r: Record<string, unknown>, i) => {
    const p = 'thresholds[' + i + ']';
    if (typeof r !== 'object' || r === null) return errors.push(p + ': must be an object');
    for (const k of Object.keys(r)) if (['request', 'user', 'max', 'periodSeconds', 'comment'].indexOf(k) < 0) errors.push(p + ': unknown field "' + k + '"');
    if (typeof r.request !== 'string' || !r.request) errors.push(p + '.request: must be a service request name or "*"');
    if (typeof r.user !== 'string' || !r.user) errors.push(p + '.user: must be a user id or "*"');
    if (!Number.isInteger(r.max) || (r.max as number) < 0) errors.push(p + '.max: must be a whole number >= 0');
    if (!Number.isInteger(r.periodSeconds) || (r.periodSeconds as number) <= 0) errors.push(p + '.periodSeconds: must be a whole number > 0');
    out.push({ request: r.request as string, user: r.user as string, max: r.max as number, periodSeconds: r.periodSeconds as number });
  });
  return errors.length ? { ok: false, errors } : { ok: true, thresholds: out };
}

export function loadThresholds(path: string): ThresholdsResult {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return { ok: false, errors: [path + ': ' + (e as Error).message] };
  }
  const r = validateThresholds(raw);
  return r.ok ? r : { ok: false, errors: r.errors.map((x) => path + ': ' + x) };
}

export class AnomalyDetector {
  readonly log: Decision[] = [];
  private readonly signedAt: Array<{ user: string; request: string; atMs: number }> = [];
  private readonly holds: Record<string, Held> = {};
  private readonly listeners: Array<(d: Decision) => void> = [];
  private nextId = 1;

  constructor(private readonly thresholds: Threshold[], private readonly now: () => number) {}

  onDecision(listener: (d: Decision) => void): void {
    this.listeners.push(listener);
  }

  private decide(d: Decision): void {
    this.log.push(d);
    for (const l of this.listeners) l(d);
  }

  /** Before signing a critical command: sign (counted) or hold. */
  consider(f: Pick<RequestFacts, 'user' | 'request' | 'critical'>): Consideration {
    const user = f.user.id;
    const at = this.now();
    if (!f.critical) return { ok: true };
    for (const t of this.thresholds) {
      if ((t.request !== '*' && t.request !== f.request) || (t.user !== '*' && t.user !== user)) continue;
      const since = at - t.periodSeconds * 1000;
      const n = this.signedAt.filter((s) => s.user === user && (t.request === '*' || s.request === f.request) && s.atMs > since).length;
      if (n + 1 > t.max) {
        const id = 'H' + this.nextId++;
        const reason = 'anomaly-threshold: ' + user + ' ' + (t.request === '*' ? 'critical commands' : f.request) + ' ' + (n + 1) + ' in ' + t.periodSeconds + ' s, over ' + t.max + '; held as ' + id + ' until released or dropped';
        this.holds[id] = { id, user, request: f.request, atMs: at, reason };
        this.decide({ atMs: at, kind: 'held', user, request: f.request, holdId: id, detail: reason });
        return { ok: false, holdId: id, reason };
      }
    }
    this.record(user, f.request, at, 'signed', undefined, 'within thresholds');
    return { ok: true };
  }

  private record(user: string, request: string, at: number, kind: 'signed' | 'released', holdId: string | undefined, detail: string, by?: string): void {
    this.signedAt.push({ user, request, atMs: at });
    this.decide({ atMs: at, kind, user, request, detail, ...(holdId ? { holdId } : {}), ...(by ? { by } : {}) });
  }

  /** The second action: the held command may be signed and sent. Not by the user who asked for it. */
  release(holdId: string, by: string): HoldAction {
    return this.settle(holdId, by, 'released');
  }

  /** The second action: the held command is dropped for good. */
  drop(holdId: string, by: string): HoldAction {
    return this.settle(holdId, by, 'dropped');
  }

  private settle(holdId: string, by: string, kind: 'released' | 'dropped'): HoldAction {
    const h = this.holds[holdId];
    const at = this.now();
    const refuse = (reason: string): HoldAction => {
      this.decide({ atMs: at, kind: 'release-refused', user: h ? h.user : '?', request: h ? h.request : '?', holdId, by, detail: kind + ' refused: ' + reason });
      return { ok: false, reason };
    };
    if (!h) return refuse('no-such-hold: ' + holdId + ' is not held (released, dropped or unknown)');
    if (h.user === by) return refuse('same-user: ' + by + ' asked for ' + holdId + '; another user must ' + (kind === 'released' ? 'release' : 'drop') + ' it');
    delete this.holds[holdId];
    if (kind === 'released') this.record(h.user, h.request, at, 'released', holdId, 'released by ' + by, by);
    else this.decide({ atMs: at, kind: 'dropped', user: h.user, request: h.request, holdId, by, detail: 'dropped by ' + by });
    return { ok: true, held: h };
  }

  held(): Held[] {
    return Object.keys(this.holds).map((k) => this.holds[k]);
  }
}
