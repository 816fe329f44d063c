/**
 * Revocation (seed ¶124; SEC L / Organisation CP §4.9): organisation certificates can be revoked,
 * with a reason; the Issuing OCA publishes a CRL at least every 12 hours and within 1 hour of a
 * revocation; each Root CA publishes an ARL (the CRL of CA certificates) at least every 12 months and
 * within 1 hour of a CA revocation. Device certificates cannot be revoked (Device CP; GBCS-FACTS):
 * such a request is refused as a value.
 *
 * Publication is clock-driven: `RevocationPublisher.tick()` re-issues any list whose period has run
 * out, and a revocation publishes the affected list at once (well inside the hour). Lists are
 * X.509 v2 CRLs (RFC 5280 §5) with AKI and CRLNumber, entries with a reasonCode (§5.3.1).
 * @module
 */
import type { KeyObject } from 'node:crypto';
import { explicit, seq, smallInt, time, tlv, TAG, uint } from './der.ts';
import { signDer } from './keys.ts';
import { akiExt, assembleCertificate, ECDSA_SHA256, extension, OID } from './profiles.ts';
import type { ListKind, Repository } from './repository.ts';

/** RFC 5280 §5.3.1 CRLReason (7 is unused). */
export const REASONS = {
  unspecified: 0, keyCompromise: 1, cACompromise: 2, affiliationChanged: 3, superseded: 4,
  cessationOfOperation: 5, certificateHold: 6, removeFromCRL: 8, privilegeWithdrawn: 9, aACompromise: 10,
} as const;
export type ReasonName = keyof typeof REASONS;

export const HOUR = 3_600_000;
export const CRL_PERIOD_MS = 12 * HOUR;
export const PUBLISH_WITHIN_MS = HOUR;

/** "12 months" on the calendar, in UTC. */
export function addMonths(t: number, months: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

export function nextUpdateFor(kind: ListKind, thisUpdate: number): number {
  return kind === 'crl' ? thisUpdate + CRL_PERIOD_MS : addMonths(thisUpdate, 12);
}

export interface ListSigner {
  name: Buffer;
  keyId: Buffer;
  key: KeyObject;
}

/** Builds and signs a v2 CRL. */
export function buildList(
  signer: ListSigner, number: number, thisUpdate: number, nextUpdate: number,
  revoked: { serial: string; at: number; reason: number }[],
): Buffer {
  const entries = revoked.map((r) => seq(
    uint(Buffer.from(r.serial, 'hex')),
    time(new Date(r.at)),
    seq(extension(OID.crlReason, false, tlv(TAG.ENUMERATED, Buffer.from([r.reason])))),
  ));
  const tbs = seq(
    smallInt(1), // v2
    ECDSA_SHA256,
    signer.name,
    time(new Date(thisUpdate)),
    time(new Date(nextUpdate)),
    ...(entries.length ? [seq(...entries)] : []),
    explicit(0, seq(akiExt(signer.keyId), extension(OID.crlNumber, false, smallInt(number)))),
  );
  return assembleCertificate(tbs, signDer(tbs, signer.key)); // same outer shape: SEQ { tbs, alg, BIT STRING }
}

/** Which certificates each list covers, and who signs it. */
export interface ListSource {
  kind: ListKind;
  signer(): ListSigner;
  revoked(): { serial: string; at: number; reason: number }[];
}

export class RevocationPublisher {
  constructor(
    private readonly repo: Repository,
    private readonly now: () => number,
    private readonly sources: ListSource[],
    /** publish this long before nextUpdate, so a ticking timer never lets a list go stale */
    private readonly marginMs = 5 * 60_000,
  ) {}

  /** Publishes a new list of `kind` now. */
  publish(kind: ListKind): { number: number; thisUpdate: number; nextUpdate: number; der: Buffer } {
    const src = this.sources.find((s) => s.kind === kind);
    if (!src) throw new Error(`RevocationPublisher.publish: no source for ${kind}`);
    const last = this.repo.latestList(kind);
    const number = (last?.number ?? 0) + 1;
    // whole seconds: X.509 times carry no fractions
    const thisUpdate = Math.floor(this.now() / 1000) * 1000;
    const nextUpdate = nextUpdateFor(kind, thisUpdate);
    const der = buildList(src.signer(), number, thisUpdate, nextUpdate, src.revoked());
    this.repo.addList({ kind, number, this_update: thisUpdate, next_update: nextUpdate, der });
    return { number, thisUpdate, nextUpdate, der };
  }

  /** Re-issues every list that is missing or within `marginMs` of its nextUpdate; returns the kinds published. */
  tick(): ListKind[] {
    const out: ListKind[] = [];
    for (const s of this.sources) {
      const last = this.repo.latestList(s.kind);
      if (!last || this.now() + this.marginMs >= last.next_update) {
        this.publish(s.kind);
        out.push(s.kind);
      }
    }
    return out;
  }
}
