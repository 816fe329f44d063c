/**
 * One `smets` subcommand. Each lives in harness/cli/commands/<name>.ts and is listed in
 * harness/cli/commands/index.ts. Exit codes: 0 success, 1 a check failed (the thing tested is wrong),
 * 2 usage or environment error (the command could not run as asked).
 * @module
 */
export interface Command {
  name: string;
  /** One line for the overview. */
  summary: string;
  /** The whole `--help` text: usage, options, exit codes, an example. */
  help: string;
  /** For `<command> <action>` commands: the actions, each answering its own `--help`. */
  actions?: string[];
  run(args: string[]): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_USAGE = 2;

/** Set by `smets --debug ...`: internal errors are shown with their stack trace. */
export const debug = { on: false };

/** An unexpected error for the user: its message, or with `--debug` its stack. */
export function errorText(e: unknown): string {
  if (debug.on) return (e as Error)?.stack || String(e);
  return ((e as Error)?.message || String(e)) + ' (smets --debug ... shows where)';
}
