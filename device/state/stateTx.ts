/**
 * A transaction over the board's storage: reads see the changes staged so far, and `commit` hands them to
 * `board.storage.commit` in one call, so everything a command does (its effect, the originator counter
 * it consumed, a security-log entry) lands together or not at all (GBCS-FACTS "Device rules"; the board
 * contract makes one commit atomic across power cuts). A command that is rejected simply drops its
 * transaction: nothing it staged reaches storage. A commit the medium has no room for stores nothing and
 * answers 'storage-full' (boards/journaledStorage.ts), for the caller to refuse cleanly.
 * @module
 */
import type { CommitResult, Storage, StorageChanges } from '../../boards/board.ts';

export class StateTx {
  readonly storage: Storage;
  private changes: StorageChanges;
  private count: number;

  constructor(storage: Storage) {
    this.storage = storage;
    this.changes = {};
    this.count = 0;
  }

  read(key: string): Uint8Array | undefined {
    if (Object.prototype.hasOwnProperty.call(this.changes, key)) {
      const v = this.changes[key];
      return v === null ? undefined : v;
    }
    return this.storage.read(key);
  }

  write(key: string, value: Uint8Array): void {
    if (!Object.prototype.hasOwnProperty.call(this.changes, key)) this.count++;
    this.changes[key] = value;
  }

  remove(key: string): void {
    if (!Object.prototype.hasOwnProperty.call(this.changes, key)) this.count++;
    this.changes[key] = null;
  }

  /** Keys present after the staged changes, sorted. */
  keys(): string[] {
    const base = this.storage.keys();
    const out: string[] = [];
    for (let i = 0; i < base.length; i++) if (!Object.prototype.hasOwnProperty.call(this.changes, base[i])) out.push(base[i]);
    const staged = Object.keys(this.changes);
    for (let i = 0; i < staged.length; i++) if (this.changes[staged[i]] !== null) out.push(staged[i]);
    return out.sort();
  }

  get size(): number {
    return this.count;
  }

  /**
   * One atomic commit of everything staged (nothing when empty). On 'storage-full' nothing was stored and
   * the transaction is emptied all the same: the caller refuses what it was doing.
   */
  commit(): CommitResult {
    const r: CommitResult = this.count > 0 ? this.storage.commit(this.changes) : { ok: true };
    this.changes = {};
    this.count = 0;
    return r;
  }
}

/** Big-endian uint32 helpers for small stored numbers. */
export function u32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

export function readU32(b: Uint8Array | undefined, at: number): number {
  if (!b || b.length < at + 4) return 0;
  return ((b[at] << 24) >>> 0) + (b[at + 1] << 16) + (b[at + 2] << 8) + b[at + 3];
}
