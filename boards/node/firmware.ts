/** Firmware entry for the node board: power-on (device/boot.ts). @module */
import { boot } from '../../device/boot.ts';
import { nodeBoard } from './index.ts';

boot(nodeBoard());
