/**
 * The Supplier Nominated Agent (SEC Section H, the seed's Option 3): a DCC User acting for a Supplier
 * may send only a short list of service requests — by default 6.2 (Read Device Configuration), 6.13
 * (Read Event or Security Log), 7.4 (Read Supply Status), 8.2 (Read Inventory), 11.2 (Read Firmware
 * Version), 12.1 (Request WAN Matrix) and 12.2 (Device Pre-notifications). The list is data (the seed
 * leaves it open): pass another one, or set it in the DCC rules file. Anything else is refused with
 * `sna-service-not-permitted: <service> (<request>) is not one of <list>`.
 * @module
 */
import type { DccRule } from './types.ts';

export const SNA_ROLE = 'supplier-nominated-agent';

/** Option 3's services (DUIS service references). */
export const SNA_SERVICES: readonly string[] = ['6.2', '6.13', '7.4', '8.2', '11.2', '12.1', '12.2'];

export function snaRule(services: readonly string[] = SNA_SERVICES): DccRule {
  const list = services.slice();
  return {
    name: 'sna-services',
    section: 'SEC H (Supplier Nominated Agent, Option 3)',
    check(f) {
      if (f.user.userRole !== SNA_ROLE) return undefined;
      if (f.party.role !== 'supplier') return 'sna-not-for-a-supplier: a Supplier Nominated Agent acts for a Supplier, not a ' + f.party.role;
      return list.indexOf(f.service) >= 0 ? undefined
        : 'sna-service-not-permitted: ' + f.service + ' (' + f.request + ') is not one of ' + list.join(', ');
    },
  };
}
