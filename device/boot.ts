/**
 * Power-on: what `dist/<board>/firmware.js` runs (boards/<board>/firmware.ts). Flashed on a board, this is
 * the device the factory made (an ESME or a GSME: its kind is in the identity, kinds.ts): the boot selector picks the image (firmwareUpdate/bootSelector.ts), the device opens its state, runs
 * what fell due while the power was off, and serves GBCS on the board's link (runtime.ts). A board whose
 * storage holds no manufactured device (manufacture.ts, written by the factory before the first boot)
 * says so and waits: with no identity and no keys it can answer nothing.
 * @module
 */
import type { Board } from '../boards/board.ts';
import { toHex } from '../lib/bytes.ts';
import type { BootOutcome } from './firmwareUpdate/bootSelector.ts';
import { FIRMWARE_VERSION } from './firmwareVersion.ts';
import { openDevice } from './runtime.ts';
import type { SmetsDevice } from './runtime.ts';

export type Booted =
  | { manufactured: true; device: SmetsDevice; image: BootOutcome }
  | { manufactured: false };

/** Text of a firmware version as the device reports it (ASCII for the factory image, else 4 bytes hex). */
function versionText(v: Uint8Array): string {
  let ascii = true;
  let s = '';
  for (let i = 0; i < v.length; i++) {
    if (v[i] < 0x20 || v[i] > 0x7e) ascii = false;
    s += String.fromCharCode(v[i]);
  }
  return ascii ? s : toHex(v);
}

export function boot(board: Board): Booted {
  const device = openDevice(board);
  if (!device) {
    board.log('smets ' + FIRMWARE_VERSION + ' on ' + board.name + ': not manufactured, waiting');
    return { manufactured: false };
  }
  const image = device.lastBoot as BootOutcome;
  board.log('smets ' + device.identity().kind + ' ' + toHex(device.identity().eui) + ' on ' + board.name + ', firmware ' + versionText(image.version) +
    (image.rolledBackFrom !== undefined ? ' (rolled back from slot ' + image.rolledBackFrom + ')' : '') +
    (image.refused ? ' (activation refused: ' + image.refused + ')' : '') + ': serving GBCS on the link');
  device.attach();
  return { manufactured: true, device: device, image: image };
}
