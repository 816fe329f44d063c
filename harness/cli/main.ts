/**
 * `smets`: the DCC test harness's command line. Dispatches to harness/cli/commands/*; `smets --help`
 * and `smets help` print the overview, `smets <command> --help` a command's own help.
 * @module
 */
import type { Command } from './command.ts';
import { EXIT_USAGE } from './command.ts';
import { commands } from './commands/index.ts';

export function overview(list: Command[] = commands): string {
  const width = Math.max(8, ...list.map((c) => c.name.length));
  return [
    'smets: GB smart metering (SMETS2/GBCS) security toolkit: device firmware, simulator and DCC test harness',
    '',
    'Usage: smets <command> [options]     smets <command> --help for a command\'s options',
    '',
    'Commands:',
    ...list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Exit codes: 0 success, 1 a check failed, 2 usage or environment error.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview());
    return name ? 0 : EXIT_USAGE;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`smets: unknown command "${name}"\n`);
    console.error(overview());
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  return command.run(rest);
}
