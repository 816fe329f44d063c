/**
 * Running one job (job.ts) on whichever worker took it: each premises of the job is loaded from the
 * store, skipped if it already carries this job's outcome (a retaken job), powered on from its state
 * (premises.ts), taken through the phase by the DCC player exactly as the lab drives its ESME, checked
 * against what the scenario expects, and committed with its outcome by compare-and-set. The phases:
 * see scenario.ts.
 * @module
 */
import type { BoardCrypto } from '../../boards/board.ts';
import { nodeCrypto } from '../../boards/node/nodeCrypto.ts';
import { Inventory } from '../cpl/deployedProductsList.ts';
import type { CertifiedProductsList } from '../cpl/certifiedProductsList.ts';
import { SuspensionRegister } from '../dcc/suspension.ts';
import type { Exchange } from '../dcc/dccPlayer.ts';
import type { Party, User } from '../dcc/users.ts';
import { KEY_USAGE_DIGITAL_SIGNATURE as DS, KEY_USAGE_KEY_AGREEMENT as KA } from '../../gbcs/smki/certificate.ts';
import { emptyStats, premisesEui, recordRequest } from './job.ts';
import type { Job, JobResult, Outcome, PremisesRecord, RecordStore, RequestStats } from './job.ts';
import type { CertificateRequest, LivePremises, PremisesKind } from './premises.ts';
import { fleetPhases } from './scenario.ts';
import type { FleetPhase, FleetScenario } from './scenario.ts';
import { FACTORY_VERSION, partyOf } from './world.ts';
import type { OpenWorld } from './world.ts';

export interface JobContext {
  world: OpenWorld;
  kind: PremisesKind;
  scenario: FleetScenario;
  /** Who runs it (a thread or a process id), kept with each outcome. */
  worker: string;
  /** The test SMKI's batch issuance, reached through the coordinator. */
  certify(requests: CertificateRequest[]): Promise<{ ok: true; certificates: Uint8Array[] } | { ok: false; reason: string }>;
  crypto?: () => BoardCrypto;
  /** After each premises (progress; a NATS worker tells the server it is still working). */
  onPremises?(): void;
}

/** What the device reports for a version the DCC knows by its CPL name. */
export function reportedVersion(version: string): string {
  return version === FACTORY_VERSION ? '0.1.0' : version;
}

/** Premises per certificate batch in a commission job (2 CSRs each). */
const COMMISSION_CHUNK = 128;

const SUPPLIER_CELLS = (p: Party) => [
  { certificate: p.ds.certificate, cell: { role: 2, keyUsage: DS, cellUsage: 0 } },
  { certificate: p.ka.certificate, cell: { role: 2, keyUsage: KA, cellUsage: 0 } },
];

interface Session {
  live: LivePremises;
  record: PremisesRecord;
  stats: RequestStats;
}

/** A service request through the DCC player, timed into the job's figures. */
async function timed(s: Session, name: string, run: () => Promise<Exchange>): Promise<Exchange> {
  const t0 = performance.now();
  const x = await run();
  recordRequest(s.stats, name, performance.now() - t0, x.verdict === 'accepted' || x.verdict === 'no-response' || x.verdict === 'refused-by-dcc', Date.now());
  return x;
}

function describe(x: Exchange): string {
  return x.verdict + (x.reason ? ' (' + x.reason.substring(0, 160) + ')' : '');
}

/** The first difference between an exchange and what was expected, or undefined. */
function expectAccepted(what: string, x: Exchange, more?: (x: Exchange) => string | undefined): string | undefined {
  if (x.verdict !== 'accepted') return what + ': expected accepted, got ' + describe(x);
  const cs = x.reading.cs02bStatuses;
  if (cs && cs.some((v) => v !== 0)) return what + ': CS02b statuses ' + cs.join(',');
  return more?.(x);
}

export async function runJob(ctx: JobContext, job: Job, store: RecordStore): Promise<JobResult> {
  const t0 = performance.now();
  const nowMs = () => Date.now() + job.clockOffsetMs;
  const cpl = ctx.world.cplAt(nowMs());
  // One OpenSSL BoardCrypto for the job's boards and DCC side: each key is imported once per job (a JWK
  // import costs more than the P-256 operation it serves), and its key cache goes with the job.
  const shared = ctx.crypto ? undefined : nodeCrypto();
  try {
    return await run(shared ? { ...ctx, crypto: () => shared } : ctx, job, store, cpl, nowMs, t0);
  } finally {
    cpl.dispose();
  }
}

