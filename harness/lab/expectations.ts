/**
 * Comparing what a step produced with what the scenario expected: one line per difference, empty when
 * the step went as expected.
 * @module
 */
import type { Exchange } from '../dcc/dccPlayer.ts';
import type { Expectation } from './scenario.ts';

export function differences(e: Expectation, x: Exchange): string[] {
  const out: string[] = [];
  if (x.verdict !== e.outcome) out.push('expected ' + e.outcome + ', got ' + x.verdict + (x.reason ? ' (' + x.reason + ')' : ''));
  if (e.reason !== undefined && (x.reason ?? '').indexOf(e.reason) !== 0) out.push('expected reason "' + e.reason + '", got "' + (x.reason ?? '') + '"');
  const r = x.reading;
  if (e.firmwareVersion !== undefined && r.firmwareVersion !== e.firmwareVersion) out.push('expected firmware version "' + e.firmwareVersion + '", got ' + JSON.stringify(r.firmwareVersion ?? null));
  if (e.supply !== undefined && r.supply !== e.supply) out.push('expected supply ' + e.supply + ', got ' + (r.supply ?? 'no supply state'));
  if (e.cs02b === 'all-success') {
    const s = r.cs02bStatuses;
    if (!s || s.length === 0 || s.some((v) => v !== 0)) out.push('expected every CS02b replacement to succeed, got statuses ' + JSON.stringify(s ?? null));
  }
  if (e.activationStatus !== undefined && r.activationStatus !== e.activationStatus) out.push('expected activation status ' + e.activationStatus + ', got ' + JSON.stringify(r.activationStatus ?? null));
  if (e.securityLogIncludes) {
    const events = (r.securityLog ?? []).map((l) => l.event);
    for (const want of e.securityLogIncludes) if (events.indexOf(want) < 0) out.push('expected security-log event ' + want + ', log has [' + events.join(', ') + ']');
  }
  return out;
}
