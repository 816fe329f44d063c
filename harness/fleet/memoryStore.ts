/**
 * The embedded fleet's record store: a worker thread keeps its shards' premises in memory, with the same
 * compare-and-set on revision as the NATS KV store (natsStore.ts), so the job code is one.
 * @module
 */
import type { PremisesRecord, RecordStore } from './job.ts';

export class MemoryStore implements RecordStore {
  readonly records = new Map<number, { record: PremisesRecord; revision: number }>();

  async load(index: number): Promise<{ record?: PremisesRecord; revision: number }> {
    const r = this.records.get(index);
    return r ? { record: r.record, revision: r.revision } : { revision: 0 };
  }

  async commit(record: PremisesRecord, revision: number): Promise<boolean> {
    const now = this.records.get(record.index);
    if ((now?.revision ?? 0) !== revision) return false;
    this.records.set(record.index, { record, revision: revision + 1 });
    return true;
  }
}
