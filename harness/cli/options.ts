/**
 * The options of a `smets` subcommand, read with Node's own `util.parseArgs`: every option is declared,
 * so a misspelt or unknown one is refused by name instead of being ignored. Expected mistakes come back
 * as a message for the user (exit code 2), not an exception.
 * @module
 */
import { parseArgs } from 'node:util';

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
