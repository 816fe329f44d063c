/**
 * Issuing DCA retirement (seed ¶118-119; Device CP): an Issuing DCA's private key is used for at most
 * 100,000 device certificates or three months of operation, whichever comes first; then the key is
 * destroyed and a new Issuing DCA, certified by the Root DCA, takes over. Requesters never see the
 * switch: `active()` rotates before handing out a signer, and batches are split across the switch
 * (index.ts asks for `remaining()` capacity). Both limits are configurable for tests; the defaults are
 * the real ones.
 * @module
 */
import { makeDeviceTemplate, type DeviceTemplate } from './deviceTemplate.ts';
import { createCa, loadCa, type CaHandle } from './hierarchy.ts';
import { addMonths } from './revocation.ts';
import type { Repository } from './repository.ts';

export interface RetirementLimits {
  /** certificates per Issuing DCA key (real: 100,000) */
  maxCertificates: number;
  /** calendar months in operation (real: 3) */
  maxMonths: number;
  /** if set, overrides maxMonths with a plain duration (tests) */
  maxAgeMs?: number;
}
export const REAL_RETIREMENT: RetirementLimits = { maxCertificates: 100_000, maxMonths: 3 };

export interface ActiveDca {
  ca: CaHandle;
  template: DeviceTemplate;
  /** how many more certificates this key may sign */
  remaining: number;
}

export class IssuingDcaRotation {
  private current: ActiveDca | undefined;

  constructor(
    private readonly repo: Repository,
    private readonly rootDca: CaHandle,
    private readonly policy: string,
    private readonly now: () => number,
    private readonly limits: RetirementLimits,
    private readonly labelFor: (generation: number) => string,
  ) {}

  private expiry(activatedAt: number): number {
    return this.limits.maxAgeMs !== undefined ? activatedAt + this.limits.maxAgeMs : addMonths(activatedAt, this.limits.maxMonths);
  }

  /** The Issuing DCA to sign with now, retiring the current one first if either limit is reached. */
  active(): ActiveDca {
    const rows = this.repo.cas('issuing-dca');
    let row = rows.find((r) => r.retired_at === null);
    const t = this.now();
    if (row && (row.issued_count >= this.limits.maxCertificates || t >= this.expiry(row.activated_at))) {
      this.repo.destroyCaKey(row.serial, t);
      if (this.current?.ca.serial === row.serial) this.current = undefined;
      row = undefined;
    }
    if (!row) {
      const generation = (rows.length ? rows[rows.length - 1]!.generation : 0) + 1;
      const ca = createCa(this.repo, { kind: 'issuing-dca', label: this.labelFor(generation), policy: this.policy, generation }, t, this.rootDca);
      this.current = { ca, template: makeDeviceTemplate(ca.name, ca.keyId, this.policy), remaining: this.limits.maxCertificates };
      return this.current;
    }
    if (!this.current || this.current.ca.serial !== row.serial) {
      const ca = loadCa(this.repo, row);
      this.current = { ca, template: makeDeviceTemplate(ca.name, ca.keyId, this.policy), remaining: 0 };
    }
    this.current.remaining = this.limits.maxCertificates - row.issued_count;
    return this.current;
  }

  /** Counts certificates signed by `serial` (call once per signed batch segment). */
  recordIssued(serial: string, n: number): void {
    if (n > 0) this.repo.addIssued(serial, n);
    if (this.current?.ca.serial === serial) this.current.remaining -= n;
  }
}
