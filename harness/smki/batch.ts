/**
 * Batched device-certificate issuance across cores (seed ¶87: 2..49,999 CSRs per request, each with
 * its own result). A pool of worker_threads (one per core, batchWorker.ts) does the per-certificate
 * work: proof-of-possession verify + template fill + ECDSA sign — the two P-256 operations that bound
 * the batch. The main thread only splits the work into chunks, stores results and reports progress.
 * @module
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { JobMessage, ResultMessage } from './batchProtocol.ts';
import type { DeviceTemplate } from './deviceTemplate.ts';

export const CHUNK = 512;

export interface ChunkResult {
  /** index of the chunk's first request within the call */
  start: number;
  status: Uint8Array;
  certs: Uint8Array;
  certOffsets: Uint32Array;
}

export class DevicePool {
  private workers: Worker[] = [];
  private nextId = 1;

  constructor(readonly size = Math.max(1, availableParallelism())) {}

  private ensure(): void {
    if (this.workers.length) return;
    for (let i = 0; i < this.size; i++) {
      // batchWorkerEntry.mjs registers tsx in the worker, then loads batchWorker.ts.
      const w = new Worker(new URL('./batchWorkerEntry.mjs', import.meta.url));
      w.unref();
      this.workers.push(w);
    }
  }

  /** Starts the workers ahead of use (their start-up is ~0.2 s each under tsx). */
  async warm(): Promise<void> {
    this.ensure();
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
      const feed = (w: Worker) => {
        if (next >= chunks.length) return;
        const c = chunks[next++]!;
        const offsets = new Uint32Array(c.end - c.start + 1);
        let len = 0;
        for (let i = c.start; i < c.end; i++) { len += csrs[i]!.length; offsets[i - c.start + 1] = len; }
        const buf = new Uint8Array(len);
        for (let i = c.start; i < c.end; i++) buf.set(csrs[i]!, offsets[i - c.start]!);
        const id = this.nextId++;
        const onMessage = (m: ResultMessage) => {
          if (m.id !== id) return;
          w.off('message', onMessage);
          w.off('error', onError);
          onChunk({ start: c.start, status: m.status, certs: m.certs, certOffsets: m.certOffsets });
          done++;
          if (done === chunks.length) resolve();
          else feed(w);
        };
        const onError = (e: Error) => reject(e);
        w.on('message', onMessage);
        w.on('error', onError);
        const msg: JobMessage = { id, dca: { serial: dca.serial, keyPkcs8: dca.keyPkcs8, template }, notBefore, csrs: buf, offsets };
        w.postMessage(msg, [buf.buffer, offsets.buffer]);
      };
      for (const w of this.workers) feed(w);
    });
  }

  async close(): Promise<void> {
    const ws = this.workers;
    this.workers = [];
    await Promise.all(ws.map((w) => w.terminate()));
  }
}
