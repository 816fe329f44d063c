/** Firmware entry for the espruino board: power-on. @module */
import { startFirmware } from '../../device/firmware.ts';
import { espruinoBoard } from './index.ts';

startFirmware(espruinoBoard());
