/** Firmware entry for the jerryscript board: power-on (device/boot.ts). @module */
import { boot } from '../../device/boot.ts';
import { jerryscriptBoard } from './index.ts';

boot(jerryscriptBoard());
