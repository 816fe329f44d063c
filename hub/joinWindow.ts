/**
 * Which joining a device on the CHF Device Log may do now (GBCS CCS01 text, quoted rule by rule):
 * - not in the CHF Historic Device Log: "allow SMHAN joining based on the Install Code ... for the period
 *   specified in the join_timeout parameter" -> install-code joining during [start, start + T);
 * - in the historic log: "for the first half of the period ... allow communications based on the associated
 *   TC Link Key in the CHF Historic Device Log" -> [start, start + T/2) with the historic key; if those
 *   communications do not begin then, "allow SMHAN joining using the Install Code ... for the second half"
 *   -> [start + T/2, start + T) with the install code;
 * - a device that already has a TC link key on the log needs no window: it talks with that key.
 * Half of an odd T: the first half ends at start + floor(T/2) (our choice; GBCS does not say).
 * A clock set back before `start` counts as outside the window (nothing is opened by a clock change).
 * @module
 */

export type JoinRule = 'tc-link-key' | 'historic-tc-link-key' | 'install-code' | 'closed';

export function joinRule(entry: { joinStart: number; joinTimeout: number; tcLinkKey?: Uint8Array }, inHistoricLog: boolean, nowSec: number): JoinRule {
  if (entry.tcLinkKey) return 'tc-link-key';
  const elapsed = nowSec - entry.joinStart;
  if (elapsed < 0 || elapsed >= entry.joinTimeout) return 'closed';
  if (!inHistoricLog) return 'install-code';
  return elapsed < Math.floor(entry.joinTimeout / 2) ? 'historic-tc-link-key' : 'install-code';
}