async function run(ctx: JobContext, job: Job, store: RecordStore, cpl: CertifiedProductsList, nowMs: () => number, t0: number): Promise<JobResult> {
  const phase = fleetPhases(ctx.scenario)[job.phase];
  const stats = emptyStats();
  const result: JobResult = { key: job.key, shard: job.shard, by: ctx.worker, outcomes: [], stats, alreadyDone: 0, ms: 0 };
  const parties: Record<string, Party> = { ...ctx.world.parties };
  for (const [id, p] of Object.entries(job.parties ?? {})) parties[id] = partyOf(p);
  const users: User[] = [
    { id: 'dcc', name: 'DCC (Access Control Broker)', party: parties.acb },
    { id: 'supplier', name: 'Supplier operations', party: parties.supplier },
  ];
  if (job.retired) users.push({ id: 'compromised', name: 'whoever holds the compromised Supplier key', party: partyOf(job.retired.supplier) });

  const taken = (index: number, o: Outcome) => result.outcomes.push({ index, ...o });
  // Commit, or (another worker got there first) take what it committed.
  const commit = async (record: PremisesRecord, revision: number): Promise<void> => {
    if (await store.commit(record, revision)) {
      taken(record.index, record.outcomes[record.outcomes.length - 1]);
      return;
    }
    const now = await store.load(record.index);
    const o = now.record?.outcomes.find((x) => x.job === job.key);
    if (!o) throw new Error('runJob: commit of premises ' + record.index + ' lost to a revision without this job\'s outcome');
    result.alreadyDone++;
    taken(record.index, o);
  };

  if (phase.kind === 'commission') {
    const fresh: number[] = [];
    for (const index of job.premises) {
      const { record } = await store.load(index);
      const done = record?.outcomes.find((x) => x.job === job.key);
      if (done) {
        result.alreadyDone++;
        taken(index, done);
      } else fresh.push(index);
    }
    // In chunks, pipelined: the next chunk's keys are made and its certificates asked for before this
    // chunk is installed and commissioned, so the SMKI's batch threads and this worker work at once.
    const chunks: number[][] = [];
    for (let i = 0; i < fresh.length; i += COMMISSION_CHUNK) chunks.push(fresh.slice(i, i + COMMISSION_CHUNK));
    const ask = (indices: number[]) => {
      const prepared = indices.map((index) => ctx.kind.prepare(ctx.world, premisesEui(index), ctx.crypto?.()));
      return { prepared, certs: ctx.certify(prepared.flatMap((p) => p.requests)) };
    };
    let next = chunks.length ? ask(chunks[0]) : undefined;
    for (let k = 0; k < chunks.length; k++) {
      const here = next!;
      next = k + 1 < chunks.length ? ask(chunks[k + 1]) : undefined;
      const certs = await here.certs;
      let at = 0;
      for (const p of here.prepared) {
        const index = parseInt(p.eui.substring(4), 16);
        const s0 = performance.now();
        const mine = certs.ok ? certs.certificates.slice(at, at + p.requests.length) : [];
        at += p.requests.length;
        const fail = (reason: string): Outcome => ({ job: job.key, phase: phase.id, outcome: 'failed', ok: false, reason, ms: performance.now() - s0, by: ctx.worker });
        let record: PremisesRecord;
        if (!certs.ok || mine.some((c) => c.length === 0)) {
          record = { index, eui: p.eui, shard: job.shard, state: { devices: [], dcc: { counters: {}, supply: 'unknown' } }, version: FACTORY_VERSION, outcomes: [fail('certificates: ' + (certs.ok ? 'refused by the SMKI' : certs.reason))] };
        } else {
          const made = ctx.kind.install(ctx.world, p, mine, ctx.crypto?.());
          if (!made.ok) {
            record = { index, eui: p.eui, shard: job.shard, state: { devices: [], dcc: { counters: {}, supply: 'unknown' } }, version: FACTORY_VERSION, outcomes: [fail('manufacture: ' + made.reason)] };
          } else {
            const live = ctx.kind.open(ctx.world, made.state, { nowMs, users, parties, cpl, crypto: ctx.crypto });
            const s: Session = { live, record: undefined as unknown as PremisesRecord, stats };
            const x = await timed(s, 'update-security-credentials (CS02b handover)', () => live.dcc.submit('dcc', 'update-security-credentials', { to: 'supplier' }));
            const diff = expectAccepted('CS02b handover', x);
            record = {
              index, eui: p.eui, shard: job.shard, state: live.close(), version: FACTORY_VERSION,
              outcomes: [diff ? fail(diff) : { job: job.key, phase: phase.id, outcome: 'commissioned', ok: true, ms: performance.now() - s0, by: ctx.worker }],
            };
          }
        }
        await commit(record, 0);
        ctx.onPremises?.();
      }
    }
    result.ms = performance.now() - t0;
    return result;
  }

  // Every other phase: the job's premises, loaded; those already done are taken as they are.
  const todo: Array<{ record: PremisesRecord; revision: number }> = [];
  for (const index of job.premises) {
    const { record, revision } = await store.load(index);
    if (!record) throw new Error('runJob: premises ' + index + ' has no record: it was never commissioned (job ' + job.key + ')');
    const done = record.outcomes.find((x) => x.job === job.key);
    if (done) {
      result.alreadyDone++;
      taken(index, done);
    } else todo.push({ record, revision });
  }
  // The DCC's suspension register for these premises, on the fleet clock (harness/dcc/suspension.ts).
  const inventory = new Inventory();
  for (const t of todo) inventory.add({ eui: t.record.eui, deviceType: 'ESME', model: ctx.world.spec.deviceModel, version: t.record.version, associated: [] });
  const suspension = new SuspensionRegister(cpl, inventory, [parties.supplier.name + ' ' + parties.supplier.eui, parties.networkOperator.name + ' ' + parties.networkOperator.eui]);
  suspension.checkExpiry(nowMs());
  const open = (r: PremisesRecord): Session => ({ live: ctx.kind.open(ctx.world, r.state, { nowMs, users, parties, suspension, cpl, crypto: ctx.crypto }), record: r, stats });
  const usable = todo.filter((t) => t.record.state.devices.length > 0);
  for (const t of todo) if (t.record.state.devices.length === 0) {
    t.record.outcomes.push({ job: job.key, phase: phase.id, outcome: 'failed', ok: false, reason: 'never commissioned', ms: 0, by: ctx.worker });
    await commit(t.record, t.revision);
  }

  if (phase.kind === 'load') {
    const sessions = usable.map((t) => ({ s: open(t.record), t, failed: undefined as string | undefined, n: 0 }));
    const share = job.load ?? { perSecond: phase.perSecond / job.shards, seconds: phase.seconds };
    const perSecond = share.perSecond;
    const total = Math.max(1, Math.round(perSecond * share.seconds));
    const start = performance.now();
    for (let k = 0; k < total && sessions.length; k++) {
      const due = start + (k * 1000) / perSecond;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const x = sessions[k % sessions.length];
      const name = phase.requests[Math.floor(k / sessions.length) % phase.requests.length];
      const ex = await timed(x.s, name, () => x.s.live.dcc.submit('supplier', name, {}));
      x.n++;
      if (!x.failed) x.failed = expectAccepted(name, ex);
      if (k % 50 === 0) ctx.onPremises?.();
    }
    const ms = performance.now() - start;
    for (const x of sessions) {
      x.t.record.state = x.s.live.close();
      x.t.record.outcomes.push({ job: job.key, phase: phase.id, outcome: x.failed ? 'failed' : 'served', ok: !x.failed, ...(x.failed ? { reason: x.failed } : {}), ms: ms / sessions.length, by: ctx.worker });
      await commit(x.t.record, x.t.revision);
    }
    result.ms = performance.now() - t0;
    return result;
  }

  for (const t of usable) {
    const s0 = performance.now();
    const r = t.record;
    let outcome: { outcome: string; reason?: string; ok: boolean };
    if (job.heldBack || job.wave === -1) {
      // Held back by a halted rollout, or outside the rollout: no device is contacted.
      const expected = phase.kind === 'rollout' && (job.wave === -1 || phase.expect.halted);
      outcome = { outcome: job.wave === -1 ? 'not-in-rollout' : 'held-back', ok: expected, ...(expected ? {} : { reason: 'rollout halted, not expected to' }) };
    } else {
      const s = open(r);
      outcome = await runPhase(s, phase, ctx, job, parties, suspension, nowMs);
      r.state = s.live.close();
    }
    r.outcomes.push({ job: job.key, phase: phase.id, ...outcome, ms: performance.now() - s0, by: ctx.worker });
    await commit(r, t.revision);
    ctx.onPremises?.();
  }
  result.ms = performance.now() - t0;
  return result;
}

