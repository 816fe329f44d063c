/**
 * All-or-nothing storage on top of a plain flash-like medium, shared by every board so that one
 * implementation of the atomicity rule is tested on all three engines.
 *
 * Why a journal (redo log): a medium writes one named blob at a time and a power cut may land between
 * any two writes, or tear one. `commit` first writes every change into one journal blob sealed with a
 * SHA-256, then applies the changes, then removes the journal. At start-up a sealed journal is applied
 * again (applying is idempotent); a torn one (seal does not match) is discarded, which leaves the state
 * as before the commit. Either way the state is wholly before or wholly after.
 *
 * A full medium (a put answering false): when the journal does not fit, nothing was touched; when a
 * change does not fit, the changes applied so far are put back from the bytes read before each write
 * and the journal removed. Either way `commit` answers 'storage-full' with the state as it was.
 *
 * Journal layout: "SJ1" | count u16 | per change: keyLen u8, key (ASCII), op u8 (1 write, 0 delete),
 * [valueLen u32 BE, value] | SHA-256 of everything before it.
 * @module
 */
import { copyBytes } from '../lib/bytes.ts';
import type { CommitResult, Medium, Storage, StorageChanges } from './board.ts';

const JOURNAL = 'journal';
/**
 * Room kept back for commits that free space (delete something, write at most FREEING_WRITE bytes):
 * their journal must be written before anything is freed, so on a full medium the reserve is given up
 * for it (and taken back after a commit that fits). A journal costs about 11 bytes per deleted image
 * block: the default, 512 bytes, drops a 40-block slot (Espruino's 32 KiB images) with its records and
 * costs little where the medium is in RAM (tests, JerryScript); FLASH_RESERVE drops a whole 256-block
 * slot, for media that are not in RAM (Espruino's flash, the Node file medium).
 */
const RESERVE = 'reserve';
const DEFAULT_RESERVE = 512;
export const FLASH_RESERVE = 3072;
const FREEING_WRITE = 256;
const DATA_PREFIX = 'd.';
const MAGIC = [0x53, 0x4a, 0x31]; // "SJ1"
/** Espruino's Storage names are at most 28 characters; the data prefix takes 2 of them. */
export const MAX_KEY_LENGTH = 26;

function checkKey(key: string): void {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH || !/^[A-Za-z0-9._-]+$/.test(key)) {
    throw new Error('journaledStorage: key must be 1..' + MAX_KEY_LENGTH + ' of [A-Za-z0-9._-], got "' + key + '"');
  }
}

function encodeJournal(changes: StorageChanges, sha256: (b: Uint8Array) => Uint8Array): Uint8Array {
  const keys = Object.keys(changes).sort();
  let size = 3 + 2;
  for (let i = 0; i < keys.length; i++) {
    const value = changes[keys[i]];
    size += 1 + keys[i].length + 1 + (value ? 4 + value.length : 0);
  }
  const out = new Uint8Array(size + 32);
  out.set(MAGIC, 0);
  out[3] = keys.length >> 8;
  out[4] = keys.length & 0xff;
  let at = 5;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const value = changes[key];
    out[at++] = key.length;
    for (let j = 0; j < key.length; j++) out[at++] = key.charCodeAt(j);
    if (value) {
      out[at++] = 1;
      const n = value.length;
      out[at++] = (n >>> 24) & 0xff;
      out[at++] = (n >>> 16) & 0xff;
      out[at++] = (n >>> 8) & 0xff;
      out[at++] = n & 0xff;
      out.set(value, at);
      at += n;
    } else {
      out[at++] = 0;
    }
  }
  out.set(sha256(out.subarray(0, size)), size);
  return out;
}

