/**
 * The one option reader of every command line in the project (`smets` and its commands, `npm run
 * fuzz`, `npm run flash`): every option is declared, so a misspelt or unknown one is refused by name,
 * with the closest declared option suggested, instead of being ignored. `--help` (or `-h`) anywhere
 * asks for the help. Expected mistakes come back as a message for the user (exit code 2), not an
 * exception.
 *
 * Accepted forms: `--name value`, `--name=value`, `--name` for a switch, and `--` to end the options
 * (what follows is positional even when it starts with `-`).
 * @module
 */
import { EXIT_OK, EXIT_USAGE } from './command.ts';
import { closest } from '../userInput/closest.ts';

export { closest };

/** What a command (or one action of it) accepts. */
export interface OptionSet {
  /** `--name value` options. */
  options?: string[];
  /** `--name` switches. */
  flags?: string[];
  /** How many positional arguments it takes (default none), and their name for messages. */
  positionals?: { min: number; max: number; name: string };
}

export interface Options {
  values: Record<string, string>;
  flags: Record<string, boolean>;
  positionals: string[];
  /** Option and switch names in the order they were given (for checks that follow that order). */
  order: string[];
}

export type ReadOptions = ({ ok: true } & Options) | { ok: false; help: true } | { ok: false; help?: false; message: string };



/** "(did you mean --serial?)", or nothing when no declared name is close. */
export function suggestion(word: string, candidates: string[], prefix = ''): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : ` (did you mean ${prefix}${c}?)`;
}

/** Reads `args` against what is declared. */
export function readOptions(args: string[], set: OptionSet): ReadOptions {
  const strings = set.options ?? [];
  const switches = set.flags ?? [];
  const out: Options = { values: {}, flags: {}, positionals: [], order: [] };
  let optionsEnded = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (optionsEnded || !a.startsWith('-') || a === '-') {
      out.positionals.push(a);
      continue;
    }
    if (a === '--') {
      optionsEnded = true;
      continue;
    }
    if (a === '--help' || a === '-h') return { ok: false, help: true };
    if (!a.startsWith('--')) return { ok: false, message: `unknown option ${a}` + suggestion(a.replace(/^-+/, ''), [...strings, ...switches], '--') };
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.substring(2, eq) : a.substring(2);
    if (strings.includes(name)) {
      if (name in out.values) return { ok: false, message: `--${name} given twice` };
      let value: string | undefined;
      if (eq >= 0) value = a.substring(eq + 1);
      else if (i + 1 < args.length && !(args[i + 1].startsWith('--') && args[i + 1].length > 2)) value = args[++i];
      if (value === undefined || value === '') return { ok: false, message: `--${name} needs a value` };
      out.values[name] = value;
      out.order.push(name);
    } else if (switches.includes(name)) {
      if (eq >= 0) return { ok: false, message: `--${name} takes no value` };
      out.flags[name] = true;
      out.order.push(name);
    } else {
      const known = [...strings, ...switches];
      return {
        ok: false,
        message: `unknown option --${name}` + (suggestion(name, known, '--') || (known.length ? '' : ' (it takes no options)')),
      };
    }
  }
  const p = set.positionals ?? { min: 0, max: 0, name: 'argument' };
  if (out.positionals.length > p.max) {
    const extra = out.positionals[p.max];
    return { ok: false, message: p.max === 0 ? `unexpected argument ${JSON.stringify(extra)}` : `one ${p.name} only (got ${out.positionals.slice(0, p.max + 1).join(' and ')})` };
  }
  if (out.positionals.length < p.min) return { ok: false, message: `${p.name} is required` };
  return { ok: true, ...out };
}

/** The arguments of a command: its help on --help (exit 0), the problem and a pointer to it (exit 2). */
export function commandOptions(command: string, help: string, args: string[], set: OptionSet): Options | { exit: number } {
  const r = readOptions(args, set);
  if (r.ok) return r;
  if (r.help) {
    console.log(help);
    return { exit: EXIT_OK };
  }
  console.error(`${command}: ${r.message}\n(${command} --help)`);
  return { exit: EXIT_USAGE };
}

/** One action of an `<command> <action> [--options]` command line, with its own help. */
export interface ActionSpec extends OptionSet {
  /** The action's own `--help` text. */
  help: string;
}

/**
 * The arguments of a `<command> <action> [--options]` command line: no action or --help prints the
 * command's `help` (exit 2 without an action, 0 when asked); an unknown action or option is refused
 * by name with the closest suggested (exit 2); `<action> --help` prints the action's own help.
 */
export function actionOptions(
  command: string,
  help: string,
  args: string[],
  actions: Record<string, ActionSpec>,
): ({ action: string } & Options) | { exit: number } {
  const action = args[0];
  if (!action || action === '--help' || action === '-h') {
    if (action) console.log(help);
    else console.error(help);
    return { exit: action ? EXIT_OK : EXIT_USAGE };
  }
  if (action.startsWith('-')) {
    if (args.includes('--help') || args.includes('-h')) {
      console.log(help);
      return { exit: EXIT_OK };
    }
    console.error(`${command}: the action comes first (${command} <action> [options]), got ${action}\n(${command} --help)`);
    return { exit: EXIT_USAGE };
  }
  const names = Object.keys(actions);
  if (!Object.prototype.hasOwnProperty.call(actions, action)) {
    console.error(`${command}: unknown action ${JSON.stringify(action)}${suggestion(action, names)}; one of ${names.join(', ')}\n(${command} --help)`);
    return { exit: EXIT_USAGE };
  }
  const spec = actions[action];
  const r = commandOptions(`${command} ${action}`, spec.help, args.slice(1), spec);
  return 'exit' in r ? r : { action, ...r };
}

/** The declared `--name` options of `names` that `values` lacks, as `--a, --b` (empty when none). */
export function missing(values: Record<string, string>, names: string[]): string {
  return names.filter((n) => values[n] === undefined).map((n) => '--' + n).join(', ');
}
