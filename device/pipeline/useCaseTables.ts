/**
 * The use-case tables this firmware carries, one per device kind (device/kinds.ts). The ESME's is always
 * here; another kind's table is carried only when the firmware entry asks for it (`carryGsme()` in
 * gsme/index.ts; the hub's CHF and GPF register theirs from hub/), so a bundle holds the code of the kinds
 * it runs and no other: an ESME firmware does not carry the gas meter's ZCL clusters (on JerryScript's
 * 256 KiB heap the GSME's code alone is ~10% of it). The HAN devices' (PPMID, IHD, HCALCS) are carried by
 * `carryHanKinds()` (han/hanUseCases.ts); the CHF's and GPF's by loading hub/index.ts. A kind without a
 * table is refused at manufacture ('kind-not-carried'), a stored device of it does not open (runtime.ts
 * `openDevice`), and it is never run with another kind's table.
 * @module
 */
import type { DeviceKind } from '../kinds.ts';
import { ESME_USE_CASES } from './useCases.ts';
import type { UseCaseTable } from './useCases.ts';

export type { UseCaseTable };

// A plain array, not a Map: Espruino has none (README "Engines and what they lack").
const carried: { kind: DeviceKind; table: UseCaseTable }[] = [{ kind: 'ESME', table: ESME_USE_CASES }];

/** Makes this firmware carry `kind` with `table` (again for the same kind: the later table stands). */
export function registerUseCases(kind: DeviceKind, table: UseCaseTable): void {
  for (let i = 0; i < carried.length; i++) {
    if (carried[i].kind === kind) {
      carried[i].table = table;
      return;
    }
  }
  carried.push({ kind: kind, table: table });
}

export function useCasesFor(kind: DeviceKind): UseCaseTable | undefined {
  for (let i = 0; i < carried.length; i++) if (carried[i].kind === kind) return carried[i].table;
  return undefined;
}
