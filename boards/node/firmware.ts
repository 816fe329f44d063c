/** Firmware entry for the node board: power-on. @module */
import { startFirmware } from '../../device/firmware.ts';
import { nodeBoard } from './index.ts';

startFirmware(nodeBoard());
