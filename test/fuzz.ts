/**
 * `npm run fuzz -- --count N [--seed S]`: seeded mutation fuzzing of the GBCS codec (test tooling, so
 * it lives in test/). Each case takes a reference input (the RTDS sample for the message decoder, GBT frames cut from it, SMKI certificates
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
import { commandOptions } from '../harness/cli/options.ts';
import { fuzzTargets } from './fuzzTargets.ts';
import { mutate } from './portable/mutate.ts';
import { seededRng } from './portable/seeded.ts';

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

const HELP = `Usage: npm run fuzz -- [--count N] [--seed S] [--from K] [--hang-ms MS]
Mutation-fuzzes the GBCS codec (messages, GBT frames, DER certificates): N cases (default 100000) from
case K (default 0) with seed S (default 1); a case running over MS milliseconds (default 1000) is a hang.
Exit codes: 0 nothing found, 1 a crash or hang (each printed with its rerun command), 2 bad options.`;

/** The whole-number options, each with its default. */
const NUMBERS: Record<string, number> = { count: 100000, seed: 1, from: 0, 'hang-ms': 1000 };


/** `npm run fuzz`; the exit code. */
export async function fuzzMain(args: string[]): Promise<number> {
  const parsed = commandOptions('npm run fuzz', HELP, args, { options: Object.keys(NUMBERS) });
  if ('exit' in parsed) return parsed.exit;
  const n: Record<string, number> = {};
  for (const [name, fallback] of Object.entries(NUMBERS)) {
    const text = parsed.values[name];
    if (text !== undefined && !/^[0-9]+$/.test(text)) {
      console.error(`npm run fuzz: --${name} needs a whole number, got ${JSON.stringify(text)}`);
      return 2;
    }
    n[name] = text === undefined ? fallback : Number(text);
  }
  const count = n.count;
  const seed = n.seed;
  const from = n.from;
  const hangMs = n['hang-ms'];
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
    // -1 until the worker starts its first case: loading it (tsx, the corpus) is not a hang, and takes
    // over a second on a busy machine.
    state[0] = -1;
    // A worker does not inherit the tsx loader: register it, then load this file as the worker body.
    const body = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(import.meta.url)}); });`;
    const worker = new Worker(body, { eval: true, workerData: { seed, from: next, to: end, shared } satisfies Job });
    const outcome = await new Promise<'done' | 'hang' | 'error'>((resolveRun) => {
      let seen = -1;
      let since = Date.now();
      const timer = setInterval(() => {
        const now = Atomics.load(state, 0);
        if (now !== seen || now < 0) {
          seen = now;
          since = Date.now();
        } else if (Date.now() - since > hangMs) {
          clearInterval(timer);
          resolveRun('hang');
        }
        if (Date.now() - lastPrinted > 5000) {
          lastPrinted = Date.now();
          const done = Math.max(now, next) - from;
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
      if (at < 0) {
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
    process.exitCode = await fuzzMain(process.argv.slice(2));
  }
} else {
  runWorker(workerData as Job);
}
