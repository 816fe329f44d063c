/**
 * The test SMKI, programmatically: `createTestSmki({ dir, clock })` opens (or sets up, on first use)
 * a test PKI in `dir` and returns what labs, simulated devices and Supplier tests need — organisation
 * credentials for a role + entity id (certificate and private key), device certificates from a
 * device's CS02c CSR (single or batched), the CA certificates, look-ups, revocation, CRL/ARLs and the
 * lodged SMKI documents. Every certificate it issues carries a test certificate-policy OID
 * (gbcs/smki/certificatePolicies.ts), so a device configured for live operation refuses it.
 * @module
 */
import { toPem } from './der.ts';
import { DevicePool } from './batch.ts';
import { checkDeviceCsr, checkOrganisationCsr, type CsrRejection } from './csr.ts';
import { issueFromTemplate, utcTimeText } from './deviceTemplate.ts';
import { createCa, loadCa, type CaHandle } from './hierarchy.ts';
import { IssuingDcaRotation, REAL_RETIREMENT, type RetirementLimits } from './issuingDca.ts';
import { generateP256, keyIdentifier, P256_SPKI_PREFIX, privateKeyPem, privateKeyPkcs8, signDer, spkiDer } from './keys.ts';
import { assembleCertificate, organisationTbs, POLICY_SETS, randomSerial, type KeyUsageName, type PolicySet } from './profiles.ts';
import { Repository, type CertRow, type ListKind, type LookupQuery } from './repository.ts';
import { REASONS, RevocationPublisher, type ReasonName } from './revocation.ts';
import { REJECTION_CODES } from './batchProtocol.ts';
import { ServiceLevelMonitor } from './serviceLevels.ts';
import { makeSubscriber, mayRequestDevice, mayRequestRole, type EligibilityRejection, type RegistrationResult, type Subscriber } from './subscribers.ts';

export interface Clock {
  /** milliseconds since the epoch */
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

export interface SmkiOptions {
  /** the repository folder (created if missing) */
  dir: string;
  clock?: Clock;
  /** which test policy OIDs to write; fixed at set-up ('toolkit' default, see profiles.POLICY_SETS) */
  policy?: 'toolkit' | 'zaz1';
  /** Issuing DCA limits (real by default) */
  dcaRetirement?: Partial<RetirementLimits>;
  /** worker threads for batches (default: one per core) */
  workers?: number;
  /** organisation certificate validity in years (default 10, as the references) */
  organisationValidityYears?: number;
  /** CA labels at set-up */
  labels?: { rootOca?: string; issuingOca?: string; rootDca?: string; issuingDcaPrefix?: string; rootOcaEui?: string };
}

export interface IssuedCertificate {
  serial: string;
  der: Buffer;
  pem: string;
}
export interface OrganisationCredentials {
  certificate: IssuedCertificate;
  /** PKCS#8 PEM, the rtds/keystore `.key` format */
  privateKeyPem: string;
  privateKeyPkcs8: Buffer;
}

export type DeviceRejection = CsrRejection | EligibilityRejection;
export type DeviceResult = ({ ok: true; eui: string; keyUsage: KeyUsageName; issuer: string } & IssuedCertificate) | { ok: false; reason: DeviceRejection };
export type BatchResult = { ok: true; results: DeviceResult[] } | { ok: false; reason: 'batch-size' | 'unknown-subscriber' };
export type RevokeResult =
  | { ok: true; serial: string; list: ListKind; listNumber: number }
  | { ok: false; reason: 'unknown-certificate' | 'device-certificates-cannot-be-revoked' | 'already-revoked' | 'root-not-revocable' | 'unknown-reason' };

export const BATCH_MIN = 2;
export const BATCH_MAX = 49_999;
/** batch rows per SQLite transaction (see requestDeviceBatch) */
const STORE_ROWS = 4096;

export interface TestSmki {
  readonly repository: Repository;
  /** SEC L8: receipt, completion and deadline of every certificate request, and the breaches. */
  readonly serviceLevels: ServiceLevelMonitor;
  readonly policy: PolicySet;
  rootOca(): CaHandle;
  issuingOca(): CaHandle;
  rootDca(): CaHandle;
  /** the Issuing DCA that would sign now (rotating first if due) */
  issuingDca(): CaHandle;
  /** every Issuing DCA ever used, oldest first (retired ones keep their certificates valid) */
  issuingDcas(): CaHandle[];
  /** root + issuing CA PEMs for an issued certificate, leaf first excluded: [issuing, root] */
  chainOf(serial: string): CaHandle[] | undefined;

