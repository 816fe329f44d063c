/**
 * Seeded mutation of reference messages, for the codec's totality tests (on Node, on the engines and
 * in `npm run fuzz`): bit flips, byte changes (biased to length-looking values), truncations,
 * insertions and deletions, driven by a seeded generator (./seeded.ts).
 * @module
 */
import type { Rng } from './seeded.ts';

/** Byte values that stress length and tag handling. */
const INTERESTING = [0x00, 0x01, 0x02, 0x08, 0x09, 0x0c, 0x30, 0x40, 0x7f, 0x80, 0x81, 0x82, 0x83, 0xdd, 0xdf, 0xe0, 0xff];

function splice(b: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length - remove + insert.length);
  out.set(b.subarray(0, at), 0);
  out.set(insert, at);
  out.set(b.subarray(at + remove), at + insert.length);
  return out;
}

/** Names of the mutation kinds, in the order `mutate` picks them. */
export const MUTATIONS = ['bit-flip', 'byte-set', 'interesting-byte', 'truncate', 'insert', 'delete', 'multi'];

/** One mutated copy of `b` (the input is not changed). */
export function mutate(b: Uint8Array, rng: Rng): Uint8Array {
  const kind = rng.below(MUTATIONS.length);
  return mutateKind(b, rng, kind);
}

function mutateKind(b: Uint8Array, rng: Rng, kind: number): Uint8Array {
  const n = b.length;
  if (n === 0) return new Uint8Array([rng.below(256)]);
  const at = rng.below(n);
  if (kind === 0) {
    const out = new Uint8Array(b);
    out[at] ^= 1 << rng.below(8);
    return out;
  }
  if (kind === 1) {
    const out = new Uint8Array(b);
    out[at] = rng.below(256);
    return out;
  }
  if (kind === 2) {
    const out = new Uint8Array(b);
    out[at] = INTERESTING[rng.below(INTERESTING.length)];
    return out;
  }
  if (kind === 3) return new Uint8Array(b.subarray(0, at));
  if (kind === 4) {
    const ins = new Uint8Array(1 + rng.below(4));
    for (let i = 0; i < ins.length; i++) ins[i] = rng.below(2) ? INTERESTING[rng.below(INTERESTING.length)] : rng.below(256);
    return splice(b, rng.below(n + 1), 0, ins);
  }
  if (kind === 5) return splice(b, at, 1 + rng.below(Math.min(4, n - at)), new Uint8Array(0));
  let out = b;
  const times = 2 + rng.below(4);
  for (let i = 0; i < times; i++) out = mutateKind(out, rng, rng.below(MUTATIONS.length - 1));
  return out;
}
