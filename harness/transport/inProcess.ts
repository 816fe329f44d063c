/**
 * The in-process transport: the host end of a memory byte link (boards/memoryLink.ts) whose device end
 * is a simulated board's `link`. Frames cross synchronously, so a device's answer has arrived by the time
 * `send` resolves; the answer window is therefore short (a few ms of grace for an asynchronous device).
 * @module
 */
import type { Link } from '../../boards/board.ts';
import type { Transport } from './transport.ts';

export function inProcessTransport(host: Link, answerWindowMs = 5): Transport {
  let open = true;
  return {
    name: 'in-process',
    answerWindowMs,
    async send(frame) {
      if (!open) throw new Error('inProcessTransport.send: the transport is closed');
      host.send(frame);
    },
    onFrame(handler) {
      host.onFrame((f) => {
        if (open) handler(f);
      });
    },
    async close() {
      open = false;
    },
  };
}
