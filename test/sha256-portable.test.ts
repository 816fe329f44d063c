/**
 * The portable incremental SHA-256 (boards/portable/sha256.ts, the Image Hash on every board) against
 * OpenSSL: every length across the padding boundaries, and the same data fed in uneven pieces.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { sha256, Sha256Stream } from '../boards/portable/sha256.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function data(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + seed * 7 + (i >>> 5)) & 255;
  return b;
}

test('one-shot: lengths 0..300 equal OpenSSL', () => {
  for (let n = 0; n <= 300; n++) {
    const d = data(n, n);
    assert.is(hex(sha256(d)), createHash('sha256').update(d).digest('hex'), 'length ' + n);
  }
});

test('streamed in uneven pieces (1..97 bytes) over 5,000 bytes equals OpenSSL', () => {
  const d = data(5000, 3);
  for (let piece = 1; piece < 98; piece += 8) {
    const s = new Sha256Stream();
    for (let at = 0; at < d.length; at += piece) s.update(d.subarray(at, Math.min(at + piece, d.length)));
    assert.is(hex(s.digest()), createHash('sha256').update(d).digest('hex'), 'piece ' + piece);
  }
});

test.run();
