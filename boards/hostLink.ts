/**
 * The link and flash image of the engines' host builds (shared/engines: Espruino and JerryScript on
 * Linux), where a test board has no serial port and, for JerryScript, no persistent flash. The script
 * that starts the engine plays the other end, as a terminal on a board's serial line would:
 * - link: frames waiting in the receive buffer when the firmware starts are the global `SMETS_LINK_RX`
 *   (hex strings, set by a script run before the firmware); they are delivered in order as soon as the
 *   firmware listens (neither engine's host build has a way to feed bytes in later: JerryScript has no
 *   timers or input). Every frame the firmware sends is one output line `link-tx <hex>`.
 * - flash image: the global `SMETS_FLASH` (blob name -> hex), the medium's content as a factory wrote it
 *   before the first boot; a JerryScript board starts its memory flash from it (Espruino has real flash:
 *   flash-scripts/hostBoard.ts writes the same blobs into it).
 * Without these globals (the self-tests) a board keeps its in-process link and empty flash.
 * @module
 */
import { fromHex, toHex } from '../lib/bytes.ts';
import type { Link } from './board.ts';
import type { Medium } from './board.ts';

declare const SMETS_LINK_RX: string[] | undefined;
declare const SMETS_FLASH: Record<string, string> | undefined;

/** The prefix of a sent frame's output line. */
export const LINK_TX = 'link-tx ';

/** A link whose receive buffer holds `rx` and whose sent frames go to `writeLine` as `link-tx <hex>`. */
export function lineLink(rx: string[], writeLine: (line: string) => void): Link {
  let next = 0;
  return {
    send(frame) {
      writeLine(LINK_TX + toHex(frame));
    },
    onFrame(handler) {
      while (next < rx.length) {
        const frame = fromHex(rx[next++]);
        // A line that is not hex is noise on the wire, not a frame: dropped, as a UART drops a framing error.
        if (frame) handler(frame);
      }
    },
  };
}

/** The host's link when a script set `SMETS_LINK_RX`, else undefined. */
export function hostLink(writeLine: (line: string) => void): Link | undefined {
  return typeof SMETS_LINK_RX === 'undefined' ? undefined : lineLink(SMETS_LINK_RX, writeLine);
}

/** Writes the blobs of the host's `SMETS_FLASH` image, if a script set one, into `medium`. */
export function loadFlashImage(medium: Medium): void {
  if (typeof SMETS_FLASH === 'undefined') return;
  const names = Object.keys(SMETS_FLASH);
  for (let i = 0; i < names.length; i++) {
    const bytes = fromHex(SMETS_FLASH[names[i]]);
    if (!bytes) throw new Error('SMETS_FLASH: blob "' + names[i] + '" is not hex');
    medium.put(names[i], bytes);
  }
}
