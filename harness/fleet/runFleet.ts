/**
 * The fleet's coordinator: sets up the test SMKI and the world (world.ts) in the run folder, cuts the
 * fleet into shards (premises i belongs to shard i mod S), and runs the scenario phase by phase on an
 * executor (embedded worker threads, or NATS workers): one job per shard, or per shard and wave in a
 * rollout, with a barrier after each so that the rollout can halt on a failed wave and the recovery drill
 * can hand out the new keys. It answers the factory's certificate requests through the test SMKI's batch
 * issuance (harness/smki/batch.ts), and ends with a `verify` phase (each premises booted from its stored
 * state must answer the DCC's next counter with the version the DCC holds) and the exactly-once check:
 * every premises carries one outcome per job it belongs to, none missing, none twice.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { nodeCrypto } from '../../boards/node/nodeCrypto.ts';
import { CertifiedProductsList } from '../cpl/certifiedProductsList.ts';
import { issueParty, TEST_ENTITIES } from '../dcc/users.ts';
import { createTestSmki } from '../smki/testSmki.ts';
import type { TestSmki } from '../smki/testSmki.ts';
import { FACTORY_SUBSCRIBER } from '../lab/factory.ts';
import type { Certify, Executor, MemoryFigure } from './executor.ts';
import { emptyStats, mergeStats } from './job.ts';
import type { Job, JobResult, RequestStats } from './job.ts';
import type { RecordSummary } from './protocol.ts';
import { fleetPhases } from './scenario.ts';
import type { FleetPhase, FleetScenario } from './scenario.ts';
import { makeWorld, partyJson } from './world.ts';
import type { PartyJson } from './world.ts';

const DAY_MS = 86_400_000;

export type FleetEvent =
  | { kind: 'setup'; text: string }
  | { kind: 'phase'; phase: string; text: string; premises: number }
  | { kind: 'premises'; done: number }
  | { kind: 'phase-done'; phase: string; text: string; ok: boolean };

export interface FleetOptions {
  premises: number;
  scenario: FleetScenario;
  out: string;
  /** Makes the executor once the coordinator can answer certificate requests. */
  executor: (certify: Certify) => Executor;
  kind?: string;
  events: (e: FleetEvent) => void;
  /** Measure the workers' heap before and after commissioning (embedded executor). */
  measureMemory?: boolean;
}

export interface PhaseSummary {
  id: string;
  kind: string;
  ms: number;
  /** outcome -> premises */
  outcomes: Record<string, number>;
  asExpected: number;
  differ: number;
  halted?: boolean;
  /** Rollouts: each wave's size and failures (not updated), and whether the rollout went as expected. */
  waves?: Array<{ wave: number; premises: number; failed: number; heldBack: boolean }>;
  fleetCheck?: string;
  /** Load phases: service requests per second achieved. */
  achievedPerSecond?: number;
}

export interface FleetSummary {
  title: string;
  premises: number;
  premisesKind: string;
  executor: string;
  shards: number;
  startedAt: string;
  seconds: number;
  setupSeconds: number;
  /** Make + commission (the first phase), premises per second. */
  commissionedPerSecond: number;
  phases: PhaseSummary[];
  /** Outcomes not as expected, by reason (the reason's first words). */
  failures: Record<string, number>;
  /** Rollout failures the scenario expected (e.g. faulty images rolled back), by outcome. */
  expectedFailures: Record<string, number>;
  requests: RequestStats;
  /** Premises done per shard over time: [seconds since start, cumulative]. */
  shardProgress: Record<string, Array<[number, number]>>;
  exactlyOnce: { premises: number; complete: number; missing: number; doubled: number; retakenJobs: number; byWorker: Record<string, number> };
  memory?: { perPremisesBytes: number; stateBytesPerPremises: number; before: MemoryFigure; after: MemoryFigure };
  cplEvents: string[];
  ok: boolean;
}

export interface FleetRun {
  summary: FleetSummary;
  records: RecordSummary[];
  phases: FleetPhase[];
}