  registerSubscriber(id: string, kind: string, deviceTypes?: string[]): RegistrationResult;
  /** Operator path for labs: generates a key pair and issues the organisation certificate. */
  issueOrganisationCredentials(o: { role: string; eui: string; keyUsage: KeyUsageName; commonName?: string }): OrganisationCredentials;
  /** Operator path for a key pair held elsewhere (a PKCS#11 token): certifies `publicKey` (65-byte point). */
  issueOrganisationCertificate(o: { role: string; eui: string; keyUsage: KeyUsageName; commonName?: string; publicKey: Uint8Array }): IssuedCertificate;
  /** Subscriber path: an organisation CSR (role + entity id in its subject). */
  requestOrganisationCertificate(subscriber: string, csr: Uint8Array): ({ ok: true } & IssuedCertificate) | { ok: false; reason: CsrRejection | EligibilityRejection };
  /** `installed`: the device is already installed (SEC L3: then only its Supplier may ask); default false. */
  requestDeviceCertificate(r: { subscriber: string; deviceType: string; csr: Uint8Array; installed?: boolean }): DeviceResult;
  requestDeviceBatch(r: {
    subscriber: string; items: { deviceType: string; csr: Uint8Array; installed?: boolean }[];
    onProgress?: (done: number, total: number) => void;
  }): Promise<BatchResult>;

