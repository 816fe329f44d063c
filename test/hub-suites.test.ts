/**
 * The hub's portable suites (test/portable/hub.suite.ts) under uvu on the Node board, each case on a fresh
 * memory medium: `uvu test hub` runs them without the rest of test/portable.test.ts.
 */
import { test } from 'uvu';
import { memoryMedium } from '../boards/journaledStorage.ts';
import { nodeBoard } from '../boards/node/index.ts';
import { readDeclaredVectors } from '../build/bundle.ts';
import type { Medium } from '../boards/journaledStorage.ts';
import { hubChf, hubContents, hubInstallCodes, hubPowerCuts } from './portable/hub.suite.ts';
import { vectorTable } from './portable/selftest.ts';

for (const suite of [hubInstallCodes, hubContents, hubChf, hubPowerCuts]) {
  const table = vectorTable(readDeclaredVectors(suite.vectors ?? []));
  const ctx = {
    newBoard: (medium?: Medium) => nodeBoard({ medium: medium ?? memoryMedium() }),
    vector: table.vector,
    vectorPaths: table.vectorPaths,
    memory: () => undefined,
  };
  for (const c of suite.cases) test(`${suite.name} > ${c.name}`, () => c.run(ctx));
}

test.run();
