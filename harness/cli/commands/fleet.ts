/**
 * `smets fleet`: many premises through one scenario (harness/fleet/), embedded on worker threads or
 * distributed over NATS JetStream; `smets fleet worker --nats URL`: a worker process for the latter.
 * @module
 */
import { availableParallelism } from 'node:os';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ROOT } from '../../../build/paths.ts';
import type { Command } from '../command.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE } from '../command.ts';
import { commandOptions } from '../options.ts';
import { EmbeddedExecutor } from '../../fleet/embedded.ts';
import { NatsExecutor, runNatsWorker } from '../../fleet/nats.ts';
import { PREMISES_KINDS } from '../../fleet/premises.ts';
import { runFleet } from '../../fleet/runFleet.ts';
import type { FleetEvent, FleetRun } from '../../fleet/runFleet.ts';
import { loadFleetScenario } from '../../fleet/scenario.ts';
import { writeFleetEvidence } from '../../fleet/report.ts';

export const DEFAULT_FLEET_SCENARIO = join(ROOT, 'scenarios', 'fleet.json');

const HELP = `Usage: smets fleet [--premises N] [--scenario FILE] [--out DIR] [--workers W | --nats URL [--shards S]] [--quiet]
       smets fleet worker --nats URL [--name NAME] [--idle-exit SECONDS]

Runs N premises through a fleet scenario. Each premises is what the factory makes and commissions for
one home — today the hub-less ESME of the lab (harness/fleet/premises.ts; the Communications Hub, GSME
and PPMID plug in there when they land): keys generated on its board, device certificates from the
test SMKI's batch issuance, the DCC's trust anchors, then the DCC hands it to the Supplier (CS02b).
Then the scenario's phases (scenarios/fleet.json): reads, a firmware rollout in waves, a faulty image
rolled back and its rollout halted, a recovery drill after a Supplier key compromise (CS02b recovery,
the Recovery Key Pair regenerated), a load of service requests per second, a CPL expiry suspending the
premises that run the expired version; and a last check of every premises' stored state. Every outcome
is checked per premises; each premises carries one outcome per phase, none missing, none twice.

Options:
  --premises N     how many premises (default 100)
  --scenario FILE  the phases (default: scenarios/fleet.json; the format is in harness/fleet/scenario.ts)
  --out DIR        the run folder: test SMKI, report.html, junit.xml, summary.json
                   (default: fleet-run/<timestamp>/)
  --workers W      embedded: shards on W worker threads (default: one per core, here ${availableParallelism()})
  --nats URL       distributed: the shards go to a NATS JetStream work queue; run workers with
                   smets fleet worker --nats URL (any number, any machine); premises state in JetStream KV
  --shards S       with --nats: how many shards (default 8)
  --ack-wait MS    with --nats: how long a job may go unacknowledged before another worker gets it (default 5000)
  --premises-kind K what a premises is (default esme, the one kind today: the hub-less ESME; the
                   Communications Hub with its ESME, GSME and PPMID joins harness/fleet/premises.ts)
  --quiet          no progress (the summary still prints)
  --json           the summary as one JSON object on stdout (summary.json's content and the run folder);
                   progress goes to stderr

A live progress bar on a terminal (stderr); in a log, one line per phase and wave.

smets fleet worker: takes jobs until stopped, or until idle for --idle-exit seconds.
  --nats URL       the server; --name NAME kept with each outcome it commits (default host:pid)

Exit codes: 0 every premises as expected, 1 a premises or a phase differs, 2 bad options or scenario,
or the run could not be set up (e.g. no NATS server at URL).

Example: smets fleet --premises 1000
         smets fleet --premises 1000 --nats nats://127.0.0.1:4222 & smets fleet worker --nats nats://127.0.0.1:4222`;

