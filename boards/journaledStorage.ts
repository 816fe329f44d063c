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
 * Journal layout: "SJ1" | count u16 | per change: keyLen u8, key (ASCII), op u8 (1 write, 0 delete),
 * [valueLen u32 BE, value] | SHA-256 of everything before it.
 * @module
 */
import { copyBytes } from '../lib/bytes.ts';
import type { Medium, Storage, StorageChanges } from './board.ts';

const JOURNAL = 'journal';
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

function apply(medium: Medium, changes: StorageChanges): void {
  const keys = Object.keys(changes).sort();
  for (let i = 0; i < keys.length; i++) {
    const value = changes[keys[i]];
    if (value) medium.put(DATA_PREFIX + keys[i], value);
    else if (medium.get(DATA_PREFIX + keys[i]) !== undefined) medium.remove(DATA_PREFIX + keys[i]);
  }
}

/**
 * Opens the storage on a medium, first finishing or discarding a commit that a power cut interrupted.
 * `sha256` seals the journal (the board's own digest, native where the engine has one).
 */
export function journaledStorage(medium: Medium, sha256: (b: Uint8Array) => Uint8Array): Storage {
  const pending = medium.get(JOURNAL);
  if (pending !== undefined) {
    const changes = decodeJournal(pending, sha256);
    if (changes) apply(medium, changes);
    medium.remove(JOURNAL);
  }
  return {
    read(key: string): Uint8Array | undefined {
      checkKey(key);
      return medium.get(DATA_PREFIX + key);
    },
    keys(): string[] {
      const names = medium.list();
      const out: string[] = [];
      for (let i = 0; i < names.length; i++) {
        if (names[i].indexOf(DATA_PREFIX) === 0) out.push(names[i].substring(DATA_PREFIX.length));
      }
      return out.sort();
    },
    commit(changes: StorageChanges): void {
      const keys = Object.keys(changes);
      if (keys.length === 0) return;
      for (let i = 0; i < keys.length; i++) checkKey(keys[i]);
      // Even a single change goes through the journal: no medium here promises that one put cannot tear.
      medium.put(JOURNAL, encodeJournal(changes, sha256));
      apply(medium, changes);
      medium.remove(JOURNAL);
    },
  };
}

/** A medium held in memory: JerryScript's stock command line has no file system, and tests use it too. */
export function memoryMedium(): Medium & { snapshot(): Record<string, Uint8Array> } {
  const blobs: Record<string, Uint8Array> = {};
  return {
    get: (name) => (Object.prototype.hasOwnProperty.call(blobs, name) ? copyBytes(blobs[name]) : undefined),
    put: (name, bytes) => {
      blobs[name] = copyBytes(bytes);
    },
    remove: (name) => {
      delete blobs[name];
    },
    list: () => Object.keys(blobs).sort(),
    snapshot: () => {
      const copy: Record<string, Uint8Array> = {};
      const names = Object.keys(blobs);
      for (let i = 0; i < names.length; i++) copy[names[i]] = copyBytes(blobs[names[i]]);
      return copy;
    },
  };
}
