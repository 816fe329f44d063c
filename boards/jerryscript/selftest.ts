/** Self-test runner on the JerryScript board: an uncaught error makes `jerry` exit 1. @module */
import { runSelfTest, vectorTable } from '../../test/portable/selftest.ts';
import type { Suite } from '../../test/portable/selftest.ts';
import { jerryscriptBoard } from './index.ts';

export function runBoardSelfTest(suites: Suite[], vectors: Record<string, string>): void {
  const table = vectorTable(vectors);
  const result = runSelfTest('jerryscript', suites, {
    newBoard: (medium) => jerryscriptBoard({ medium: medium }),
    vector: table.vector,
    vectorPaths: table.vectorPaths,
    memory: () => undefined,
  }, (line) => print(line));
  if (result.failed > 0) throw new Error('selftest: ' + result.failed + ' failed');
}
