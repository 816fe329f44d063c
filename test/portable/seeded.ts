/**
 * Seeded randomness for tests, one copy for all of them (portable suites, Node tests, `npm run fuzz`):
 * a failure found with a seed is found again with it.
 * - `seededRng`: xorshift32 (Marsaglia 2003), shifts and xors only, so it runs unchanged on Espruino
 *   (no Math.imul) and gives the same sequence on every engine; for choices and mutations.
 * - `seededBytes`: SHA-256 in counter mode over a label, for keys, nonces and messages whose bytes
 *   should look random (xorshift's low bits do not).
 * @module
 */
import { sha256 } from '../../boards/portable/sha256.ts';

export interface Rng {
  /** The next 32-bit unsigned value. */
  next(): number;
  /** An integer in [0, n). */
  below(n: number): number;
}

export function seededRng(seed: number): Rng {
  let x = seed >>> 0 || 0x9e3779b9;
  const next = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return {
    next: next,
    below(n: number): number {
      return n <= 0 ? 0 : next() % n;
    },
  };
}

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** A byte source: block i is SHA-256(label + ':' + i), taken 32 bytes at a time. */
export function seededBytes(label: string): (n: number) => Uint8Array {
  let counter = 0;
  return (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    for (let at = 0; at < n; at += 32) out.set(sha256(ascii(label + ':' + counter++)).subarray(0, Math.min(32, n - at)), at);
    return out;
  };
}
