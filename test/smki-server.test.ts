/**
 * The repository over HTTP (harness/smki/server.ts, API in harness/smki/README.md): loopback by
 * default; look-ups by serial, EUI, role, key usage, issuer; CA certificates; CRL/ARLs; documents;
 * device requests through the SMKI's own rules; no other writes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestSmki } from '../harness/smki/testSmki.ts';
import { startServer } from '../harness/smki/server.ts';
import { buildDeviceCsr } from '../harness/smki/csr.ts';
import { generateP256 } from '../harness/smki/keys.ts';
import { readCertificate } from '../harness/smki/certificate.ts';

const smki = createTestSmki({ dir: mkdtempSync(join(tmpdir(), 'smki-srv-')), workers: 1 });
smki.registerSubscriber('90b3d51f30010000', 'electricity-supplier');
const org = smki.issueOrganisationCredentials({ role: '02', eui: '90B3D51F30010000', keyUsage: 'keyAgreement' });
smki.lodgeDocument('OrganisationCertificatePolicy.txt', Buffer.from('test SMKI organisation CP'), 'text/plain');
const server = await startServer(smki, { port: 0 });
const base = `http://127.0.0.1:${server.port}`;
const get = (p: string) => fetch(base + p);

test('binds to loopback by default', () => {
  assert.is(server.host, '127.0.0.1');
});

test('look-ups by serial, EUI, role, key usage and issuer', async () => {
  const bySerial = await (await get(`/v1/certificates/${org.certificate.serial}`)).json() as { eui: string; role: string; pem: string };
  assert.is(bySerial.eui, '90b3d51f30010000');
  assert.is(bySerial.role, '02');
  assert.is(bySerial.pem, org.certificate.pem);
  const der = Buffer.from(await (await get(`/v1/certificates/${org.certificate.serial}.der`)).arrayBuffer());
  assert.ok(Buffer.compare(der, org.certificate.der) === 0);
  for (const q of ['eui=90B3D51F30010000', 'role=02', 'keyUsage=keyAgreement', `issuer=${smki.issuingOca().serial}`]) {
    const rows = await (await get(`/v1/certificates?${q}`)).json() as { serial: string }[];
    assert.ok(rows.some((r) => r.serial === org.certificate.serial), q);
  }
  assert.equal(await (await get('/v1/certificates?role=04')).json(), []);
  assert.is((await get('/v1/certificates/abcdef')).status, 404);
  assert.is((await get('/v1/certificates?kind=nonsense')).status, 400);
});

test('CA certificates, CRL and ARLs, documents', async () => {
  assert.is(await (await get('/v1/ca/root-dca')).text(), smki.rootDca().pem);
  const cas = await (await get('/v1/ca')).json() as { kind: string }[];
  assert.equal(cas.map((c) => c.kind).sort(), ['issuing-dca', 'issuing-oca', 'root-dca', 'root-oca']);
  for (const p of ['/v1/crl', '/v1/arl/oca', '/v1/arl/dca']) {
    const r = await get(p);
    assert.is(r.headers.get('content-type'), 'application/pkix-crl', p);
    assert.is(Buffer.from(await r.arrayBuffer())[0], 0x30, p);
  }
  assert.equal((await (await get('/v1/documents')).json() as { name: string }[]).map((d) => d.name), ['OrganisationCertificatePolicy.txt']);
  assert.is(await (await get('/v1/documents/OrganisationCertificatePolicy.txt')).text(), 'test SMKI organisation CP');
});

test('device requests go through the SMKI rules; nothing else writes', async () => {
  const csr = buildDeviceCsr('00db123456789abc', 'digitalSignature', generateP256().privateKey).toString('base64');
  const ok = await fetch(base + '/v1/device-certificates', { method: 'POST', body: JSON.stringify({ subscriber: '90b3d51f30010000', deviceType: 'ESME', csr }) });
  assert.is(ok.status, 200);
  const body = await ok.json() as { ok: boolean; serial: string; pem: string };
  assert.ok(body.ok);
  assert.is(readCertificate(Buffer.from(body.pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'))!.serial, body.serial);
  // SEC L3: CHF certificates only to the DCC; an installed gas meter's only to its (gas) Supplier.
  const refused = await fetch(base + '/v1/device-certificates', { method: 'POST', body: JSON.stringify({ subscriber: '90b3d51f30010000', deviceType: 'CHF', csr }) });
  assert.is(refused.status, 422);
  assert.equal(await refused.json(), { ok: false, reason: 'device-type-reserved-for-dcc' });
  const installed = await fetch(base + '/v1/device-certificates', { method: 'POST', body: JSON.stringify({ subscriber: '90b3d51f30010000', deviceType: 'GSME', installed: true, csr }) });
  assert.is(installed.status, 422);
  assert.equal(await installed.json(), { ok: false, reason: 'installed-smart-meter-supplier-only' });
  const batch = await fetch(base + '/v1/device-certificates', { method: 'POST', body: JSON.stringify({ subscriber: '90b3d51f30010000', items: [{ deviceType: 'ESME', csr }, { deviceType: 'ESME', csr: 'MAA=' }] }) });
  const b = await batch.json() as { results: { ok: boolean; reason?: string }[] };
  assert.is(b.results[0]!.ok, true);
  assert.equal(b.results[1], { ok: false, reason: 'malformed' });
  for (const m of ['PUT', 'DELETE', 'PATCH']) assert.is((await fetch(base + `/v1/certificates/${org.certificate.serial}`, { method: m })).status, 405, m);
  assert.is((await fetch(base + '/v1/documents/x', { method: 'POST', body: 'x' })).status, 405);
});

test.after(async () => { await server.close(); await smki.close(); });
test.run();