/** The changes of a sealed journal, or undefined for a torn or foreign one. */
function decodeJournal(bytes: Uint8Array, sha256: (b: Uint8Array) => Uint8Array): StorageChanges | undefined {
  if (bytes.length < 5 + 32) return undefined;
  const size = bytes.length - 32;
  const seal = sha256(bytes.subarray(0, size));
  for (let i = 0; i < 32; i++) if (seal[i] !== bytes[size + i]) return undefined;
  for (let i = 0; i < 3; i++) if (bytes[i] !== MAGIC[i]) return undefined;
  const count = (bytes[3] << 8) | bytes[4];
  const changes: StorageChanges = {};
  let at = 5;
  for (let c = 0; c < count; c++) {
    if (at >= size) return undefined;
    const keyLength = bytes[at++];
    if (at + keyLength + 1 > size) return undefined;
    let key = '';
    for (let j = 0; j < keyLength; j++) key += String.fromCharCode(bytes[at++]);
    const op = bytes[at++];
    if (op === 1) {
      if (at + 4 > size) return undefined;
      const n = ((bytes[at] << 24) >>> 0) + (bytes[at + 1] << 16) + (bytes[at + 2] << 8) + bytes[at + 3];
      at += 4;
      if (at + n > size) return undefined;
      changes[key] = copyBytes(bytes, at, at + n);
      at += n;
    } else {
      changes[key] = null;
    }
  }
  return at === size ? changes : undefined;
}

/**
 * The order changes are applied in: every write (key order), then every delete. Only a write can fail
 * for room, so a roll-back only ever restores overwritten keys: the bytes of deleted keys are never
 * held in memory (deleting many image blocks would not fit a small engine's heap).
 */
function applyOrder(changes: StorageChanges): string[] {
  const keys = Object.keys(changes).sort();
  const writes: string[] = [];
  const deletes: string[] = [];
  for (let i = 0; i < keys.length; i++) (changes[keys[i]] ? writes : deletes).push(keys[i]);
  return writes.concat(deletes);
}

/**
 * Applies the changes in `keys` order (applyOrder); answers how many were applied (all of them, or the
 * index of the write the medium had no room for). `before`, when given, receives each written key's
 * bytes before it is overwritten.
 */
function apply(medium: Medium, keys: string[], changes: StorageChanges, before?: Array<Uint8Array | undefined>): number {
  for (let i = 0; i < keys.length; i++) {
    const name = DATA_PREFIX + keys[i];
    const value = changes[keys[i]];
    if (value) {
      if (before) before.push(medium.get(name));
      if (!medium.put(name, value)) return i;
    } else if (medium.get(name) !== undefined) medium.remove(name);
  }
  return keys.length;
}

/**
 * Undoes keys[0..upTo] (writes only, the last one the write that failed), newest first: each step returns the medium
 * to a state it held during the commit, so each fits. A medium that refuses one anyway is broken.
 */
function rollBack(medium: Medium, keys: string[], upTo: number, before: Array<Uint8Array | undefined>): void {
  for (let i = upTo; i >= 0; i--) {
    const old = before[i];
    if (old === undefined) medium.remove(DATA_PREFIX + keys[i]);
    else if (!medium.put(DATA_PREFIX + keys[i], old)) throw new Error('journaledStorage: the medium refused to restore "' + keys[i] + '"');
  }
}

const FULL: CommitResult = { ok: false, reason: 'storage-full' };
const DONE: CommitResult = { ok: true };

/**
 * Opens the storage on a medium, first finishing or discarding a commit that a power cut interrupted.
 * `sha256` seals the journal (the board's own digest, native where the engine has one); `reserveBytes`
 * sizes the reserve (default 512; FLASH_RESERVE for media not held in RAM).
 */
