/**
 * `smets dcc serve --hsm`: the DUIS service with every key of the lab (the DCC's response-signing key,
 * i.e. the ACB's DS key, the ACB's KA key, the Supplier's and every other party's) generated and used in
 * a PKCS#11 token (SoftHSM2 in a temp folder of its own, as test/hsm.test.ts). The DCC's signed DUIS
 * responses are made with the token key (xmldsigjs canonicalises, the token signs: signature.ts) and
 * verify with our verifier and with xmlsec1; the token refuses to export that key. Needs softhsm2 and
 * xmlsec1 (.ci/run installs both); without them these tests fail, they do not skip.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuisGateway } from '../harness/duis/gateway.ts';
import { PartyDirectory } from '../harness/duis/parties.ts';
import { DuisSchema } from '../harness/duis/schema.ts';
import { labPremises } from '../harness/duis/premises.ts';
import { serveDuis } from '../harness/duis/server.ts';
import { signDuis, verifyDuis } from '../harness/duis/signature.ts';
import { parseXml, SR_NS } from '../harness/duis/xml.ts';
import { openHsm } from '../harness/hsm/index.ts';
import { tryExportPrivate } from '../harness/hsm/pkcs11Keys.ts';
import { TEST_ENTITIES } from '../harness/dcc/users.ts';
import { decodeMessage } from '../gbcs/message.ts';
import { signPrecommand } from '../gbcs/protection/protection.ts';
import { nodeCrypto } from '../boards/node/nodeCrypto.ts';
import { main } from '../harness/cli/main.ts';

const T = new URL('../../shared/vectors/duis/templates/', import.meta.url).pathname;
const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const ACB_DS = TEST_ENTITIES.acb.eui.toLowerCase() + '-ds';

function xmlsec1Verifies(xml: string, certPem: string): { ok: boolean; out: string } {
  const dir = tmp('duis-hsm-xmlsec1-');
  writeFileSync(join(dir, 'cert.pem'), certPem);
  writeFileSync(join(dir, 'doc.xml'), xml);
  try {
    execFileSync('xmlsec1', ['--verify', '--pubkey-cert-pem', join(dir, 'cert.pem'), join(dir, 'doc.xml')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { ok: true, out: '' };
  } catch (e) {
    const err = e as { stderr?: string; code?: string };
    if (err.code === 'ENOENT') throw new Error('xmlsec1 is not installed (Debian package xmlsec1; .ci/run installs it)');
    return { ok: false, out: String(err.stderr ?? '') };
  }
}

test('DUIS service with the keys in a token: signed requests in, token-signed responses out (ours and xmlsec1 verify), the key refused for export', async () => {
  const token = 'duis-serve';
  const opened = openHsm({ dir: tmp('duis-hsm-token-'), token });
  assert.ok(opened.ok, opened.ok ? '' : opened.reason);
  if (!opened.ok) return;
  const keys = opened.provider;
  const lab = await labPremises(tmp('duis-hsm-'), undefined, keys);
  const pushed: string[] = [];
  const receiver = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => { pushed.push(Buffer.concat(parts).toString('utf8')); res.writeHead(200); res.end(); });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const supplier = lab.parties.supplier;
  const acb = lab.parties.acb;
  const gateway = new DuisGateway({ schema: new DuisSchema(), parties: lab.directory, inventory: { [lab.deviceEui]: 'ESME' } });
  const server = await serveDuis({
    gateway, inventory: { [lab.deviceEui]: 'ESME' }, premises: lab.premises, dcc: lab.dccSigner,
    pushUrls: { [supplier.eui]: 'http://127.0.0.1:' + (receiver.address() as AddressInfo).port + '/duis' },
  }, 0);
  try {
    // No party's private key is in this process: the credentials carry handles, the token the keys.
    for (const p of Object.values(lab.parties)) assert.ok(p.ds.privateKeyPem === undefined && p.ka.privateKeyPem === undefined, p.name + ' has a software key');
    assert.type(lab.dccSigner.key, 'function', 'the DCC signs through the token');
    const listed = keys.list();
    assert.is(listed.length, Object.keys(TEST_ENTITIES).length * 2);
    assert.ok(listed.every((k) => k.sensitive && !k.extractable));
    // The Supplier's system signs its DUIS requests with its token key too.
    const routed = keys.crypto(nodeCrypto());
    const asSupplier = (xml: string) => signDuis(xml, (m) => routed.p256Sign(supplier.ds.privateKey, m), supplier.ds.certificatePem);
    const byDcc = (n: { issuerName: string; serialNumber: string }) => (lab.directory.byName(n)?.eui === acb.eui ? lab.directory.byName(n)!.certificate : undefined);
    const checked = async (xml: string, what: string) => {
      const p = parseXml(xml);
      assert.ok(p.ok, what + ' is XML');
      if (p.ok) {
        const v = await verifyDuis(p.doc, byDcc);
        assert.ok(v.ok, what + ': ' + (v.ok ? '' : v.reason + ' ' + v.detail));
      }
      const x = xmlsec1Verifies(xml, acb.ds.certificatePem);
      assert.ok(x.ok, what + ': xmlsec1 refused the token-signed response: ' + x.out);
      const altered = xmlsec1Verifies(xml.replace(/<sr:ResponseDateTime>(\d)/, (_m, d) => '<sr:ResponseDateTime>' + ((Number(d) + 1) % 10)), acb.ds.certificatePem);
      assert.not.ok(altered.ok, what + ': xmlsec1 must refuse it altered');
    };
    // ECS52 (non-critical): I99 now, the device's response pushed as I0; both signed by the DCC in the token.
    const ecs52 = await asSupplier(readFileSync(T + 'ECS52_11.2_SUCCESS_REQUEST_DUIS.XML', 'utf8'));
    const r = await fetch(server.url + '/api/v1/serviceS', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: ecs52 });
    const ack = await r.text();
    assert.is(r.status, 200, ack);
    assert.match(ack, /<sr:ResponseCode>I99</);
    await checked(ack, 'the acknowledgement');
    await server.settled();
    assert.is(pushed.length, 1, 'the response was pushed');
    assert.match(pushed[0], /<sr:ResponseCode>I0</);
    await checked(pushed[0], 'the pushed response');
    const p = parseXml(pushed[0]);
    const payload = p.ok ? new Uint8Array(Buffer.from(p.doc.getElementsByTagNameNS(SR_NS, 'GBCSPayload')[0]?.textContent ?? '', 'base64')) : new Uint8Array();
    const resp = decodeMessage(payload);
    assert.ok(resp.ok && resp.gs.messageCode === 0x0059, 'the device answered ECS52 (its response checked with the ACB KA key in the token)');
    // ECS42 (critical): transform, the pre-command signed with the Supplier's token key, sent, answered.
    const ecs42 = readFileSync(T + 'ECS42_7.1_SUCCESS_REQUEST_DUIS.XML', 'utf8');
    const t = await fetch(server.url + '/api/v1/serviceT', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: await asSupplier(ecs42.replace(':1000<', ':1001<')) });
    const tx = await t.text();
    assert.match(tx, /<sr:ResponseCode>I0</);
    await checked(tx, 'the serviceT answer');
    const tp = parseXml(tx);
    const pre = tp.ok ? new Uint8Array(Buffer.from(tp.doc.getElementsByTagNameNS(SR_NS, 'GBCSPayload')[0].textContent ?? '', 'base64')) : new Uint8Array();
    const completed = signPrecommand(routed, supplier.ds.privateKey, pre);
    const spc = ecs42.replace(':1000<', ':1002<')
      .replace(/<sr:EnableSupply\/>|<sr:EnableSupply>[\s\S]*?<\/sr:EnableSupply>/, '<sr:SignedPreCommand><sr:GBCSPayload>' + Buffer.from(completed).toString('base64') + '</sr:GBCSPayload></sr:SignedPreCommand>');
    const s = await fetch(server.url + '/api/v1/serviceS', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: await asSupplier(spc) });
    assert.match(await s.text(), /<sr:ResponseCode>I99</);
    await server.settled();
    assert.is(pushed.length, 2);
    await checked(pushed[1], 'the pushed ECS42 response');
    // The DCC's signing key stays in the token: exporting it is refused.
    assert.equal(tryExportPrivate({ token, pin: '1234' }, ACB_DS), { exported: false, reason: 'CKR_ATTRIBUTE_SENSITIVE' });
  } finally {
    await server.close();
    await new Promise((res) => receiver.close(() => res(undefined)));
    await lab.close();
    keys.close();
  }
});

/** Runs `smets dcc serve ...` in this process until `until` has seen its output; then SIGINT stops it. */
async function serveCli(args: string[], until: (lines: string[]) => Promise<void>): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { log: console.log, error: console.error };
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  console.error = (...a: unknown[]) => err.push(a.join(' '));
  try {
    const running = main(['dcc', 'serve', ...args]);
    let done: number | undefined;
    void running.then((c) => { done = c; });
    for (let i = 0; i < 600 && done === undefined && !out.some((l) => /^DCC DUIS service on /.test(l)); i++) await new Promise((r) => setTimeout(r, 50));
    if (done === undefined) {
      try {
        await until(out);
      } finally {
        process.emit('SIGINT');
      }
    }
    return { code: await running, out, err };
  } finally {
    console.log = saved.log;
    console.error = saved.error;
  }
}

