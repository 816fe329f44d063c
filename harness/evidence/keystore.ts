/**
 * The evidence keystore, in the layout of shared/vectors/rtds/keystore (`<eui>-ds.pem`, `<eui>-ka.pem`,
 * `<eui>-ds.key`, `<eui>-ka.key`, EUI lower-case): every test party's organisation certificates and
 * private keys (the ACB KA key included: it MACs every command), the device's certificates and private
 * keys, the DCC's Contingency Private Key (`70b3d51f300017ff-ds.key`), and the SMKI CA certificates
 * (`root-oca.pem` as the device holds it, with the wrapped contingency key; `issuing-oca.pem`, `root-dca.pem`,
 * `issuing-dca.pem`).
 * With it, anyone can check every MAC and signature of the lab's messages. Test keys only: a test SMKI.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeKeystoreEntry } from '../smki/testSmki.ts';
import type { LabRun } from '../lab/runLab.ts';

export function writeEvidenceKeystore(dir: string, run: LabRun): string[] {
  const written: string[] = [];
  for (const id of Object.keys(run.parties)) {
    const p = run.parties[id];
    written.push(...writeKeystoreEntry(dir, p.eui, 'digitalSignature', p.ds.certificatePem, p.ds.privateKeyPem));
    written.push(...writeKeystoreEntry(dir, p.eui, 'keyAgreement', p.ka.certificatePem, p.ka.privateKeyPem));
  }
  written.push(...writeKeystoreEntry(dir, run.device.eui, 'digitalSignature', run.device.ds.pem, run.device.ds.privateKeyPem));
  written.push(...writeKeystoreEntry(dir, run.device.eui, 'keyAgreement', run.device.ka.pem, run.device.ka.privateKeyPem));
  // A premises' other devices (CHF, GPF, GSME, PPMID): their responses and alerts are checked the same way.
  for (const d of run.premises?.devices ?? []) {
    if (d.ds) written.push(...writeKeystoreEntry(dir, d.eui, 'digitalSignature', d.ds.pem, d.ds.privateKeyPem));
    if (d.ka) written.push(...writeKeystoreEntry(dir, d.eui, 'keyAgreement', d.ka.pem, d.ka.privateKeyPem));
  }
  // The Contingency Private Key, so the contingency command's signature can be checked like any other.
  writeFileSync(join(dir, run.contingency.originator + '-ds.key'), run.contingency.privateKeyPem);
  written.push(join(dir, run.contingency.originator + '-ds.key'));
  const cas: Array<[string, string]> = [['root-oca.pem', run.smki.rootOca], ['issuing-oca.pem', run.smki.issuingOca], ['root-dca.pem', run.smki.rootDca], ['issuing-dca.pem', run.smki.issuingDca]];
  for (const [name, pem] of cas) {
    writeFileSync(join(dir, name), pem);
    written.push(join(dir, name));
  }
  return written;
}
