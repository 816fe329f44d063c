/**
 * Test SMKI figures (Node only):
 *  - OpenSSL's P-256 rates through node:crypto with cached KeyObjects, per core: ECDSA-SHA256
 *    verifies/s and signs/s on a CSR-sized message;
 *  - the bound for a 49,999-CSR batch: 49,999 x (1/verify + 1/sign) / cores (each certificate needs
 *    one proof-of-possession verify and one signature; nothing else is inherently costly);
 *  - the test SMKI's time for that batch (CSRs generated beforehand, outside the timing; the worker
 *    pool started by a small warm-up batch), and its ratio to the bound (goal >= 60%);
 *  - repository look-up latency over HTTP on loopback at 1,000 requests/s for ~5 s: p50 and p99
 *    (goal p99 < 5 ms).
 * Run alone: node --import tsx bench/smki.bench.ts
 * @module
 */
import { createPublicKey, sign, verify } from 'node:crypto';
import { availableParallelism, tmpdir } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { createTestSmki } from '../harness/smki/index.ts';
import { buildDeviceCsr } from '../harness/smki/csr.ts';
import { generateP256 } from '../harness/smki/keys.ts';
import { startServer } from '../harness/smki/server.ts';

const N = 49_999;
const cores = availableParallelism();
const figures: Record<string, number> = {};

function rate(fn: () => void, ms = 1000): number {
  for (let i = 0; i < 200; i++) fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) { for (let i = 0; i < 100; i++) fn(); n += 100; }
  return n / ((performance.now() - t0) / 1000);
}

async function measureBatch(): Promise<void> {
  const k = generateP256();
  const msg = Buffer.alloc(330, 7);
  const sig = sign('sha256', msg, k.privateKey);
  const pub = createPublicKey(k.privateKey);
  figures.verifyPerSec = rate(() => { verify('sha256', msg, pub, sig); });
  figures.signPerSec = rate(() => { sign('sha256', msg, k.privateKey); });
  figures.boundSec = (N * (1 / figures.verifyPerSec + 1 / figures.signPerSec)) / cores;
  // What a proof-of-possession check really costs: each CSR brings a new key, and OpenSSL 3 checks a
  // public key on import (a full scalar multiplication), so import + verify with a fresh key:
  const fresh = Array.from({ length: 512 }, () => {
    const p = generateP256();
    const s = sign('sha256', msg, p.privateKey);
    const jwk = p.publicKey.export({ format: 'jwk' });
    return { jwk, s };
  });
  let fi = 0;
  figures.freshVerifyPerSec = rate(() => {
    const f = fresh[fi++ & 511]!;
    verify('sha256', msg, createPublicKey({ key: f.jwk, format: 'jwk' }), f.s);
  });
  figures.freshBoundSec = (N * (1 / figures.freshVerifyPerSec + 1 / figures.signPerSec)) / cores;

  process.stderr.write(`smki bench: generating ${N} device CSRs (not timed)...\n`);
  const items = new Array(N);
  for (let i = 0; i < N; i++) {
    items[i] = { deviceType: 'ESME', csr: buildDeviceCsr('00db' + i.toString(16).padStart(12, '0'), i % 2 ? 'keyAgreement' : 'digitalSignature', generateP256().privateKey) };
  }
  const smki = createTestSmki({ dir: mkdtempSync(join(tmpdir(), 'smki-bench-')) });
  smki.registerSubscriber('90b3d51f30010000', 'electricity-supplier');
  await smki.requestDeviceBatch({ subscriber: '90b3d51f30010000', items: items.slice(0, 2) }); // starts the pool
  const t0 = performance.now();
  const r = await smki.requestDeviceBatch({ subscriber: '90b3d51f30010000', items });
  figures.batchSec = (performance.now() - t0) / 1000;
  if (!r.ok || r.results.some((x) => !x.ok)) throw new Error('smki bench: batch did not issue every certificate');
  figures.ratio = figures.boundSec / figures.batchSec;
  figures.freshRatio = figures.freshBoundSec / figures.batchSec;

  // look-ups over HTTP
  const server = await startServer(smki, { port: 0 });
  const serials = r.results.slice(0, 1000).map((x) => (x.ok ? x.serial : ''));
  const euis = r.results.slice(0, 1000).map((x) => (x.ok ? x.eui : ''));
  const lat: number[] = [];
  const get = (path: string) => new Promise<void>((resolve, reject) => {
    const t = performance.now();
    const req = request({ host: '127.0.0.1', port: server.port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => { lat.push(performance.now() - t); resolve(); });
    });
    req.on('error', reject);
    req.end();
  });
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < 5000; i++) {
    const due = start + i; // 1,000 requests per second
    const wait = due - performance.now();
    if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    pending.push(get(i % 2 ? `/v1/certificates/${serials[i % 1000]}` : `/v1/certificates?eui=${euis[i % 1000]}`));
  }
  await Promise.all(pending);
  lat.sort((a, b) => a - b);
  figures.lookupP50 = lat[Math.floor(lat.length * 0.5)]!;
  figures.lookupP99 = lat[Math.floor(lat.length * 0.99)]!;
  await server.close();
  await smki.close();
}

let measured: Promise<void> | undefined;
const once = () => (measured ??= measureBatch());
const fig = (k: string) => async () => { await once(); return Math.round(figures[k]! * 1000) / 1000; };

export const nodeBenches = [
  { name: 'smki: node:crypto P-256 verify per core', unit: 'verify/s', run: fig('verifyPerSec') },
  { name: 'smki: node:crypto P-256 sign per core', unit: 'sign/s', run: fig('signPerSec') },
  { name: `smki: bound for a ${N}-CSR batch on ${cores} cores`, unit: 's', run: fig('boundSec') },
  { name: 'smki: node:crypto P-256 import+verify with a fresh key per core', unit: 'verify/s', run: fig('freshVerifyPerSec') },
  { name: `smki: bound with fresh-key verifies, ${N} CSRs on ${cores} cores`, unit: 's', run: fig('freshBoundSec') },
  { name: `smki: ${N}-CSR device batch`, unit: 's', run: fig('batchSec') },
  { name: 'smki: batch speed / bound (goal >= 0.6)', unit: 'ratio', run: fig('ratio') },
  { name: 'smki: batch speed / fresh-key bound', unit: 'ratio', run: fig('freshRatio') },
  { name: 'smki: repository look-up p50 at 1000 req/s (HTTP loopback)', unit: 'ms', run: fig('lookupP50') },
  { name: 'smki: repository look-up p99 at 1000 req/s (goal < 5 ms)', unit: 'ms', run: fig('lookupP99') },
];

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const b of nodeBenches) console.log(`bench: ${b.name} = ${await b.run()} ${b.unit}`);
}