test('smets dcc serve --hsm: the token made in OUT/hsm signs the responses; certificates but no keys in OUT/keystore', async () => {
  const out = join(tmp('duis-hsm-cli-'), 'run');
  let checkedResponse = false;
  const run = await serveCli(['--hsm', '--port', '0', '--out', out], async (lines) => {
    const url = /^DCC DUIS service on (http:\/\/127\.0\.0\.1:\d+)/.exec(lines.find((l) => /^DCC DUIS service on /.test(l))!)![1];
    // An unsigned request: refused (E41), and the refusal is itself a DUIS response signed by the DCC.
    const unsigned = readFileSync(T + 'ECS52_11.2_SUCCESS_REQUEST_DUIS.XML', 'utf8').replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '');
    const r = await fetch(url + '/api/v1/serviceS', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: unsigned });
    const xml = await r.text();
    assert.is(r.status, 400);
    assert.match(xml, /<sr:ResponseCode>E41</);
    const ks = join(out, 'keystore');
    const files = readdirSync(ks);
    assert.ok(files.includes(ACB_DS + '.pem'), 'the DCC\'s certificate is published');
    assert.not.ok(files.some((f) => /\.key$/.test(f)), 'no private key outside the token: ' + files.join(' '));
    const directory = PartyDirectory.fromKeystore(ks);
    const p = parseXml(xml);
    assert.ok(p.ok);
    if (p.ok) {
      const v = await verifyDuis(p.doc, (n) => directory.byName(n)?.certificate);
      assert.ok(v.ok && v.signer && directory.byName(v.signer)?.eui === TEST_ENTITIES.acb.eui.toUpperCase(), 'signed by the DCC (ACB): ' + (v.ok ? '' : v.reason + ' ' + v.detail));
    }
    const x = xmlsec1Verifies(xml, readFileSync(join(ks, ACB_DS + '.pem'), 'utf8'));
    assert.ok(x.ok, 'xmlsec1: ' + x.out);
    // The token in OUT/hsm refuses to give the DCC's key (the service holds its session meanwhile).
    assert.equal(tryExportPrivate({ token: 'smets', pin: '1234' }, ACB_DS), { exported: false, reason: 'CKR_ATTRIBUTE_SENSITIVE' });
    checkedResponse = true;
  });
  assert.is(run.code, 0, run.out.join('\n') + '\n' + run.err.join('\n'));
  assert.ok(checkedResponse, 'the service started: ' + run.out.join('\n') + run.err.join('\n'));
  assert.match(run.out.join('\n'), /HSM pkcs11 smets .*new token.*generated and used there/);
  assert.ok(existsSync(join(out, 'hsm', 'softhsm2.conf')));
  // Stopped, the token keeps the keys: sensitive, not extractable.
  const again = openHsm({ dir: join(out, 'hsm') });
  assert.ok(again.ok && !again.created);
  if (!again.ok) return;
  const listed = again.provider.list();
  again.provider.close();
  assert.is(listed.length, Object.keys(TEST_ENTITIES).length * 2);
  assert.ok(listed.every((k) => k.sensitive && !k.extractable));
});

test('smets dcc serve: --hsm with --keys, or a missing PKCS#11 module, is a usage error (exit 2)', async () => {
  const both = await serveCli(['--hsm', '--keys', '/nonexistent'], async () => undefined);
  assert.is(both.code, 2);
  assert.match(both.err.join('\n'), /one or the other/);
  const missingModule = await serveCli(['--hsm-module', '/nonexistent/libpkcs11.so', '--port', '0', '--out', join(tmp('duis-hsm-cli-'), 'run')], async () => undefined);
  assert.is(missingModule.code, 2);
  assert.match(missingModule.err.join('\n'), /no-pkcs11-module: \/nonexistent\/libpkcs11.so/);
});

test.run();
