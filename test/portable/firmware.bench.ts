/**
 * Firmware-update figures on every engine: SHA-256 throughput, the board's own digest (native on Node
 * and Espruino) against the portable incremental one the image check uses (device/firmwareUpdate/imageCheck.ts
 * streams an image that does not fit in RAM through boards/portable/sha256.ts `Sha256Stream`), and the time
 * to verify a 256 KiB image: stream 256 KiB through the incremental SHA-256 in 1 KiB blocks (generated, as
 * they would be read from flash, so no engine holds the image) and check the manufacturer's P-256
 * signature over the hash.
 * @module
 */
import { Sha256Stream } from '../../boards/portable/sha256.ts';
import { timePerCall } from './selftest.ts';
import type { Bench } from './selftest.ts';
import { MFR_PRIVATE, MFR_PUBLIC } from './firmware.suite.ts';

const KIB = 1024;

function block(seed: number): Uint8Array {
  const b = new Uint8Array(KIB);
  for (let i = 0; i < KIB; i++) b[i] = (i * 31 + seed) & 255;
  return b;
}

export const streamedSha: Bench = {
  name: 'SHA-256 incremental (portable) throughput',
  unit: 'KiB/s',
  bundle: 'bench-firmware',
  run() {
    const b = block(1);
    const kib = 8;
    const ms = timePerCall(() => {
      const s = new Sha256Stream();
      for (let i = 0; i < kib; i++) s.update(b);
      s.digest();
    }, 300);
    return Math.round((kib * 1000) / ms);
  },
};

export const boardSha: Bench = {
  name: 'SHA-256 board one-shot (native where the engine has it) throughput',
  unit: 'KiB/s',
  bundle: 'bench-firmware',
  run(ctx) {
    const c = ctx.newBoard().crypto;
    const b = new Uint8Array(16 * KIB);
    const ms = timePerCall(() => c.sha256(b), 300);
    return Math.round((16 * 1000) / ms);
  },
};

function verify256kOn(path: 'native' | 'portable'): Bench {
  return {
    name: 'verify a 256 KiB image (streamed SHA-256 + ' + path + ' P-256 signature)',
    unit: 's',
    bundle: 'bench-firmware',
    run(ctx) {
      const c = ctx.newBoard(undefined, { portableCrypto: path === 'portable' }).crypto;
      const b = block(2);
      const digest = (): Uint8Array => {
        const s = new Sha256Stream();
        for (let i = 0; i < 256; i++) {
          b[0] = i & 255; // a different block each time, as read from flash
          s.update(b);
        }
        return s.digest();
      };
      const sig = c.p256Sign(MFR_PRIVATE, digest());
      const start = Date.now();
      if (!c.p256Verify(MFR_PUBLIC, digest(), sig)) throw new Error('signature did not verify');
      return (Date.now() - start) / 1000;
    },
  };
}

export const verify256k = verify256kOn('native');
export const verify256kPortable = verify256kOn('portable');
