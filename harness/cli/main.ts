/**
 * `smets`: the DCC test harness's command line. Dispatches to harness/cli/commands/*; `smets --help`
 * and `smets help` print the overview, `smets --version` the version; each command answers its own
 * `--help` and refuses what it does not declare (harness/cli/options.ts).
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../build/paths.ts';
import type { Command } from './command.ts';
import { debug, errorText, EXIT_OK, EXIT_USAGE } from './command.ts';
import { suggestion } from './options.ts';
import { commands } from './commands/index.ts';

/** The version in package.json (one source for npm and the CLI). */
export function version(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

export function overview(list: Command[] = commands): string {
  const width = Math.max(8, ...list.map((c) => c.name.length));
  return [
    'smets: GB smart metering (SMETS2/GBCS) security toolkit: device firmware, simulator and DCC test harness',
    '',
    'Usage: smets <command> [options]     smets <command> --help for a command\'s options',
    '       smets --version       smets --debug <command> ...  (internal errors with their stack trace)',
    '',
    'Commands:',
    ...list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --json (results as JSON, one object per line); progress goes to stderr.',
    'Exit codes: 0 success, 1 a check failed, 2 usage or environment error.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  // --debug (anywhere before a `--`) shows internal errors with their stack trace.
  const end = argv.indexOf('--') < 0 ? argv.length : argv.indexOf('--');
  const at = argv.slice(0, end).indexOf('--debug');
  debug.on = at >= 0;
  if (at >= 0) argv = argv.slice(0, at).concat(argv.slice(at + 1));
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    console.log('smets ' + version());
    return EXIT_OK;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview());
    return name ? 0 : EXIT_USAGE;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    const hint = suggestion(name, commands.map((c) => c.name));
    console.error(`smets: unknown command "${name}"${hint}\n`);
    console.error(overview());
    return EXIT_USAGE;
  }
  try {
    return await command.run(rest); // each command answers its own --help (and its actions')
  } catch (e) {
    // A command reports what it expects as a message; anything else is a bug of ours, said briefly.
    console.error('smets ' + name + ': internal error: ' + errorText(e));
    return EXIT_USAGE;
  }
}
