/** The JerryScript board's test host: an uncaught error makes `jerry` exit 1. @module */
import { vectorTable } from '../selftest.ts';
import type { TestHost } from '../selftest.ts';
import { jerryscriptBoard } from '../../../boards/jerryscript/index.ts';

export function testHost(vectors: Record<string, string>): TestHost {
  const table = vectorTable(vectors);
  return {
    board: 'jerryscript',
    ctx: {
      newBoard: (medium, options) => jerryscriptBoard({ medium: medium, portableCrypto: options && options.portableCrypto }),
      vector: table.vector,
      vectorPaths: table.vectorPaths,
      memory: () => undefined,
    },
    print: (line) => print(line),
    fail: (message) => {
      throw new Error(message);
    },
  };
}
