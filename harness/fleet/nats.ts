/**
 * The distributed fleet on NATS JetStream. The coordinator (`smets fleet --nats URL`) puts the run's spec
 * in a KV bucket of its own (`smets-fleet-<run>`, key `spec`) and each job in a work-queue stream
 * (`SMETS_FLEET`, subject `smets.fleet.jobs`) that one durable pull consumer (`workers`) hands out: any
 * number of `smets fleet worker --nats URL` processes, on any machines, take jobs one at a time, tell the
 * server they are still working after each premises, and acknowledge a job only after its result is
 * published. A job not acknowledged within the ack wait (its worker died) is delivered again to another.
 *
 * Premises records live in the run's bucket (`p.<index>`): loaded with their revision and committed by
 * compare-and-set (`create` for a new one, `update` on the revision read), so a retaken job finds what the
 * dead worker committed and commits only the rest; a worker that lost the race takes the winner's outcome.
 * Certificates for the factory: request/reply to the coordinator's test SMKI (`smets.fleet.<run>.certify`);
 * results and progress: `smets.fleet.<run>.result` / `.progress`.
 * @module
 */
import { hostname } from 'node:os';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { JetStreamClient } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import type { Certify, Executor } from './executor.ts';
import type { Job, JobResult, PremisesRecord, RecordStore } from './job.ts';
import type { RecordSummary, RunSpec } from './protocol.ts';
import { PREMISES_KINDS, stateBytes, stateFromJson, stateToJson } from './premises.ts';
import type { PremisesStateJson } from './premises.ts';
import { runJob } from './runJob.ts';
import type { JobContext } from './runJob.ts';
import { openWorld } from './world.ts';
import type { OpenWorld } from './world.ts';

export const STREAM = 'SMETS_FLEET';
export const JOBS_SUBJECT = 'smets.fleet.jobs';
export const CONSUMER = 'workers';
const NS_PER_MS = 1_000_000;

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const dec = <T>(b: Uint8Array): T => JSON.parse(new TextDecoder().decode(b)) as T;
const bucketOf = (run: string) => 'smets-fleet-' + run;

type StoredRecord = Omit<PremisesRecord, 'state'> & { state: PremisesStateJson };

/** Premises records in the run's KV bucket, compare-and-set on revision. */
export class NatsStore implements RecordStore {
  constructor(private readonly kv: KV) {}

  async load(index: number): Promise<{ record?: PremisesRecord; revision: number }> {
    const e = await this.kv.get('p.' + index);
    if (!e || e.operation !== 'PUT') return { revision: 0 };
    const r = dec<StoredRecord>(e.value);
    return { record: { ...r, state: stateFromJson(r.state) }, revision: e.revision };
  }

  async commit(record: PremisesRecord, revision: number): Promise<boolean> {
    const data = enc({ ...record, state: stateToJson(record.state) } satisfies StoredRecord);
    try {
      if (revision === 0) await this.kv.create('p.' + record.index, data);
      else await this.kv.update('p.' + record.index, data, revision);
      return true;
    } catch (e) {
      // The server refuses a create of an existing key and an update on a stale revision: another
      // worker committed first. Anything else is a real failure.
      const text = String((e as Error).message ?? e);
      if (/wrong last sequence|key exists|10071/i.test(text)) return false;
      throw e;
    }
  }
}

async function ensureStream(nc: NatsConnection, ackWaitMs: number): Promise<void> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(STREAM);
  } catch {
    await jsm.streams.add({ name: STREAM, subjects: [JOBS_SUBJECT], retention: RetentionPolicy.Workqueue, storage: StorageType.File });
  }
  try {
    await jsm.consumers.info(STREAM, CONSUMER);
  } catch {
    await jsm.consumers.add(STREAM, { durable_name: CONSUMER, ack_policy: AckPolicy.Explicit, ack_wait: ackWaitMs * NS_PER_MS, max_deliver: -1, max_ack_pending: 1000 });
  }
}

export interface NatsExecutorOptions {
  url: string;
  shards: number;
  /** How long a job may go unacknowledged before it is given to another worker (ms). */
  ackWaitMs?: number;
}

