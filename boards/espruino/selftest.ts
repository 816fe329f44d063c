/** Self-test runner on the Espruino board: an uncaught error is how Espruino exits non-zero. @module */
import { runSelfTest, vectorTable } from '../../test/portable/selftest.ts';
import type { Suite } from '../../test/portable/selftest.ts';
import { espruinoBoard } from './index.ts';

export function runBoardSelfTest(suites: Suite[], vectors: Record<string, string>): void {
  const table = vectorTable(vectors);
  const probe = espruinoBoard();
  const result = runSelfTest('espruino', suites, {
    newBoard: (medium) => espruinoBoard({ medium: medium }),
    vector: table.vector,
    vectorPaths: table.vectorPaths,
    memory: probe.memory,
  }, (line) => print(line));
  if (result.failed > 0) throw new Error('selftest: ' + result.failed + ' failed');
}
