/** Every `smets` subcommand, in the order the overview lists them. @module */
import type { Command } from '../command.ts';
import { conformance } from './conformance.ts';
import { cpl } from './cpl.ts';
import { dcc } from './dcc.ts';
import { duis } from './duis.ts';
import { firmware } from './firmware.ts';
import { fleet } from './fleet.ts';
import { flash } from './flash.ts';
import { hsm } from './hsm.ts';
import { lab } from './lab.ts';
import { smki } from './smki.ts';

export const commands: Command[] = [lab, fleet, conformance, smki, cpl, firmware, flash, hsm, dcc, duis];
