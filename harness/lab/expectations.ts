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
  if (e.found !== undefined && (r.found ?? '').indexOf(e.found) < 0) out.push('expected the finding to include "' + e.found + '", got "' + (r.found ?? '') + '"');
  if (e.securityLogIncludes) {
    const events = (r.securityLog ?? []).map((l) => l.event);
    for (const want of e.securityLogIncludes) if (events.indexOf(want) < 0) out.push('expected security-log event ' + want + ', log has [' + events.join(', ') + ']');
  }
  return out;
}

const OUTCOME_WORDS: Record<string, string> = {
  accepted: 'the device answers and the answer passes every check',
  'refused-by-dcc': 'the DCC refuses it: nothing is sent to the device',
  'refused-by-supplier': 'the Supplier\'s own check refuses the package: nothing is submitted',
  'no-response': 'the device refuses it and sends no response (GBCS: no answer to a command that fails its checks)',
  'bad-response': 'the device answers, but the answer fails a check',
  'held-by-dcc': 'the DCC holds it (over an anomaly threshold) for a second user to release or drop',
  'dropped-by-dcc': 'the DCC drops the held command',
  'queued-for-gsme': 'the hub queues it on the GPF until the sleeping GSME wakes and pulls it',
  'refused-on-han': 'the Communications Hub or the meter refuses the HAN device',
};

const ACTIVATION = ['activated', 'no such image', 'hash mismatch', 'activation failed'];

/** An expectation as a sentence, for the report (instead of its JSON). */
export function expectationWords(e: Expectation): string {
  const parts = [OUTCOME_WORDS[e.outcome] ?? e.outcome];
  if (e.reason) parts.push('with the reason "' + e.reason + '"');
  if (e.firmwareVersion) parts.push('firmware version ' + e.firmwareVersion);
  if (e.supply) parts.push('supply ' + e.supply);
  if (e.cs02b === 'all-success') parts.push('every credential replacement (CS02b) succeeds');
  if (e.activationStatus !== undefined) parts.push('activation status ' + e.activationStatus + ' (' + (ACTIVATION[e.activationStatus] ?? '?') + ')');
  if (e.found) parts.push('the finding includes "' + e.found + '"');
  if (e.securityLogIncludes) parts.push('the security log holds event' + (e.securityLogIncludes.length > 1 ? 's ' : ' ') + e.securityLogIncludes.join(' and '));
  return parts.join('; ');
}
