/** What the DCC's rules see of a request, and what a rule is (rules/index.ts has the list). @module */
import type { Party, User } from '../users.ts';

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
