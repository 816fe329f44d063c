/**
 * Subscriber rules: who may request which certificates from this test SMKI (SEC L3, Appendix B/D: the
 * SMKI RAPP's eligibility).
 *
 * The SMKI RAPP and SEC Section L let only an *Authorised Subscriber* (a party that has passed SMKI
 * entry checks and is registered with the SMKI) request certificates, and only those it is an
 * *Eligible Subscriber* for. This test SMKI turns that into one explicit table, keyed by the kind of
 * subscriber; a subscriber is registered with its kind (and, for manufacturers, the device types it
 * makes). A request is refused (as a value) unless the subscriber is registered and the device type
 * (or organisation role) is in its row.
 *
 * | kind                  | device types it may request       | organisation roles (OU) |
 * |-----------------------|-----------------------------------|-------------------------|
 * | electricity-supplier  | ESME, PPMID, HCALCS, SAPC         | 02                      |
 * | gas-supplier          | GSME, PPMID                       | 02                      |
 * | network-operator      | (none of its own)                 | 03                      |
 * | dcc                   | CHF, GPF                          | 01 04 05 06             |
 * | manufacturer          | the types declared at registration, never CHF or GPF | (none: not a SEC Party) |
 * | other-user            | (none of its own)                 | 08 7F                   |
 *
 * Over the table (SEC L3):
 * - CHF and GPF device certificates go only to the DCC (`device-type-reserved-for-dcc`);
 * - any SEC Party (every kind but manufacturer) may request Smart Meter (ESME, GSME) certificates before
 *   the meter is installed; once installed, only the kinds whose row lists the type
 *   (`installed-smart-meter-supplier-only`). The requester says whether the device is installed;
 * - organisation certificates only to SEC Parties, for the roles in their row.
 * Role 07 (issuing authority) and 00 (root) belong to the SMKI itself and are never issued on request.
 * @module
 */

export const DEVICE_TYPES = ['ESME', 'GSME', 'CHF', 'GPF', 'PPMID', 'HCALCS', 'SAPC'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

export const SUBSCRIBER_KINDS = ['electricity-supplier', 'gas-supplier', 'network-operator', 'dcc', 'manufacturer', 'other-user'] as const;
export type SubscriberKind = (typeof SUBSCRIBER_KINDS)[number];

export const RULES: Record<SubscriberKind, { deviceTypes: readonly DeviceType[]; roles: readonly string[] }> = {
  'electricity-supplier': { deviceTypes: ['ESME', 'PPMID', 'HCALCS', 'SAPC'], roles: ['02'] },
  'gas-supplier': { deviceTypes: ['GSME', 'PPMID'], roles: ['02'] },
  'network-operator': { deviceTypes: [], roles: ['03'] },
  dcc: { deviceTypes: ['CHF', 'GPF'], roles: ['01', '04', '05', '06'] },
  manufacturer: { deviceTypes: ['ESME', 'GSME', 'PPMID', 'HCALCS', 'SAPC'], roles: [] },
  'other-user': { deviceTypes: [], roles: ['08', '7F'] },
};

export interface Subscriber {
  id: string;
  kind: SubscriberKind;
  /** device types this subscriber is authorised for (a subset of its kind's row) */
  deviceTypes: DeviceType[];
}

export type RegistrationResult = { ok: true; subscriber: Subscriber } | { ok: false; reason: 'unknown-kind' | 'device-type-not-eligible' | 'manufacturer-needs-device-types' };

/** Validates a registration: the device types default to the kind's row and may only narrow it. */
export function makeSubscriber(id: string, kind: string, deviceTypes?: string[]): RegistrationResult {
  if (!(SUBSCRIBER_KINDS as readonly string[]).includes(kind)) return { ok: false, reason: 'unknown-kind' };
  const row = RULES[kind as SubscriberKind];
  if (kind === 'manufacturer' && !deviceTypes?.length) return { ok: false, reason: 'manufacturer-needs-device-types' };
  const types = deviceTypes ?? [...row.deviceTypes];
  for (const t of types) if (!(row.deviceTypes as readonly string[]).includes(t)) return { ok: false, reason: 'device-type-not-eligible' };
  return { ok: true, subscriber: { id, kind: kind as SubscriberKind, deviceTypes: types as DeviceType[] } };
}

export type EligibilityRejection =
  | 'unknown-subscriber' | 'unknown-device-type' | 'subscriber-not-eligible-for-device-type' | 'subscriber-not-eligible-for-role'
  | 'device-type-reserved-for-dcc' | 'installed-smart-meter-supplier-only';

/** Device types whose certificates only the DCC may hold (SEC L3). */
export const DCC_ONLY_DEVICE_TYPES: readonly DeviceType[] = ['CHF', 'GPF'];
/** Smart Meters: any SEC Party may request their certificates before installation (SEC L3). */
export const SMART_METER_TYPES: readonly DeviceType[] = ['ESME', 'GSME'];

/** SEC Parties among the subscriber kinds (a manufacturer registers without being one). */
export function isSecParty(s: Subscriber): boolean {
  return s.kind !== 'manufacturer';
}

export function mayRequestDevice(s: Subscriber | undefined, deviceType: string, installed = false): EligibilityRejection | undefined {
  if (!s) return 'unknown-subscriber';
  if (!(DEVICE_TYPES as readonly string[]).includes(deviceType)) return 'unknown-device-type';
  if ((DCC_ONLY_DEVICE_TYPES as readonly string[]).includes(deviceType)) return s.kind === 'dcc' ? undefined : 'device-type-reserved-for-dcc';
  if ((s.deviceTypes as string[]).includes(deviceType)) return undefined;
  if ((SMART_METER_TYPES as readonly string[]).includes(deviceType) && isSecParty(s)) return installed ? 'installed-smart-meter-supplier-only' : undefined;
  return 'subscriber-not-eligible-for-device-type';
}

export function mayRequestRole(s: Subscriber | undefined, role: string): EligibilityRejection | undefined {
  if (!s) return 'unknown-subscriber';
  return RULES[s.kind].roles.includes(role.toUpperCase()) ? undefined : 'subscriber-not-eligible-for-role';
}