/** Premises of shard `s` among `indices`. */
const ofShard = (indices: number[], s: number, shards: number) => indices.filter((i) => i % shards === s);

function reasonKey(reason: string): string {
  return reason.replace(/[0-9a-f]{16,}/gi, '…').replace(/\d+/g, 'N').substring(0, 90);
}

export async function runFleet(o: FleetOptions): Promise<FleetRun> {
  const t0 = performance.now();
  const startedAt = new Date();
  mkdirSync(o.out, { recursive: true });
  const smkiDir = join(o.out, 'smki');
  const smki: TestSmki = createTestSmki({ dir: smkiDir });
  const crypto = nodeCrypto();
  const N = o.premises;
  const kind = o.kind ?? 'esme';
  let executor: Executor | undefined;
  let cpl: CertifiedProductsList | undefined;
  try {
    smki.registerSubscriber(FACTORY_SUBSCRIBER, 'manufacturer', ['ESME']);
    const world = makeWorld({ smki, crypto, startMs: startedAt.getTime(), imageBytes: o.scenario.imageBytes, cpaDays: o.scenario.cpaDays });
    let clockOffsetMs = 0;
    cpl = new CertifiedProductsList(smkiDir, () => Date.now() + clockOffsetMs);
    for (const e of world.cpl) cpl.add(e);
    const cplEvents: string[] = [];
    cpl.onEvent((e) => cplEvents.push(new Date(Date.now() + clockOffsetMs).toISOString() + ' ' + e.kind + ' ' + e.model + ' ' + e.version + ': ' + e.detail));
    o.events({ kind: 'setup', text: 'test SMKI in ' + smkiDir + '; parties ' + Object.keys(TEST_ENTITIES).join(', ') + '; packages good ' + world.packages.good.version + ', faulty ' + world.packages.faulty.version + ' (' + o.scenario.imageBytes + '-byte images) on the CPL' });
    const certify: Certify = async (requests) => {
      const r = await smki.requestDeviceBatch({ subscriber: FACTORY_SUBSCRIBER, items: requests.map((q) => ({ deviceType: q.deviceType, csr: q.csr })) });
      if (!r.ok) return { ok: false, reason: r.reason };
      return { ok: true, certificates: r.results.map((x) => (x.ok ? new Uint8Array(x.der) : new Uint8Array(0))) };
    };
    executor = o.executor(certify);
    const S = Math.max(1, Math.min(executor.shards, N));
    await executor.start({ run: 'fleet-' + startedAt.getTime(), world, scenario: o.scenario, kind });
    o.events({ kind: 'setup', text: N + ' premises (' + kind + ') in ' + S + ' shards on ' + executor.label });
    const setupSeconds = (performance.now() - t0) / 1000;

    const all = Array.from({ length: N }, (_, i) => i);
    const phases: FleetPhase[] = fleetPhases(o.scenario);
    const summaries: PhaseSummary[] = [];
    const stats = emptyStats();
    const shardProgress: Record<string, Array<[number, number]>> = {};
    const shardDone: Record<string, number> = {};
    const failures: Record<string, number> = {};
    const expectedFailures: Record<string, number> = {};
    let retakenJobs = 0;
    let parties: Record<string, PartyJson> | undefined;
    let commissionedPerSecond = 0;
    let memBefore: MemoryFigure | undefined;
    let memAfter: MemoryFigure | undefined;
    if (o.measureMemory && executor.memory) memBefore = await executor.memory();

    const run = async (jobs: Job[]): Promise<JobResult[]> => {
      let done = 0;
      const results = await executor!.runJobs(jobs, (n) => {
        done += n;
        o.events({ kind: 'premises', done });
      });
      const at = (performance.now() - t0) / 1000;
      for (const r of results) {
        mergeStats(stats, r.stats);
        if (r.alreadyDone) retakenJobs++;
        const k = 'shard ' + r.shard;
        shardDone[k] = (shardDone[k] ?? 0) + r.outcomes.length;
        (shardProgress[k] ??= [[0, 0]]).push([at, shardDone[k]]);
      }
      return results;
    };

    for (let p = 0; p < phases.length; p++) {
      const phase = phases[p];
      const p0 = performance.now();
      const summary: PhaseSummary = { id: phase.id, kind: phase.kind, ms: 0, outcomes: {}, asExpected: 0, differ: 0 };
      const base = { phase: p, clockOffsetMs, shards: S, ...(parties ? { parties } : {}) };
      let retired: Job['retired'];
      if (phase.kind === 'recovery-drill') {
        // The Supplier's keys are taken as compromised: it gets new key pairs and certificates; the
        // Recovery Key Pair is regenerated. The retired keys go with the drill's jobs (the devices must refuse them).
        const cur = parties ?? world.parties;
        retired = { supplier: cur.supplier, recovery: cur.recovery };
        parties = {
          ...(parties ?? {}),
          supplier: partyJson(issueParty(smki, crypto, TEST_ENTITIES.supplier)),
          recovery: partyJson(issueParty(smki, crypto, TEST_ENTITIES.recovery)),
        };
        o.events({ kind: 'setup', text: 'recovery drill: new Supplier credentials and a regenerated Recovery Key Pair issued by the test SMKI' });
      }
      if (phase.kind === 'cpl-expiry') {
        clockOffsetMs += phase.advanceDays * DAY_MS;
        cpl.expire(Date.now() + clockOffsetMs);
      }
      const jobsFor = (indices: number[], wave: number, extra: Partial<Job> = {}): Job[] => {
        const out: Job[] = [];
        for (let s = 0; s < S; s++) {
          const premises = ofShard(indices, s, S);
          if (premises.length) out.push({ key: p + '.' + wave + '.' + s, wave, shard: s, premises, ...base, clockOffsetMs, ...(parties ? { parties } : {}), ...(retired ? { retired } : {}), ...extra });
        }
        return out;
      };
      const tally = (results: JobResult[]) => {
        for (const r of results) for (const x of r.outcomes) {
          summary.outcomes[x.outcome] = (summary.outcomes[x.outcome] ?? 0) + 1;
          if (x.ok) summary.asExpected++;
          else {
            summary.differ++;
            const k = phase.id + ': ' + reasonKey(x.reason ?? x.outcome);
            failures[k] = (failures[k] ?? 0) + 1;
          }
          if (x.ok && (x.outcome === 'rolled-back' || x.outcome === 'suspended')) expectedFailures[phase.id + ': ' + x.outcome] = (expectedFailures[phase.id + ': ' + x.outcome] ?? 0) + 1;
        }
      };
      if (phase.kind === 'rollout') {
        summary.waves = [];
        let from = 0;
        let halted = false;
        for (let w = 0; w < phase.waves.length; w++) {
          const to = Math.floor(phase.waves[w] * N);
          const members = all.slice(from, to);
          from = to;
          if (!members.length) continue;
          o.events({ kind: 'phase', phase: phase.id, premises: members.length, text: phase.id + ' wave ' + (w + 1) + ': ' + members.length + ' premises' + (halted ? ' held back (rollout halted)' : ', Update Firmware ' + phase.package + ' + CS06') });
          const results = await run(jobsFor(members, w + 1, halted ? { heldBack: true } : {}));
          tally(results);
          const failed = results.reduce((a, r) => a + r.outcomes.filter((x) => x.outcome !== 'updated' && x.outcome !== 'held-back').length, 0);
          summary.waves.push({ wave: w + 1, premises: members.length, failed, heldBack: halted });
          if (!halted && failed / members.length > phase.haltAbove) halted = true;
        }
        if (from < N) {
          const rest = all.slice(from);
          o.events({ kind: 'phase', phase: phase.id, premises: rest.length, text: phase.id + ': ' + rest.length + ' premises not in the rollout' });
          tally(await run(jobsFor(rest, -1)));
        }
        summary.halted = halted;
        if (halted !== phase.expect.halted) summary.fleetCheck = 'expected the rollout ' + (phase.expect.halted ? 'to halt' : 'to complete') + ', it ' + (halted ? 'halted' : 'completed');
      } else {
        o.events({ kind: 'phase', phase: phase.id, premises: N, text: phase.id + ' (' + phase.kind + '): ' + N + ' premises' });
        // A load's rate is the fleet's: the jobs that run at once (c of them) share it, each for the
        // part of the time that makes the S jobs last the phase's seconds.
        const c = Math.min(S, executor.concurrency());
        const load = phase.kind === 'load' ? { load: { perSecond: phase.perSecond / c, seconds: (phase.seconds * c) / S } } : {};
        const results = await run(jobsFor(all, 0, load));
        tally(results);
        if (phase.kind === 'load') {
          const n = results.reduce((a, r) => a + Object.values(r.stats.requests).reduce((b, q) => b + q.n, 0), 0);
          summary.achievedPerSecond = n / ((performance.now() - p0) / 1000);
        }
      }
      summary.ms = performance.now() - p0;
      if (p === 0) {
        commissionedPerSecond = summary.outcomes.commissioned ? summary.outcomes.commissioned / (summary.ms / 1000) : 0;
        if (o.measureMemory && executor.memory) memAfter = await executor.memory();
      }
      summaries.push(summary);
      const ok = summary.differ === 0 && !summary.fleetCheck;
      o.events({
        kind: 'phase-done', phase: phase.id, ok,
        text: phase.id + ': ' + Object.entries(summary.outcomes).map(([k, v]) => v + ' ' + k).join(', ') + '; ' + summary.asExpected + ' as expected, ' + summary.differ + ' differ' +
          (summary.halted !== undefined ? '; rollout ' + (summary.halted ? 'halted' : 'completed') : '') + (summary.fleetCheck ? ' (' + summary.fleetCheck + ')' : '') +
          (summary.achievedPerSecond ? '; ' + summary.achievedPerSecond.toFixed(0) + ' requests/s' : '') + '  ' + (summary.ms / 1000).toFixed(1) + ' s',
      });
    }

    // Exactly once: every premises has one outcome per job it belonged to (one per phase), none twice.
    const records = await executor.records();
    let complete = 0;
    let missing = 0;
    let doubled = 0;
    const byWorker: Record<string, number> = {};
    const seen = new Set<number>();
    for (const r of records) {
      if (seen.has(r.index)) doubled++;
      seen.add(r.index);
      const perPhase = phases.map((ph) => r.outcomes.filter((x) => x.phase === ph.id).length);
      const jobs = new Set(r.outcomes.map((x) => x.job));
      if (jobs.size !== r.outcomes.length || perPhase.some((n) => n > 1)) doubled++;
      else if (perPhase.some((n) => n === 0)) missing++;
      else complete++;
      for (const x of r.outcomes) byWorker[x.by] = (byWorker[x.by] ?? 0) + 1;
    }
    missing += N - seen.size;
    const seconds = (performance.now() - t0) / 1000;
    const ok = summaries.every((s) => s.differ === 0 && !s.fleetCheck) && complete === N && missing === 0 && doubled === 0;
    const stateBytes = records.reduce((a, r) => a + r.stateBytes, 0);
    const summary: FleetSummary = {
      title: o.scenario.title, premises: N, premisesKind: kind, executor: executor.label, shards: S, startedAt: startedAt.toISOString(), seconds, setupSeconds,
      commissionedPerSecond, phases: summaries, failures, expectedFailures, requests: stats, shardProgress,
      exactlyOnce: { premises: N, complete, missing, doubled, retakenJobs, byWorker },
      ...(memBefore && memAfter ? {
        memory: { perPremisesBytes: (memAfter.heapBytes + memAfter.externalBytes - memBefore.heapBytes - memBefore.externalBytes) / Math.max(1, memAfter.premises), stateBytesPerPremises: stateBytes / Math.max(1, records.length), before: memBefore, after: memAfter },
      } : {}),
      cplEvents, ok,
    };
    return { summary, records, phases };
  } finally {
    await executor?.close();
    cpl?.close();
    await smki.close();
  }
}
