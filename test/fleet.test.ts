/**
 * The fleet (`smets fleet`, harness/fleet/): a small embedded fleet goes through every phase of
 * scenarios/fleet.json as expected, with its evidence; a wrong expectation is reported per premises;
 * a bad scenario is refused naming the field; and on NATS JetStream (a nats-server started here, JetStream
 * on, a temporary store, a free port) premises run on two worker processes, one is killed mid-job, and
 * every premises still completes every phase exactly once with its state intact (the verify phase: each
 * device booted from the stored state accepts the DCC's next counter and runs the version the DCC holds).
 * The NATS test runs 1,000 premises (about 45 s on this 2-core machine, loaded; FLEET_TEST_PREMISES
 * changes it); the figures are the bench's (`npm run bench -- --only fleet`, README "The fleet").
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { connect } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { EmbeddedExecutor } from '../harness/fleet/embedded.ts';
import { NatsExecutor, NatsStore } from '../harness/fleet/nats.ts';
import type { PremisesRecord } from '../harness/fleet/job.ts';
import { NATS_SERVER, startLocalNats } from '../harness/fleet/natsServer.ts';
import { runFleet } from '../harness/fleet/runFleet.ts';
import { loadFleetScenario, validateFleetScenario } from '../harness/fleet/scenario.ts';
import type { FleetScenario } from '../harness/fleet/scenario.ts';
import { writeFleetEvidence } from '../harness/fleet/report.ts';
import { packMedium, unpackMedium } from '../harness/fleet/premises.ts';
import { ROOT } from '../build/paths.ts';

const scenarioFile = join(ROOT, 'scenarios', 'fleet.json');

/** scenarios/fleet.json with a shorter load (the figures are the bench's). */
function scenario(edit?: (s: FleetScenario) => void): FleetScenario {
  const r = loadFleetScenario(scenarioFile);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  for (const p of r.scenario.phases) if (p.kind === 'load') p.seconds = 1;
  edit?.(r.scenario);
  return r.scenario;
}

test('an embedded fleet goes through every phase as expected, once per premises, with its evidence', async () => {
  const out = mkdtempSync(join(tmpdir(), 'fleet-test-'));
  const run = await runFleet({ premises: 24, scenario: scenario(), out, executor: (c) => new EmbeddedExecutor(2, c), events: () => undefined });
  const s = run.summary;
  assert.ok(s.ok, JSON.stringify(s.failures));
  assert.equal(s.exactlyOnce, { premises: 24, complete: 24, missing: 0, doubled: 0, retakenJobs: 0, byWorker: s.exactlyOnce.byWorker });
  const by = (id: string) => s.phases.find((p) => p.id === id)!;
  assert.equal(by('commission').outcomes, { commissioned: 24 });
  // 60% of the fleet in the good rollout's waves; the faulty one halts after its first wave (2%, rounded down to 0 -> the first non-empty wave).
  assert.equal(by('rollout').outcomes, { updated: 14, 'not-in-rollout': 10 });
  assert.is(by('faulty-rollout').halted, true);
  assert.ok((by('faulty-rollout').outcomes['rolled-back'] ?? 0) >= 1);
  assert.is((by('faulty-rollout').outcomes['rolled-back'] ?? 0) + (by('faulty-rollout').outcomes['held-back'] ?? 0), 24);
  assert.equal(by('recovery-drill').outcomes, { recovered: 24 });
  // The factory image's CPA expires: the 10 premises still on it are suspended, the 14 updated ones served.
  assert.equal(by('cpl-expiry').outcomes, { served: 14, suspended: 10 });
  assert.equal(by('verify').outcomes, { intact: 14, 'intact (suspended)': 10 });
  const ev = writeFleetEvidence(run, out);
  const html = readFileSync(ev.report, 'utf8');
  for (const plot of ['Throughput', 'Progress per shard', 'Failures by reason', 'Latency: read-firmware-version']) assert.ok(html.indexOf(plot) >= 0, plot);
  assert.ok((html.match(/<svg /g) ?? []).length >= 6);
  const junit = readFileSync(ev.junit, 'utf8');
  assert.is(XMLValidator.validate(junit), true);
  assert.is((junit.match(/<testcase /g) ?? []).length, 24 * 8);
  assert.is((junit.match(/<failure /g) ?? []).length, 0);
  assert.is(JSON.parse(readFileSync(ev.summary, 'utf8')).premises, 24);
});

