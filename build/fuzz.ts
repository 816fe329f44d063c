/**
 * `npm run fuzz -- --count N [--seed S]`: seeded mutation fuzzing of the GBCS codec. Each case takes a
 * reference input (the RTDS sample for the message decoder, GBT frames cut from it, SMKI certificates
 * for the DER reader), mutates it (test/portable/mutate.ts) and checks the decoder's totality property
 * (test/portable/codecProperties.ts): it answers without throwing, rejections point inside the input,
 * acceptances re-encode exactly. Cases run in a worker thread; the main thread watches a shared case
 * index and calls a case that runs over 1 s a hang (the worker is replaced and the run goes on).
 * Reports each crash/hang with its seed and case number (rerun one with --from K --count 1), prints
 * progress, and exits 1 if any was found.
 * @module
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { toHex } from '../lib/bytes.ts';
import { fuzzTargets } from '../test/fuzzTargets.ts';
import { mutate, seededRng } from '../test/portable/mutate.ts';

interface Job {
  seed: number;
  from: number;
  to: number;
  shared: SharedArrayBuffer;
}

type Report =
  | { type: 'problem'; index: number; target: string; problem: string; input: string }
  | { type: 'done' };

/** The RNG of case `i`: independent of the others, so any case can be rerun alone. */
export function caseRng(seed: number, i: number) {
  return seededRng((Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0);
}

function runWorker(job: Job): void {
  const targets = fuzzTargets();
  const state = new Int32Array(job.shared);
  for (let i = job.from; i < job.to; i++) {
    Atomics.store(state, 0, i);
    const rng = caseRng(job.seed, i);
    const target = targets[rng.below(targets.length)];
    const input = mutate(target.corpus[rng.below(target.corpus.length)], rng);
    const problem = target.check(input);
    if (problem) parentPort!.postMessage({ type: 'problem', index: i, target: target.name, problem, input: toHex(input) } satisfies Report);
  }
  Atomics.store(state, 0, job.to);
  parentPort!.postMessage({ type: 'done' } satisfies Report);
}

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 0) {
    console.error(`fuzz: ${name} needs a non-negative integer`);
    process.exit(2);
  }
  return v;
}

async function main(args: string[]): Promise<number> {
  if (args.includes('--help')) {
    console.log('Usage: npm run fuzz -- [--count N] [--seed S] [--from K] [--hang-ms MS]\n' +
      'Mutation-fuzzes the GBCS codec (messages, GBT frames, DER certificates). Exit 1 on any crash or hang.');
    return 0;
  }
  const count = arg(args, '--count', 100000);
  const seed = arg(args, '--seed', 1);
  const from = arg(args, '--from', 0);
  const hangMs = arg(args, '--hang-ms', 1000);
  const end = from + count;
  const names = fuzzTargets().map((t) => `${t.name} (${t.corpus.length} inputs)`);
  console.log(`fuzz: ${count} cases, seed ${seed}, from ${from}; targets: ${names.join(', ')}`);
  const crashes: Report[] = [];
  const hangs: number[] = [];
  const started = Date.now();
  let next = from;
  let lastPrinted = Date.now();
  while (next < end) {
    const shared = new SharedArrayBuffer(4);
    const state = new Int32Array(shared);
    state[0] = next;
    // A worker does not inherit the tsx loader: register it, then load this file as the worker body.
    const body = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(import.meta.url)}); });`;
    const worker = new Worker(body, { eval: true, workerData: { seed, from: next, to: end, shared } satisfies Job });
    const outcome = await new Promise<'done' | 'hang' | 'error'>((resolveRun) => {
      let seen = next;
      let since = Date.now();
      const timer = setInterval(() => {
        const now = Atomics.load(state, 0);
        if (now !== seen) {
          seen = now;
          since = Date.now();
        } else if (Date.now() - since > hangMs) {
          clearInterval(timer);
          resolveRun('hang');
        }
        if (Date.now() - lastPrinted > 5000) {
          lastPrinted = Date.now();
          const done = now - from;
          const rate = done / ((Date.now() - started) / 1000);
          console.log(`fuzz: ${done}/${count} (${((100 * done) / count).toFixed(1)}%), ${crashes.length} crashes, ${hangs.length} hangs, ${Math.round(rate)} cases/s`);
        }
      }, 50);
      worker.on('message', (m: Report) => {
        if (m.type === 'problem') {
          crashes.push(m);
          if (crashes.length <= 20) console.log(`fuzz: CRASH case ${m.index} (${m.target}): ${m.problem}\n  input ${m.input}`);
        } else {
          clearInterval(timer);
          resolveRun('done');
        }
      });
      worker.on('error', (e: Error) => {
        console.log(`fuzz: worker error near case ${Atomics.load(state, 0)}: ${e.message}`);
        clearInterval(timer);
        resolveRun('error');
      });
    });
    const at = Atomics.load(state, 0);
    await worker.terminate();
    if (outcome === 'done') break;
    if (outcome === 'hang') {
      hangs.push(at);
      console.log(`fuzz: HANG case ${at} (over ${hangMs} ms); rerun: npm run fuzz -- --seed ${seed} --from ${at} --count 1`);
    } else {
      if (at === next) {
        console.log('fuzz: the worker could not start');
        return 2;
      }
      crashes.push({ type: 'problem', index: at, target: '?', problem: 'worker died', input: '' });
    }
    next = at + 1;
  }
  const secs = (Date.now() - started) / 1000;
  console.log(`fuzz: ${count} cases in ${secs.toFixed(1)} s (${Math.round(count / secs)} cases/s): ${crashes.length} crashes, ${hangs.length} hangs`);
  return crashes.length + hangs.length === 0 ? 0 : 1;
}

if (isMainThread) {
  if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    process.exitCode = await main(process.argv.slice(2));
  }
} else {
  runWorker(workerData as Job);
}
