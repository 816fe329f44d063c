/**
 * A board's serial line as its link: the link protocol (lib/serialLink.ts) over a byte port (Espruino's
 * `Serial1`, a pty opened by the Node board), channel 0 as the board's GBCS `Link` and channel 1 as the
 * management port (device/management.ts). Portable: the port and the timers are the profile's.
 * @module
 */
import { cborEncode } from '../lib/cbor.ts';
import { CHANNEL_GBCS, CHANNEL_MANAGEMENT, crc32, LinkEndpoint } from '../lib/serialLink.ts';
import type { LinkEnv, LinkOptions, LinkStats } from '../lib/serialLink.ts';
import type { Link } from './board.ts';

/** The bytes of a line: written whole, received in whatever chunks the driver hands over. */
export interface BytePort {
  write(bytes: Uint8Array): void;
  onData(handler: (chunk: Uint8Array) => void): void;
}

export interface UartLink {
  /** GBCS frames, whole (channel 0). */
  link: Link;
  /** CBOR messages (channel 1). */
  management: { send(message: Uint8Array): void; onMessage(handler: (message: Uint8Array) => void): void };
  stats(): LinkStats;
  endpoint: LinkEndpoint;
}

export function uartLink(port: BytePort, timers: Pick<LinkEnv, 'setTimer' | 'clearTimer' | 'now' | 'crc32'>, options?: LinkOptions): UartLink {
  const endpoint = new LinkEndpoint({
    write: function (bytes) {
      port.write(bytes);
    },
    setTimer: timers.setTimer,
    clearTimer: timers.clearTimer,
    now: timers.now,
    crc32: timers.crc32,
  }, options);
  port.onData(function (chunk) {
    endpoint.receive(chunk);
  });
  endpoint.start();
  return {
    link: {
      send: function (frame) {
        endpoint.send(CHANNEL_GBCS, frame);
      },
      onFrame: function (handler) {
        // After each frame the firmware has handled, `{handled: crc}` (the frame's CRC-32) on the management
        // channel: its answers (sent during the handler) are ahead of it on the line, so the harness knows that
        // nothing more is coming for that frame and need not wait out its answer window (a refused command has
        // no answer). Naming the frame, not counting frames, keeps it right across re-synchronisations.
        endpoint.onMessage(CHANNEL_GBCS, function (frame) {
          try {
            handler(frame);
          } catch (e) {
            // A fault inside the firmware (e.g. its flash full) must not take the line down with it: said on
            // the management channel as a log line; the frame is answered by nothing, as GBCS allows.
            endpoint.send(CHANNEL_MANAGEMENT, cborEncode({ log: 'error handling a GBCS frame: ' + String((e as Error).message || e) }) as Uint8Array);
          }
          const c = timers.crc32 ? timers.crc32(frame) >>> 0 : crc32(frame, 0, frame.length);
          endpoint.send(CHANNEL_MANAGEMENT, cborEncode({ handled: c }) as Uint8Array);
        });
      },
    },
    management: {
      send: function (message) {
        endpoint.send(CHANNEL_MANAGEMENT, message);
      },
      onMessage: function (handler) {
        endpoint.onMessage(CHANNEL_MANAGEMENT, handler);
      },
    },
    stats: function () {
      return endpoint.stats();
    },
    endpoint: endpoint,
  };
}
