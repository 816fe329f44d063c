/**
 * A worker thread of the embedded fleet (embedded.ts): holds its shards' premises in a MemoryStore and
 * runs the jobs it is sent, one at a time, asking the coordinator for certificates when it commissions.
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { runJob } from './runJob.ts';
import type { JobContext } from './runJob.ts';
import { MemoryStore } from './memoryStore.ts';
import { PREMISES_KINDS, stateBytes } from './premises.ts';
import { openWorld } from './world.ts';
import type { FromWorker, ToWorker } from './protocol.ts';
import type { Job } from './job.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const port = parentPort!;
const send = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const store = new MemoryStore();
let ctx: JobContext | undefined;
let nextId = 1;
const waiting = new Map<number, (m: Extract<ToWorker, { type: 'certified' }>) => void>();
const queue: Job[] = [];
let busy = false;
/** Premises done since the last progress message (sent every 10, and the rest with each result). */
let pending = 0;

async function drain(): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    while (queue.length) {
      const job = queue.shift()!;
      const result = await runJob(ctx!, job, store);
      if (pending) send({ type: 'progress', premises: pending });
      pending = 0;
      send({ type: 'result', result });
    }
  } catch (e) {
    send({ type: 'error', message: (e as Error).stack ?? String(e) });
  } finally {
    busy = false;
  }
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'init') {
    const world = openWorld(m.spec.world);
    ctx = {
      world, kind: PREMISES_KINDS[m.spec.kind], scenario: m.spec.scenario, worker: m.worker,
      certify: (requests) => new Promise((resolve) => {
        const id = nextId++;
        waiting.set(id, (r) => resolve(r.ok ? { ok: true, certificates: r.certificates } : { ok: false, reason: r.reason ?? 'refused' }));
        send({ type: 'certify', id, requests });
      }),
      onPremises: () => {
        if (++pending >= 10) {
          send({ type: 'progress', premises: pending });
          pending = 0;
        }
      },
    };
    send({ type: 'ready' });
  } else if (m.type === 'job') {
    queue.push(m.job);
    void drain();
  } else if (m.type === 'certified') {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    w?.(m);
  } else if (m.type === 'memory') {
    gc();
    const h = getHeapStatistics();
    send({ type: 'memory', heapBytes: h.used_heap_size, externalBytes: h.external_memory, premises: store.records.size });
  } else if (m.type === 'records') {
    gc();
    const h = getHeapStatistics();
    const records = [...store.records.values()].map(({ record: r }) => ({ index: r.index, eui: r.eui, version: r.version, outcomes: r.outcomes, stateBytes: stateBytes(r.state) }));
    send({ type: 'records', records, heapBytes: h.used_heap_size, externalBytes: h.external_memory });
  }
});
