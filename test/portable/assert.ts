/**
 * Assertions for portable cases (uvu/assert needs Node). Each throws an Error whose message says what
 * differed, so an engine's self-test output is enough to see the failure.
 * @module
 */
import { toHex } from '../../lib/bytes.ts';

export function ok(condition: unknown, message: string): void {
  if (!condition) throw new Error(message);
}

export function equal(actual: unknown, expected: unknown, message: string): void {
  if (actual !== expected) throw new Error(message + ': expected ' + String(expected) + ', got ' + String(actual));
}

export function bytesEqual(actual: Uint8Array | undefined, expected: Uint8Array, message: string): void {
  const a = actual ? toHex(actual) : 'undefined';
  const e = toHex(expected);
  if (a !== e) throw new Error(message + ': expected ' + e + ', got ' + a);
}