export function journaledStorage(medium: Medium, sha256: (b: Uint8Array) => Uint8Array, reserveBytes?: number): Storage {
  const reserveSize = reserveBytes === undefined ? DEFAULT_RESERVE : reserveBytes;
  // A sealed journal that cannot be applied at start-up (the medium filled while a power cut interrupted
  // a roll-back) stays, and reads see its changes: the state is the committed one until it fits.
  let pending: StorageChanges | undefined;
  let reserved = medium.list().indexOf(RESERVE) >= 0;
  const journal = medium.get(JOURNAL);
  if (journal !== undefined) {
    const changes = decodeJournal(journal, sha256);
    if (changes && apply(medium, applyOrder(changes), changes) < Object.keys(changes).length) pending = changes;
    else medium.remove(JOURNAL);
  }
  function settle(): boolean {
    if (!pending) return true;
    const keys = applyOrder(pending);
    if (apply(medium, keys, pending) < keys.length) return false;
    medium.remove(JOURNAL);
    pending = undefined;
    return true;
  }
  return {
    read(key: string): Uint8Array | undefined {
      checkKey(key);
      if (pending && Object.prototype.hasOwnProperty.call(pending, key)) {
        const v = pending[key];
        return v ? copyBytes(v) : undefined;
      }
      return medium.get(DATA_PREFIX + key);
    },
    keys(): string[] {
      const names = medium.list();
      const out: string[] = [];
      for (let i = 0; i < names.length; i++) {
        if (names[i].indexOf(DATA_PREFIX) !== 0) continue;
        const key = names[i].substring(DATA_PREFIX.length);
        if (!pending || !Object.prototype.hasOwnProperty.call(pending, key)) out.push(key);
      }
      if (pending) for (const key in pending) if (pending[key]) out.push(key);
      return out.sort();
    },
    commit(changes: StorageChanges): CommitResult {
      const keys = applyOrder(changes);
      if (keys.length === 0) return DONE;
      for (let i = 0; i < keys.length; i++) checkKey(keys[i]);
      if (!settle()) return FULL;
      // Even a single change goes through the journal: no medium here promises that one put cannot tear.
      const sealed = encodeJournal(changes, sha256);
      if (!medium.put(JOURNAL, sealed)) {
        let deletes = 0;
        let written = 0;
        for (let i = 0; i < keys.length; i++) {
          const v = changes[keys[i]];
          if (v) written += v.length;
          else deletes++;
        }
        const retried = deletes > 0 && written <= FREEING_WRITE && reserved;
        if (retried) {
          medium.remove(RESERVE);
          reserved = false;
        }
        if (!retried || !medium.put(JOURNAL, sealed)) {
          if (medium.get(JOURNAL) !== undefined) medium.remove(JOURNAL);
          return FULL;
        }
      }
      const before: Array<Uint8Array | undefined> = [];
      const applied = apply(medium, keys, changes, before);
      if (applied < keys.length) {
        // No room to finish: back to the state before the commit, then drop the journal (a power cut
        // meanwhile rolls forward at start-up instead: wholly after, or, with no room, the journal read).
        rollBack(medium, keys, applied, before);
        medium.remove(JOURNAL);
        return FULL;
      }
      medium.remove(JOURNAL);
      if (!reserved && reserveSize > 0) reserved = medium.put(RESERVE, new Uint8Array(reserveSize));
      return DONE;
    },
  };
}

/**
 * A medium held in memory: JerryScript's stock command line has no file system, and tests use it too.
 * `capacity` (bytes of blob content) makes it fill like a real flash: a put that would pass it answers
 * false and keeps the former blob.
 */
export function memoryMedium(capacity?: number): Medium & { snapshot(): Record<string, Uint8Array>; used(): number } {
  const blobs: Record<string, Uint8Array> = {};
  let used = 0;
  return {
    get: (name) => (Object.prototype.hasOwnProperty.call(blobs, name) ? copyBytes(blobs[name]) : undefined),
    put: (name, bytes) => {
      const old = Object.prototype.hasOwnProperty.call(blobs, name) ? blobs[name].length : 0;
      if (capacity !== undefined && used - old + bytes.length > capacity) return false;
      blobs[name] = copyBytes(bytes);
      used += bytes.length - old;
      return true;
    },
    remove: (name) => {
      if (Object.prototype.hasOwnProperty.call(blobs, name)) used -= blobs[name].length;
      delete blobs[name];
    },
    list: () => Object.keys(blobs).sort(),
    snapshot: () => {
      const copy: Record<string, Uint8Array> = {};
      const names = Object.keys(blobs);
      for (let i = 0; i < names.length; i++) copy[names[i]] = copyBytes(blobs[names[i]]);
      return copy;
    },
    used: () => used,
  };
}
