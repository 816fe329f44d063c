/**
 * The Deployed Products List (seed ¶290): what is installed, built from the DCC's inventory — each device
 * with its type, model, firmware version and the devices associated with it (the HAN it shares with a
 * Communications Hub) — joined with the Certified Products List, so that every deployed device's
 * certification status is visible, and so that the devices an expiring CPL entry affects can be found.
 * @module
 */
import type { CertifiedProductsList, CplStatus } from './certifiedProductsList.ts';

export interface InventoryDevice {
  eui: string;
  deviceType: 'ESME' | 'GSME' | 'CHF' | 'GPF' | 'PPMID';
  model: string;
  /** Firmware version the DCC last learned (8 hex digits). */
  version: string;
  /** EUIs of the devices associated with it (same HAN / Communications Hub). */
  associated: string[];
}

export interface DeployedProduct extends InventoryDevice {
  cplStatus: CplStatus | 'not-listed';
}

export class Inventory {
  private readonly devices: InventoryDevice[] = [];

  add(d: InventoryDevice): void {
    this.devices.push({ ...d, eui: d.eui.toUpperCase(), associated: d.associated.map((x) => x.toUpperCase()) });
  }

  get(eui: string): InventoryDevice | undefined {
    return this.devices.find((d) => d.eui === eui.toUpperCase());
  }

  all(): InventoryDevice[] {
    return this.devices.slice();
  }

  setVersion(eui: string, version: string): void {
    const d = this.get(eui);
    if (d) d.version = version.toLowerCase();
  }
}

export function deployedProductsList(inventory: Inventory, cpl: CertifiedProductsList): DeployedProduct[] {
  return inventory.all().map((d) => ({ ...d, cplStatus: cpl.get(d.model, d.version)?.status ?? 'not-listed' }));
}

/** The devices running a product and every device associated with them (¶292: suspended together). */
export function affectedDevices(inventory: Inventory, model: string, version: string): string[] {
  const out = new Set<string>();
  for (const d of inventory.all()) {
    if (d.model !== model || d.version !== version) continue;
    out.add(d.eui);
    for (const a of d.associated) out.add(a);
    for (const other of inventory.all()) if (other.associated.indexOf(d.eui) >= 0) out.add(other.eui);
  }
  return [...out].sort();
}
