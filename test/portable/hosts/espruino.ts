/** The Espruino board's test host: an uncaught error is how Espruino exits non-zero. @module */
import { vectorTable } from '../selftest.ts';
import type { TestHost } from '../selftest.ts';
import { espruinoBoard } from '../../../boards/espruino/index.ts';

export function testHost(vectors: Record<string, string>): TestHost {
  const table = vectorTable(vectors);
  const probe = espruinoBoard();
  return {
    board: 'espruino',
    ctx: {
      newBoard: (medium, options) => espruinoBoard({ medium: medium, portableCrypto: options && options.portableCrypto }),
      vector: table.vector,
      vectorPaths: table.vectorPaths,
      memory: probe.memory,
    },
    print: (line) => print(line),
    fail: (message) => {
      throw new Error(message);
    },
  };
}