const WORKER_HELP = `Usage: smets fleet worker --nats URL [--name NAME] [--idle-exit SECONDS] [--ack-wait MS] [--json]

A worker of a distributed fleet: takes jobs (one shard's premises through one phase) from the JetStream
work queue SMETS_FLEET on the NATS server at URL, loads and commits each premises in JetStream KV by
compare-and-set, and answers each job's result to the coordinator (smets fleet --nats URL). Start any
number, on any machines; a worker that dies leaves its job to another after the ack wait.

Options:
  --nats URL          the NATS server (JetStream on)
  --name NAME         kept with each outcome the worker commits (default host:pid)
  --idle-exit SECONDS exit 0 after this long without a job (default: run until stopped)
  --ack-wait MS       the consumer's ack wait when this worker creates it (default 5000)
  --json              each line the worker logs as a JSON object ({"worker": line})

Exit codes: 0 stopped (idle), 1 not used (a premises that differs is reported by the coordinator,
smets fleet, which exits 1), 2 bad options or no NATS server at URL.

Example: smets fleet worker --nats nats://127.0.0.1:4222 --idle-exit 60`;

function usage(msg: string): number {
  console.error('smets fleet: ' + msg + '\n(smets fleet --help for the options)');
  return EXIT_USAGE;
}

function timestamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\..*$/, '');
}

function rel(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
}

const positiveInt = (v: string | undefined, dflt: number): number | undefined => {
  if (v === undefined) return dflt;
  return /^[1-9][0-9]*$/.test(v) ? Number(v) : undefined;
};

/** Progress: a bar redrawn on a terminal, or one line per phase in a log. */
export function progressPrinter(o: { tty: boolean; write: (s: string) => void; log: (s: string) => void }): (e: FleetEvent) => void {
  let phase = '';
  let total = 0;
  let done = 0;
  let last = 0;
  const bar = () => {
    const f = total ? Math.min(1, done / total) : 0;
    const width = 30;
    const n = Math.round(f * width);
    o.write('\r[' + '#'.repeat(n) + '.'.repeat(width - n) + '] ' + String(Math.round(f * 100)).padStart(3) + '% ' + phase + ' ' + done + '/' + total + ' premises\x1b[K');
  };
  return (e) => {
    if (e.kind === 'premises') {
      done = e.done;
      const now = Date.now();
      if (o.tty && now - last > 100) {
        last = now;
        bar();
      }
      return;
    }
    if (o.tty) o.write('\r\x1b[K');
    if (e.kind === 'phase') {
      phase = e.phase;
      total = e.premises;
      done = 0;
      o.log('  ' + e.text);
      if (o.tty) bar();
    } else o.log((e.kind === 'phase-done' ? (e.ok ? 'ok      ' : 'DIFFERS ') : 'setup:  ') + e.text);
  };
}

export function fleetSummaryText(run: FleetRun, evidenceDir: string): string {
  const s = run.summary;
  const eo = s.exactlyOnce;
  const lines = [
    '',
    'smets fleet: ' + s.title,
    '  premises  ' + s.premises + ' (' + s.premisesKind + ') in ' + s.shards + ' shards on ' + s.executor,
    '  phases    ' + s.phases.map((p) => p.id + ' ' + p.asExpected + '/' + (p.asExpected + p.differ)).join(', '),
    ...s.phases.filter((p) => p.differ || p.fleetCheck).map((p) => '  DIFFERS   ' + p.id + ': ' + (p.fleetCheck ? p.fleetCheck + '; ' : '') + p.differ + ' premises'),
    ...Object.entries(s.failures).slice(0, 8).map(([k, n]) => '            ' + n + ' x ' + k),
    '  once      ' + eo.complete + ' complete, ' + eo.missing + ' missing, ' + eo.doubled + ' doubled' + (eo.retakenJobs ? '; ' + eo.retakenJobs + ' job(s) retaken' : '') + '; committed by ' + Object.entries(eo.byWorker).map(([k, v]) => k + ' ' + v).join(', '),
    '  rate      ' + s.commissionedPerSecond.toFixed(1) + ' premises made and commissioned per second' + (s.memory ? '; ' + (s.memory.perPremisesBytes / 1024).toFixed(1) + ' KiB of worker memory per premises' : ''),
    '  time      ' + s.seconds.toFixed(1) + ' s (set-up ' + s.setupSeconds.toFixed(1) + ' s)',
    '  evidence  ' + rel(evidenceDir) + '/ report.html, junit.xml, summary.json',
    '',
    s.ok ? 'RESULT: every premises as expected' : 'RESULT: the fleet differs from the scenario',
  ];
  return lines.join('\n');
}

