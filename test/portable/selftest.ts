/**
 * Portable test cases: the same cases run under uvu on Node (test/portable.test.ts) and inside each
 * engine's self-test bundle (dist/<board>/selftest*.js). Cases use only what every engine has: no Node
 * APIs, and vectors come through the context (read from ../shared/vectors on Node, embedded at build
 * time for the engines, which have no file system).
 * @module
 */
import type { Board, BoardName, Medium, MemoryReport } from '../../boards/board.ts';

export interface SelfTestContext {
  /**
   * A fresh board of the profile under test; with a medium, its storage sits on that medium. With
   * `portableCrypto`, its P-256 is the portable JavaScript even where the engine has it natively.
   */
  newBoard(medium?: Medium, options?: { portableCrypto?: boolean }): Board;
  /** The text of a vector file, by its path under shared/vectors (only those the suite declared). */
  vector(path: string): string;
  /** The declared vector paths that start with `prefix`, sorted. */
  vectorPaths(prefix: string): string[];
  /** The engine's memory figure now (undefined where the engine cannot tell from inside). */
  memory(): MemoryReport | undefined;
}

export interface Case {
  name: string;
  run(ctx: SelfTestContext): void;
}

export interface Suite {
  name: string;
  /** Self-test bundle this suite goes into on the engines (default "selftest"); split large data so each fits. */
  bundle?: string;
  /** Vector files (paths under shared/vectors; a path ending in "/" takes every file below it). */
  vectors?: string[];
  /** Engines whose self-tests include the suite (default: all). Node always runs every suite under uvu. */
  boards?: BoardName[];
  cases: Case[];
}

export interface SelfTestResult {
  passed: number;
  failed: number;
}

/**
 * Runs suites on a board profile, printing one line per failure, the memory peak where the engine can
 * tell, and the closing `N passed, M failed` line that CI reads.
 */
export function runSelfTest(
  boardName: BoardName,
  suites: Suite[],
  ctx: SelfTestContext,
  print: (line: string) => void,
): SelfTestResult {
  let passed = 0;
  let failed = 0;
  let peak = 0;
  let total = 0;
  let unit = '';
  for (let s = 0; s < suites.length; s++) {
    const suite = suites[s];
    for (let c = 0; c < suite.cases.length; c++) {
      const name = suite.name + ' > ' + suite.cases[c].name;
      try {
        suite.cases[c].run(ctx);
        passed++;
      } catch (e) {
        failed++;
        print('FAIL ' + name + ': ' + ((e as Error).message || String(e)));
      }
      const m = ctx.memory();
      if (m) {
        if (m.used > peak) peak = m.used;
        total = m.total;
        unit = m.unit;
      }
    }
  }
  if (unit) print('memory: peak ' + peak + ' ' + unit + ' of ' + total + ' (' + boardName + ')');
  print(passed + ' passed, ' + failed + ' failed');
  return { passed: passed, failed: failed };
}

/** The vector part of a context over a table of embedded (or pre-read) files. */
export function vectorTable(files: Record<string, string>): Pick<SelfTestContext, 'vector' | 'vectorPaths'> {
  return {
    vector(path: string): string {
      if (!Object.prototype.hasOwnProperty.call(files, path)) throw new Error('vector not declared by the suite: ' + path);
      return files[path];
    },
    vectorPaths(prefix: string): string[] {
      return Object.keys(files).filter((p) => p.indexOf(prefix) === 0).sort();
    },
  };
}

/**
 * A figure `npm run bench` measures on every engine (test/portable/**.bench.ts exports these): `run`
 * does the work and returns the figure in `unit`. Rates are "per second" units (higher is better),
 * times are "ms" or "s" (lower is better); the runner prints each engine's value and its ratio to Node.
 */
export interface Bench {
  name: string;
  unit: string;
  /** Engines that measure it (default: all). */
  boards?: BoardName[];
  /** Bench bundle it goes into on the engines (default "bench"); split so each fits the engine. */
  bundle?: string;
  vectors?: string[];
  run(ctx: SelfTestContext): number;
}

/** The time `work` takes, in milliseconds, repeated until at least `minMs` have passed; per call. */
export function timePerCall(work: () => void, minMs: number): number {
  let calls = 0;
  const start = Date.now();
  let elapsed = 0;
  do {
    work();
    calls++;
    elapsed = Date.now() - start;
  } while (elapsed < minMs);
  return elapsed / calls;
}

/** What a board's test entry gives the generated self-test and bench bundles. */
export interface TestHost {
  board: BoardName;
  ctx: SelfTestContext;
  print(line: string): void;
  /** Ends the run as failed, the engine's way (an uncaught error on the engines, exit code on Node). */
  fail(message: string): void;
}

/** Runs benches, one `bench: <name> = <value> <unit>` line each (the form build/bench.ts reads). */
export function runBenches(host: TestHost, benches: Bench[]): void {
  for (let i = 0; i < benches.length; i++) {
    let value: number;
    try {
      value = benches[i].run(host.ctx);
    } catch (e) {
      host.print('bench: ' + benches[i].name + ' = error ' + ((e as Error).message || String(e)));
      continue;
    }
    host.print('bench: ' + benches[i].name + ' = ' + value + ' ' + benches[i].unit);
  }
  const m = host.ctx.memory();
  if (m) host.print('memory: peak ' + m.used + ' ' + m.unit + ' of ' + m.total + ' (' + host.board + ')');
}