test('a rollout that should complete but halts is reported for the fleet and for each held-back premises', async () => {
  const out = mkdtempSync(join(tmpdir(), 'fleet-test-'));
  const run = await runFleet({
    premises: 10, out, events: () => undefined, executor: (c) => new EmbeddedExecutor(1, c),
    scenario: scenario((s) => {
      s.phases = s.phases.filter((p) => p.kind === 'commission' || p.id === 'faulty-rollout');
      const f = s.phases[1];
      if (f.kind === 'rollout') f.expect = { premises: 'rolled-back', halted: false };
    }),
  });
  const f = run.summary.phases.find((p) => p.id === 'faulty-rollout')!;
  assert.is(run.summary.ok, false);
  assert.match(f.fleetCheck ?? '', /expected the rollout to complete, it halted/);
  assert.ok(f.differ > 0 && f.differ === f.outcomes['held-back']);
  assert.ok(Object.keys(run.summary.failures).some((k) => k.indexOf('rollout halted, not expected to') >= 0));
});

test('a premises at rest: its device medium packed in one buffer and back, byte for byte', () => {
  const blobs = { 'd.id.eui': new Uint8Array([0, 0xdb, 1, 2, 3, 4, 5, 6]), 'd.fw.s0.0': new Uint8Array(1024).fill(0xa5), 'd.empty': new Uint8Array(0) };
  const packed = packMedium(blobs);
  assert.is(packed.length, 3 * 5 + 'd.id.eui'.length + 'd.fw.s0.0'.length + 'd.empty'.length + 8 + 1024);
  const back = unpackMedium(packed);
  assert.equal(Object.keys(back).sort(), Object.keys(blobs).sort());
  for (const k of Object.keys(blobs)) assert.equal([...back[k]], [...blobs[k as keyof typeof blobs]], k);
  assert.throws(() => unpackMedium(packed.subarray(0, packed.length - 1)), /truncated at blob d.id.eui/);
});

test('a bad fleet scenario is refused, naming each field', () => {
  const r = validateFleetScenario({
    title: 'x', imageBytes: 12,
    phases: [{ id: 'a', kind: 'reads', requests: ['disable-supply'] }, { id: 'b', kind: 'rollout', package: 'good', waves: [0.5, 0.2], haltAbove: 0.1, expect: { premises: 'updated', halted: false } }, { id: 'c', kind: 'teleport' }],
  });
  assert.is(r.ok, false);
  const errors = r.ok ? [] : r.errors;
  assert.ok(errors.some((e) => e.startsWith('imageBytes:')), errors.join('\n'));
  assert.ok(errors.some((e) => e.indexOf('phases[0] ("a").kind: the first phase, and only it, is "commission"') >= 0), errors.join('\n'));
  assert.ok(errors.some((e) => e.indexOf('phases[1] ("b").waves: must be rising fractions') >= 0), errors.join('\n'));
  assert.ok(errors.some((e) => e.indexOf('phases[2] ("c").kind: must be one of') >= 0), errors.join('\n'));
});

test('the NATS KV store: a record is created once, and committed only on the revision it was read at', async () => {
  if (!NATS_SERVER) throw new Error('nats-server is not installed (.ci/run installs Debian\'s nats-server)');
  const nats = await startLocalNats();
  const nc = await connect({ servers: nats.url });
  try {
    const kv = await new Kvm(nc).create('smets-fleet-cas-test', { history: 1 });
    const store = new NatsStore(kv);
    const record: PremisesRecord = { index: 7, eui: '00DB000000000007', shard: 0, version: '00010000', outcomes: [], state: { devices: [], dcc: { counters: { '90B3D51F30010000': 1003 }, supply: 'on' } } };
    assert.is(await store.commit(record, 0), true);
    assert.is(await store.commit(record, 0), false, 'a second create loses');
    const first = await store.load(7);
    assert.ok(first.revision > 0);
    assert.equal(first.record!.state.dcc, record.state.dcc);
    // Two workers read the same revision; the first commit wins, the second is refused and changes nothing.
    const a = { ...first.record!, outcomes: [{ job: '1.0.0', phase: 'reads', outcome: 'read', ok: true, ms: 1, by: 'a' }] };
    const b = { ...first.record!, outcomes: [{ job: '1.0.0', phase: 'reads', outcome: 'read', ok: true, ms: 1, by: 'b' }] };
    assert.is(await store.commit(a, first.revision), true);
    assert.is(await store.commit(b, first.revision), false);
    const now = await store.load(7);
    assert.equal(now.record!.outcomes.map((x) => x.by), ['a']);
    assert.is(now.revision > first.revision, true);
  } finally {
    await nc.close();
    await nats.stop();
  }
});

