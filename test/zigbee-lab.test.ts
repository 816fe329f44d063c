/**
 * The lab over ZigBee (issue 16): a real zigbee-herdsman 11.1.1 Controller (zoh adapter) on the
 * emulated radio as the hub, the lab's ESME (the real device runtime) behind a simulated meter: CCS01
 * -> join with the install code -> CBKE suite 2 -> SE tunnel -> the lab's GBCS steps (commissioning,
 * reads, supply commands, a replay and a forgery refused with their alerts, change of supplier) as the
 * in-process lab runs them, then again on an air losing frames. Plus the refusals with their reasons,
 * and the tunnel framing around herdsman's 250-byte cut and zoh's unsendable 74..100-byte frames.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLab } from '../harness/lab/runLab.ts';
import type { LabRun } from '../harness/lab/runLab.ts';
import { loadScenario } from '../harness/lab/scenario.ts';
import { sendable, tunnelFrames, TRANSFER_DATA_OVERHEAD } from '../harness/zigbee/se/tunnelFraming.ts';
import { blockFrame } from '../gbcs/ota/blockTransfer.ts';
import { decodeGbtFrame, GbtReassembler, splitIntoGbt } from '../gbcs/gbt.ts';
import { decodeMessage } from '../gbcs/message.ts';
import { readdirSync } from 'node:fs';

/** RTDS commands (real GBCS messages) by size. */
function rtds(): Uint8Array[] {
  const dir = join(import.meta.dirname, '..', '..', 'shared', 'vectors', 'rtds', 'RTDS-4.5.0');
  const out: Uint8Array[] = [];
  for (const d of readdirSync(dir)) {
    for (const f of readdirSync(join(dir, d))) {
      if (!f.endsWith('_GBCS.HEX')) continue;
      const b = Uint8Array.from(Buffer.from(readFileSync(join(dir, d, f), 'utf8').trim(), 'hex'));
      if (decodeMessage(b).ok) out.push(b);
    }
  }
  return out;
}

const dirs: string[] = [];
test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The lab's scenario up to the change of supplier (the firmware steps move ~100 KB images: in the CLI run). */
function part(): string {
  const s = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'scenarios', 'lab.json'), 'utf8'));
  const upTo = s.steps.findIndex((x: { id: string }) => x.id === 'old-supplier-locked-out');
  s.steps = s.steps.slice(0, upTo + 1);
  const dir = mkdtempSync(join(tmpdir(), 'smets-zlab-'));
  dirs.push(dir);
  const file = join(dir, 'part.json');
  writeFileSync(file, JSON.stringify(s));
  return file;
}

async function lab(bearer: { kind: 'zigbee'; loss?: number; seed?: number; refusals?: boolean }, scenarioFile = part()): Promise<LabRun> {
  const loaded = loadScenario(scenarioFile);
  assert.ok(loaded.ok);
  if (!loaded.ok) throw new Error('scenario');
  const out = mkdtempSync(join(tmpdir(), 'smets-zlab-run-'));
  dirs.push(out);
  const run = await runLab({ scenario: loaded.scenario, out, progress: () => undefined, bearer });
  if (!('results' in run)) throw new Error('lab set-up failed: ' + run.reason);
  return run;
}

test('tunnel framing: nothing is cut at 250 bytes, nothing lands in zoh\'s 74..100; an image block goes as stream pieces', () => {
  assert.ok(sendable(73) && !sendable(74) && !sendable(100) && sendable(101) && sendable(250) && !sendable(251));
  const image = blockFrame(0, new Uint8Array(1024).fill(5));
  const t = tunnelFrames(image);
  assert.ok(t.ok && t.stream);
  if (!t.ok) return;
  assert.is(t.frames.reduce((n, f) => n + f.length, 0), image.length);
  for (const f of t.frames) assert.ok(sendable(f.length + TRANSFER_DATA_OVERHEAD), 'piece of ' + f.length);
  assert.equal(tunnelFrames(new Uint8Array(90).fill(0x41)), { ok: false, reason: 'not-gbcs' });
});

test('tunnel framing of every RTDS message: each TransferData frame sendable, GBT blocks reassemble to the message', () => {
  const all = rtds();
  assert.ok(all.length > 500);
  let whole = 0;
  let oneBlock = 0;
  let blocks = 0;
  for (const m of all) {
    const t = tunnelFrames(m);
    assert.ok(t.ok && !t.stream);
    if (!t.ok) continue;
    for (const f of t.frames) assert.ok(sendable(f.length + TRANSFER_DATA_OVERHEAD), m.length + '-byte message: a ' + f.length + '-byte frame');
    if (!t.gbt) {
      whole++;
      assert.is(t.frames[0], m);
      continue;
    }
    if (t.frames.length === 1) oneBlock++;
    else blocks++;
    const r = new GbtReassembler({ maxBlockSize: 1024 });
    let done: Uint8Array | undefined;
    for (const f of t.frames) {
      const a = r.accept(f);
      assert.ok(a.ok, JSON.stringify(a));
      if (a.ok && a.complete) done = a.apdu;
    }
    assert.equal(done, m);
  }
  assert.ok(whole > 0 && oneBlock > 0 && blocks > 0, whole + ' whole, ' + oneBlock + ' one GBT block, ' + blocks + ' several');
  // a GBT block of the hub's router (1,000 bytes) goes as stream pieces
  const block = splitIntoGbt(new Uint8Array(2000).fill(1), { cra: 1, counter: { hi: 0, lo: 5 }, originator: new Uint8Array(8), recipient: new Uint8Array(8), messageCode: 0x10 }, { blockSize: 950 })[0];
  assert.ok(decodeGbtFrame(block).ok);
  const t = tunnelFrames(block);
  assert.ok(t.ok && t.stream && t.frames.length > 1);
  console.log('  RTDS messages through the tunnel: ' + whole + ' whole, ' + oneBlock + ' as one GBT block (zoh\'s 74..100), ' + blocks + ' as GBT blocks (over 245 bytes)');
});

