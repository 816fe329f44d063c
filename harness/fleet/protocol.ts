/**
 * What the fleet's coordinator and its workers say to each other, the same over a worker_threads port
 * (embedded.ts) and over NATS (nats.ts): the world and scenario once, then jobs; a worker asks the
 * coordinator for certificates (the test SMKI's batch issuance) and answers each job with its result.
 * @module
 */
import type { Job, JobResult, Outcome } from './job.ts';
import type { FleetScenario } from './scenario.ts';
import type { WorldSpec } from './world.ts';

export interface RunSpec {
  run: string;
  world: WorldSpec;
  scenario: FleetScenario;
  kind: string;
}

/** A premises as the final check sees it: its outcomes and version, not its device state. */
export interface RecordSummary {
  index: number;
  eui: string;
  version: string;
  outcomes: Outcome[];
  stateBytes: number;
}

export type ToWorker =
  | { type: 'init'; spec: RunSpec; worker: string }
  | { type: 'job'; job: Job }
  | { type: 'certified'; id: number; ok: boolean; reason?: string; certificates: Uint8Array[] }
  | { type: 'records' }
  | { type: 'memory' };

export type FromWorker =
  | { type: 'certify'; id: number; requests: Array<{ deviceType: string; csr: Uint8Array }> }
  | { type: 'result'; result: JobResult }
  | { type: 'progress'; premises: number }
  | { type: 'records'; records: RecordSummary[]; heapBytes: number; externalBytes: number }
  | { type: 'ready' }
  | { type: 'memory'; heapBytes: number; externalBytes: number; premises: number }
  | { type: 'error'; message: string };
