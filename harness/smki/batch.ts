/**
 * Batched device-certificate issuance across cores (seed ¶87: 2..49,999 CSRs per request, each with
 * its own result). A pool of worker_threads (one per core, batchWorker.ts) does the per-certificate
 * work: proof-of-possession verify + template fill + ECDSA sign — the two P-256 operations that bound
 * the batch. The main thread only splits the work into chunks, stores results and reports progress;
 * each worker keeps IN_FLIGHT chunks queued so it never waits for that.
 * @module
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { JobMessage, ResultMessage } from './batchProtocol.ts';
import type { DeviceTemplate } from './deviceTemplate.ts';

/**
 * Requests per message: big enough that messaging is noise (~0.1 ms per chunk against ~40 ms of
 * work), small enough that the last chunks leave little imbalance between workers.
 */
export const CHUNK = 256;
/**
 * Chunks queued per worker: the next one is already there when a worker finishes, so it never waits
 * for the main thread (which stores each finished chunk in SQLite before anything else).
 */
const IN_FLIGHT = 2;

export interface ChunkResult {
  /** index of the chunk's first request within the call */
  start: number;
  status: Uint8Array;
  certs: Uint8Array;
  certOffsets: Uint32Array;
}

type Pending = { resolve: (m: ResultMessage) => void; reject: (e: Error) => void };

export class DevicePool {
  private workers: Worker[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(readonly size = Math.max(1, availableParallelism())) {}

  private ensure(): void {
    if (this.workers.length) return;
    for (let i = 0; i < this.size; i++) {
      // batchWorkerEntry.mjs registers tsx in the worker, then loads batchWorker.ts.
      const w = new Worker(new URL('./batchWorkerEntry.mjs', import.meta.url));
      w.unref();
      w.on('message', (m: ResultMessage) => {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.resolve(m);
      });
      w.on('error', (e: Error) => {
        // a worker failure fails every run in progress; the pool starts afresh next time
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
        void this.close();
      });
      this.workers.push(w);
    }
  }

  /** Starts the workers ahead of use (their start-up is ~0.2 s each under tsx). */
  async warm(): Promise<void> {
    this.ensure();
  }

  private send(w: Worker, msg: Omit<JobMessage, 'id'>, transfer: ArrayBuffer[]): Promise<ResultMessage> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ ...msg, id } satisfies JobMessage, transfer);
    });
  }

  /**
   * Runs `csrs` through the pool for one Issuing DCA; `onChunk` is called as chunks finish (in any
   * order). Resolves when all are done.
   */
  run(
    dca: { serial: string; keyPkcs8: Uint8Array; template: DeviceTemplate },
    notBefore: string, csrs: Uint8Array[], onChunk: (r: ChunkResult) => void,
  ): Promise<void> {
    this.ensure();
    const template = { ...dca.template, tbs: new Uint8Array(dca.template.tbs) };
    const chunks: { start: number; end: number }[] = [];
    for (let s = 0; s < csrs.length; s += CHUNK) chunks.push({ start: s, end: Math.min(csrs.length, s + CHUNK) });
    let next = 0;
    let done = 0;
    return new Promise((resolve, reject) => {
      if (!chunks.length) return resolve();
      const feed = (w: Worker): void => {
        if (next >= chunks.length) return;
        const c = chunks[next++]!;
        const offsets = new Uint32Array(c.end - c.start + 1);
        let len = 0;
        for (let i = c.start; i < c.end; i++) { len += csrs[i]!.length; offsets[i - c.start + 1] = len; }
        const buf = new Uint8Array(len);
        for (let i = c.start; i < c.end; i++) buf.set(csrs[i]!, offsets[i - c.start]!);
        this.send(w, { dca: { serial: dca.serial, keyPkcs8: dca.keyPkcs8, template }, notBefore, csrs: buf, offsets }, [buf.buffer, offsets.buffer])
          .then((m) => {
            feed(w); // before storing: the worker keeps IN_FLIGHT chunks queued
            onChunk({ start: c.start, status: m.status, certs: m.certs, certOffsets: m.certOffsets });
            if (++done === chunks.length) resolve();
          })
          .catch(reject);
      };
      for (let k = 0; k < IN_FLIGHT; k++) for (const w of this.workers) feed(w);
    });
  }

  async close(): Promise<void> {
    const ws = this.workers;
    this.workers = [];
    await Promise.all(ws.map((w) => w.terminate()));
  }
}
