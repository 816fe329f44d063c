/**
 * The premises scenario over ZigBee with every HAN device on the air (issue 16): the ESME, the sleepy
 * GSME, the PPMID and the IHD each commissioned on the herdsman hub (CCS01 install code -> join -> CBKE
 * -> tunnel); the GSME pulls what the GPF holds for it through its tunnel when it wakes, the PPMID's and
 * IHD's requests go up their tunnels. Checks that each device's traffic went over the air (TransferData
 * counted per device by the hub and by the device), that nothing reached the GSME while it slept and
 * everything the hub sent it answered one of its own requests, and, on an air losing 10 % of its frames,
 * that every step is still as expected and no command ran twice.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLab } from '../harness/lab/runLab.ts';
import type { LabRun } from '../harness/lab/runLab.ts';
import { loadScenario } from '../harness/lab/scenario.ts';
import { startZigbeeBearer } from '../harness/zigbee/se/zigbeeBearer.ts';

const dirs: string[] = [];
test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const ESME = '00db1234567890a0';
const GSME = '00db1234567890a1';
const PPMID = '00db1234567890a4';
const IHD = '00db1234567890a5';

async function premises(bearer: { kind: 'zigbee'; loss?: number; seed?: number }): Promise<LabRun> {
  const loaded = loadScenario(join(import.meta.dirname, '..', 'scenarios', 'premises.json'));
  assert.ok(loaded.ok);
  if (!loaded.ok) throw new Error('scenario');
  const out = mkdtempSync(join(tmpdir(), 'smets-zprem-'));
  dirs.push(out);
  const run = await runLab({ scenario: loaded.scenario, out, progress: () => undefined, bearer: { ...bearer, refusals: false } });
  if (!('results' in run)) throw new Error('lab set-up failed: ' + run.reason);
  return run;
}

/** Steps that differ from the scenario, with why. */
function differing(run: LabRun): string[] {
  return run.results.filter((r) => !r.passed).map((r) => r.step.id + ': ' + r.differences.join('; '));
}

function requestOf(r: LabRun['results'][number]): string {
  return 'request' in r.step ? r.step.request : '';
}

/** Each accepted command got exactly one response (a command run twice would answer twice or be refused). */
function oneResponseEach(run: LabRun): void {
  const accepted = run.results.filter((r) => r.exchange.verdict === 'accepted');
  for (const r of accepted) {
    const n = r.exchange.frames.filter((f) => f.kind === 'RESPONSE').length;
    // HAN joins and the wake-interval setting have no GBCS response; a HAN request to the ESME neither; a
    // PPMID's gas top-up (PCS01 to the GSME) has the GSME's one answer to the PPMID
    const request = requestOf(r);
    const toGsme = request === 'han-request' && (r.step as { params?: Record<string, unknown> }).params?.meter === 'GSME';
    if (['han-join', 'han-request', 'gsme-wake-interval'].indexOf(request) >= 0 && !toGsme) assert.is(n, 0, r.step.id);
    else assert.is(n, 1, r.step.id + ': ' + n + ' responses');
  }
}

let clean: LabRun | undefined;

