/** Every `smets` subcommand, in the order the overview lists them. @module */
import type { Command } from '../command.ts';

export const commands: Command[] = [];
