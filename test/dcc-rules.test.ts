/**
 * The DCC's rules (harness/dcc/rules), each with its allowed and its refused case and the reason:
 * test and live kept apart both ways (SEC H4; and the device's own refusal of test anchors when live),
 * the Supplier Nominated Agent's services, the inventory lifecycle and the CPL at enrolment, the device
 * status rule, and anomaly detection with a burst of disconnects on a simulated clock (SEC G3).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryMedium } from '../boards/journaledStorage.ts';
import { nodeBoard } from '../boards/node/index.ts';
import { nodeCrypto } from '../boards/node/nodeCrypto.ts';
import { fromHex } from '../lib/bytes.ts';
import { KEY_USAGE_KEY_CERT_SIGN } from '../gbcs/smki/certificate.ts';
import { LIVE_POLICY_OIDS } from '../gbcs/smki/certificatePolicies.ts';
import { manufactureDevice } from '../device/index.ts';
import { CertifiedProductsList } from '../harness/cpl/certifiedProductsList.ts';
import { issueParty, TEST_ENTITIES } from '../harness/dcc/users.ts';
import type { Party, User } from '../harness/dcc/users.ts';
import { AnomalyDetector, validateThresholds } from '../harness/dcc/rules/anomaly.ts';
import { validateRulesConfig } from '../harness/dcc/rules/config.ts';
import { environmentOf, environmentRule } from '../harness/dcc/rules/environment.ts';
import { firstRefusal, serviceOfFolder } from '../harness/dcc/rules/index.ts';
import type { RequestFacts } from '../harness/dcc/rules/index.ts';
import { inventoryRule, SmartMeteringInventory } from '../harness/dcc/rules/inventory.ts';
import { SNA_ROLE, snaRule } from '../harness/dcc/rules/sna.ts';
import { createTestSmki } from '../harness/smki/testSmki.ts';
import { generateP256, keyIdentifier, publicPoint, signDer, spkiDer } from '../harness/smki/keys.ts';
import { assembleCertificate, organisationTbs, randomSerial } from '../harness/smki/profiles.ts';
import { captureCli } from './helpers/captureCli.ts';

const crypto = nodeCrypto();
const smki = createTestSmki({ dir: mkdtempSync(join(tmpdir(), 'dcc-rules-')), workers: 1 });
const supplier = issueParty(smki, crypto, TEST_ENTITIES.supplier);
const DEVICE = '00DB1234567890A0';

/** The Supplier's organisation certificates re-issued under a live certificate policy (as the live SMKI would). */
function liveParty(p: Party): Party {
  const ca = smki.issuingOca();
  const cert = (keyUsage: 'digitalSignature' | 'keyAgreement') => {
    const pair = generateP256();
    const tbs = organisationTbs({
      serial: randomSerial(), issuerName: ca.name, issuerKeyId: ca.keyId, spki: spkiDer(pair.publicKey), subjectKeyId: keyIdentifier(publicPoint(pair.publicKey)),
      role: p.roleCode, eui: p.eui, keyUsage, policy: LIVE_POLICY_OIDS[0]!, notBefore: new Date(), validityYears: 10,
    });
    return new Uint8Array(assembleCertificate(tbs, signDer(tbs, ca.key!)));
  };
  return { ...p, ds: { ...p.ds, certificate: cert('digitalSignature') }, ka: { ...p.ka, certificate: cert('keyAgreement') } };
}

function facts(user: User, request: string, service: string, over: Partial<RequestFacts> = {}): RequestFacts {
  return { user, party: user.party, request, service, critical: false, device: DEVICE, nowMs: 0, ...over };
}

const alice: User = { id: 'alice', name: 'Alice', party: supplier };

test('SEC H4, test mode: a test certificate is served, a live one refused', () => {
  const live: User = { id: 'lou', name: 'Lou', party: liveParty(supplier) };
  assert.is(environmentOf(supplier.ds.certificate), 'test');
  assert.is(environmentOf(live.party.ds.certificate), 'live');
  const rule = environmentRule('test');
  assert.is(rule.check(facts(alice, 'read-supply-status', '7.4')), undefined);
  assert.is(rule.check(facts(live, 'read-supply-status', '7.4')), "live-certificate-in-test: Test Supplier's DS key belongs to a live certificate");
});

