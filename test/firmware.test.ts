/**
 * Firmware updates on the harness side: the Certified Products List (add/change/remove/expire with
 * notifications, export), the Deployed Products List and suspension on expiry (seed ¶287-292), the
 * manufacturer's package and the Supplier's check with each refusal's reason (¶295-296).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestSmki } from '../harness/smki/testSmki.ts';
import { nodeCrypto } from '../boards/node/nodeCrypto.ts';
import { CertifiedProductsList } from '../harness/cpl/certifiedProductsList.ts';
import type { CplEvent } from '../harness/cpl/certifiedProductsList.ts';
import { Inventory, deployedProductsList } from '../harness/cpl/deployedProductsList.ts';
import { SuspensionRegister } from '../harness/dcc/suspension.ts';
import { buildPackage, MANUFACTURER_EUI, sampleBody } from '../harness/firmwarePackage/firmwarePackage.ts';
import { checkPackage } from '../harness/firmwarePackage/supplierCheck.ts';
import { scalarOfPem } from '../harness/dcc/users.ts';

const crypto = nodeCrypto();
const H = (c: string) => c.repeat(64);

test('CPL: add, change, remove with notifications; refusals are values; export', () => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const cpl = new CertifiedProductsList(mkdtempSync(join(tmpdir(), 'cpl-')), () => now);
  const seen: CplEvent[] = [];
  cpl.onEvent((e) => seen.push(e));
  assert.ok(cpl.add({ model: '1234-0001', version: '00020000', firmwareId: '1234000100020000', imageHash: H('a'), cpaExpiry: '2027-01-01T00:00:00Z' }).ok);
  const dup = cpl.add({ model: '1234-0001', version: '00020000', firmwareId: '1234000100020000', imageHash: H('a'), cpaExpiry: '2027-01-01T00:00:00Z' });
  assert.equal(dup.ok ? '' : dup.reason.split(':')[0], 'already-listed');
  const bad = cpl.add({ model: 'x', version: '1', firmwareId: '2', imageHash: '3', cpaExpiry: 'never' });
  assert.equal(bad.ok ? '' : bad.reason.split(':')[0], 'bad-entry');
  assert.ok(cpl.change('1234-0001', '00020000', { imageHash: H('b') }).ok);
  assert.equal(cpl.byHash(H('b'))?.version, '00020000');
  assert.equal(cpl.byHash(H('a')), undefined);
  now = Date.parse('2027-06-01T00:00:00Z');
  assert.equal(cpl.expire().length, 1);
  assert.equal(cpl.get('1234-0001', '00020000')?.status, 'expired');
  assert.ok(cpl.change('1234-0001', '00020000', { cpaExpiry: '2030-01-01T00:00:00Z' }).ok, 'a renewed CPA certificate');
  assert.equal(cpl.get('1234-0001', '00020000')?.status, 'certified');
  assert.ok(cpl.remove('1234-0001', '00020000').ok);
  const again = cpl.remove('1234-0001', '00020000');
  assert.equal(again.ok ? '' : again.reason.split(':')[0], 'not-listed');
  assert.equal(seen.map((e) => e.kind).join(','), 'add,change,expire,change,remove');
  assert.match(cpl.export('csv'), /^model,version,firmware_id,image_hash,cpa_expiry,status\n1234-0001,00020000,1234000100020000,b{64},2030-01-01T00:00:00.000Z,removed\n$/);
  assert.equal(JSON.parse(cpl.export('json')).events.length, 5);
  cpl.close();
});

test('DPL and suspension: an expired entry suspends its devices and their associates, withdraws future-dated requests, notifies', () => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const cpl = new CertifiedProductsList(mkdtempSync(join(tmpdir(), 'cpl-')), () => now);
  cpl.add({ model: '1234-0001', version: '00020000', firmwareId: '1234000100020000', imageHash: H('a'), cpaExpiry: '2026-06-01T00:00:00Z' });
  cpl.add({ model: 'abcd-0001', version: '00010000', firmwareId: 'abcd000100010000', imageHash: H('c'), cpaExpiry: '2030-06-01T00:00:00Z' });
  const inv = new Inventory();
  inv.add({ eui: '00DB1234567890A0', deviceType: 'ESME', model: '1234-0001', version: '00020000', associated: ['00DB1234567890A1'] });
  inv.add({ eui: '00DB1234567890A1', deviceType: 'CHF', model: 'abcd-0001', version: '00010000', associated: ['00DB1234567890A0', '00DB1234567890A2'] });
  inv.add({ eui: '00DB1234567890A2', deviceType: 'GSME', model: 'beef-0001', version: '00010000', associated: ['00DB1234567890A1'] });
  inv.add({ eui: '00DB000000000099', deviceType: 'ESME', model: '1234-0001', version: '00030000', associated: [] });
  assert.equal(deployedProductsList(inv, cpl).map((d) => d.cplStatus).join(','), 'certified,certified,not-listed,not-listed');
  const reg = new SuspensionRegister(cpl, inv, ['supplier', 'network operator']);
  reg.schedule({ eui: '00DB1234567890A0', request: 'activate-firmware', counter: '00000000000003e9', executeAt: '20261115090000Z' });
  reg.schedule({ eui: '00DB1234567890A0', request: 'activate-firmware', counter: '00000000000003ea', executeAt: '20260301090000Z' });
  assert.equal(reg.checkExpiry(now).length, 0, 'nothing expired yet');
  now = Date.parse('2026-07-01T00:00:00Z');
  assert.equal(reg.checkExpiry(now).join(','), '00DB1234567890A0,00DB1234567890A1');
  assert.match(reg.reason('00db1234567890a0') ?? '', /^CPA certificate of 1234-0001 version 00020000 expired/);
  assert.equal(reg.reason('00DB1234567890A2'), undefined, 'the GSME is associated with the hub, not with the ESME');
  assert.equal(reg.reason('00DB000000000099'), undefined, 'another version of the model');
  assert.equal(reg.futureDated.map((f) => f.status).join(','), 'withdrawn,scheduled', 'only requests still in the future are withdrawn');
  assert.equal(reg.notifications.map((n) => n.to).join(','), 'supplier,network operator');
  cpl.close();
});

test('package and Supplier check: good; tampered, foreign signer, wrong certificate, not on the CPL each refused with its reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-'));
  const smki = createTestSmki({ dir: join(dir, 'smki'), workers: 1 });
  try {
    const mfr = smki.issueOrganisationCredentials({ role: '7F', eui: MANUFACTURER_EUI, keyUsage: 'digitalSignature', commonName: 'MFR' });
    const supplier = smki.issueOrganisationCredentials({ role: '02', eui: '90B3D51F30010000', keyUsage: 'digitalSignature', commonName: 'SUP' });
    const ca = smki.issuingOca().pem;
    const key = scalarOfPem(mfr.privateKeyPem);
    const spec = { manufacturerCode: 0x1234, imageType: 1, fileVersion: 0x00020000, model: 'TEST', body: sampleBody(10000, 1) };
    const pkg = buildPackage(crypto, key, spec);
    const cpl = new CertifiedProductsList(dir);
    cpl.add({ model: pkg.model, version: pkg.version, firmwareId: pkg.firmwareId, imageHash: pkg.imageHash, cpaExpiry: '2099-01-01T00:00:00Z' });
    const good = checkPackage(crypto, pkg.bytes, mfr.certificate.pem, ca, cpl);
    assert.ok(good.ok, JSON.stringify(good));
    assert.equal(good.ok && good.imageHash, pkg.imageHash);
    const reason = (v: ReturnType<typeof checkPackage>) => (v.ok ? 'ok' : v.reason.split(':')[0]);
    const tampered = new Uint8Array(pkg.bytes);
    tampered[3000] ^= 1;
    assert.equal(reason(checkPackage(crypto, tampered, mfr.certificate.pem, ca)), 'bad-manufacturer-signature');
    assert.equal(reason(checkPackage(crypto, buildPackage(crypto, new Uint8Array(32).fill(9), spec).bytes, mfr.certificate.pem, ca)), 'bad-manufacturer-signature');
    assert.equal(reason(checkPackage(crypto, pkg.bytes, supplier.certificate.pem, ca)), 'not-a-manufacturer-certificate');
    assert.equal(reason(checkPackage(crypto, pkg.bytes, mfr.certificate.pem, smki.rootDca().pem)), 'untrusted-manufacturer-certificate');
    assert.equal(reason(checkPackage(crypto, pkg.bytes.subarray(0, 100), mfr.certificate.pem, ca)), 'malformed-package');
    const v3 = buildPackage(crypto, key, { ...spec, fileVersion: 0x00030000 });
    assert.equal(reason(checkPackage(crypto, v3.bytes, mfr.certificate.pem, ca, cpl)), 'not-on-cpl');
    cpl.change(pkg.model, pkg.version, { imageHash: '0'.repeat(64) });
    assert.equal(reason(checkPackage(crypto, pkg.bytes, mfr.certificate.pem, ca, cpl)), 'hash-not-on-cpl');
    cpl.close();
  } finally {
    await smki.close();
  }
});

test.run();
