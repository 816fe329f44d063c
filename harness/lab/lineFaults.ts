/**
 * A bad serial line for the lab: a proxy between two pty pairs that drops or corrupts a share of the bytes
 * crossing it, both ways (half of the faults dropped bytes, half a byte XORed with a random non-zero value),
 * drawn from a seeded generator so that a failing run can be repeated.
 *
 *   board <-> [pty pair 1] <-> proxy (faults) <-> [pty pair 2] <-> harness
 * @module
 */
import { SerialPort } from 'serialport';

export interface LineFaults {
  /** Share of bytes hit (0.01 = 1%). */
  rate: number;
  seed?: number;
}

export interface FaultProxy {
  dropped: number;
  corrupted: number;
  bytes: number;
  close(): Promise<void>;
}

/** xorshift32: small, seeded, the same faults for the same seed. */
function generator(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

async function open(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(new Error(`fault proxy: cannot open ${path}: ${e.message}`)) : resolve())));
  return port;
}

export async function faultProxy(boardSide: string, harnessSide: string, f: LineFaults): Promise<FaultProxy> {
  const a = await open(boardSide);
  const b = await open(harnessSide);
  const rnd = generator(f.seed ?? 1);
  const stats: FaultProxy = {
    dropped: 0, corrupted: 0, bytes: 0,
    async close() {
      for (const p of [a, b]) if (p.isOpen) await new Promise<void>((r) => p.close(() => r()));
    },
  };
  const pass = (to: SerialPort) => (chunk: Buffer) => {
    const out: number[] = [];
    for (const byte of chunk) {
      stats.bytes++;
      const r = rnd();
      if (r < f.rate / 2) {
        stats.dropped++;
        continue;
      }
      if (r < f.rate) {
        stats.corrupted++;
        out.push(byte ^ (1 + Math.floor(rnd() * 255)));
        continue;
      }
      out.push(byte);
    }
    if (out.length && to.isOpen) to.write(Buffer.from(out));
  };
  a.on('data', pass(b));
  b.on('data', pass(a));
  // A side that goes away takes the line with it (the harness then sees its port close).
  a.on('close', () => void stats.close());
  b.on('close', () => void stats.close());
  return stats;
}