function startWorker(url: string, name: string, lines: string[]): ChildProcess {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'smets.js'), 'fleet', 'worker', '--nats', url, '--name', name, '--idle-exit', '60', '--ack-wait', '2000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let buf = '';
  child.stdout!.on('data', (b: Buffer) => {
    buf += b.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.on('data', (b: Buffer) => lines.push('stderr: ' + b.toString()));
  return child;
}

test('on NATS JetStream: two worker processes, one killed mid-job, every premises done exactly once with its state intact', async () => {
  if (!NATS_SERVER) throw new Error('nats-server is not installed (.ci/run installs Debian\'s nats-server)');
  const premises = Number(process.env.FLEET_TEST_PREMISES ?? 1000);
  const nats = await startLocalNats();
  const linesA: string[] = [];
  const linesB: string[] = [];
  const a = startWorker(nats.url, 'worker-a', linesA);
  const b = startWorker(nats.url, 'worker-b', linesB);
  let killedDuring: string | undefined;
  let committedBeforeKill = 0;
  // Worker A is killed (SIGKILL) in the middle of a recovery-drill job (phase 4): as soon as the run's KV
  // bucket shows 3 of that job's premises committed by A, while the rest are not.
  const watcher = await connect({ servers: nats.url });
  let polling = false;
  const watch = setInterval(() => {
    if (killedDuring || polling) return;
    const start = linesA.find((l) => /taking job 4\.0\.\d+/.test(l));
    if (!start) return;
    polling = true;
    void (async () => {
      const key = start.replace(/.*taking job /, '').split(' ')[0];
      const shard = Number(key.split('.')[2]);
      let bucket: string | undefined;
      for await (const st of new Kvm(watcher).list()) if (st.bucket.startsWith('smets-fleet-')) bucket = st.bucket;
      const kv = await new Kvm(watcher).open(bucket!);
      for (;;) {
        let n = 0;
        for (let i = shard; i < premises; i += 8) {
          const e = await kv.get('p.' + i);
          if (e && new TextDecoder().decode(e.value).indexOf('"job":"' + key + '"') >= 0) n++;
        }
        if (n >= 3) {
          a.kill('SIGKILL');
          killedDuring = key;
          committedBeforeKill = n;
          return;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
  }, 20);
  try {
    const out = mkdtempSync(join(tmpdir(), 'fleet-nats-test-'));
    const run = await runFleet({ premises, scenario: scenario(), out, executor: (c) => new NatsExecutor({ url: nats.url, shards: 8, ackWaitMs: 2000 }, c), events: () => undefined });
    const s = run.summary;
    assert.ok(killedDuring, 'worker A never started a recovery-drill job: ' + linesA.join('\n'));
    assert.is(a.signalCode, 'SIGKILL');
    assert.ok(s.ok, JSON.stringify({ failures: s.failures, phases: s.phases.map((p) => [p.id, p.differ, p.fleetCheck]) }));
    assert.equal({ complete: s.exactlyOnce.complete, missing: s.exactlyOnce.missing, doubled: s.exactlyOnce.doubled }, { complete: premises, missing: 0, doubled: 0 });
    // The killed worker's job was taken again by B, which found part of it committed and did the rest.
    assert.ok(linesB.some((l) => l.indexOf('taking job ' + killedDuring + ' (redelivered)') >= 0), linesB.join('\n'));
    assert.ok(s.exactlyOnce.retakenJobs >= 1);
    assert.ok(committedBeforeKill >= 3);
    const split = run.records.flatMap((r) => r.outcomes.filter((x) => x.job === killedDuring));
    assert.ok(split.some((x) => x.by === 'worker-a') && split.some((x) => x.by === 'worker-b'), JSON.stringify(split.map((x) => x.by)));
    for (const r of run.records) assert.is(r.outcomes.length, run.phases.length, 'premises ' + r.index);
    assert.equal(s.phases.find((p) => p.id === 'verify')!.differ, 0);
    assert.ok(existsSync(join(out, 'smki')));
  } finally {
    clearInterval(watch);
    await watcher.close();
    for (const c of [a, b]) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await nats.stop();
  }
});

test.run();