test('SEC H4, live mode: a live certificate is served, a test one refused', () => {
  const live: User = { id: 'lou', name: 'Lou', party: liveParty(supplier) };
  const rule = environmentRule('live');
  assert.is(rule.check(facts(live, 'read-supply-status', '7.4')), undefined);
  assert.is(rule.check(facts(alice, 'read-supply-status', '7.4')), "test-certificate-in-live-operation: Test Supplier's DS key belongs to a test certificate");
  // The KA certificate is checked too: a live DS with a test KA is still refused.
  const mixed: User = { id: 'mix', name: 'Mix', party: { ...live.party, ka: supplier.ka } };
  assert.is(rule.check(facts(mixed, 'read-supply-status', '7.4')), "test-certificate-in-live-operation: Test Supplier's KA key belongs to a test certificate");
});

test('SEC H4 at the device: a device made for live operation refuses test trust anchors; a test one takes them', () => {
  const anchors = [{ cell: { role: 0, keyUsage: KEY_USAGE_KEY_CERT_SIGN, cellUsage: 0 }, certificate: new Uint8Array(smki.rootOca().der) }];
  const live = manufactureDevice(nodeBoard({ medium: memoryMedium(), log: () => undefined }), { eui: fromHex(DEVICE)!, environment: 'live', anchors });
  assert.is(live.ok, false);
  if (!live.ok) assert.equal([live.reason, live.cell], ['wrong-environment', '0.cs']);
  const test_ = manufactureDevice(nodeBoard({ medium: memoryMedium(), log: () => undefined }), { eui: fromHex(DEVICE)!, environment: 'test', anchors });
  assert.ok(test_.ok, JSON.stringify(test_));
});

test('SNA (Option 3): the listed services are allowed, the rest refused with the list; the list is data', () => {
  const sam: User = { id: 'sam', name: 'Sam (SNA)', party: supplier, userRole: SNA_ROLE };
  const rule = snaRule();
  for (const s of ['6.2', '6.13', '7.4', '8.2', '11.2', '12.1', '12.2']) assert.is(rule.check(facts(sam, 'x', s)), undefined, s);
  assert.is(rule.check(facts(sam, 'disable-supply', '7.2')), 'sna-service-not-permitted: 7.2 (disable-supply) is not one of 6.2, 6.13, 7.4, 8.2, 11.2, 12.1, 12.2');
  assert.is(rule.check(facts(sam, 'activate-firmware', '11.3')), 'sna-service-not-permitted: 11.3 (activate-firmware) is not one of 6.2, 6.13, 7.4, 8.2, 11.2, 12.1, 12.2');
  // A user without the SNA role is not limited by it.
  assert.is(rule.check(facts(alice, 'disable-supply', '7.2')), undefined);
  // Another list (the seed leaves it open).
  assert.is(snaRule(['7.2']).check(facts(sam, 'disable-supply', '7.2')), undefined);
  assert.is(snaRule(['7.2']).check(facts(sam, 'read-supply-status', '7.4')), 'sna-service-not-permitted: 7.4 (read-supply-status) is not one of 7.2');
  assert.is(serviceOfFolder('6.15.1_CS02bNOByNO'), '6.15.1');
});

