/**
 * The test SMKI's certificates have the same profile as the real (ZAZ1 test PKI) ones in
 * shared/vectors: for each kind, a reference certificate and one of ours are parsed by pkijs (an
 * independent parser) and their structure compared: extension OIDs in order with criticality, subject
 * and issuer attribute types and string types, validity forms, key usage bits, key-identifier lengths
 * and derivation, the hardwareModuleName SAN. CA certificates have no published reference; they are
 * checked against the reference leaves' issuer names and AKIs and RFC 5280's CA rules.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pkijs from 'pkijs';
import { createTestSmki } from '../harness/smki/testSmki.ts';
import { buildDeviceCsr } from '../harness/smki/csr.ts';
import { fromPem } from '../harness/smki/der.ts';
import { generateP256, keyIdentifier } from '../harness/smki/keys.ts';
import { deviceTbs, OID } from '../harness/smki/profiles.ts';
import { readCertificate } from '../harness/smki/certificate.ts';

const KEYSTORE = new URL('../../shared/vectors/rtds/keystore/', import.meta.url);
const refPem = (f: string) => fromPem(readFileSync(new URL(f, KEYSTORE), 'utf8'))!;
const dccBoxed = JSON.parse(readFileSync(new URL('../../shared/vectors/dccboxed-keystore/keystore.json', import.meta.url), 'utf8')) as
  Record<string, Record<string, Record<string, { certificate: string; name: string }>>>;
const boxed = (name: string) => {
  for (const v of Object.values(dccBoxed)) for (const m of Object.values(v)) for (const e of Object.values(m)) if (e.name === name) return fromPem(e.certificate)!;
  throw new Error('no ' + name);
};

function parse(der: Uint8Array): pkijs.Certificate {
  return pkijs.Certificate.fromBER(Buffer.from(der));
}
const attrTypes = (n: pkijs.RelativeDistinguishedNames) =>
  n.typesAndValues.map((t) => `${t.type}/${(t.value as { idBlock: { tagNumber: number } }).idBlock.tagNumber}`);
const extValue = (c: pkijs.Certificate, id: string) => Buffer.from(c.extensions!.find((e) => e.extnID === id)!.extnValue.valueBlock.valueHexView);

/** The structural profile of a certificate: everything that must match; no values that differ per subject. */
function profile(der: Uint8Array) {
  const c = parse(der);
  const ext = c.extensions ?? [];
  const f = readCertificate(der)!;
  return {
    version: c.version,
    signatureAlgorithm: c.signatureAlgorithm.algorithmId,
    tbsSignatureAlgorithm: c.signature.algorithmId,
    issuerTypes: attrTypes(c.issuer),
    subjectTypes: attrTypes(c.subject),
    notBeforeForm: c.notBefore.type,
    notAfterForm: c.notAfter.type,
    notAfterNever: f.notAfter.text === '99991231235959Z',
    serialLength: c.serialNumber.valueBlock.valueHexView.length,
    curve: (c.subjectPublicKeyInfo.algorithm.algorithmParams as { valueBlock: { toString(): string } }).valueBlock.toString(),
    extensions: ext.map((e) => `${e.extnID}${e.critical ? ' critical' : ''}`),
    keyUsage: ext.some((e) => e.extnID === OID.keyUsage) ? extValue(c, OID.keyUsage).toString('hex') : undefined,
    skiLength: f.subjectKeyId?.length,
    akiLength: f.authorityKeyId?.length,
    policyCount: f.policies.length,
    san: ext.some((e) => e.extnID === OID.subjectAltName)
      // everything in the SAN but the 8 EUI bytes at its end
      ? extValue(c, OID.subjectAltName).subarray(0, -8).toString('hex') : undefined,
    skiIsMethod2: f.subjectKeyId === keyIdentifier(f.spki.subarray(26)).toString('hex'),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'smki-profiles-'));
const smki = createTestSmki({ dir, workers: 1 });
smki.registerSubscriber('90b3d51f30010000', 'electricity-supplier');
const device = (ku: 'digitalSignature' | 'keyAgreement') => {
  const r = smki.requestDeviceCertificate({ subscriber: '90b3d51f30010000', deviceType: 'ESME', csr: buildDeviceCsr('00db123456789001', ku, generateP256().privateKey) });
  if (!r.ok) throw new Error(r.reason);
  return r.der;
};
const org = (ku: 'digitalSignature' | 'keyAgreement', commonName?: string) =>
  smki.issueOrganisationCredentials({ role: '02', eui: '90b3d51f30010000', keyUsage: ku, ...(commonName ? { commonName } : {}) }).certificate.der;

