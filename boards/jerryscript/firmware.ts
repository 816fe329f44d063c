/** Firmware entry for the jerryscript board: power-on. @module */
import { startFirmware } from '../../device/firmware.ts';
import { jerryscriptBoard } from './index.ts';

startFirmware(jerryscriptBoard());