async function runPhase(s: Session, phase: FleetPhase, ctx: JobContext, job: Job, parties: Record<string, Party>, suspension: SuspensionRegister, nowMs: () => number): Promise<{ outcome: string; reason?: string; ok: boolean }> {
  const r = s.record;
  const dcc = s.live.dcc;
  const failed = (reason: string) => ({ outcome: 'failed', reason, ok: false });
  const versionCheck = (want: string) => (x: Exchange) => (x.reading.firmwareVersion === want ? undefined : 'firmware version ' + x.reading.firmwareVersion + ', the DCC\'s inventory holds ' + want);
  if (phase.kind === 'reads') {
    for (const name of phase.requests) {
      const x = await timed(s, name, () => dcc.submit('supplier', name, {}));
      const d = expectAccepted(name, x, name === 'read-firmware-version' ? versionCheck(reportedVersion(r.version)) : undefined);
      if (d) return failed(d);
    }
    return { outcome: 'read', ok: true };
  }
  if (phase.kind === 'rollout') {
    const pkg = ctx.world.packages[phase.package];
    const before = r.version;
    const up = await timed(s, 'update-firmware', () => dcc.updateFirmware('supplier', pkg.bytes));
    let d = expectAccepted('update-firmware', up);
    if (d) return failed(d);
    const act = await timed(s, 'activate-firmware', () => dcc.submit('supplier', 'activate-firmware', { hash: pkg.imageHash }));
    d = expectAccepted('activate-firmware', act, (x) => (x.reading.activationStatus === 0 ? undefined : 'activation status ' + x.reading.activationStatus));
    if (d) return failed(d);
    const read = await timed(s, 'read-firmware-version', () => dcc.submit('supplier', 'read-firmware-version', {}));
    d = expectAccepted('read-firmware-version', read);
    if (d) return failed(d);
    const runs = read.reading.firmwareVersion;
    let outcome: string;
    if (runs === pkg.version) {
      outcome = 'updated';
      r.version = pkg.version;
    } else if (runs === reportedVersion(before)) outcome = 'rolled-back';
    else return failed('runs ' + runs + ' after activating ' + pkg.version + ' over ' + before);
    const ok = outcome === phase.expect.premises;
    return { outcome, ok, ...(ok ? {} : { reason: 'expected ' + phase.expect.premises + ', the device ' + (outcome === 'updated' ? 'runs ' + pkg.version : 'rolled back to ' + runs) }) };
  }
  if (phase.kind === 'recovery-drill') {
    const retired = job.retired!;
    const oldRecovery = partyOf(retired.recovery);
    const a = await timed(s, 'recovery-replacement (Supplier cells)', () => dcc.recovery(oldRecovery, SUPPLIER_CELLS(parties.supplier)));
    let d = expectAccepted('CS02b recovery of the Supplier cells', a);
    if (d) return failed(d);
    const b = await timed(s, 'recovery-replacement (Recovery cell)', () => dcc.recovery(oldRecovery, [{ certificate: parties.recovery.ds.certificate, cell: { role: 1, keyUsage: DS, cellUsage: 0 } }]));
    d = expectAccepted('CS02b recovery installing the new Recovery key', b);
    if (d) return failed(d);
    const c = await timed(s, 'read-firmware-version', () => dcc.submit('supplier', 'read-firmware-version', {}));
    d = expectAccepted('the new Supplier key reads', c, versionCheck(reportedVersion(r.version)));
    if (d) return failed(d);
    const e = await timed(s, 'disable-supply (compromised key)', () => dcc.submit('compromised', 'disable-supply', {}));
    if (e.verdict !== 'no-response') return failed('a disable-supply signed with the compromised Supplier key: expected no response, got ' + describe(e));
    const f = await timed(s, 'recovery-replacement (retired key)', () => dcc.recovery(oldRecovery, SUPPLIER_CELLS(parties.supplier)));
    if (f.verdict !== 'no-response') return failed('a CS02b signed with the retired Recovery key: expected no response, got ' + describe(f));
    return { outcome: 'recovered', ok: true };
  }
  if (phase.kind === 'cpl-expiry') {
    const entry = ctx.world.spec.cpl.find((e) => e.model === ctx.world.spec.deviceModel && e.version === r.version);
    const expired = !!entry && Date.parse(entry.cpaExpiry) <= nowMs();
    const why = suspension.reason(r.eui);
    const x = await timed(s, 'read-supply-status', () => dcc.submit('supplier', 'read-supply-status', {}));
    if (expired) {
      if (!why) return failed('runs ' + r.version + ' whose CPA expired ' + entry!.cpaExpiry + ', but the DCC did not suspend it');
      if (x.verdict !== 'refused-by-dcc' || (x.reason ?? '').indexOf('device-suspended') !== 0) return failed('suspended, yet the DCC answered ' + describe(x));
      return { outcome: 'suspended', ok: true };
    }
    if (why) return failed('suspended (' + why + ') though it runs ' + r.version);
    const d = expectAccepted('read-supply-status', x);
    return d ? failed(d) : { outcome: 'served', ok: true };
  }
  if (phase.kind === 'verify') {
    // State intact: the device booted from the stored state, accepts the DCC's next counter (so the
    // DCC's memory and the device's agree: no lost and no repeated command), and runs the version the
    // DCC's inventory holds; a suspended premises stays refused.
    const name = 'read-firmware-version';
    const x = await timed(s, name, () => dcc.submit('supplier', name, {}));
    if (suspension.reason(r.eui)) {
      return x.verdict === 'refused-by-dcc' ? { outcome: 'intact (suspended)', ok: true } : failed('suspended, yet the DCC answered ' + describe(x));
    }
    const d = expectAccepted(name, x, versionCheck(reportedVersion(r.version)));
    return d ? failed(d) : { outcome: 'intact', ok: true };
  }
  return failed('phase kind ' + phase.kind + ' is not run per premises');
}
