/**
 * A throwaway NATS server for tests and the bench: Debian's `nats-server` with JetStream on, its store in
 * a temporary folder, on a free loopback port; resolves once the server says it is ready.
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NATS_SERVER = ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find((p) => existsSync(p));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface LocalNats {
  url: string;
  stop(): Promise<void>;
}

export async function startLocalNats(): Promise<LocalNats> {
  if (!NATS_SERVER) throw new Error('nats-server is not installed (Debian: apt-get install nats-server)');
  const dir = mkdtempSync(join(tmpdir(), 'smets-nats-'));
  const port = await freePort();
  const child = spawn(NATS_SERVER, ['-js', '-sd', dir, '-a', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('nats-server did not start within 10 s: ' + log)), 10_000);
    child.stderr!.on('data', (b: Buffer) => {
      log += b.toString();
      if (log.indexOf('Server is ready') >= 0) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error('nats-server exited with ' + code + ': ' + log));
    });
  });
  child.stderr!.removeAllListeners('data');
  child.stderr!.resume();
  child.removeAllListeners('exit');
  return {
    url: 'nats://127.0.0.1:' + port,
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
