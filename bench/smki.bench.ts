/**
 * Test SMKI figures (Node only), all measured in this run:
 *  - OpenSSL's P-256 rates through node:crypto with cached KeyObjects, per core: ECDSA-SHA256
 *    verifies/s and signs/s on a CSR-sized message;
 *  - the bound for a 49,999-CSR batch: 49,999 x (1/verify + 1/sign) / cores (each certificate needs
 *    one proof-of-possession verify and one signature);
 *  - what a proof-of-possession verify costs with the request's own, fresh key, per import path:
 *    JWK (one request; OpenSSL's full key check), SPKI DER, and WebCrypto 'raw' in chunks (the batch
 *    path, harness/smki/pop.ts) — and the bound with the batch path's rate;
 *  - the test SMKI's time for that batch (CSRs generated beforehand, outside the timing; the worker
 *    pool started by a small warm-up batch), its CPU time over all threads, the 1-minute load average
 *    around it (the machine is shared), and its ratio to the bound (goal >= 60%);
 *  - repository look-up latency over HTTP on loopback, open loop at 1,000 requests/s for 5 s: the
 *    server in this process (the batch's objects released first, as `smets smki serve` would not hold
 *    them), the load generator in a child process with a keep-alive agent; p50, p99 and max measured
 *    from each request's send (goal p99 < 5 ms), and how late the generator sent (its own p99); then
 *    p99 again with a new TCP connection per request, for comparison.
 * Run alone: node --import tsx bench/smki.bench.ts
 * @module
 */
import { fork } from 'node:child_process';
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { Agent, request } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestSmki, type TestSmki } from '../harness/smki/testSmki.ts';
import { CHUNK } from '../harness/smki/batch.ts';
import { buildDeviceCsr } from '../harness/smki/csr.ts';
import { generateP256, publicPoint } from '../harness/smki/keys.ts';
import { importPoints } from '../harness/smki/pop.ts';
import { startServer } from '../harness/smki/server.ts';

const N = 49_999;
const cores = availableParallelism();
const SUBSCRIBER = '90b3d51f30010000';
const LOOKUP = { perSecond: 1000, seconds: 5, warmup: 500 };
const figures: Record<string, number> = {};

function rate(fn: () => void, ms = 1000): number {
  for (let i = 0; i < 200; i++) fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) { for (let i = 0; i < 100; i++) fn(); n += 100; }
  return n / ((performance.now() - t0) / 1000);
}

async function measureCrypto(): Promise<void> {
  const k = generateP256();
  const msg = Buffer.alloc(330, 7);
  const sig = sign('sha256', msg, k.privateKey);
  const pub = createPublicKey(k.privateKey);
  figures.verifyPerSec = rate(() => { verify('sha256', msg, pub, sig); });
  figures.signPerSec = rate(() => { sign('sha256', msg, k.privateKey); });
  figures.boundSec = (N * (1 / figures.verifyPerSec + 1 / figures.signPerSec)) / cores;

  // Each CSR brings a new key, which OpenSSL must import before the verify.
  const fresh = Array.from({ length: 2048 }, () => {
    const p = generateP256();
    return { p: p.publicKey, point: publicPoint(p.publicKey), s: sign('sha256', msg, p.privateKey) };
  });
  const jwks = fresh.map((f) => f.p.export({ format: 'jwk' }));
  const spkis = fresh.map((f) => f.p.export({ type: 'spki', format: 'der' }));
  let fi = 0;
  figures.freshJwkPerSec = rate(() => {
    const i = fi++ & 2047;
    verify('sha256', msg, createPublicKey({ key: jwks[i]!, format: 'jwk' }), fresh[i]!.s);
  });
  figures.freshSpkiPerSec = rate(() => {
    const i = fi++ & 2047;
    verify('sha256', msg, createPublicKey({ key: spkis[i]!, format: 'der', type: 'spki' }), fresh[i]!.s);
  });
  // the batch path: a chunk's keys imported together, then verified (as batchWorker.ts does)
  const chunk = async (at: number) => {
    const part = fresh.slice(at, at + CHUNK);
    const keys = await importPoints(part.map((f) => f.point));
    for (let i = 0; i < part.length; i++) if (!verify('sha256', msg, keys[i] as KeyObject, part[i]!.s)) throw new Error('smki bench: verify failed');
  };
  await chunk(0);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 1000) { await chunk((n / CHUNK) % 8 * CHUNK); n += CHUNK; }
  figures.freshRawPerSec = n / ((performance.now() - t0) / 1000);
  figures.freshBoundSec = (N * (1 / figures.freshRawPerSec + 1 / figures.signPerSec)) / cores;
}

