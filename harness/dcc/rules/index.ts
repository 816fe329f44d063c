/**
 * The DCC's rules around the cryptography: checks the DCC makes on a service request after eligibility
 * (the role may originate the message code) and before it builds, signs or sends anything. Each rule
 * names the SEC section it comes from; a refusal is a value with a precise reason, returned to the user as
 * a DCC refusal. The rules (README "The DCC's rules"):
 *
 * | rule                | SEC        | file            |
 * |---------------------|------------|-----------------|
 * | test/live apart     | H4         | environment.ts  |
 * | SNA services        | H (Option 3; the list is data) | sna.ts |
 * | device status       | H6, F (CPL) | inventory.ts   |
 * | anomaly detection   | G3         | anomaly.ts (holds, does not refuse) |
 *
 * `DccRules` is what the DCC player takes: the refusing checks in order, then the anomaly detector,
 * which runs only on critical commands and holds instead of refusing.
 * @module
 */
import type { Party, User } from '../users.ts';
import type { AnomalyDetector } from './anomaly.ts';

/** What a rule sees of a request. */
export interface RequestFacts {
  user: User;
  party: Party;
  /** The service request's name, e.g. 'disable-supply'. */
  request: string;
  /** The DUIS service reference, e.g. '7.2' (the RTDS folder's prefix). */
  service: string;
  messageCode?: number;
  critical: boolean;
  /** The target device's EUI-64, upper-case hex. */
  device: string;
  nowMs: number;
}

export interface DccRule {
  name: string;
  /** The SEC section the rule comes from, e.g. 'SEC H4'. */
  section: string;
  /** A refusal reason, or undefined. */
  check(f: RequestFacts): string | undefined;
}

export interface DccRules {
  checks: DccRule[];
  anomalies?: AnomalyDetector;
}

/** The DUIS service reference in an RTDS folder name ('7.2_ECS43' -> '7.2', '6.15.1_CS02bNOByNO' -> '6.15.1'). */
export function serviceOfFolder(folder: string): string {
  const i = folder.indexOf('_');
  return i < 0 ? folder : folder.substring(0, i);
}

/** The first refusal of the rules, or undefined. */
export function firstRefusal(rules: DccRules | undefined, f: RequestFacts): string | undefined {
  if (!rules) return undefined;
  for (const r of rules.checks) {
    const why = r.check(f);
    if (why) return why;
  }
  return undefined;
}
