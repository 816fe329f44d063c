/**
 * An in-process byte link: two ends wired back to back, each delivering whole frames to the other.
 * It is the link of the simulated boards and of the harness's in-process transport. A frame sent while
 * the other end has no listener is lost, as on a wire.
 * @module
 */
import { copyBytes } from '../lib/bytes.ts';
import type { Link } from './board.ts';

export interface LinkPair {
  /** The firmware's end. */
  device: Link;
  /** The end the layer above holds. */
  host: Link;
}

export function memoryLinkPair(): LinkPair {
  const handlers: Array<((frame: Uint8Array) => void) | undefined> = [undefined, undefined];
  function end(self: number): Link {
    return {
      send(frame) {
        const peer = handlers[1 - self];
        if (peer) peer(copyBytes(frame));
      },
      onFrame(handler) {
        handlers[self] = handler;
      },
    };
  }
  return { device: end(0), host: end(1) };
}