export class NatsExecutor implements Executor {
  readonly label: string;
  readonly shards: number;
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private kv: KV | undefined;
  private run = '';
  private subs: Subscription[] = [];
  private waiting: ((r: JobResult) => void) | undefined;
  private progress: ((n: number) => void) | undefined;
  /** Workers that have answered a job in this run. */
  private readonly seen = new Set<string>();

  constructor(private readonly o: NatsExecutorOptions, private readonly certify: Certify) {
    this.shards = o.shards;
    this.label = 'NATS JetStream ' + o.url + ' (' + o.shards + ' shards in the work queue ' + STREAM + ')';
  }

  async start(spec: RunSpec): Promise<void> {
    const nc = (this.nc = await connect({ servers: this.o.url, name: 'smets fleet coordinator' }));
    await ensureStream(nc, this.o.ackWaitMs ?? 5000);
    this.js = jetstream(nc);
    this.run = spec.run;
    this.kv = await new Kvm(nc).create(bucketOf(spec.run), { history: 1 });
    await this.kv.put('spec', enc(spec));
    const base = 'smets.fleet.' + spec.run;
    this.subs.push(nc.subscribe(base + '.certify', {
      callback: (_e, m) => {
        const req = dec<{ requests: Array<{ deviceType: string; csr: string }> }>(m.data);
        void this.certify(req.requests.map((r) => ({ deviceType: r.deviceType, csr: new Uint8Array(Buffer.from(r.csr, 'base64')) }))).then((r) => {
          m.respond(enc(r.ok ? { ok: true, certificates: r.certificates.map((c) => Buffer.from(c).toString('base64')) } : r));
        });
      },
    }));
    this.subs.push(nc.subscribe(base + '.result', { callback: (_e, m) => this.waiting?.(dec<JobResult>(m.data)) }));
    this.subs.push(nc.subscribe(base + '.progress', { callback: (_e, m) => this.progress?.(dec<{ premises: number }>(m.data).premises) }));
    await nc.flush();
  }

  async runJobs(jobs: Job[], onProgress: (premises: number) => void): Promise<JobResult[]> {
    const results: JobResult[] = [];
    if (!jobs.length) return results;
    const keys = new Set(jobs.map((j) => j.key));
    const done = new Promise<void>((resolve) => {
      this.waiting = (r) => {
        // A retaken job may be reported twice (its first worker published, then died before the ack).
        this.seen.add(r.by);
        if (!keys.delete(r.key)) return;
        results.push(r);
        if (!keys.size) resolve();
      };
    });
    this.progress = onProgress;
    for (const job of jobs) await this.js!.publish(JOBS_SUBJECT, enc({ run: this.run, job }));
    await done;
    this.waiting = undefined;
    return results;
  }

  concurrency(): number {
    return Math.max(1, this.seen.size);
  }

  async records(): Promise<RecordSummary[]> {
    const out: RecordSummary[] = [];
    const keys: string[] = [];
    for await (const k of await this.kv!.keys('p.*')) keys.push(k);
    const store = new NatsStore(this.kv!);
    for (const k of keys) {
      const { record: r } = await store.load(Number(k.substring(2)));
      if (r) out.push({ index: r.index, eui: r.eui, version: r.version, outcomes: r.outcomes, stateBytes: stateBytes(r.state) });
    }
    return out;
  }

  async close(): Promise<void> {
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
    try {
      await this.kv?.destroy();
    } finally {
      await this.nc?.drain();
    }
  }
}

export interface NatsWorkerOptions {
  url: string;
  /** Worker name kept with each outcome (default host:pid). */
  name?: string;
  /** Exit after this long with no job (ms); default: run until stopped. */
  idleExitMs?: number;
  ackWaitMs?: number;
  log: (line: string) => void;
}

