/**
 * The CHF drives the ZigBee hub (issue 16, harness/zigbee/se/chfDriver.ts): in a premises over ZigBee,
 * the DCC's CCS01 reaching the CHF is what lets the ESME's meter join the herdsman network with its
 * install code (before it, the join fails); its CCS02 removes the meter from the network, and the meter
 * cannot join again with its install code.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLab } from '../harness/lab/runLab.ts';
import { loadScenario } from '../harness/lab/scenario.ts';

const dirs: string[] = [];
test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function scenario(steps: unknown[]): string {
  const s = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'scenarios', 'premises.json'), 'utf8'));
  s.steps = steps;
  const dir = mkdtempSync(join(tmpdir(), 'smets-zchf-'));
  dirs.push(dir);
  const file = join(dir, 'chf.json');
  writeFileSync(file, JSON.stringify(s));
  return file;
}

const step = (id: string, request: string, params: Record<string, unknown>, expect: Record<string, unknown>) => ({ id, title: id, as: 'dcc', request, params, expect });

test('CCS01 from the DCC opens the herdsman network to the ESME; CCS02 removes it from the network', async () => {
  const file = scenario([
    step('join-before-ccs01', 'han-join', { device: 'ESME' }, { outcome: 'refused-on-han', reason: 'zigbee join ' }),
    step('add-esme', 'chf-add-device', { device: 'ESME' }, { outcome: 'accepted', found: '90A0 waiting' }),
    step('join-esme', 'han-join', { device: 'ESME' }, { outcome: 'accepted', found: '90A0 joined' }),
    step('commission-esme', 'commission-device', { device: 'ESME', to: 'supplier' }, { outcome: 'accepted', cs02b: 'all-success' }),
    step('remove-esme', 'chf-remove-device', { device: 'ESME' }, { outcome: 'accepted' }),
    step('join-after-ccs02', 'han-join', { device: 'ESME' }, { outcome: 'refused-on-han', reason: 'zigbee join transport-key-mic' }),
  ]);
  const loaded = loadScenario(file);
  assert.ok(loaded.ok, JSON.stringify(loaded));
  if (!loaded.ok) return;
  const out = mkdtempSync(join(tmpdir(), 'smets-zchf-run-'));
  dirs.push(out);
  const lines: string[] = [];
  const run = await runLab({ scenario: loaded.scenario, out, progress: (l) => lines.push(l), bearer: { kind: 'zigbee', refusals: false } });
  if (!('results' in run)) throw new Error('lab set-up failed: ' + run.reason);
  const failed = run.results.filter((r) => !r.passed).map((r) => r.step.id + ': ' + r.differences.join('; ') + ' [' + (r.exchange.reading.found ?? '') + ']');
  assert.equal(failed, []);
  const first = run.results[0].exchange;
  assert.match(first.reason ?? '', /^zigbee join (association-not-permitted|no-beacon|association-denied)/, 'no CCS01 yet: herdsman does not let it join');
  assert.ok(lines.some((l) => /CHF Device Log \+ 00DB1234567890A0 \(CCS01\): install code into the herdsman Controller/.test(l)), 'the CHF\'s CCS01 called the ZigBee hub');
  assert.ok(lines.some((l) => /CHF Device Log - 00DB1234567890A0 \(CCS02\): removed from the ZigBee network \(Mgmt_Leave\)/.test(l)), 'the CHF\'s CCS02 removed it:\n' + lines.filter((l) => l.startsWith('zigbee')).join('\n'));
  const z = run.zigbee!;
  assert.is(z.devices.length, 1, 'the ESME joined once');
  assert.ok(z.hub.removed >= 1);
  assert.ok(z.hub.framesDown > 0 && z.hub.framesUp > 0, 'CS02b went through its tunnel');
  console.log('  ' + lines.filter((l) => l.startsWith('zigbee: CHF') || l.includes('join')).length + ' lines; before CCS01: ' + first.reason);
});

test.run();
