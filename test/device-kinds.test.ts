/**
 * Device kinds and the use-case registry (device/pipeline/useCaseTables.ts): a PPMID is not carried until
 * carryHanKinds() registers the HAN kinds; a CHF or GPF is not carried by a firmware without hub/ (manufacture refuses 'kind-not-carried', nothing stored; a stored CHF does not
 * open); once hub/index.ts is loaded it registers their tables, and a CHF / GPF is manufactured as its own
 * kind and opens with its own table (the GSME and the HAN kinds registered by carryGsme() / carryHanKinds(); CCS07 answered by the CHF's handler, GCS59 by the GPF's, neither by
 * the ESME's). Registration is process-wide, so the "before" half runs in a child process of its own.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const SCRIPT = `
import { nodeBoard } from './boards/node/index.ts';
import { memoryMedium } from './boards/journaledStorage.ts';
import { manufactureDevice, openDevice } from './device/index.ts';
import { MESSAGE_CODE_CCS07 } from './gbcs/contents/hub/chfDeviceLog.ts';
import { MESSAGE_CODE_GCS59 } from './gbcs/contents/hub/gpfDeviceLog.ts';
import { ESME_USE_CASES } from './device/index.ts';
const out = {};
const make = (kind, eui) => { const b = nodeBoard({ medium: memoryMedium() }); return { b, r: manufactureDevice(b, { eui: new Uint8Array(8).fill(eui), environment: 'test', kind, anchors: [] }) }; };
for (const kind of ['CHF', 'GPF']) { const m = make(kind, 2); out['before ' + kind] = m.r.ok ? 'made' : m.r.reason + ' keys=' + m.b.storage.keys().length; }
// A CHF manufactured while hub/ is loaded, its storage kept, reopened by a firmware without hub/ (below: before loading).
const gsmeBefore = make('GSME', 3);
out['gsme before'] = gsmeBefore.r.ok ? 'made' : gsmeBefore.r.reason;
const { carryGsme } = await import('./device/index.ts');
carryGsme();
const stored = make('GSME', 3);
const ppmidBefore = make('PPMID', 4);
out['ppmid before'] = ppmidBefore.r.ok ? 'made' : ppmidBefore.r.reason + ' keys=' + ppmidBefore.b.storage.keys().length;
const { carryHanKinds } = await import('./device/index.ts');
carryHanKinds();
const ppmid = make('PPMID', 4);
out['ppmid'] = ppmid.r.ok ? 'made ' + ppmid.r.identity.kind + ' opens ' + openDevice(ppmid.b).identity().kind : 'refused';
await import('./hub/index.ts');
for (const kind of ['CHF', 'GPF']) {
  const m = make(kind, 5);
  const d = m.r.ok ? openDevice(m.b) : undefined;
  const t = d && d.useCases();
  out['after ' + kind] = (m.r.ok ? 'made ' + m.r.identity.kind : m.r.reason) + ' opens ' + (d ? d.identity().kind : 'no') +
    ' ccs07-own ' + (t ? t.handlerFor(MESSAGE_CODE_CCS07) !== ESME_USE_CASES.handlerFor(MESSAGE_CODE_CCS07) : false) +
    ' gcs59-own ' + (t ? t.handlerFor(MESSAGE_CODE_GCS59) !== ESME_USE_CASES.handlerFor(MESSAGE_CODE_GCS59) : false);
}
out.gsme = stored.r.ok ? 'made' : 'refused';
console.log(JSON.stringify(out));
`;

/** Makes a CHF with hub/ loaded in DIR (a node board's storage folder). */
const MAKE_CHF = (dir: string) => `
import { nodeBoard } from './boards/node/index.ts';
import { manufactureDevice } from './device/index.ts';
await import('./hub/index.ts');
const r = manufactureDevice(nodeBoard({ storageDir: ${JSON.stringify(dir)} }), { eui: new Uint8Array(8).fill(2), environment: 'test', kind: 'CHF', anchors: [] });
console.log(JSON.stringify({ made: String(r.ok) }));
`;

/** Opens DIR's device with or without hub/ loaded. */
const OPEN = (dir: string, hub: boolean) => `
import { nodeBoard } from './boards/node/index.ts';
import { openDevice } from './device/index.ts';
${hub ? "await import('./hub/index.ts');" : ''}
const d = openDevice(nodeBoard({ storageDir: ${JSON.stringify(dir)} }));
console.log(JSON.stringify({ opened: d ? d.identity().kind : 'no' }));
`;

function run(script: string): Record<string, string> {
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

test('a firmware without hub/ does not carry the CHF or GPF: refused at manufacture, nothing stored; with hub/ loaded each is made as its kind and opens with its own table', () => {
  const o = run(SCRIPT);
  assert.is(o['before CHF'], 'kind-not-carried keys=0');
  assert.is(o['before GPF'], 'kind-not-carried keys=0');
  assert.is(o['ppmid before'], 'kind-not-carried keys=0', 'the HAN kinds are not built in');
  assert.is(o.ppmid, 'made PPMID opens PPMID', 'carryHanKinds() registers them');
  assert.is(o['gsme before'], 'kind-not-carried', 'the GSME is registered by carryGsme() (device/gsme/index.ts)');
  assert.is(o.gsme, 'made');
  assert.is(o['after CHF'], 'made CHF opens CHF ccs07-own true gcs59-own false');
  assert.is(o['after GPF'], 'made GPF opens GPF ccs07-own false gcs59-own true');
});

test('a stored CHF opens only in a firmware that carries its kind (never with another kind\'s table)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smets-kinds-'));
  try {
    assert.is(run(MAKE_CHF(dir)).made, 'true');
    assert.is(run(OPEN(dir, false)).opened, 'no', 'without hub/: not opened');
    assert.is(run(OPEN(dir, true)).opened, 'CHF', 'with hub/: a CHF');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
