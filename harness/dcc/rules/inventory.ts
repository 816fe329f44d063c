/**
 * The Smart Metering Inventory's device lifecycle (SEC H6) and the DCC's status rule. A device enters the
 * inventory as `pending` only if its model and firmware version are on the Certified Products List and
 * certified (SEC F2: only certified products are enrolled); it then moves through the
 * statuses by the transitions below, each recorded with its time and why. The DCC refuses a service
 * request to a device whose status does not allow it (`device-status-<status>: ...`).
 *
 *   pending -> installed-not-commissioned -> commissioned <-> suspended
 *   pending | installed-not-commissioned -> withdrawn
 *   installed-not-commissioned | commissioned | suspended -> decommissioned
 *
 * Which services each status allows (ours, documented; the SEC names the statuses, DUIS the services):
 * commissioned: all; installed-not-commissioned: the commissioning ones (6.21 the DCC's CS02b handover
 * to the Supplier, 11.2 Read Firmware Version, 7.4 Read Supply Status); suspended: firmware only (11.1
 * Update Firmware, 11.3 Activate Firmware, so a device suspended off the CPL can be brought back);
 * pending, withdrawn, decommissioned: none.
 * @module
 */
import type { CertifiedProductsList } from '../../cpl/certifiedProductsList.ts';
import type { DccRule } from './types.ts';

export const DEVICE_STATUSES = ['pending', 'installed-not-commissioned', 'commissioned', 'suspended', 'decommissioned', 'withdrawn'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

const TRANSITIONS: Record<DeviceStatus, readonly DeviceStatus[]> = {
  pending: ['installed-not-commissioned', 'withdrawn'],
  'installed-not-commissioned': ['commissioned', 'withdrawn', 'decommissioned'],
  commissioned: ['suspended', 'decommissioned'],
  suspended: ['commissioned', 'decommissioned'],
  decommissioned: [],
  withdrawn: [],
};

/** Services each status allows ('*': all). */
export const SERVICES_BY_STATUS: Record<DeviceStatus, readonly string[]> = {
  pending: [],
  'installed-not-commissioned': ['6.21', '11.2', '7.4'],
  commissioned: ['*'],
  suspended: ['11.1', '11.3'],
  decommissioned: [],
  withdrawn: [],
};

export interface InventoryEntry {
  eui: string;
  deviceType: string;
  model: string;
  version: string;
  status: DeviceStatus;
  history: Array<{ atMs: number; from: DeviceStatus | 'none'; to: DeviceStatus; why: string }>;
}

export type InventoryResult = { ok: true; entry: InventoryEntry } | { ok: false; reason: string };

export class SmartMeteringInventory {
  private readonly entries: Record<string, InventoryEntry> = {};

  constructor(private readonly cpl: CertifiedProductsList, private readonly now: () => number = Date.now) {}

  /** Enrols a device as pending; refused unless its model and version are certified on the CPL. */
  enrol(d: { eui: string; deviceType: string; model: string; version: string }): InventoryResult {
    const eui = d.eui.toUpperCase();
    if (!/^[0-9A-F]{16}$/.test(eui)) return { ok: false, reason: 'bad-eui: ' + d.eui + ' is not 16 hex digits' };
    if (this.entries[eui]) return { ok: false, reason: 'already-enrolled: ' + eui + ' is ' + this.entries[eui].status };
    const listed = this.cpl.get(d.model, d.version);
    if (!listed) return { ok: false, reason: 'not-on-cpl: ' + d.model + ' ' + d.version + ' is not on the Certified Products List' };
    if (listed.status !== 'certified') return { ok: false, reason: 'not-certified: ' + d.model + ' ' + d.version + ' is ' + listed.status + ' on the CPL' };
    const entry: InventoryEntry = { eui, deviceType: d.deviceType, model: d.model, version: d.version, status: 'pending', history: [{ atMs: this.now(), from: 'none', to: 'pending', why: 'enrolled (on the CPL)' }] };
    this.entries[eui] = entry;
    return { ok: true, entry };
  }

  /** Moves a device to `to`; refused when the transition is not one of the lifecycle's. */
  setStatus(eui: string, to: DeviceStatus, why: string): InventoryResult {
    const e = this.entries[eui.toUpperCase()];
    if (!e) return { ok: false, reason: 'device-not-in-inventory: ' + eui };
    if (TRANSITIONS[e.status].indexOf(to) < 0) return { ok: false, reason: 'bad-transition: ' + e.status + ' -> ' + to + ' (allowed: ' + (TRANSITIONS[e.status].join(', ') || 'none') + ')' };
    e.history.push({ atMs: this.now(), from: e.status, to, why });
    e.status = to;
    return { ok: true, entry: e };
  }

  get(eui: string): InventoryEntry | undefined {
    return this.entries[eui.toUpperCase()];
  }

  list(): InventoryEntry[] {
    return Object.keys(this.entries).sort().map((k) => this.entries[k]);
  }
}

/** Why `service` may not go to a device in `status`, or undefined. */
export function statusRefusal(status: DeviceStatus, service: string): string | undefined {
  const allowed = SERVICES_BY_STATUS[status];
  if (allowed.indexOf('*') >= 0 || allowed.indexOf(service) >= 0) return undefined;
  return 'device-status-' + status + ': ' + service + ' needs ' + (allowed.length ? 'commissioned (or one of ' + allowed.join(', ') + ')' : 'commissioned');
}

export function inventoryRule(inventory: SmartMeteringInventory): DccRule {
  return {
    name: 'device-status',
    section: 'SEC H6 (Smart Metering Inventory)',
    check(f) {
      const e = inventory.get(f.device);
      if (!e) return 'device-not-in-inventory: ' + f.device;
      return statusRefusal(e.status, f.service);
    },
  };
}