test('inventory: only products on the CPL, certified, are enrolled; the lifecycle refuses other transitions', () => {
  let t = Date.UTC(2026, 0, 1);
  const cpl = new CertifiedProductsList(mkdtempSync(join(tmpdir(), 'dcc-rules-cpl-')), () => t);
  cpl.add({ model: '1234-0001', version: '00010000', firmwareId: '1234000100010000', imageHash: '00'.repeat(32), cpaExpiry: '2027-01-01T00:00:00Z' });
  cpl.add({ model: '1234-0001', version: '00020000', firmwareId: '1234000100020000', imageHash: '11'.repeat(32), cpaExpiry: '2026-02-01T00:00:00Z' });
  const inv = new SmartMeteringInventory(cpl, () => t);
  assert.equal(inv.enrol({ eui: '00DB000000000001', deviceType: 'ESME', model: '9999-0001', version: '00010000' }), { ok: false, reason: 'not-on-cpl: 9999-0001 00010000 is not on the Certified Products List' });
  t = Date.UTC(2026, 2, 1);
  cpl.expire(t);
  assert.equal(inv.enrol({ eui: '00DB000000000001', deviceType: 'ESME', model: '1234-0001', version: '00020000' }), { ok: false, reason: 'not-certified: 1234-0001 00020000 is expired on the CPL' });
  const e = inv.enrol({ eui: '00DB000000000001', deviceType: 'ESME', model: '1234-0001', version: '00010000' });
  assert.ok(e.ok);
  assert.is(inv.get('00db000000000001')!.status, 'pending');
  assert.equal(inv.setStatus('00DB000000000001', 'commissioned', 'skip'), { ok: false, reason: 'bad-transition: pending -> commissioned (allowed: installed-not-commissioned, withdrawn)' });
  for (const s of ['installed-not-commissioned', 'commissioned', 'suspended', 'commissioned', 'decommissioned'] as const) assert.ok(inv.setStatus('00DB000000000001', s, 'test').ok, s);
  assert.equal(inv.setStatus('00DB000000000001', 'commissioned', 'again'), { ok: false, reason: 'bad-transition: decommissioned -> commissioned (allowed: none)' });
  assert.equal(inv.get('00DB000000000001')!.history.map((h) => h.to), ['pending', 'installed-not-commissioned', 'commissioned', 'suspended', 'commissioned', 'decommissioned']);
  cpl.close();
});

test('device status at the DCC: commissioned takes all; each other status refuses what it does not allow', () => {
  const cpl = new CertifiedProductsList(mkdtempSync(join(tmpdir(), 'dcc-rules-cpl-')));
  cpl.add({ model: '1234-0001', version: '00010000', firmwareId: '1234000100010000', imageHash: '00'.repeat(32), cpaExpiry: '2099-01-01T00:00:00Z' });
  const inv = new SmartMeteringInventory(cpl);
  const rule = inventoryRule(inv);
  assert.is(rule.check(facts(alice, 'disable-supply', '7.2')), 'device-not-in-inventory: ' + DEVICE);
  inv.enrol({ eui: DEVICE, deviceType: 'ESME', model: '1234-0001', version: '00010000' });
  assert.is(rule.check(facts(alice, 'read-supply-status', '7.4')), 'device-status-pending: 7.4 needs commissioned');
  inv.setStatus(DEVICE, 'installed-not-commissioned', 'installed');
  assert.is(rule.check(facts(alice, 'read-firmware-version', '11.2')), undefined);
  assert.is(rule.check(facts(alice, 'disable-supply', '7.2')), 'device-status-installed-not-commissioned: 7.2 needs commissioned (or one of 6.21, 11.2, 7.4)');
  inv.setStatus(DEVICE, 'commissioned', 'handed over');
  assert.is(rule.check(facts(alice, 'disable-supply', '7.2')), undefined);
  inv.setStatus(DEVICE, 'suspended', 'CPL expiry');
  assert.is(rule.check(facts(alice, 'disable-supply', '7.2')), 'device-status-suspended: 7.2 needs commissioned (or one of 11.1, 11.3)');
  assert.is(rule.check(facts(alice, 'update-firmware', '11.1')), undefined);
  inv.setStatus(DEVICE, 'decommissioned', 'removed');
  assert.is(rule.check(facts(alice, 'read-supply-status', '7.4')), 'device-status-decommissioned: 7.4 needs commissioned');
  // The first refusal wins, in the order given.
  assert.is(firstRefusal({ checks: [snaRule(), rule] }, facts({ ...alice, userRole: SNA_ROLE }, 'disable-supply', '7.2')), 'sna-service-not-permitted: 7.2 (disable-supply) is not one of 6.2, 6.13, 7.4, 8.2, 11.2, 12.1, 12.2');
  cpl.close();
});

