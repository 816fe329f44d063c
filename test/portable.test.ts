/**
 * The portable suites (test/portable/**.suite.ts) under uvu on the Node board, reading their vectors
 * from ../shared/vectors: the same cases the engines run in their self-test bundles.
 */
import { test } from 'uvu';
import { memoryMedium } from '../boards/journaledStorage.ts';
import { nodeBoard } from '../boards/node/index.ts';
import { findSuites, readDeclaredVectors } from '../build/bundle.ts';
import { requireShared } from '../build/paths.ts';
import { vectorTable } from './portable/selftest.ts';
import type { Suite } from './portable/selftest.ts';

requireShared('test/portable');
for (const found of await findSuites()) {
  const suite = found.value as Suite; // the build finds suites by shape; the contract is test/portable/selftest.ts
  const table = vectorTable(readDeclaredVectors(suite.vectors ?? []));
  const flash = memoryMedium(); // one flash per suite: a board made again finds what was committed
  const ctx = {
    newBoard: (medium?: ReturnType<typeof memoryMedium>, options?: { portableCrypto?: boolean }) =>
      nodeBoard({ medium: medium ?? flash, portableCrypto: options?.portableCrypto }),
    vector: table.vector,
    vectorPaths: table.vectorPaths,
    memory: () => undefined,
  };
  for (const c of suite.cases) test(`${suite.name} > ${c.name}`, () => c.run(ctx));
}

test.run();
