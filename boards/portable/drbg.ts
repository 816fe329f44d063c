/**
 * randomBytes for boards whose engine offers no trustworthy entropy: HMAC_DRBG with SHA-256
 * (NIST SP 800-90A Rev. 1 §10.1.2), its state (Key || V) kept in the board's storage under
 * `rng.state` and committed BEFORE any output is released, so a restart never replays bytes.
 *
 * Where the entropy comes from, honestly:
 * - A seed (>= 32 bytes from a real entropy source) must be provisioned at manufacture with
 *   `provisionRandomSeed`. Without it, randomBytes is a programming error (the firmware must not
 *   generate keys on an unprovisioned board) and throws.
 * - A board may also pass a `freshEntropy` source, mixed in as additional input on every call
 *   (Espruino: `E.hwRand()`, the MCU's hardware RNG on nRF52/ESP32/STM32 boards; on the Linux build
 *   it is libc rand(), which adds nothing but cannot weaken the seeded state either).
 * Signing never needs this (RFC 6979 nonces); only key generation (GBCS CS02c) does.
 * @module
 */
import type { CommitResult, Storage } from '../board.ts';
import { hmacSha256 } from './p256.ts';

type Hash = (data: Uint8Array) => Uint8Array;

const STATE_KEY = 'rng.state';

/** SP 800-90A §10.1.2.2 HMAC_DRBG_Update on (K, V) in place. */
function update(sha256: Hash, state: { k: Uint8Array; v: Uint8Array }, data: Uint8Array): void {
  state.k = hmacSha256(sha256, state.k, [state.v, new Uint8Array([0]), data]);
  state.v = hmacSha256(sha256, state.k, [state.v]);
  if (data.length === 0) return;
  state.k = hmacSha256(sha256, state.k, [state.v, new Uint8Array([1]), data]);
  state.v = hmacSha256(sha256, state.k, [state.v]);
}

function save(storage: Storage, state: { k: Uint8Array; v: Uint8Array }): CommitResult {
  const bytes = new Uint8Array(64);
  bytes.set(state.k, 0);
  bytes.set(state.v, 32);
  const changes: Record<string, Uint8Array> = {};
  changes[STATE_KEY] = bytes;
  return storage.commit(changes);
}

/**
 * Manufacture step: instantiate the DRBG (SP 800-90A §10.1.2.3) from `seed` and store it; 'storage-full'
 * when the medium has no room (the former state, if any, as it was).
 */
export function provisionRandomSeed(storage: Storage, sha256: Hash, seed: Uint8Array): CommitResult {
  if (!(seed instanceof Uint8Array) || seed.length < 32) throw new TypeError('provisionRandomSeed: seed must be >= 32 bytes');
  const state: { k: Uint8Array; v: Uint8Array } = { k: new Uint8Array(32), v: new Uint8Array(32) };
  for (let i = 0; i < 32; i++) state.v[i] = 1;
  update(sha256, state, seed);
  return save(storage, state);
}

/**
 * A randomBytes over the stored DRBG state, with optional fresh entropy mixed in on each call. When the
 * medium has no room for the next state the output is withheld (undefined) and the stored state stays as
 * it was: bytes whose state was not stored would come again after a restart.
 */
export function seededRandomBytes(
  board: string,
  storage: () => Storage,
  sha256: Hash,
  freshEntropy?: () => Uint8Array,
): (length: number) => Uint8Array | undefined {
  return function randomBytes(length: number): Uint8Array | undefined {
    const store = storage();
    const saved = store.read(STATE_KEY);
    if (!saved || saved.length !== 64) {
      throw new Error('randomBytes: no entropy seed provisioned on the ' + board + ' board (provisionRandomSeed)');
    }
    const state: { k: Uint8Array; v: Uint8Array } = { k: new Uint8Array(saved.subarray(0, 32)), v: new Uint8Array(saved.subarray(32, 64)) };
    const extra = freshEntropy ? freshEntropy() : new Uint8Array(0);
    if (extra.length > 0) update(sha256, state, extra);
    const out = new Uint8Array(length);
    for (let at = 0; at < length; at += 32) {
      state.v = hmacSha256(sha256, state.k, [state.v]);
      out.set(state.v.subarray(0, Math.min(32, length - at)), at);
    }
    update(sha256, state, extra);
    return save(store, state).ok ? out : undefined;
  };
}
