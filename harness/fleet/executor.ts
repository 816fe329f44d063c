/**
 * Where the fleet's jobs run: an Executor takes the run's spec once, then batches of jobs, and answers
 * each job's result once (embedded.ts: worker threads; nats.ts: a JetStream work queue and any number of
 * `smets fleet worker` processes). Certificates for the factory come back to the coordinator's test SMKI
 * (`Certify`), whichever executor asks.
 * @module
 */
import type { Job, JobResult } from './job.ts';
import type { RecordSummary, RunSpec } from './protocol.ts';

export type Certify = (requests: Array<{ deviceType: string; csr: Uint8Array }>) => Promise<{ ok: true; certificates: Uint8Array[] } | { ok: false; reason: string }>;

export interface MemoryFigure {
  heapBytes: number;
  externalBytes: number;
  premises: number;
}

export interface Executor {
  /** e.g. "2 worker threads", "NATS nats://127.0.0.1:4222". */
  readonly label: string;
  /** How many shards the fleet is cut into. */
  readonly shards: number;
  start(spec: RunSpec): Promise<void>;
  /** Runs the jobs (any order, any worker); each result is reported once. */
  runJobs(jobs: Job[], onProgress: (premises: number) => void): Promise<JobResult[]>;
  /** Every premises record, as committed. */
  records(): Promise<RecordSummary[]>;
  /** How many jobs run at once (embedded: the threads; NATS: the workers seen so far). */
  concurrency(): number;
  /** Heap held by the workers with their premises in memory (embedded only). */
  memory?(): Promise<MemoryFigure>;
  close(): Promise<void>;
}
