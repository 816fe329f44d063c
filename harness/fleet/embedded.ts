/**
 * The embedded fleet: shards on worker_threads, nothing to install. Shard s lives on thread s mod W,
 * which keeps its premises in memory between jobs (memoryStore.ts); the coordinator sends each job to
 * its shard's thread and answers the threads' certificate requests from its test SMKI.
 * @module
 */
import { Worker } from 'node:worker_threads';
import type { Certify, Executor, MemoryFigure } from './executor.ts';
import type { Job, JobResult } from './job.ts';
import type { FromWorker, RecordSummary, RunSpec, ToWorker } from './protocol.ts';

export class EmbeddedExecutor implements Executor {
  readonly label: string;
  readonly shards: number;
  private readonly threads: Worker[] = [];
  private onMessage: Array<(m: FromWorker) => void> = [];
  private failure: Error | undefined;

  constructor(readonly workers: number, private readonly certify: Certify) {
    this.shards = workers;
    this.label = workers + ' worker thread' + (workers === 1 ? '' : 's');
  }

  /** Starts the threads and waits until each has loaded its code and opened the world (set-up, not work). */
  async start(spec: RunSpec): Promise<void> {
    const ready: Promise<void>[] = [];
    for (let i = 0; i < this.workers; i++) {
      const w = new Worker(new URL('./workerEntry.mjs', import.meta.url));
      w.on('message', (m: FromWorker) => {
        if (m.type === 'certify') {
          void this.certify(m.requests).then((r) => {
            const reply: ToWorker = r.ok ? { type: 'certified', id: m.id, ok: true, certificates: r.certificates } : { type: 'certified', id: m.id, ok: false, reason: r.reason, certificates: [] };
            w.postMessage(reply);
          });
          return;
        }
        for (const h of this.onMessage) h(m);
      });
      w.on('error', (e: Error) => {
        this.failure = e;
        for (const h of this.onMessage) h({ type: 'error', message: e.stack ?? String(e) });
      });
      ready.push(new Promise((resolve, reject) => {
        const h = (m: FromWorker) => {
          if (m.type === 'ready' || m.type === 'error') {
            this.onMessage = this.onMessage.filter((x) => x !== h);
            if (m.type === 'ready') resolve();
            else reject(new Error('fleet worker failed to start: ' + m.message));
          }
        };
        this.onMessage.push(h);
      }));
      w.postMessage({ type: 'init', spec, worker: 'thread-' + (i + 1) } satisfies ToWorker);
      this.threads.push(w);
    }
    await Promise.all(ready);
  }

  private ask<T extends FromWorker['type']>(type: T, req: ToWorker): Promise<Array<Extract<FromWorker, { type: T }>>> {
    return new Promise((resolve, reject) => {
      const got: Array<Extract<FromWorker, { type: T }>> = [];
      const h = (m: FromWorker) => {
        if (m.type === 'error') {
          this.onMessage = this.onMessage.filter((x) => x !== h);
          reject(new Error('fleet worker failed: ' + m.message));
        } else if (m.type === type) {
          got.push(m as Extract<FromWorker, { type: T }>);
          if (got.length === this.threads.length) {
            this.onMessage = this.onMessage.filter((x) => x !== h);
            resolve(got);
          }
        }
      };
      this.onMessage.push(h);
      for (const w of this.threads) w.postMessage(req);
    });
  }

  runJobs(jobs: Job[], onProgress: (premises: number) => void): Promise<JobResult[]> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const results: JobResult[] = [];
      if (!jobs.length) return resolve(results);
      const keys = new Set(jobs.map((j) => j.key));
      const h = (m: FromWorker) => {
        if (m.type === 'progress') onProgress(m.premises);
        else if (m.type === 'error') {
          this.onMessage = this.onMessage.filter((x) => x !== h);
          reject(new Error('fleet worker failed: ' + m.message));
        } else if (m.type === 'result' && keys.delete(m.result.key)) {
          results.push(m.result);
          if (!keys.size) {
            this.onMessage = this.onMessage.filter((x) => x !== h);
            resolve(results);
          }
        }
      };
      this.onMessage.push(h);
      for (const job of jobs) this.threads[job.shard % this.threads.length].postMessage({ type: 'job', job } satisfies ToWorker);
    });
  }

  concurrency(): number {
    return this.workers;
  }

  async records(): Promise<RecordSummary[]> {
    return (await this.ask('records', { type: 'records' })).flatMap((m) => m.records);
  }

  async memory(): Promise<MemoryFigure> {
    const all = await this.ask('memory', { type: 'memory' });
    return { heapBytes: all.reduce((a, m) => a + m.heapBytes, 0), externalBytes: all.reduce((a, m) => a + m.externalBytes, 0), premises: all.reduce((a, m) => a + m.premises, 0) };
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((w) => w.terminate()));
    this.threads.length = 0;
  }
}
