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
import type { AnomalyDetector } from './anomaly.ts';

export type { DccRule, RequestFacts } from './types.ts';
import type { DccRule, RequestFacts } from './types.ts';

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
