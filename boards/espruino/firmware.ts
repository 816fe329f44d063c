/**
 * Firmware entry for the espruino board: power-on (device/boot.ts). With `SMETS_SERIAL` set by a script
 * run first (`{ baud, path? }`: the host build opens `path`, a pty, as its UART; a real board its `Serial1`
 * pins), the board serves GBCS and its management port on that line (boards/uartLink.ts,
 * device/management.ts); without it, the host's line link or none (boards/hostLink.ts).
 * @module
 */
import { boot } from '../../device/boot.ts';
import { serveManagement } from '../../device/management.ts';
import { uartLink } from '../uartLink.ts';
import { espruinoBoard } from './index.ts';

declare const SMETS_SERIAL: { baud?: number; path?: string } | undefined;
declare const Serial1: { setup(baud: number, options: { path?: string }): void; write(data: Uint8Array): void; on(event: string, handler: (data: string) => void): void };
declare const E: { toUint8Array(data: string): Uint8Array; CRC32(data: Uint8Array): number };

if (typeof SMETS_SERIAL !== 'undefined') {
  const config = SMETS_SERIAL;
  Serial1.setup(config.baud || 115200, config.path ? { path: config.path } : {});
  const line = uartLink(
    {
      write: (bytes) => Serial1.write(bytes),
      onData: (handler) => Serial1.on('data', (data) => handler(E.toUint8Array(data))),
    },
    { setTimer: (fn, ms) => setTimeout(fn, ms), clearTimer: (t) => clearTimeout(t as number), now: () => Date.now(), crc32: (b) => E.CRC32(b) },
  );
  const port = serveManagement({ board: espruinoBoard({ link: line.link }), channel: line.management, linkStats: () => line.stats() as unknown as Record<string, number> });
  // The RTC wake-up: due future-dated actions once a minute. It also keeps the Linux build alive: a script
  // run by the host binary ends as soon as no timer is pending (targets/linux/main.c), which an idle link has none of.
  setInterval(() => {
    const b = port.booted();
    if (b.manufactured) b.device.tick();
  }, 60000);
} else {
  boot(espruinoBoard());
}
