/**
 * The unit of fleet work and what it leaves behind. A job is one phase (or one wave of a rollout) for
 * one shard's premises; a premises record is everything the fleet keeps of one premises between jobs
 * (its devices' state, the DCC's memory of it, the firmware version the DCC's inventory holds, and one
 * outcome per job it went through). A record is committed once per job by compare-and-set on its
 * revision (the store: embedded in a worker thread, or NATS JetStream KV), so a job retaken after its
 * worker died finds what was committed and does only the rest: nothing lost, nothing done twice.
 * @module
 */
import type { PartyJson } from './world.ts';
import type { FleetPhase } from './scenario.ts';
import type { PremisesState } from './premises.ts';

export interface Job {
  /** `<phase index>.<wave>.<shard>`: unique within a run. */
  key: string;
  phase: number;
  /** Rollout wave (1-based); 0 outside rollouts; -1 for premises past the rollout's last wave. */
  wave: number;
  shard: number;
  /** Premises indices this job covers. */
  premises: number[];
  /** Added to the wall clock: the fleet clock (the CPL expiry moves it). */
  clockOffsetMs: number;
  /** The rollout halted before this wave: its premises are held back, no device is contacted. */
  heldBack?: boolean;
  /** Shards of this phase. */
  shards: number;
  /** A load job's share: its rate and how long (the coordinator splits the phase's over the jobs that run at once). */
  load?: { perSecond: number; seconds: number };
  /** Party overrides from the recovery drill on (the Supplier's and Recovery's new credentials). */
  parties?: Record<string, PartyJson>;
  /** The recovery drill's keys: the compromised Supplier's and the retired Recovery's. */
  retired?: { supplier: PartyJson; recovery: PartyJson };
}

export interface Outcome {
  job: string;
  phase: string;
  /** What happened: commissioned, read, updated, rolled-back, held-back, not-in-rollout, recovered, served, suspended, failed. */
  outcome: string;
  /** As the scenario expects. */
  ok: boolean;
  /** Why not (the first difference). */
  reason?: string;
  ms: number;
  /** The worker that committed it. */
  by: string;
}

export interface PremisesRecord {
  index: number;
  eui: string;
  shard: number;
  state: PremisesState;
  /** Firmware version the DCC's inventory holds (8 hex digits). */
  version: string;
  outcomes: Outcome[];
}

/** Latency and throughput of the service requests a job sent. */
export interface RequestStats {
  /** Per request name: count, failures, latency histogram (HISTOGRAM_MS bucket upper bounds). */
  requests: Record<string, { n: number; failed: number; sumMs: number; buckets: number[] }>;
  /** Completed service requests per TIMELINE_MS slot of wall-clock time (slot -> count). */
  timeline: Record<string, number>;
}

export const HISTOGRAM_MS = [0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, Infinity];
export const TIMELINE_MS = 500;

export function emptyStats(): RequestStats {
  return { requests: {}, timeline: {} };
}

export function recordRequest(s: RequestStats, name: string, ms: number, ok: boolean, atMs: number): void {
  const r = (s.requests[name] ??= { n: 0, failed: 0, sumMs: 0, buckets: HISTOGRAM_MS.map(() => 0) });
  r.n++;
  if (!ok) r.failed++;
  r.sumMs += ms;
  r.buckets[HISTOGRAM_MS.findIndex((b) => ms <= b)]++;
  const slot = String(Math.floor(atMs / TIMELINE_MS));
  s.timeline[slot] = (s.timeline[slot] ?? 0) + 1;
}

export function mergeStats(into: RequestStats, from: RequestStats): void {
  for (const [name, r] of Object.entries(from.requests)) {
    const t = (into.requests[name] ??= { n: 0, failed: 0, sumMs: 0, buckets: HISTOGRAM_MS.map(() => 0) });
    t.n += r.n;
    t.failed += r.failed;
    t.sumMs += r.sumMs;
    r.buckets.forEach((b, i) => { t.buckets[i] += b; });
  }
  for (const [slot, n] of Object.entries(from.timeline)) into.timeline[slot] = (into.timeline[slot] ?? 0) + n;
}

/** What a worker reports when a job is done: each premises' outcome of this job, and the request figures. */
export interface JobResult {
  key: string;
  shard: number;
  by: string;
  outcomes: Array<{ index: number } & Outcome>;
  stats: RequestStats;
  /** Premises this worker found already committed (a retaken job). */
  alreadyDone: number;
  ms: number;
}

/**
 * Where records live. `revision` 0 means "does not exist yet"; `commit` creates or replaces only when
 * the record is still at `revision`, and answers false when another worker got there first.
 */
export interface RecordStore {
  load(index: number): Promise<{ record?: PremisesRecord; revision: number }>;
  commit(record: PremisesRecord, revision: number): Promise<boolean>;
}

/** The premises' EUI-64: 00DB then the index (12 hex digits). */
export function premisesEui(index: number): string {
  return '00DB' + index.toString(16).toUpperCase().padStart(12, '0');
}

export type { FleetPhase };
