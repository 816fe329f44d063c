/**
 * Firmware entry for the node board: power-on (device/boot.ts). With `SMETS_SERIAL` (a serial device or
 * pty path) in the environment, the board serves GBCS and its management port on that line
 * (boards/uartLink.ts, device/management.ts), its flash in the folder `SMETS_STORAGE` (default
 * ./node-board-flash); without it, an in-memory board on an in-process link (nothing to talk to).
 * @module
 */
import { openSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { ReadStream, WriteStream } from 'node:tty';
import { boot } from '../../device/boot.ts';
import { serveManagement } from '../../device/management.ts';
import { uartLink } from '../uartLink.ts';
import { nodeBoard } from './index.ts';

const path = process.env.SMETS_SERIAL;
if (path) {
  const fd = openSync(path, 'r+');
  const input = new ReadStream(fd);
  input.setRawMode(true);
  const output = new WriteStream(fd);
  input.on('end', () => process.exit(0));
  input.on('error', (e) => {
    console.error('node board: ' + path + ': ' + e.message);
    process.exit(1);
  });
  const line = uartLink(
    { write: (bytes) => output.write(bytes), onData: (handler) => input.on('data', (chunk: Buffer) => handler(new Uint8Array(chunk))) },
    { setTimer: (fn, ms) => setTimeout(fn, ms), clearTimer: (t) => clearTimeout(t as NodeJS.Timeout), now: () => Date.now(), crc32: (b) => crc32(b) },
  );
  const board = nodeBoard({ link: line.link, storageDir: process.env.SMETS_STORAGE || 'node-board-flash' });
  const port = serveManagement({ board, channel: line.management, linkStats: () => ({ ...line.stats() }) });
  // The RTC wake-up: due future-dated actions once a minute.
  setInterval(() => {
    const b = port.booted();
    if (b.manufactured) b.device.tick();
  }, 60_000);
} else {
  boot(nodeBoard());
}
