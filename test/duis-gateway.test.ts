/**
 * The DUIS gateway's refusals, each with its DUIS response code, and the xmlsec1 cross-checks (a tool
 * nobody here wrote: Debian's xmlsec1, OpenSSL backend): our signatures verify with xmlsec1, and
 * xmlsec1's signatures verify here. Requests are the sampled templates (../shared/vectors/duis),
 * signed with the ZAZ1 keys of rtds/keystore.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuisGateway } from '../harness/duis/gateway.ts';
import { PartyDirectory } from '../harness/duis/parties.ts';
import { DuisSchema } from '../harness/duis/schema.ts';
import { signDuis, verifyDuis } from '../harness/duis/signature.ts';
import { parseXml } from '../harness/duis/xml.ts';
import { RTDS_INVENTORY } from '../harness/duis/transform.ts';

const V = new URL('../../shared/vectors/', import.meta.url).pathname;
const T = V + 'duis/templates/';
const KEYS = V + 'rtds/keystore/';
const SUPPLIER = '90b3d51f30010000';
const NO = '90b3d51f30020000';
const schema = new DuisSchema();
const parties = PartyDirectory.fromKeystore(KEYS);
const key = (eui: string) => readFileSync(KEYS + eui + '-ds.key', 'utf8');
const cert = (eui: string) => readFileSync(KEYS + eui + '-ds.pem', 'utf8');
const template = (n: string) => readFileSync(T + n, 'utf8');
const gateway = () => new DuisGateway({ schema, parties, inventory: RTDS_INVENTORY });
const ECS52 = 'ECS52_11.2_SUCCESS_REQUEST_DUIS.XML';
const ECS42 = 'ECS42_7.1_SUCCESS_REQUEST_DUIS.XML';

async function refused(xml: string, code: string, reason: RegExp, g = gateway()) {
  const v = await g.check(xml);
  assert.not.ok(v.ok, 'expected a refusal ' + code);
  if (!v.ok) {
    assert.is(v.code, code, v.reason + ': ' + v.detail);
    assert.match(v.reason, reason);
  }
}

test('a signed template is accepted; its counter is recorded only on commit', async () => {
  const g = gateway();
  const signed = await signDuis(template(ECS52), key(SUPPLIER), cert(SUPPLIER));
  const v = await g.check(signed);
  assert.ok(v.ok, v.ok ? '' : v.reason + ': ' + v.detail);
  if (v.ok) {
    assert.is(v.signer.eui, SUPPLIER.toUpperCase());
    assert.is(v.request.counter, 1000n);
    const again = await g.check(signed);
    assert.ok(again.ok, 'not committed yet: the same counter is still fresh');
    v.commit();
  }
  await refused(signed, 'E42', /counter-not-rising/, g);
  const lower = await signDuis(template(ECS52).replace(':1000<', ':999<'), key(SUPPLIER), cert(SUPPLIER));
  await refused(lower, 'E42', /counter-not-rising/, g);
  const higher = await signDuis(template(ECS52).replace(':1000<', ':1001<'), key(SUPPLIER), cert(SUPPLIER));
  assert.ok((await g.check(higher)).ok, 'a higher counter is accepted');
});

test('XXE and other XML attacks are refused before parsing (E40)', async () => {
  await refused(readFileSync(V + 'duis/signed/duis-xxe.xml', 'utf8'), 'E40', /xml-doctype/);
  const signed = await signDuis(template(ECS52), key(SUPPLIER), cert(SUPPLIER));
  const withDoctype = signed.replace('<sr:Request', '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><sr:Request');
  await refused(withDoctype, 'E40', /xml-doctype/);
  await refused(signed.replace('<sr:ReadFirmwareVersion/>', '<sr:ReadFirmwareVersion>&x;</sr:ReadFirmwareVersion>'), 'E40', /xml-entity/);
  await refused(signed.replace('<sr:Request', '<?xml-stylesheet href="http://127.0.0.1/x"?><sr:Request'), 'E40', /xml-processing-instruction/);
  await refused(signed.replace('</sr:Request>', ''), 'E40', /xml-not-well-formed/);
  const lol = '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>';
  await refused(lol, 'E40', /xml-doctype/);
});

test('schema: an element DUIS 5.4 does not define is refused (E40)', async () => {
  const bad = await signDuis(template(ECS52).replace('<sr:ReadFirmwareVersion/>', '<sr:ReadFirmwareVersionNow/>'), key(SUPPLIER), cert(SUPPLIER));
  await refused(bad, 'E40', /^schema$/);
  const noVariant = await signDuis(template(ECS52).replace(/<sr:CommandVariant>1<\/sr:CommandVariant>/, ''), key(SUPPLIER), cert(SUPPLIER));
  await refused(noVariant, 'E40', /^schema$/);
});

test('signature: placeholder, altered content, unknown certificate, signer not the originator (E41)', async () => {
  await refused(template(ECS52), 'E41', /signature-(unknown-certificate|bad)/);
  const signed = await signDuis(template(ECS52), key(SUPPLIER), cert(SUPPLIER));
  await refused(signed.replace('<sr:ServiceReferenceVariant>11.2<', '<sr:ServiceReferenceVariant>11.2 <').replace('11.2 <', '11.2<').replace(':1000<', ':1002<'), 'E41', /signature-bad-digest/);
  // the signature value itself altered (digest still right)
  const sv = /<ds:SignatureValue>([^<]+)</.exec(signed)![1];
  const flipped = (sv[0] === 'A' ? 'B' : 'A') + sv.slice(1);
  await refused(signed.replace(sv, flipped), 'E41', /signature-bad-signature/);
  // signed with the Network Operator's key, but claiming the Supplier's certificate
  const forged = (await signDuis(template(ECS52), key(NO), cert(NO))).replace(/<ds:X509IssuerSerial>[\s\S]*<\/ds:X509IssuerSerial>/, /<ds:X509IssuerSerial>[\s\S]*<\/ds:X509IssuerSerial>/.exec(signed)![0]);
  await refused(forged, 'E41', /signature-bad-signature/);
  // a valid signature by the Network Operator on a request that names the Supplier as originator
  await refused(await signDuis(template(ECS52), key(NO), cert(NO)), 'E41', /signer-not-originator/);
  // unsigned
  await refused(template(ECS52).replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, ''), 'E41', /signature-no-signature/);
});

test('role: a Network Operator may not enable supply (E2); unknown user (E1); unknown device (E19); wrong device type (E11)', async () => {
  const asNo = template(ECS42).replace('90-B3-D5-1F-30-01-00-00:', '90-B3-D5-1F-30-02-00-00:');
  await refused(await signDuis(asNo, key(NO), cert(NO)), 'E2', /role-not-allowed/);
  const stranger = template(ECS52).replace('90-B3-D5-1F-30-01-00-00:', '90-B3-D5-1F-30-09-00-00:');
  await refused(await signDuis(stranger, key(SUPPLIER), cert(SUPPLIER)), 'E1', /unknown-user/);
  const nowhere = template(ECS52).replace(':00-DB-12-34-56-78-90-A0:', ':00-DB-12-34-56-78-90-FF:');
  await refused(await signDuis(nowhere, key(SUPPLIER), cert(SUPPLIER)), 'E19', /unknown-device/);
  const toHub = template(ECS42).replace(':00-DB-12-34-56-78-90-A0:', ':00-DB-12-34-56-78-90-A2:');
  await refused(await signDuis(toHub, key(SUPPLIER), cert(SUPPLIER)), 'E11', /wrong-device-type/);
});

function xmlsec1(args: string[]): { ok: boolean; out: string } {
  try {
    return { ok: true, out: execFileSync('xmlsec1', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (e) {
    const err = e as { stderr?: string; code?: string };
    if (err.code === 'ENOENT') throw new Error('xmlsec1 is not installed (Debian package xmlsec1; .ci/run installs it)');
    return { ok: false, out: String(err.stderr ?? '') };
  }
}

test('xmlsec1 verifies what we sign, and refuses it once altered', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'duis-'));
  for (const [name, eui] of [[ECS52, SUPPLIER], ['ECS17a_4.2_SUCCESS_REQUEST_DUIS.XML', NO]]) {
    const f = join(dir, 'ours.xml');
    writeFileSync(f, await signDuis(template(name), key(eui), cert(eui)));
    const good = xmlsec1(['--verify', '--pubkey-cert-pem', KEYS + eui + '-ds.pem', f]);
    assert.ok(good.ok, name + ': xmlsec1 refused our signature: ' + good.out);
    writeFileSync(f, readFileSync(f, 'utf8').replace(':1', ':2'));
    assert.not.ok(xmlsec1(['--verify', '--pubkey-cert-pem', KEYS + eui + '-ds.pem', f]).ok, 'xmlsec1 must refuse the altered copy');
  }
});

test('we verify what xmlsec1 signs (the template filled in by xmlsec1 --sign), and the gateway accepts it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'duis-'));
  const out = join(dir, 'xmlsec1.xml');
  // xmlsec1 fills the template's own Signature; the IssuerSerial must name the signer, as DUIS requires
  const is = /<ds:X509IssuerSerial>[\s\S]*<\/ds:X509IssuerSerial>/;
  const ours = await signDuis(template(ECS52), key(SUPPLIER), cert(SUPPLIER));
  const tmpl = template(ECS52).replace(is, is.exec(ours)![0]);
  writeFileSync(join(dir, 'tmpl.xml'), tmpl);
  const r = xmlsec1(['--sign', '--privkey-pem', KEYS + SUPPLIER + '-ds.key', '--output', out, join(dir, 'tmpl.xml')]);
  assert.ok(r.ok, 'xmlsec1 --sign: ' + r.out);
  const signed = readFileSync(out, 'utf8');
  const p = parseXml(signed);
  assert.ok(p.ok);
  if (p.ok) {
    const v = await verifyDuis(p.doc, (n) => parties.byName(n)?.certificate);
    assert.ok(v.ok, v.ok ? '' : v.reason + ': ' + v.detail);
  }
  const g = await gateway().check(signed);
  assert.ok(g.ok, g.ok ? '' : g.reason + ': ' + g.detail);
  const tampered = signed.replace('<sr:ReadFirmwareVersion/>', '<sr:ReadFirmwareVersion></sr:ReadFirmwareVersion>').replace(':1000<', ':1001<');
  await refused(tampered, 'E41', /signature-bad-digest/);
});

test.run();
