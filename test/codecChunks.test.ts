/**
 * The engines' RTDS bundles cover the whole sample: every use-case folder of RTDS-4.5.0 is in exactly
 * one chunk, and every chunk is exported as a suite (so the build makes its bundle).
 * @module
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { VECTORS } from '../build/paths.ts';
import * as chunks from './portable/codecRtds.suite.ts';

test('every RTDS folder is in exactly one engine chunk, and every chunk is a suite', () => {
  const root = resolve(VECTORS, 'rtds/RTDS-4.5.0');
  const folders = readdirSync(root).filter((d) => statSync(resolve(root, d)).isDirectory()).sort();
  const listed = chunks.RTDS_CHUNKS.flat();
  assert.equal([...listed].sort(), folders);
  assert.is(new Set(listed).size, listed.length);
  const suites = Object.values(chunks).filter((v) => v && typeof v === 'object' && 'cases' in (v as object));
  assert.is(suites.length, chunks.RTDS_CHUNKS.length);
});

test.run();
