/**
 * The SMKI's rules: who may request which certificates (SEC L3) and how fast the SMKI answers (SEC L8,
 * on a simulated clock). Each rule shows the allowed and the refused case, with the reason.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestSmki } from '../harness/smki/testSmki.ts';
import { buildDeviceCsr, buildOrganisationCsr } from '../harness/smki/csr.ts';
import { generateP256 } from '../harness/smki/keys.ts';
import { deadline, ServiceLevelMonitor } from '../harness/smki/serviceLevels.ts';

const DCC = '90b3d51f30000002';
const SUPPLIER = '90b3d51f30010000';
const NETWORK_OPERATOR = '90b3d51f30020000';
const MANUFACTURER = 'f0f0f0f000000009';
const csr = (i: number) => buildDeviceCsr('00db1234' + i.toString(16).padStart(8, '0'), 'digitalSignature', generateP256().privateKey);

function smkiWithParties(clock = { now: () => Date.UTC(2026, 5, 1, 10) }) {
  const s = createTestSmki({ dir: mkdtempSync(join(tmpdir(), 'smki-rules-')), workers: 1, clock });
  assert.ok(s.registerSubscriber(DCC, 'dcc').ok);
  assert.ok(s.registerSubscriber(SUPPLIER, 'electricity-supplier').ok);
  assert.ok(s.registerSubscriber(NETWORK_OPERATOR, 'network-operator').ok);
  assert.ok(s.registerSubscriber(MANUFACTURER, 'manufacturer', ['ESME']).ok);
  return s;
}

test('SEC L3: CHF and GPF device certificates only to the DCC (not to a Supplier, not to a manufacturer)', async () => {
  const s = smkiWithParties();
  assert.ok(s.requestDeviceCertificate({ subscriber: DCC, deviceType: 'CHF', csr: csr(1) }).ok);
  assert.ok(s.requestDeviceCertificate({ subscriber: DCC, deviceType: 'GPF', csr: csr(2) }).ok);
  assert.equal(s.requestDeviceCertificate({ subscriber: SUPPLIER, deviceType: 'CHF', csr: csr(3) }), { ok: false, reason: 'device-type-reserved-for-dcc' });
  assert.equal(s.requestDeviceCertificate({ subscriber: MANUFACTURER, deviceType: 'GPF', csr: csr(4) }), { ok: false, reason: 'device-type-reserved-for-dcc' });
  assert.equal(s.registerSubscriber('f0f0f0f00000000a', 'manufacturer', ['CHF']), { ok: false, reason: 'device-type-not-eligible' });
  await s.close();
});

test('SEC L3: any SEC Party may request Smart Meter certificates before installation; after it, only the Supplier', async () => {
  const s = smkiWithParties();
  // A Network Operator had no device certificates at all before; now Smart Meters before installation.
  assert.ok(s.requestDeviceCertificate({ subscriber: NETWORK_OPERATOR, deviceType: 'ESME', csr: csr(5) }).ok);
  assert.ok(s.requestDeviceCertificate({ subscriber: DCC, deviceType: 'GSME', csr: csr(6) }).ok);
  assert.equal(s.requestDeviceCertificate({ subscriber: NETWORK_OPERATOR, deviceType: 'ESME', csr: csr(7), installed: true }), { ok: false, reason: 'installed-smart-meter-supplier-only' });
  assert.ok(s.requestDeviceCertificate({ subscriber: SUPPLIER, deviceType: 'ESME', csr: csr(8), installed: true }).ok);
  // Not a Smart Meter: a Network Operator still gets no PPMID certificate.
  assert.equal(s.requestDeviceCertificate({ subscriber: NETWORK_OPERATOR, deviceType: 'PPMID', csr: csr(9) }), { ok: false, reason: 'subscriber-not-eligible-for-device-type' });
  // A manufacturer is no SEC Party: its declared types only.
  assert.ok(s.requestDeviceCertificate({ subscriber: MANUFACTURER, deviceType: 'ESME', csr: csr(10) }).ok);
  assert.equal(s.requestDeviceCertificate({ subscriber: MANUFACTURER, deviceType: 'GSME', csr: csr(11) }), { ok: false, reason: 'subscriber-not-eligible-for-device-type' });
  // Batches apply the same rule per item.
  const b = await s.requestDeviceBatch({ subscriber: NETWORK_OPERATOR, items: [{ deviceType: 'ESME', csr: csr(12) }, { deviceType: 'ESME', csr: csr(13), installed: true }, { deviceType: 'CHF', csr: csr(14) }] });
  assert.ok(b.ok);
  if (b.ok) assert.equal(b.results.map((r) => (r.ok ? 'ok' : r.reason)), ['ok', 'installed-smart-meter-supplier-only', 'device-type-reserved-for-dcc']);
  await s.close();
});

test('SEC L3: organisation certificates to SEC Parties for their own roles; none to a manufacturer', async () => {
  const s = smkiWithParties();
  const k = generateP256().privateKey;
  assert.ok(s.requestOrganisationCertificate(NETWORK_OPERATOR, buildOrganisationCsr({ role: '03', eui: NETWORK_OPERATOR, keyUsage: 'digitalSignature' }, k)).ok);
  assert.equal(s.requestOrganisationCertificate(NETWORK_OPERATOR, buildOrganisationCsr({ role: '02', eui: NETWORK_OPERATOR, keyUsage: 'digitalSignature' }, k)), { ok: false, reason: 'subscriber-not-eligible-for-role' });
  assert.equal(s.requestOrganisationCertificate(MANUFACTURER, buildOrganisationCsr({ role: '7F', eui: MANUFACTURER, keyUsage: 'digitalSignature' }, k)), { ok: false, reason: 'subscriber-not-eligible-for-role' });
  await s.close();
});

const at = (iso: string) => Date.parse(iso);

test('SEC L8 deadlines: single 30 s; batch 07:00-19:00 GB time -> 07:00 next day (BST and GMT), otherwise 24 h', () => {
  assert.is(deadline('single', at('2026-06-01T10:00:00Z')), at('2026-06-01T10:00:30Z'));
  // 10:00 BST (09:00Z) in June: due 07:00 BST next day = 06:00Z.
  assert.is(deadline('batch', at('2026-06-01T09:00:00Z')), at('2026-06-02T06:00:00Z'));
  // 10:00 GMT in January: due 07:00Z next day.
  assert.is(deadline('batch', at('2026-01-15T10:00:00Z')), at('2026-01-16T07:00:00Z'));
  // 18:59 GMT is inside the window, 19:00 is not (24 h), nor is 06:59.
  assert.is(deadline('batch', at('2026-01-15T18:59:00Z')), at('2026-01-16T07:00:00Z'));
  assert.is(deadline('batch', at('2026-01-15T19:00:00Z')), at('2026-01-16T19:00:00Z'));
  assert.is(deadline('batch', at('2026-01-15T06:59:00Z')), at('2026-01-16T06:59:00Z'));
  // Across the spring change (29 March 2026): received 12:00 GMT on the 28th, due 07:00 BST = 06:00Z.
  assert.is(deadline('batch', at('2026-03-28T12:00:00Z')), at('2026-03-29T06:00:00Z'));
});

test('SEC L8 breaches: met and missed, single and batch, reported with the lateness', () => {
  const m = new ServiceLevelMonitor();
  const seen: string[] = [];
  m.onBreach((r) => seen.push(r.what));
  assert.is(m.record('single', 'device ESME', at('2026-01-15T10:00:00Z'), at('2026-01-15T10:00:30Z')).breached, false);
  assert.is(m.record('single', 'device GSME', at('2026-01-15T10:00:00Z'), at('2026-01-15T10:00:31Z')).breached, true);
  assert.is(m.record('batch', 'batch of 40000', at('2026-01-15T10:00:00Z'), at('2026-01-16T06:59:59Z')).breached, false);
  assert.is(m.record('batch', 'batch of 49999', at('2026-01-15T10:00:00Z'), at('2026-01-16T07:00:01Z')).breached, true);
  assert.is(m.record('batch', 'batch of 2', at('2026-01-15T20:00:00Z'), at('2026-01-16T19:59:00Z')).breached, false);
  assert.equal(seen, ['device GSME', 'batch of 49999']);
  assert.match(m.report(), /BREACH SEC L8 single device GSME: .* \(1 s late\)/);
  assert.match(m.report(), /SEC L8: 5 request\(s\), 2 breach\(es\)/);
});

test('SEC L8 at the SMKI: requests are timed on its clock; a slow batch is reported as a breach', async () => {
  const clock = { t: at('2026-01-15T18:00:00Z'), now: () => clock.t };
  const s = smkiWithParties(clock);
  assert.ok(s.requestDeviceCertificate({ subscriber: SUPPLIER, deviceType: 'ESME', csr: csr(20) }).ok);
  // The simulated clock runs 14 hours while the batch is worked: past 07:00 the next morning.
  const b = await s.requestDeviceBatch({ subscriber: SUPPLIER, items: [{ deviceType: 'ESME', csr: csr(21) }, { deviceType: 'ESME', csr: csr(22) }], onProgress: (done, total) => { if (done === total) clock.t += 14 * 3600_000; } });
  assert.ok(b.ok);
  const rs = s.serviceLevels.records;
  assert.equal(rs.map((r) => [r.kind, r.breached]), [['single', false], ['batch', true]]);
  assert.is(rs[1]!.deadlineMs, at('2026-01-16T07:00:00Z'));
  assert.match(s.serviceLevels.report(), /BREACH SEC L8 batch batch of 2/);
  await s.close();
});

test.run();