test('the premises over ZigBee with every HAN device on the air: every step as expected, each device\'s traffic through its own tunnel', async () => {
  const run = await premises({ kind: 'zigbee' });
  clean = run;
  assert.equal(differing(run), []);
  assert.ok(run.results.length >= 30);
  oneResponseEach(run);
  const z = run.zigbee!;
  assert.equal(z.devices.map((d) => d.eui).sort(), [ESME, GSME, PPMID, IHD]);
  assert.is(z.hub.cbkeEstablished, 4, 'a CBKE key per device');
  const per = z.perDevice;
  // the ESME: the hub's router down its tunnel, its responses up
  assert.ok(per[ESME].down > 0 && per[ESME].up > 0, 'ESME ' + JSON.stringify(per[ESME]));
  // the GSME: each wake (a gsme-wake step, or a PPMID's gas top-up waiting for it) a flag read, GETs until the
  // GPF has nothing, the one message waiting pulled, and its answer PUT up its tunnel
  const g = z.sleepy[GSME];
  assert.ok(g, 'the GSME is a sleepy device on the air');
  const woke = run.results.filter((r) => /woke over ZigBee/.test(r.exchange.reading.found ?? '')).length;
  assert.ok(woke >= 2, woke + ' wakes');
  assert.is(g.wakes, woke);
  assert.is(g.flagReads, g.wakes);
  assert.is(g.messages, g.wakes, 'one queued command pulled at each wake');
  assert.is(g.empty, g.wakes, 'each wake ended on a GET-RESPONSE without a message');
  assert.is(g.gets, 2 * g.wakes);
  assert.is(g.puts, g.wakes, 'each answer went up its tunnel');
  assert.is(g.putFailures, 0);
  // the CS02b (1,469 bytes) and CS03C (564) come down as GBT blocks, each frame behind the GET-RESPONSE header
  assert.ok(per[GSME].down > g.gets, 'GET-RESPONSE frames ' + per[GSME].down);
  assert.is(per[GSME].up, g.gets + g.puts, 'what the hub took from the GSME: its GETs and PUTs');
  // the PPMID: top-up, the same UTRN again (the ESME's refusal comes back down), and its two gas top-ups
  // (PCS01 to the GSME PUT up its tunnel, the GSME's answer PUT down it); after CCS02 the CHF's Device Log
  // drives the hub to remove it from the network (Mgmt_Leave): its last requests never get through
  const gasTopUps = run.results.filter((r) => /through the PPMID's tunnel/.test(r.exchange.reading.found ?? '')).length;
  assert.is(gasTopUps, 2);
  assert.is(per[PPMID].up, 2 + gasTopUps);
  assert.is(per[PPMID].down, 2 + gasTopUps);
  assert.is(z.meters[PPMID].framesUp, 2 + gasTopUps);
  const refused = run.results.find((r) => r.step.id === 'ppmid-refused')!;
  assert.is(refused.exchange.reason, 'not-on-log');
  assert.match(refused.exchange.reading.found ?? '', /removed from the ZigBee network/);
  // the IHD: read-balance answered, then the ESME's not-joined after CS04B
  assert.is(per[IHD].up, 2);
  assert.is(per[IHD].down, 2);
  for (const e of [ESME, GSME, PPMID, IHD]) assert.is(z.meters[e].framesDown, per[e].down, e + ': what the hub sent arrived');
  console.log('  premises on the air: ' + Object.entries(per).map(([e, c]) => e.slice(12) + ' ' + c.down + '/' + c.up).join(', ') + ' (TransferData down/up); GSME ' + g.polls + ' polls in ' + g.wakes + ' wakes');
});

test('the GSME is reached only when it has woken: nothing reaches it asleep, every frame to it answers its own', async () => {
  const run = clean ?? (await premises({ kind: 'zigbee' }));
  assert.equal(differing(run), []);
  const z = run.zigbee!;
  const g = z.sleepy[GSME];
  // the coordinator held every frame for the GSME as an indirect transmission until it polled: no unicast
  // frame came on the air for it while its receiver was off
  assert.is(g.heardAsleep, 0, 'frames that reached the GSME asleep');
  // every TransferData the GSME took from the hub was a GET-RESPONSE: the hub pushed it nothing
  assert.is(g.notGetResponse, 0);
  assert.ok(g.polls > 0);
  // the GSME's commands waited on the GPF: 'queued-for-gsme', answered only in the wake steps
  const queued = run.results.filter((r) => r.exchange.verdict === 'queued-for-gsme').map((r) => r.step.id);
  assert.ok(queued.indexOf('commission-gsme') >= 0 && queued.indexOf('pair-ppmid-gsme') >= 0, queued.join(', '));
  const wakes = run.results.filter((r) => requestOf(r) === 'gsme-wake');
  assert.ok(wakes.length >= 2);
  for (const w of wakes) assert.match(w.exchange.reading.found ?? '', /woke over ZigBee/);
});

test('a frame pushed to the GSME while it sleeps is held by the coordinator and reaches it only when it wakes (what the pull flow avoids)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smets-zsleep-'));
  dirs.push(dir);
  const z = await startZigbeeBearer({ dir, hubEui: '00db1234567890a2', devices: [{ eui: GSME, kind: 'gsme' }], progress: () => undefined, refusals: false });
  assert.ok(z.ok, z.ok ? '' : z.reason);
  if (!z.ok) return;
  const b = z.bearer;
  try {
    const g = b.gsmes[GSME];
    // asleep: zoh keeps the frame as an indirect transmission; no AckTransferData comes, the hub gives up
    const pushed = await b.hub.sendTunnelFrames(GSME, [Uint8Array.of(0x02, 0x00)]);
    assert.is(pushed.ok, false);
    assert.is(g.radio.stats.heardAsleep, 0, 'nothing came on the air for it while it slept');
    assert.is(g.stats.framesDown, 0);
    // awake: its polls fetch what the coordinator held (the hub's resends carried the same ZCL sequence number)
    g.setAwake(true);
    for (let i = 0; i < 60 && g.stats.framesDown === 0; i++) await new Promise((r) => setTimeout(r, 50));
    g.setAwake(false);
    assert.is(g.stats.framesDown, 1, 'the held frame arrived once the GSME polled');
  } finally {
    await b.stop();
  }
});

test('on an air losing 10 % of frames: every step as expected, each command answered once, losses and retries reported', async () => {
  const run = await premises({ kind: 'zigbee', loss: 0.1, seed: 7 });
  assert.equal(differing(run), []);
  oneResponseEach(run);
  const z = run.zigbee!;
  assert.ok(z.air.lost > 0 && z.air.retries > 0, 'frames lost and retried: ' + JSON.stringify(z.air));
  const g = z.sleepy[GSME];
  assert.is(g.messages, g.wakes, 'each queued command reached the GSME');
  assert.ok(g.wakes >= 2);
  assert.is(g.heardAsleep, 0);
  const meters = Object.values(z.meters);
  console.log('  premises at 10 % loss: ' + z.air.lost + ' frames/ACKs lost, ' + z.air.retries + ' radio retries, hub resends ' + z.hub.sendRetries + ', device resends ' +
    meters.reduce((n, m) => n + m.upRetries, 0) + ', copies dropped ' + (z.hub.copiesDropped + meters.reduce((n, m) => n + m.copiesDropped, 0)));
});

test.run();