async function worker(args: string[]): Promise<number> {
  const parsed = commandOptions('smets fleet worker', WORKER_HELP, args, { options: ['nats', 'name', 'idle-exit', 'ack-wait'], flags: ['json'] });
  if ('exit' in parsed) return parsed.exit;
  const url = parsed.values.nats;
  if (!url) return usage('worker: --nats URL is required');
  const idle = parsed.values['idle-exit'];
  if (idle !== undefined && !/^[0-9]+$/.test(idle)) return usage('--idle-exit must be a number of seconds');
  const ackWait = positiveInt(parsed.values['ack-wait'], 5000);
  if (ackWait === undefined) return usage('--ack-wait must be a positive number of milliseconds');
  try {
    await runNatsWorker({ url, ...(parsed.values.name ? { name: parsed.values.name } : {}), ...(idle !== undefined ? { idleExitMs: Number(idle) * 1000 } : {}), ackWaitMs: ackWait, log: (l) => console.log(parsed.flags.json === true ? JSON.stringify({ worker: l }) : l) });
  } catch (e) {
    return usage('worker: ' + (e as Error).message);
  }
  return EXIT_OK;
}

export const fleet: Command = {
  name: 'fleet',
  summary: 'many premises through one scenario: rollouts, recovery drill, load, CPL expiry (worker threads or NATS)',
  help: HELP,
  actions: ['worker'],
  async run(args) {
    if (args[0] === 'worker') return worker(args.slice(1));
    const parsed = commandOptions('smets fleet', HELP, args, { options: ['premises', 'scenario', 'out', 'workers', 'nats', 'shards', 'ack-wait', 'premises-kind'], flags: ['quiet', 'json'] });
    if ('exit' in parsed) return parsed.exit;
    const v = parsed.values;
    const premises = positiveInt(v.premises, 100);
    if (premises === undefined || premises > 1_000_000) return usage('--premises must be a whole number from 1 to 1000000');
    const workers = positiveInt(v.workers, Math.max(1, availableParallelism()));
    if (workers === undefined) return usage('--workers must be a positive whole number');
    const shards = positiveInt(v.shards, 8);
    if (shards === undefined) return usage('--shards must be a positive whole number');
    const ackWait = positiveInt(v['ack-wait'], 5000);
    if (ackWait === undefined) return usage('--ack-wait must be a positive number of milliseconds');
    if (v.nats && v.workers) return usage('--workers is for the embedded fleet; with --nats, start workers with smets fleet worker');
    if (!v.nats && (v.shards || v['ack-wait'])) return usage('--shards and --ack-wait go with --nats');
    const kind = v['premises-kind'] ?? 'esme';
    if (!PREMISES_KINDS[kind]) return usage('--premises-kind must be one of ' + Object.keys(PREMISES_KINDS).join(', '));
    const sc = loadFleetScenario(v.scenario ?? DEFAULT_FLEET_SCENARIO);
    if (!sc.ok) {
      console.error('smets fleet: the scenario is not valid:\n  ' + sc.errors.join('\n  '));
      return EXIT_USAGE;
    }
    const out = resolve(v.out ?? join('fleet-run', timestamp(new Date())));
    if (existsSync(out) && readdirSync(out).length) return usage('--out ' + out + ' is not empty');
    const quiet = parsed.flags.quiet === true;
    const json = parsed.flags.json === true;
    const tty = !!process.stderr.isTTY;
    const events = quiet ? () => undefined : progressPrinter({ tty, write: (s) => process.stderr.write(s), log: (s) => (json ? console.error(s) : console.log(s)) });
    if (v.nats && !quiet) (json ? console.error : console.log)('smets fleet: jobs go to ' + v.nats + '; start workers with: smets fleet worker --nats ' + v.nats);
    let run: FleetRun;
    try {
      run = await runFleet({
        premises, scenario: sc.scenario, out, kind, events, measureMemory: !v.nats,
        executor: (certify) => (v.nats ? new NatsExecutor({ url: v.nats, shards, ackWaitMs: ackWait }, certify) : new EmbeddedExecutor(workers, certify)),
      });
    } catch (e) {
      return usage('the fleet could not run: ' + (e as Error).message);
    }
    const ev = writeFleetEvidence(run, out);
    console.log(json ? JSON.stringify({ ...run.summary, evidence: ev.dir }) : fleetSummaryText(run, ev.dir));
    return run.summary.ok ? EXIT_OK : EXIT_CHECK_FAILED;
  },
};
