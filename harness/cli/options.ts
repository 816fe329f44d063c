/**
 * The options of a `smets` subcommand, read with Node's own `util.parseArgs`: every option is declared,
 * so a misspelt or unknown one is refused by name instead of being ignored. Expected mistakes come back
 * as a message for the user (exit code 2), not an exception.
 * @module
 */
import { parseArgs } from 'node:util';
import { EXIT_OK, EXIT_USAGE } from './command.ts';

export type ParsedOptions =
  | { ok: true; values: Record<string, string>; flags: Record<string, boolean> }
  | { ok: false; message: string };

/** `--name value` options named in `strings`, and `--name` switches named in `flags`. */
export function parseOptions(args: string[], strings: string[], flags: string[] = []): ParsedOptions {
  const declared: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const s of strings) declared[s] = { type: 'string' };
  for (const f of flags) declared[f] = { type: 'boolean' };
  try {
    const { values, positionals } = parseArgs({ args, options: declared, strict: true, allowPositionals: true });
    if (positionals.length) return { ok: false, message: 'unexpected argument ' + JSON.stringify(positionals[0]) };
    const out: Record<string, string> = {};
    const on: Record<string, boolean> = {};
    for (const [k, v] of Object.entries(values)) {
      if (typeof v === 'string') out[k] = v;
      else if (v === true) on[k] = true;
    }
    return { ok: true, values: out, flags: on };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

/**
 * The arguments of an `smets <command> <action> [--options]` command: no action or --help prints `help`
 * (exit 2 without an action, 0 when asked); a bad option is reported by name (exit 2). Otherwise the
 * action and its options.
 */
export function actionOptions(
  command: string,
  help: string,
  args: string[],
  strings: string[],
  flags: string[] = [],
): { action: string; values: Record<string, string>; flags: Record<string, boolean> } | { exit: number } {
  const action = args[0];
  if (!action || action === '--help' || action === '-h') {
    console.log(help);
    return { exit: action ? EXIT_OK : EXIT_USAGE };
  }
  const parsed = parseOptions(args.slice(1), strings, flags);
  if (!parsed.ok) {
    console.error('smets ' + command + ': ' + parsed.message + '\n(smets ' + command + ' --help)');
    return { exit: EXIT_USAGE };
  }
  return { action: action, values: parsed.values, flags: parsed.flags };
}