test('SEC G3: a burst of disconnects — over the threshold each is held, not signed; released or dropped by another user; every decision logged', () => {
  let now = Date.UTC(2026, 0, 15, 9);
  const d = new AnomalyDetector([{ request: 'disable-supply', user: '*', max: 3, periodSeconds: 3600 }], () => now);
  const bob: User = { id: 'bob', name: 'Bob', party: supplier };
  const out = [] as string[];
  for (let i = 0; i < 10; i++) {
    now += 1000;
    const c = d.consider({ user: alice, request: 'disable-supply', critical: true });
    out.push(c.ok ? 'signed' : c.holdId);
  }
  assert.equal(out, ['signed', 'signed', 'signed', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'H7']);
  assert.is(d.held().length, 7);
  assert.match((d.consider({ user: alice, request: 'disable-supply', critical: true }) as { reason: string }).reason, /^anomaly-threshold: alice disable-supply 4 in 3600 s, over 3; held as H8/);
  // Another user is under their own count; non-critical requests are never held.
  assert.ok(d.consider({ user: bob, request: 'disable-supply', critical: true }).ok);
  assert.ok(d.consider({ user: alice, request: 'read-supply-status', critical: false }).ok);
  // The second action: not by the requester; by another user it goes through, once.
  assert.equal(d.release('H1', 'alice'), { ok: false, reason: 'same-user: alice asked for H1; another user must release it' });
  assert.ok(d.release('H1', 'bob').ok);
  assert.equal(d.release('H1', 'bob'), { ok: false, reason: 'no-such-hold: H1 is not held (released, dropped or unknown)' });
  assert.ok(d.drop('H2', 'bob').ok);
  assert.equal(d.release('H2', 'bob'), { ok: false, reason: 'no-such-hold: H2 is not held (released, dropped or unknown)' });
  // An hour later the window has passed: signed again.
  now += 3600_000;
  assert.ok(d.consider({ user: alice, request: 'disable-supply', critical: true }).ok);
  const kinds = d.log.map((x) => x.kind);
  assert.equal(kinds.filter((k) => k === 'signed').length, 5);
  assert.equal(kinds.filter((k) => k === 'held').length, 8);
  assert.equal(kinds.filter((k) => k === 'released').length, 1);
  assert.equal(kinds.filter((k) => k === 'dropped').length, 1);
  assert.equal(kinds.filter((k) => k === 'release-refused').length, 3);
  assert.ok(d.log.every((x) => typeof x.atMs === 'number' && x.user && x.request));
});

test('rules files: every problem named', () => {
  assert.equal(validateThresholds({ thresholds: [{ request: 'disable-supply', user: '*', max: -1, periodSeconds: 0, colour: 1 }] }), {
    ok: false, errors: ['thresholds[0]: unknown field "colour"', 'thresholds[0].max: must be a whole number >= 0', 'thresholds[0].periodSeconds: must be a whole number > 0'],
  });
  assert.equal(validateRulesConfig({ mode: 'prod', snaServices: ['7.x'] }), {
    ok: false, errors: ['mode: must be "test" or "live", got "prod"', 'snaServices: must be an array of DUIS service references such as "7.4"'],
  });
  const ok = validateRulesConfig({ mode: 'live' });
  assert.ok(ok.ok && ok.config.snaServices.length === 7 && ok.config.mode === 'live');
});

test('the lab with scenarios/rules.json: device status, SNA, a held disconnect released by a second user, another dropped — all logged', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'dcc-rules-lab-')), 'run');
  const run = await captureCli(['lab', '--scenario', 'scenarios/rules.json', '--rules', 'scenarios/dcc-rules-burst.json', '--out', out]);
  // The same scenario with the default rules (three disconnects an hour) holds nothing: the holds come from the file.
  const relaxedRun = await captureCli(['lab', '--scenario', 'scenarios/rules.json', '--out', join(out, '..', 'relaxed'), '--quiet']);
  const code = run.code;
  const relaxed = relaxedRun.code;
  const text = run.out.concat(relaxedRun.out).join('\n'); // both runs' lines, as they were printed
  assert.is(code, 0, text);
  assert.match(text, /steps +19: 19 as expected/);
  const decisions = readFileSync(join(out, 'anomaly-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; user: string; by?: string });
  assert.equal(decisions.filter((d) => d.kind !== 'signed').map((d) => d.kind + (d.by ? ' by ' + d.by : '')), [
    'held', 'release-refused by alice', 'released by carol', 'held', 'dropped by carol', 'release-refused by carol',
  ]);
  assert.is(relaxed, 1);
  assert.match(text, /DIFFERS +8 disconnect-2: expected held-by-dcc, got accepted/);
});

test.after(async () => {
  await smki.close();
});

test.run();
