/**
 * The GSME kind, for the firmware entries and harnesses that run gas meters: `carryGsme()` registers the
 * GSME's use cases (gsmeUseCases.ts) with the one runtime. Explicit, not an import side effect, so a bundle
 * that never calls it (an ESME's) leaves the GSME's code out.
 * @module
 */
import { registerUseCases } from '../pipeline/useCaseTables.ts';
import { GSME_USE_CASES } from './gsmeUseCases.ts';

export function carryGsme(): void {
  registerUseCases('GSME', GSME_USE_CASES);
}
