/**
 * Lab scenarios written as DUIS requests (scenarios/duis-lab.json, steps `{ "as", "duis": FILE }`;
 * harness/duis/labStep.ts): `smets lab` runs it and exits 0 — every request signed with its user's key,
 * through the DCC's DUIS checks and transform, critical pre-commands signed by the user, the device's answers
 * checked; the evidence passes `smets conformance --keys`. A DUIS step whose file is missing, or that mixes
 * in "request", is a malformed scenario (exit 2, the step and field named).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureCli } from './helpers/captureCli.ts';

const SCENARIO = new URL('../scenarios/duis-lab.json', import.meta.url).pathname;

test('smets lab --scenario scenarios/duis-lab.json: every DUIS step as expected, evidence checks', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'smets-duis-lab-')), 'run');
  const run = await captureCli(['lab', '--scenario', SCENARIO, '--out', out]);
  assert.is(run.code, 0, run.stdout + '\n' + run.stderr);
  assert.match(run.stdout, /steps {5}12: 12 as expected, 0 differ {2}\(accepted 9, refused by the DCC 3, refused by the device 0\)/);
  assert.match(run.stdout + run.stderr, /disconnect: alice duis DisableSupply \(ECS43\) from disable-supply\.xml -> accepted, signed response/);
  assert.match(run.stdout + run.stderr, /no-enable: nora duis from enable-supply\.xml -> refused by the DCC: E2 role-not-allowed/);
  assert.match(run.stdout + run.stderr, /external-entity: alice duis from external-entity\.xml -> refused by the DCC: E40 .*DOCTYPE/);
  const check = await captureCli(['conformance', join(out, 'messages'), '--keys', join(out, 'keystore')]);
  assert.is(check.code, 0, check.stdout + '\n' + check.stderr);
});

test('a DUIS step with a missing file, or with "request" too, is a malformed scenario (exit 2)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smets-duis-bad-'));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({
    title: 't', users: [{ id: 'alice', name: 'A', party: 'supplier' }],
    steps: [
      { id: 'gone', as: 'alice', duis: 'nowhere.xml', expect: { outcome: 'accepted' } },
      { id: 'both', as: 'alice', duis: 'x.xml', request: 'read-firmware-version', expect: { outcome: 'accepted' } },
    ],
  }));
  const run = await captureCli(['lab', '--scenario', bad, '--out', join(dir, 'run')]);
  assert.is(run.code, 2, run.stdout + run.stderr);
  assert.match(run.stderr + run.stdout, /\("both"\): a DUIS step has "as", "duis" and "expect" only/);
  const gone = join(dir, 'gone.json');
  writeFileSync(gone, JSON.stringify({ title: 't', users: [{ id: 'alice', name: 'A', party: 'supplier' }], steps: [{ id: 'gone', as: 'alice', duis: 'nowhere.xml', expect: { outcome: 'accepted' } }] }));
  const run2 = await captureCli(['lab', '--scenario', gone, '--out', join(dir, 'run2')]);
  assert.is(run2.code, 2, run2.stdout + run2.stderr);
  assert.match(run2.stderr + run2.stdout, /step "gone"\.duis: no file .*nowhere\.xml/);
});

test.run();