let clean: LabRun | undefined;

test('the lab over ZigBee: CCS01, join, CBKE, tunnel, then every step as the scenario expects; the refusals with their reasons', async () => {
  const run = await lab({ kind: 'zigbee', refusals: true });
  clean = run;
  const z = run.zigbee!;
  assert.ok(z, 'a ZigBee report');
  const failed = run.results.filter((r) => !r.passed).map((r) => r.step.id + ': ' + r.differences.join('; '));
  assert.equal(failed, []);
  assert.ok(run.results.length >= 18);
  assert.ok(run.alertVerdicts.length > 0 && run.alertVerdicts.every((v) => v.ok), 'alerts came up the tunnel and verified');
  assert.is(z.devices.length, 1);
  assert.ok(z.hub.gbtMessages > 0, 'some messages needed GBT (over 245 bytes, or in zoh\'s 74..100)');
  assert.ok(z.hub.framesUp > 0 && z.hub.cbkeEstablished >= 1);
  const byCase = Object.fromEntries(z.refusals.map((r) => [r.case, r]));
  assert.is(z.refusals.length, 5);
  for (const r of z.refusals) assert.ok(r.refused, r.case + ': ' + r.reason);
  assert.match(byCase['CCS01 install code with a bad CRC'].reason, /^install-code-crc/);
  assert.match(byCase['a device with a wrong install code'].reason, /join: transport-key-mic/);
  assert.match(byCase['a device not on the CHF log'].reason, /hub: join not-on-log/);
  assert.match(byCase['a device with a bad CBKE certificate'].reason, /hub: cbke certificate-issuer, tunnel no-cbke-key/);
  const after = byCase['a device after CCS02'].reason;
  assert.match(after, /removed by Mgmt_Leave, network key changed \(sequence \d+\) for \d+ devices? staying on the HAN/, after);
  assert.match(after, /secured rejoin with the old key: no-rejoin-response/, 'the old network key no longer opens the network');
  assert.match(after, /join with its install code: transport-key-mic/, 'its install code left the trust centre');
  assert.match(after, /hub: join removed-by-ccs02/, 'named by the hub');
  assert.is(byCase['a device after CCS02'].named, 'rejoin no-rejoin-response, join transport-key-mic, join removed-by-ccs02', 'the summary\'s names');
  // the steps ran after the refusals: the lab's meter took the new key, or none of them would pass
  assert.ok(z.hub.networkKeyChanges >= 1, 'a network key change');
  console.log('  ZigBee lab: ' + run.results.length + ' steps, join ' + z.devices[0].joinMs.toFixed(0) + ' ms, CBKE ' + z.devices[0].cbkeMs.toFixed(0) + ' ms; ' +
    z.hub.framesDown + ' frames down (' + z.hub.gbtMessages + ' as GBT), ' + z.hub.framesUp + ' up');
});

test('on a lossy air (10 %): every step still as expected, no command executed twice, losses and retries reported', async () => {
  const run = await lab({ kind: 'zigbee', loss: 0.1, seed: 5, refusals: false });
  const z = run.zigbee!;
  const failed = run.results.filter((r) => !r.passed).map((r) => r.step.id + ': ' + r.differences.join('; '));
  assert.equal(failed, []);
  assert.ok(z.air.lost > 0, 'frames were lost');
  assert.ok(z.air.retries > 0, 'the radios retried');
  const copies = Object.values(z.meters).reduce((n, m) => n + m.duplicatesToDevice, 0);
  const cleanCopies = clean ? Object.values(clean.zigbee!.meters).reduce((n, m) => n + m.duplicatesToDevice, 0) : 0;
  // each accepted command got exactly one response: a copy (a hub resend after a lost AckTransferData) is
  // refused by the device's GBCS counter check, so the DCC's counters and expectations still hold
  const accepted = run.results.filter((r) => r.exchange.verdict === 'accepted').length;
  const responses = run.results.reduce((n, r) => n + r.exchange.frames.filter((f) => f.kind === 'RESPONSE').length, 0);
  assert.is(responses, accepted, 'one response per accepted command');
  console.log('  lossy air: ' + z.air.lost + ' frames/ACKs lost, ' + z.air.retries + ' radio retries, hub TransferData resends ' + z.hub.sendRetries +
    ', meter resends ' + Object.values(z.meters).reduce((n, m) => n + m.upRetries, 0) + ', identical frames at the device ' + copies + ' (without loss ' + cleanCopies + ': the replay steps)');
});

test.run();
