/**
 * Test vs live (GBCS-FACTS "Test vs live"): gbcs/smki/certificatePolicies.ts classifies by the
 * certificatePolicies OIDs. Every certificate the test SMKI issues (both policy sets) and every
 * reference test certificate in shared/vectors classifies 'test'; a device configured live refuses them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acceptableFor, certificateEnvironment, LIVE_POLICY_OIDS } from '../gbcs/smki/certificatePolicies.ts';
import { createTestSmki } from '../harness/smki/testSmki.ts';
import { readCertificate } from '../harness/smki/certificate.ts';
import { buildDeviceCsr } from '../harness/smki/csr.ts';
import { fromPem } from '../harness/smki/der.ts';
import { generateP256 } from '../harness/smki/keys.ts';

const KEYSTORE = new URL('../../shared/vectors/rtds/keystore/', import.meta.url);
const policiesOf = (der: Uint8Array) => readCertificate(der)!.policies;

test('classification rules', () => {
  assert.is(certificateEnvironment([]), 'unknown');
  assert.is(certificateEnvironment(['1.2.3.4']), 'unknown');
  assert.is(certificateEnvironment(['1.3.6.1.5.5.7.13.1']), 'test');
  assert.is(certificateEnvironment(['1.3.6.1.5.5.7.13.8']), 'test');
  assert.is(certificateEnvironment(['1.3.6.1.5.5.7.13']), 'unknown'); // the arc itself is not a policy
  assert.is(certificateEnvironment(['1.3.6.1.5.5.7.130.1']), 'unknown'); // not under the arc
  assert.is(certificateEnvironment([LIVE_POLICY_OIDS[0]!]), 'live');
  assert.is(certificateEnvironment([LIVE_POLICY_OIDS[0]!, '1.3.6.1.5.5.7.13.2']), 'test'); // a test marker wins
  assert.is(certificateEnvironment(['9.9.9'], ['9.9.9']), 'live');
  assert.is(certificateEnvironment([LIVE_POLICY_OIDS[0]!], ['9.9.9']), 'unknown');
});

test('every reference certificate in shared/vectors/rtds/keystore is a test certificate', () => {
  const files = readdirSync(KEYSTORE).filter((f) => f.endsWith('.pem'));
  assert.ok(files.length > 400);
  let n = 0;
  for (const f of files) {
    const der = fromPem(readFileSync(new URL(f, KEYSTORE), 'utf8'), 'CERTIFICATE');
    if (!der) continue; // fffffffffffffffe-ka.pem is a key, not a certificate
    const p = policiesOf(der);
    assert.is(certificateEnvironment(p), 'test', f);
    assert.not.ok(acceptableFor('live', p), f);
    assert.ok(acceptableFor('test', p), f);
    n++;
  }
  assert.ok(n > 400);
});

for (const policy of ['toolkit', 'zaz1'] as const) {
  test(`every certificate the test SMKI issues (policy set ${policy}) says test; a live device refuses it`, async () => {
    const smki = createTestSmki({ dir: mkdtempSync(join(tmpdir(), 'smki-pol-')), policy, workers: 1 });
    smki.registerSubscriber('90b3d51f30010000', 'electricity-supplier');
    const dev = smki.requestDeviceCertificate({ subscriber: '90b3d51f30010000', deviceType: 'ESME', csr: buildDeviceCsr('00db123456789009', 'digitalSignature', generateP256().privateKey) });
    assert.ok(dev.ok);
    const certs = [
      smki.rootOca().der, smki.issuingOca().der, smki.rootDca().der, smki.issuingDca().der,
      smki.issueOrganisationCredentials({ role: '02', eui: '90b3d51f30010000', keyUsage: 'keyAgreement' }).certificate.der,
      dev.ok ? dev.der : Buffer.alloc(0),
    ];
    for (const der of certs) {
      const p = policiesOf(der);
      assert.is(p.length, 1, 'GBCS: a single policyIdentifier');
      assert.is(certificateEnvironment(p), 'test');
      assert.not.ok(acceptableFor('live', p));
    }
    await smki.close();
  });
}

test.run();