/** A `smets fleet worker` process: takes jobs until stopped (or idle for idleExitMs). */
export async function runNatsWorker(o: NatsWorkerOptions): Promise<void> {
  const name = o.name ?? hostname() + ':' + process.pid;
  const nc = await connect({ servers: o.url, name: 'smets fleet worker ' + name });
  await ensureStream(nc, o.ackWaitMs ?? 5000);
  const js = jetstream(nc);
  const consumer = await js.consumers.get(STREAM, CONSUMER);
  const kvm = new Kvm(nc);
  const runs = new Map<string, { ctx: JobContext; kv: KV; world: OpenWorld; flushProgress(): void }>();
  let idleSince = Date.now();
  /** The job in hand: told `working()` as premises finish, so the server does not give it to another. */
  let current: { working(): void } | undefined;
  o.log('fleet worker ' + name + ': taking jobs from ' + STREAM + ' on ' + o.url);
  try {
    for (;;) {
      const m = await consumer.next({ expires: 1000 });
      if (!m) {
        if (o.idleExitMs !== undefined && Date.now() - idleSince > o.idleExitMs) break;
        continue;
      }
      const { run, job } = dec<{ run: string; job: Job }>(m.data);
      let r = runs.get(run);
      if (!r) {
        // A long-lived worker keeps the runs it serves; the oldest is let go beyond a few.
        for (const [old, x] of runs) if (runs.size >= 4) {
          x.world.close();
          runs.delete(old);
        }
        const kv = await kvm.open(bucketOf(run));
        const e = await kv.get('spec');
        if (!e) {
          // The run is over (its bucket is gone): nothing to do with its jobs.
          m.term();
          continue;
        }
        const spec = dec<RunSpec>(e.value);
        const world = openWorld(spec.world);
        const base = 'smets.fleet.' + run;
        let last = 0;
        let count = 0;
        const ctx: JobContext = {
          world, kind: PREMISES_KINDS[spec.kind], scenario: spec.scenario, worker: name,
          certify: async (requests) => {
            const reply = await nc.request(base + '.certify', enc({ requests: requests.map((q) => ({ deviceType: q.deviceType, csr: Buffer.from(q.csr).toString('base64') })) }), { timeout: 300_000 });
            const a = dec<{ ok: true; certificates: string[] } | { ok: false; reason: string }>(reply.data);
            return a.ok ? { ok: true, certificates: a.certificates.map((c) => new Uint8Array(Buffer.from(c, 'base64'))) } : a;
          },
          onPremises: () => {
            count++;
            const now = Date.now();
            if (now - last > 500) {
              last = now;
              current?.working();
              nc.publish(base + '.progress', enc({ premises: count }));
              count = 0;
            }
          },
        };
        r = { ctx, kv, world, flushProgress: () => {
          if (count) nc.publish(base + '.progress', enc({ premises: count }));
          count = 0;
        } };
        runs.set(run, r);
      }
      current = m;
      o.log('fleet worker ' + name + ': taking job ' + job.key + (m.redelivered ? ' (redelivered)' : ''));
      let result: JobResult;
      try {
        result = await runJob(r.ctx, job, new NatsStore(r.kv));
      } catch (e) {
        current = undefined;
        const text = (e as Error).message ?? String(e);
        if (/no responders|503|timeout/i.test(text)) {
          // The run's coordinator is gone (nobody answers its certificate requests): drop its jobs.
          o.log('fleet worker ' + name + ': job ' + job.key + ' of ' + run + ' dropped: its coordinator does not answer (' + text + ')');
          m.term();
          runs.get(run)?.world.close();
          runs.delete(run);
        } else {
          // Anything else: back to the queue for another try (by this worker or another), logged.
          o.log('fleet worker ' + name + ': job ' + job.key + ' failed, returned to the queue: ' + text);
          m.nak(2000);
        }
        continue;
      }
      r.flushProgress();
      nc.publish('smets.fleet.' + run + '.result', enc(result));
      await nc.flush();
      m.ack();
      current = undefined;
      idleSince = Date.now();
      o.log('fleet worker ' + name + ': job ' + job.key + ' (' + job.premises.length + ' premises' + (result.alreadyDone ? ', ' + result.alreadyDone + ' already committed' : '') + ') ' + result.ms.toFixed(0) + ' ms');
    }
  } finally {
    for (const r of runs.values()) r.world.close();
    await nc.drain();
  }
}
