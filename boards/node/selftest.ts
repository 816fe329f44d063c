/** Self-test runner on the Node board (the same bundle shape as the engines'). @module */
import { runSelfTest, vectorTable } from '../../test/portable/selftest.ts';
import type { Suite } from '../../test/portable/selftest.ts';
import { memoryMedium } from '../journaledStorage.ts';
import { nodeBoard } from './index.ts';

export function runBoardSelfTest(suites: Suite[], vectors: Record<string, string>): void {
  const table = vectorTable(vectors);
  const probe = nodeBoard();
  const flash = memoryMedium(); // survives a board made again, as flash survives a restart
  const result = runSelfTest('node', suites, {
    newBoard: (medium) => nodeBoard({ medium: medium ?? flash }),
    vector: table.vector,
    vectorPaths: table.vectorPaths,
    memory: probe.memory,
  }, (line) => console.log(line));
  if (result.failed > 0) process.exitCode = 1;
}