/** The batch; returns only what the look-ups need, so the batch's objects can be collected. */
async function measureBatch(smki: TestSmki): Promise<{ serials: string[]; euis: string[] }> {
  process.stderr.write(`smki bench: generating ${N} device CSRs (not timed)...\n`);
  const items = new Array(N);
  for (let i = 0; i < N; i++) {
    items[i] = { deviceType: 'ESME', csr: buildDeviceCsr('00db' + i.toString(16).padStart(12, '0'), i % 2 ? 'keyAgreement' : 'digitalSignature', generateP256().privateKey) };
  }
  await smki.requestDeviceBatch({ subscriber: SUBSCRIBER, items: items.slice(0, 2) }); // starts the pool
  figures.loadBefore = loadavg()[0]!;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await smki.requestDeviceBatch({ subscriber: SUBSCRIBER, items });
  figures.batchSec = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  figures.batchCpuSec = (cpu.user + cpu.system) / 1e6;
  figures.loadAfter = loadavg()[0]!;
  if (!r.ok || r.results.some((x) => !x.ok)) throw new Error('smki bench: batch did not issue every certificate');
  figures.ratio = figures.boundSec! / figures.batchSec;
  figures.freshRatio = figures.freshBoundSec! / figures.batchSec;
  const some = r.results.slice(0, 1000).map((x) => (x.ok ? x : undefined)!);
  return { serials: some.map((x) => x.serial), euis: some.map((x) => x.eui) };
}

interface LoadReport { latencies: number[]; lags: number[]; errors: number }

/** Child process: open-loop GETs at a fixed rate, over keep-alive connections or one per request. */
async function loadGenerator(port: number, paths: string[], keepAlive: boolean): Promise<LoadReport> {
  const agent = keepAlive ? new Agent({ keepAlive: true, maxSockets: 64 }) : false;
  let errors = 0;
  const get = (path: string) => new Promise<number>((resolve) => {
    const t = performance.now();
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? performance.now() - t : (errors++, -1)));
    });
    req.on('error', () => { errors++; resolve(-1); });
    req.end();
  });
  const run = async (count: number, record: boolean): Promise<LoadReport> => {
    const interval = 1000 / LOOKUP.perSecond;
    const latencies: number[] = [];
    const lags: number[] = [];
    const pending: Promise<void>[] = [];
    const start = performance.now() + 20;
    let i = 0;
    await new Promise<void>((done) => {
      const tick = () => {
        const now = performance.now();
        for (; i < count && start + i * interval <= now; i++) {
          lags.push(now - (start + i * interval));
          pending.push(get(paths[i % paths.length]!).then((ms) => { if (ms >= 0) latencies.push(ms); }));
        }
        if (i < count) setTimeout(tick, Math.max(0, start + i * interval - performance.now()));
        else done();
      };
      tick();
    });
    await Promise.all(pending);
    return record ? { latencies, lags, errors } : { latencies: [], lags: [], errors: 0 };
  };
  await run(LOOKUP.warmup, false); // connections and JIT
  errors = 0;
  const report = await run(LOOKUP.perSecond * LOOKUP.seconds, true);
  if (agent) agent.destroy();
  return report;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

/** One open-loop run against `port` from a child process; its latencies, sorted, and its send lags. */
async function lookupRun(port: number, paths: string[], keepAlive: boolean): Promise<{ lat: number[]; lags: number[] }> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, SMKI_BENCH_LOAD: JSON.stringify({ port, paths, keepAlive }) },
  });
  const report = await new Promise<LoadReport>((resolve, reject) => {
    child.once('message', (m) => resolve(m as LoadReport));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`smki bench: load generator exited (${code})`)));
  });
  child.kill();
  if (report.errors || report.latencies.length !== LOOKUP.perSecond * LOOKUP.seconds) {
    throw new Error(`smki bench: ${report.errors} look-ups failed`);
  }
  return { lat: report.latencies.sort((a, b) => a - b), lags: report.lags.sort((a, b) => a - b) };
}