  revoke(serial: string, reason?: ReasonName): RevokeResult;
  /** publishes any CRL/ARL that is due; call from a timer (serve does, every minute) */
  tick(): ListKind[];
  list(kind: ListKind): { number: number; thisUpdate: number; nextUpdate: number; der: Buffer } | undefined;
  lookup(q: LookupQuery): CertRow[];
  lodgeDocument(name: string, body: Uint8Array, contentType?: string): void;
  close(): Promise<void>;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A batch result; its PEM is made on first use (50,000 eager PEMs cost the batch ~0.3 s). */
class IssuedDevice {
  readonly ok = true as const;
  private pemText: string | undefined;
  constructor(readonly serial: string, readonly der: Buffer, readonly eui: string, readonly keyUsage: KeyUsageName, readonly issuer: string) {}
  get pem(): string {
    return (this.pemText ??= toPem(this.der, 'CERTIFICATE'));
  }
}

export function createTestSmki(opts: SmkiOptions): TestSmki {
  const clock = opts.clock ?? systemClock;
  const now = () => clock.now();
  const repo = new Repository(opts.dir);
  const labels = { rootOca: 'TR1', issuingOca: 'TO1', rootDca: 'TR2', issuingDcaPrefix: 'TD', rootOcaEui: 'ffffffffffffff00', ...opts.labels };
  const limits: RetirementLimits = { ...REAL_RETIREMENT, ...opts.dcaRetirement };
  const orgYears = opts.organisationValidityYears ?? 10;

  // Set-up on first use; the policy choice is fixed with the hierarchy.
  let policyName = repo.getMeta('policy') as 'toolkit' | 'zaz1' | undefined;
  if (!policyName) {
    policyName = opts.policy ?? 'toolkit';
    const p = POLICY_SETS[policyName];
    const t = now();
    repo.transaction(() => {
      const rOca = createCa(repo, { kind: 'root-oca', label: labels.rootOca, policy: p.organisation, eui: labels.rootOcaEui }, t);
      createCa(repo, { kind: 'issuing-oca', label: labels.issuingOca, policy: p.organisation }, t, rOca);
      createCa(repo, { kind: 'root-dca', label: labels.rootDca, policy: p.device }, t);
      repo.setMeta('policy', policyName!);
    });
  } else if (opts.policy && opts.policy !== policyName) {
    throw new Error(`createTestSmki: ${opts.dir} was set up with policy "${policyName}", not "${opts.policy}"`);
  }
  const policy = POLICY_SETS[policyName];
  const one = (kind: 'root-oca' | 'issuing-oca' | 'root-dca') => {
    const row = repo.cas(kind).find((r) => r.retired_at === null);
    if (!row) throw new Error(`createTestSmki: no ${kind} in ${opts.dir}`);
    return loadCa(repo, row);
  };
  const rootOca = one('root-oca');
  const issuingOca = one('issuing-oca');
  const rootDca = one('root-dca');
  const rotation = new IssuingDcaRotation(repo, rootDca, policy.device, now, limits,
    (g) => labels.issuingDcaPrefix + String(g).padStart(3, '0'));
  if (!repo.cas('issuing-dca').length) rotation.active();

  const pool = new DevicePool(opts.workers);
  const caBySerial = (serial: string) => {
    const row = repo.ca(serial);
    return row ? loadCa(repo, row) : undefined;
  };

  const publisher = new RevocationPublisher(repo, now, [
    {
      kind: 'crl',
      signer: () => ({ name: issuingOca.name, keyId: issuingOca.keyId, key: issuingOca.key! }),
      revoked: () => repo.revokedIssuedBy(issuingOca.serial).map((r) => ({ serial: r.serial, at: r.revoked_at!, reason: r.revocation_reason! })),
    },
    {
      kind: 'arl-oca',
      signer: () => ({ name: rootOca.name, keyId: rootOca.keyId, key: rootOca.key! }),
      revoked: () => repo.revokedOfKinds(['issuing-oca']).map((r) => ({ serial: r.serial, at: r.revoked_at!, reason: r.revocation_reason! })),
    },
    {
      kind: 'arl-dca',
      signer: () => ({ name: rootDca.name, keyId: rootDca.keyId, key: rootDca.key! }),
      revoked: () => repo.revokedOfKinds(['issuing-dca']).map((r) => ({ serial: r.serial, at: r.revoked_at!, reason: r.revocation_reason! })),
    },
  ]);
  publisher.tick();

  function issueOrganisation(o: { role: string; eui: string; keyUsage: KeyUsageName; commonName?: string; spki: Uint8Array; point: Uint8Array }): IssuedCertificate {
    const serial = randomSerial();
    const tbs = organisationTbs({
      serial, issuerName: issuingOca.name, issuerKeyId: issuingOca.keyId, spki: o.spki, subjectKeyId: keyIdentifier(o.point),
      role: o.role, eui: o.eui, keyUsage: o.keyUsage, policy: policy.organisation, notBefore: new Date(now()), validityYears: orgYears,
      ...(o.commonName ? { commonName: o.commonName } : {}),
    });
    const der = assembleCertificate(tbs, signDer(tbs, issuingOca.key!));
    const s = hex(serial);
    repo.addCertificate({
      serial: s, kind: 'organisation', subject_eui: o.eui.toLowerCase(), role: o.role.toUpperCase(), key_usage: o.keyUsage,
      issuer_serial: issuingOca.serial, device_type: null, der, issued_at: now(),
    });
    return { serial: s, der, pem: toPem(der, 'CERTIFICATE') };
  }

  function subscriber(id: string): Subscriber | undefined {
    const s = repo.subscriber(id);
    return s ? (s as Subscriber) : undefined;
  }

  function storeDevice(rows: { der: Buffer; serial: string; eui: string; keyUsage: KeyUsageName; deviceType: string; issuer: string }[]): void {
    const t = now();
    repo.addCertificates(rows.map((r) => ({
      serial: r.serial, kind: 'device' as const, subject_eui: r.eui, role: null, key_usage: r.keyUsage,
      issuer_serial: r.issuer, device_type: r.deviceType, der: r.der, issued_at: t,
    })));
  }

  const serviceLevels = new ServiceLevelMonitor();
  const smki: TestSmki = {
    repository: repo,
    serviceLevels,
    policy,
    rootOca: () => rootOca,
    issuingOca: () => issuingOca,
    rootDca: () => rootDca,
    issuingDca: () => rotation.active().ca,
    issuingDcas: () => repo.cas('issuing-dca').map((r) => loadCa(repo, r)),
    chainOf(serial) {
      const c = repo.certificate(serial);
      if (!c || !c.issuer_serial) return undefined;
      const issuer = caBySerial(c.issuer_serial);
      if (!issuer) return undefined;
      if (issuer.kind.startsWith('root')) return [issuer];
      const root = caBySerial(repo.certificate(issuer.serial)!.issuer_serial!);
      return root ? [issuer, root] : undefined;
    },

    registerSubscriber(id, kind, deviceTypes) {
      const r = makeSubscriber(id.toLowerCase(), kind, deviceTypes);
      if (r.ok) repo.putSubscriber(r.subscriber.id, r.subscriber.kind, r.subscriber.deviceTypes);
      return r;
    },

    issueOrganisationCredentials(o) {
      if (!/^[0-9A-Fa-f]{2}$/.test(o.role)) throw new TypeError(`issueOrganisationCredentials: role "${o.role}" is not two hex digits`);
      if (!/^[0-9A-Fa-f]{16}$/.test(o.eui)) throw new TypeError(`issueOrganisationCredentials: eui "${o.eui}" is not 16 hex digits`);
      const pair = generateP256();
      const spki = spkiDer(pair.publicKey);
      const certificate = issueOrganisation({ ...o, spki, point: spki.subarray(26) });
      return { certificate, privateKeyPem: privateKeyPem(pair.privateKey), privateKeyPkcs8: privateKeyPkcs8(pair.privateKey) };
    },

    issueOrganisationCertificate(o) {
      if (!/^[0-9A-Fa-f]{2}$/.test(o.role)) throw new TypeError(`issueOrganisationCertificate: role "${o.role}" is not two hex digits`);
      if (!/^[0-9A-Fa-f]{16}$/.test(o.eui)) throw new TypeError(`issueOrganisationCertificate: eui "${o.eui}" is not 16 hex digits`);
      if (o.publicKey.length !== 65 || o.publicKey[0] !== 0x04) throw new TypeError('issueOrganisationCertificate: publicKey must be a 65-byte uncompressed point, got ' + o.publicKey.length + ' bytes');
      const point = Buffer.from(o.publicKey);
      return issueOrganisation({ role: o.role, eui: o.eui, keyUsage: o.keyUsage, spki: Buffer.concat([P256_SPKI_PREFIX, point]), point, ...(o.commonName ? { commonName: o.commonName } : {}) });
    },

    requestOrganisationCertificate(subscriberId, csr) {
      const received = now();
      const r = checkOrganisationCsr(csr);
      if (!r.ok) return r;
      const refusal = mayRequestRole(subscriber(subscriberId.toLowerCase()), r.value.role);
      if (refusal) return { ok: false, reason: refusal };
      const issued = issueOrganisation(r.value);
      serviceLevels.record('single', 'organisation ' + r.value.role, received, now());
      return { ok: true, ...issued };
    },

    requestDeviceCertificate(r) {
      const received = now();
      const refusal = mayRequestDevice(subscriber(r.subscriber.toLowerCase()), r.deviceType, r.installed === true);
      if (refusal) return { ok: false, reason: refusal };
      const c = checkDeviceCsr(r.csr);
      if (!c.ok) return c;
      const dca = rotation.active();
      const cert = issueFromTemplate(dca.template, dca.ca.key!, c.value.point, c.value.eui, c.value.keyUsage, utcTimeText(new Date(now())));
      const eui = hex(c.value.eui);
      repo.transaction(() => {
        storeDevice([{ der: cert.der, serial: cert.serial, eui, keyUsage: c.value.keyUsage, deviceType: r.deviceType, issuer: dca.ca.serial }]);
        rotation.recordIssued(dca.ca.serial, 1);
      });
      serviceLevels.record('single', 'device ' + r.deviceType, received, now());
      return { ok: true, serial: cert.serial, der: cert.der, pem: toPem(cert.der, 'CERTIFICATE'), eui, keyUsage: c.value.keyUsage, issuer: dca.ca.serial };
    },

    async requestDeviceBatch(r) {
      const received = now();
      const n = r.items.length;
      if (n < BATCH_MIN || n > BATCH_MAX) return { ok: false, reason: 'batch-size' };
      const sub = subscriber(r.subscriber.toLowerCase());
      if (!sub) return { ok: false, reason: 'unknown-subscriber' };
      const results: DeviceResult[] = new Array(n);
      const pending: number[] = [];
      for (let i = 0; i < n; i++) {
        const refusal = mayRequestDevice(sub, r.items[i]!.deviceType, r.items[i]!.installed === true);
        if (refusal) results[i] = { ok: false, reason: refusal };
        else pending.push(i);
      }
      let done = n - pending.length;
      r.onProgress?.(done, n);
      const notBefore = utcTimeText(new Date(now()));
      // Segments: each goes to one Issuing DCA and never asks it for more than it may still sign
      // (rejected requests leave capacity unused: the next round then reuses the same DCA).
      let cursor = 0;
      while (cursor < pending.length) {
        const dca = rotation.active();
        const take = pending.slice(cursor, cursor + dca.remaining);
        cursor += take.length;
        const t = dca.template;
        // Stored in transactions of STORE_ROWS rather than per chunk: a commit writes every B-tree page
        // it dirtied, and random serials/EUIs dirty a page per row (~16 µs/row per 256-row commit,
        // ~11 µs/row per 4,096, measured); the count moves in the same transaction as the rows.
        let rows: Parameters<typeof storeDevice>[0] = [];
        const flush = () => {
          const rs = rows;
          rows = [];
          repo.transaction(() => {
            storeDevice(rs);
            rotation.recordIssued(dca.ca.serial, rs.length);
          });
        };
        const keyPkcs8 = privateKeyPkcs8(dca.ca.key!);
        await pool.run({ serial: dca.ca.serial, keyPkcs8, template: t }, notBefore, take.map((i) => r.items[i]!.csr), (chunk) => {
          for (let j = 0; j < chunk.status.length; j++) {
            const idx = take[chunk.start + j]!;
            const code = chunk.status[j]!;
            if (code) {
              results[idx] = { ok: false, reason: REJECTION_CODES[code - 1]! };
              continue;
            }
            const der = Buffer.from(chunk.certs.buffer, chunk.certs.byteOffset + chunk.certOffsets[j]!, chunk.certOffsets[j + 1]! - chunk.certOffsets[j]!);
            // fixed offsets: the certificate's 4-byte header, then the template
            const serial = der.toString('hex', 4 + t.serialAt, 4 + t.serialAt + 16);
            const eui = der.toString('hex', 4 + t.euiAt, 4 + t.euiAt + 8);
            const keyUsage: KeyUsageName = der[4 + t.keyUsageAt + 1] === 0x80 ? 'digitalSignature' : 'keyAgreement';
            rows.push({ der, serial, eui, keyUsage, deviceType: r.items[idx]!.deviceType, issuer: dca.ca.serial });
            results[idx] = new IssuedDevice(serial, der, eui, keyUsage, dca.ca.serial);
          }
          if (rows.length >= STORE_ROWS) flush();
          done += chunk.status.length;
          r.onProgress?.(done, n);
        });
        flush(); // the rest of this Issuing DCA's segment, before the next loop round asks rotation.active()
      }
      serviceLevels.record('batch', 'batch of ' + n, received, now());
      return { ok: true, results };
    },

    revoke(serial, reason = 'unspecified') {
      if (!(reason in REASONS)) return { ok: false, reason: 'unknown-reason' };
      const c = repo.certificate(serial);
      if (!c) return { ok: false, reason: 'unknown-certificate' };
      if (c.kind === 'device') return { ok: false, reason: 'device-certificates-cannot-be-revoked' };
      if (c.kind === 'root-oca' || c.kind === 'root-dca') return { ok: false, reason: 'root-not-revocable' };
      if (c.revoked_at !== null) return { ok: false, reason: 'already-revoked' };
      const list: ListKind = c.kind === 'organisation' ? 'crl' : c.kind === 'issuing-oca' ? 'arl-oca' : 'arl-dca';
      const t = Math.floor(now() / 1000) * 1000;
      repo.markRevoked(c.serial, t, REASONS[reason]);
      // published at once: well inside the 1-hour limit (seed ¶124)
      const published = publisher.publish(list);
      return { ok: true, serial: c.serial, list, listNumber: published.number };
    },
    tick: () => publisher.tick(),
    list(kind) {
      const l = repo.latestList(kind);
      return l ? { number: l.number, thisUpdate: l.this_update, nextUpdate: l.next_update, der: l.der } : undefined;
    },
    lookup: (q) => repo.lookup(q),
    lodgeDocument(name, body, contentType = 'application/octet-stream') {
      if (!/^[A-Za-z0-9._-]{1,128}$/.test(name)) throw new TypeError(`lodgeDocument: bad name "${name}"`);
      repo.lodgeDocument({ name, content_type: contentType, body: Buffer.from(body), lodged_at: now() });
    },
    async close() {
      await pool.close();
      repo.close();
    },
  };
  return smki;
}

export { Repository } from './repository.ts';
export { writeKeystoreEntry } from './keystore.ts';
export type { KeyUsageName } from './profiles.ts';
