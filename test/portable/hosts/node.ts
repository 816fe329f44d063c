/** The Node board's test host (the same bundle shape as the engines'). @module */
import { vectorTable } from '../selftest.ts';
import type { TestHost } from '../selftest.ts';
import { memoryMedium } from '../../../boards/journaledStorage.ts';
import { nodeBoard } from '../../../boards/node/index.ts';

export function testHost(vectors: Record<string, string>): TestHost {
  const table = vectorTable(vectors);
  const probe = nodeBoard();
  const flash = memoryMedium(); // survives a board made again, as flash survives a restart
  return {
    board: 'node',
    ctx: {
      newBoard: (medium, options) => nodeBoard({ medium: medium ?? flash, portableCrypto: options?.portableCrypto }),
      vector: table.vector,
      vectorPaths: table.vectorPaths,
      memory: probe.memory,
    },
    print: (line) => console.log(line),
    fail: (message) => {
      console.log(message);
      process.exitCode = 1;
    },
  };
}