const pairs: [string, Uint8Array, Uint8Array][] = [
  ['device DS', refPem('00db123456789001-ds.pem'), device('digitalSignature')],
  ['device KA', refPem('00db123456789001-ka.pem'), device('keyAgreement')],
  ['organisation DS with CN', refPem('90b3d51f30010000-ds.pem'), org('digitalSignature', 'GITTESTSUPPLIER')],
  ['organisation KA', refPem('90b3d51f30010000-ka.pem'), org('keyAgreement')],
  ['organisation DS (dccboxed recovery)', boxed('Z1-recovery-ds'), smki.issueOrganisationCredentials({ role: '01', eui: '90b3d51f30000001', keyUsage: 'digitalSignature' }).certificate.der],
  ['organisation KA (dccboxed ACB)', boxed('Z1-accessControlBroker-ka'), smki.issueOrganisationCredentials({ role: '04', eui: '90b3d51f30000002', keyUsage: 'keyAgreement' }).certificate.der],
];

for (const [kind, ref, ours] of pairs) {
  test(`profile: ${kind} matches the reference`, () => {
    const a = profile(ref);
    const b = profile(ours);
    assert.equal(b, a, kind);
  });
}

test('profile: organisation validity is 10 years less a second from midnight, like the references', () => {
  const r = readCertificate(refPem('90b3d51f30010000-ds.pem'))!;
  assert.is(r.notBefore.text.slice(6), '000000Z');
  assert.is(r.notAfter.text.slice(6), '235959Z');
  const o = readCertificate(org('digitalSignature'))!;
  assert.is(o.notBefore.text.slice(6), '000000Z');
  assert.is(o.notAfter.text.slice(6), '235959Z');
  assert.is(Number(o.notAfter.text.slice(0, 2)) - Number(o.notBefore.text.slice(0, 2)), 10);
});

test('profile: the device SAN carries the EUI as hwSerialNum and the reference hwType', () => {
  const ours = parse(device('digitalSignature'));
  const san = extValue(ours, OID.subjectAltName);
  assert.is(san.subarray(-8).toString('hex'), '00db123456789001');
  assert.is(extValue(parse(refPem('00db123456789001-ds.pem')), OID.subjectAltName).subarray(-8).toString('hex'), '00db123456789001');
});

test('profile: the template path builds exactly what the plain profile builder builds', () => {
  const der = device('keyAgreement');
  const f = readCertificate(der)!;
  const dca = smki.issuingDca();
  const nb = f.notBefore.text;
  const rebuilt = deviceTbs({
    serial: Buffer.from(f.serial, 'hex'), issuerName: dca.name, issuerKeyId: dca.keyId, spki: f.spki, subjectKeyId: Buffer.from(f.subjectKeyId!, 'hex'),
    eui: Buffer.from('00db123456789001', 'hex'), keyUsage: 'keyAgreement', policy: smki.policy.device,
    notBefore: new Date(Date.UTC(2000 + Number(nb.slice(0, 2)), Number(nb.slice(2, 4)) - 1, Number(nb.slice(4, 6)), Number(nb.slice(6, 8)), Number(nb.slice(8, 10)), Number(nb.slice(10, 12)))),
  });
  assert.ok(Buffer.compare(Buffer.from(f.tbs), rebuilt) === 0);
});

test('profile: CA names have the forms seen as issuers in the references, and leaf AKIs point at them', () => {
  const refDevice = parse(refPem('00db123456789001-ds.pem'));
  const refOrg = parse(refPem('90b3d51f30010000-ds.pem'));
  assert.equal(attrTypes(parse(smki.issuingDca().der).subject), attrTypes(refDevice.issuer));
  assert.equal(attrTypes(parse(smki.issuingOca().der).subject), attrTypes(refOrg.issuer));
  assert.is(readCertificate(device('digitalSignature'))!.authorityKeyId, smki.issuingDca().keyId.toString('hex'));
  assert.is(readCertificate(org('digitalSignature'))!.authorityKeyId, smki.issuingOca().keyId.toString('hex'));
});

test('profile: CA certificates follow RFC 5280 for CAs (basicConstraints, keyCertSign|cRLSign) and the hierarchies stay apart', () => {
  for (const ca of [smki.rootOca(), smki.issuingOca(), smki.rootDca(), smki.issuingDca()]) {
    const p = profile(ca.der);
    const root = ca.kind.startsWith('root');
    assert.equal(p.extensions, [
      '2.5.29.19 critical', '2.5.29.15 critical', '2.5.29.14', ...(root ? [] : ['2.5.29.35']), '2.5.29.32 critical',
    ], ca.kind);
    assert.is(p.keyUsage, '03020106', ca.kind);
    assert.ok(p.skiIsMethod2, ca.kind);
    const bc = extValue(parse(ca.der), OID.basicConstraints).toString('hex');
    assert.is(bc, root ? '30030101ff' : '30060101ff020100', ca.kind);
  }
  assert.ok(profile(smki.rootDca().der).notAfterNever);
  assert.ok(profile(smki.issuingDca().der).notAfterNever);
  assert.is(readCertificate(smki.issuingOca().der)!.authorityKeyId, smki.rootOca().keyId.toString('hex'));
  assert.is(readCertificate(smki.issuingDca().der)!.authorityKeyId, smki.rootDca().keyId.toString('hex'));
  assert.is.not(readCertificate(smki.issuingDca().der)!.authorityKeyId, smki.rootOca().keyId.toString('hex'));
});

test.after(async () => { await smki.close(); });
test.run();
