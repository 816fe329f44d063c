/**
 * Suspension on CPL expiry (seed ¶292): when a Certified Products List entry expires, the DCC marks each
 * device running that product and its associated devices suspended (Deployed Products List), stops
 * communicating with them — every service request to a suspended device is refused with the reason —,
 * withdraws the future-dated requests it holds for them, and notifies the Supplier and the Network
 * Operator. Driven by the clock: `checkExpiry(nowMs)` runs the CPL's expiry and applies it.
 * @module
 */
import type { CertifiedProductsList } from '../cpl/certifiedProductsList.ts';
import { affectedDevices } from '../cpl/deployedProductsList.ts';
import type { Inventory } from '../cpl/deployedProductsList.ts';

export interface FutureDatedRequest {
  eui: string;
  request: string;
  counter: string;
  executeAt: string;
  status: 'scheduled' | 'cancelled' | 'withdrawn';
}

export interface Notification {
  at: string;
  to: string;
  text: string;
}

export class SuspensionRegister {
  private readonly suspended: Record<string, string> = {};
  readonly futureDated: FutureDatedRequest[] = [];
  readonly notifications: Notification[] = [];

  constructor(private readonly cpl: CertifiedProductsList, private readonly inventory: Inventory, private readonly recipients: string[]) {}

  /** Why a device is suspended, or undefined. */
  reason(eui: string): string | undefined {
    return this.suspended[eui.toUpperCase()];
  }

  schedule(r: Omit<FutureDatedRequest, 'status'>): void {
    this.futureDated.push({ ...r, eui: r.eui.toUpperCase(), status: 'scheduled' });
  }

  /** A cancellation (CS06 with 99991231235959Z) accepted for the device: its scheduled requests are cancelled. */
  cancel(eui: string, request: string): void {
    for (const f of this.futureDated) if (f.eui === eui.toUpperCase() && f.request === request && f.status === 'scheduled') f.status = 'cancelled';
  }

  /** Applies every CPL entry expired by `nowMs`; returns the EUIs newly suspended. */
  checkExpiry(nowMs: number): string[] {
    const newly: string[] = [];
    for (const e of this.cpl.expire(nowMs)) {
      const why = 'CPA certificate of ' + e.model + ' version ' + e.version + ' expired ' + e.cpaExpiry;
      const euis = affectedDevices(this.inventory, e.model, e.version);
      for (const eui of euis) {
        if (this.suspended[eui]) continue;
        this.suspended[eui] = why;
        newly.push(eui);
      }
      const due = (t: string) => Date.UTC(+t.substring(0, 4), +t.substring(4, 6) - 1, +t.substring(6, 8), +t.substring(8, 10), +t.substring(10, 12), +t.substring(12, 14));
      const withdrawn = this.futureDated.filter((f) => f.status === 'scheduled' && euis.indexOf(f.eui) >= 0 && due(f.executeAt) > nowMs);
      for (const f of withdrawn) f.status = 'withdrawn';
      const at = new Date(nowMs).toISOString();
      const text = 'suspended ' + (euis.join(', ') || 'no deployed device') + ' (' + why + ')' +
        (withdrawn.length ? '; withdrawn future-dated: ' + withdrawn.map((f) => f.request + ' ' + f.counter + ' at ' + f.executeAt).join(', ') : '');
      for (const to of this.recipients) this.notifications.push({ at, to, text });
    }
    return newly;
  }
}
