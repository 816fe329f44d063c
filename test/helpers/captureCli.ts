/**
 * Runs a command line in this process with what it prints captured (console.log/error and direct
 * writes to stdout/stderr, which `smets smki` uses for PEM), for the tests of the command lines. One
 * copy for every test file: the commands' output is their interface.
 * @module
 */
import { main } from '../../harness/cli/main.ts';

export interface CliRun {
  code: number;
  /** What went to standard output, line by line. */
  out: string[];
  /** What went to standard error, line by line. */
  err: string[];
  /** The same, as one text each. */
  stdout: string;
  stderr: string;
}

/** Runs `smets` with `argv`. */
export function captureCli(argv: string[]): Promise<CliRun> {
  return captureRun(() => main(argv));
}

/** Runs any command-line entry (`fuzzMain`, `flashMain`, ...) that returns its exit code. */
export async function captureRun(entry: () => Promise<number>): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { log: console.log, error: console.error, stdout: process.stdout.write, stderr: process.stderr.write };
  const lines = (into: string[]) => (chunk: unknown) => {
    into.push(...String(chunk).replace(/\n$/, '').split('\n'));
    return true;
  };
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  console.error = (...a: unknown[]) => err.push(a.join(' '));
  process.stdout.write = lines(out) as typeof process.stdout.write;
  process.stderr.write = lines(err) as typeof process.stderr.write;
  try {
    const code = await entry();
    return { code, out, err, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    console.log = saved.log;
    console.error = saved.error;
    process.stdout.write = saved.stdout;
    process.stderr.write = saved.stderr;
  }
}
