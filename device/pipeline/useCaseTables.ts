/**
 * The use-case table of each device kind this firmware carries (device/kinds.ts): the ESME's
 * (pipeline/useCases.ts) and the GSME's (gsme/gsmeUseCases.ts). GPF, CHF, PPMID, IHD and HCALCS get theirs
 * here as they are built; until then `useCasesFor` answers undefined and manufacture refuses the kind.
 * @module
 */
import type { DeviceKind } from '../kinds.ts';
import { ESME_USE_CASES } from './useCases.ts';
import type { UseCaseTable } from './useCases.ts';
import { GSME_USE_CASES } from '../gsme/gsmeUseCases.ts';

export type { UseCaseTable };

export function useCasesFor(kind: DeviceKind): UseCaseTable | undefined {
  if (kind === 'ESME') return ESME_USE_CASES;
  if (kind === 'GSME') return GSME_USE_CASES;
  return undefined;
}