async function measureLookups(smki: TestSmki, serials: string[], euis: string[]): Promise<void> {
  const server = await startServer(smki, { port: 0 });
  const paths = serials.map((s, i) => (i % 2 ? `/v1/certificates/${s}` : `/v1/certificates?eui=${euis[i]}`));
  const { lat, lags } = await lookupRun(server.port, paths, true);
  figures.lookupP50 = pct(lat, 0.5);
  figures.lookupP99 = pct(lat, 0.99);
  figures.lookupMax = lat[lat.length - 1]!;
  figures.generatorLagP99 = pct(lags, 0.99);
  // for comparison: a new TCP connection per request (what the earlier bench measured)
  const fresh = await lookupRun(server.port, paths, false);
  figures.lookupNoKeepAliveP99 = pct(fresh.lat, 0.99);
  await server.close();
}

async function measureAll(): Promise<void> {
  await measureCrypto();
  const smki = createTestSmki({ dir: mkdtempSync(join(tmpdir(), 'smki-bench-')) });
  smki.registerSubscriber(SUBSCRIBER, 'electricity-supplier');
  const { serials, euis } = await measureBatch(smki);
  figures.loadDuringLookups = loadavg()[0]!;
  await measureLookups(smki, serials, euis);
  await smki.close();
}

let measured: Promise<void> | undefined;
const once = () => (measured ??= measureAll());
const fig = (k: string) => async () => { await once(); return Math.round(figures[k]! * 1000) / 1000; };

export const nodeBenches = [
  { name: 'smki: node:crypto P-256 verify per core', unit: 'verify/s', run: fig('verifyPerSec') },
  { name: 'smki: node:crypto P-256 sign per core', unit: 'sign/s', run: fig('signPerSec') },
  { name: `smki: bound for a ${N}-CSR batch on ${cores} cores`, unit: 's', run: fig('boundSec') },
  { name: 'smki: fresh-key import+verify per core, JWK (one request)', unit: 'verify/s', run: fig('freshJwkPerSec') },
  { name: 'smki: fresh-key import+verify per core, SPKI DER', unit: 'verify/s', run: fig('freshSpkiPerSec') },
  { name: 'smki: fresh-key import+verify per core, WebCrypto raw (batch path)', unit: 'verify/s', run: fig('freshRawPerSec') },
  { name: `smki: bound with batch-path fresh-key verifies, ${N} CSRs on ${cores} cores`, unit: 's', run: fig('freshBoundSec') },
  { name: 'smki: load average (1 min) before the batch', unit: '', run: fig('loadBefore') },
  { name: `smki: ${N}-CSR device batch`, unit: 's', run: fig('batchSec') },
  { name: 'smki: batch CPU time, all threads', unit: 's', run: fig('batchCpuSec') },
  { name: 'smki: load average (1 min) after the batch', unit: '', run: fig('loadAfter') },
  { name: 'smki: batch speed / bound (goal >= 0.6)', unit: 'ratio', run: fig('ratio') },
  { name: 'smki: batch speed / fresh-key bound', unit: 'ratio', run: fig('freshRatio') },
  { name: 'smki: load average (1 min) before the look-ups', unit: '', run: fig('loadDuringLookups') },
  { name: 'smki: repository look-up p50 at 1000 req/s (HTTP loopback, keep-alive)', unit: 'ms', run: fig('lookupP50') },
  { name: 'smki: repository look-up p99 at 1000 req/s (goal < 5 ms)', unit: 'ms', run: fig('lookupP99') },
  { name: 'smki: repository look-up max at 1000 req/s', unit: 'ms', run: fig('lookupMax') },
  { name: 'smki: look-up generator send lag p99 (its own lateness)', unit: 'ms', run: fig('generatorLagP99') },
  { name: 'smki: repository look-up p99 at 1000 req/s, a new connection per request', unit: 'ms', run: fig('lookupNoKeepAliveP99') },
];

if (process.env.SMKI_BENCH_LOAD) {
  // the load generator's own process (forked by measureLookups)
  const { port, paths, keepAlive } = JSON.parse(process.env.SMKI_BENCH_LOAD) as { port: number; paths: string[]; keepAlive: boolean };
  process.send!(await loadGenerator(port, paths, keepAlive));
  process.disconnect();
} else if (import.meta.url === `file://${process.argv[1]}`) {
  for (const b of nodeBenches) console.log(`bench: ${b.name} = ${await b.run()} ${b.unit}`);
}
