/** Firmware entry for the espruino board: power-on (device/boot.ts). @module */
import { boot } from '../../device/boot.ts';
import { espruinoBoard } from './index.ts';

boot(espruinoBoard());
