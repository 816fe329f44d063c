/**
 * Device kinds: which SMETS2 / CHTS device one manufactured runtime is (GBCS §4.3.1 device types; SMKI
 * Device Certificate types). The kind is part of the identity the factory writes (state/identity.ts) and
 * selects the use-case table the command pipeline runs (pipeline/useCases.ts) — one runtime, one pipeline,
 * one set of security rules, whatever the device; only what a command DOES differs by kind.
 *
 * Kinds carried now: ESME (electricity meter, DLMS COSEM content) and GSME (gas meter, GBZ / ZCL content).
 * GPF, CHF, PPMID, IHD and HCALCS have their codes reserved here; a kind whose use-case table is not
 * carried is refused at manufacture ('kind-not-carried'), never run with another kind's table.
 * @module
 */

export type DeviceKind = 'ESME' | 'GSME' | 'GPF' | 'CHF' | 'PPMID' | 'IHD' | 'HCALCS';

/** Stored codes, by index (append only: the code is written into the device's identity). */
export const DEVICE_KINDS: DeviceKind[] = ['ESME', 'GSME', 'GPF', 'CHF', 'PPMID', 'IHD', 'HCALCS'];

/** The SMKI Device Certificate type each kind is certified as (an IHD of type 2 holds no GBCS certificate). */
export function certificateTypeOf(kind: DeviceKind): string | undefined {
  return kind === 'IHD' ? undefined : kind;
}

export function kindCode(kind: DeviceKind): number {
  return DEVICE_KINDS.indexOf(kind);
}

/** The kind a stored code names; undefined for a code this firmware does not know. */
export function kindFromCode(code: number): DeviceKind | undefined {
  return code >= 0 && code < DEVICE_KINDS.length ? DEVICE_KINDS[code] : undefined;
}

export function isDeviceKind(s: string): s is DeviceKind {
  return DEVICE_KINDS.indexOf(s as DeviceKind) >= 0;
}
