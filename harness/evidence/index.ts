/**
 * Writing a lab run's evidence into its working folder: `messages/` and `rejected/` (RTDS layout,
 * rtdsLayout.ts), `keystore/` (keystore.ts), `junit.xml` (harness/conformance/junit.ts: one test case
 * per step), `report.html` (htmlReport.ts), `firmware/` (the packages the firmware steps used, the
 * manufacturer's certificate and key, the Issuing OCA: what `smets firmware verify` needs).
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { junitXml } from '../conformance/junit.ts';
import type { JunitCase } from '../conformance/junit.ts';
import type { LabRun } from '../lab/runLab.ts';
import { htmlReport } from './htmlReport.ts';
import { expectationWords } from '../lab/expectations.ts';
import { writeEvidenceKeystore } from './keystore.ts';
import { fileMessages } from './rtdsLayout.ts';
import type { FiledMessage } from './rtdsLayout.ts';

export interface EvidenceFiles {
  dir: string;
  report: string;
  junit: string;
  messages: string;
  rejected: string;
  keystore: string;
  firmware: string;
  filed: FiledMessage[];
}

/** DIR/firmware: `<package>.ota`, `manufacturer.pem` / `.key` (role 7F, DS), `issuing-oca.pem`. */
export function writeFirmwareFiles(dir: string, run: LabRun): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(run.firmware.packages)) writeFileSync(join(dir, name + '.ota'), bytes);
  writeFileSync(join(dir, 'manufacturer.pem'), run.firmware.manufacturer.certificatePem);
  writeFileSync(join(dir, 'manufacturer.key'), run.firmware.manufacturer.privateKeyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'issuing-oca.pem'), run.smki.issuingOca);
  return dir;
}

export function junitCases(run: LabRun): JunitCase[] {
  return run.results.map((r) => {
    const x = r.exchange;
    const lines = [
      r.step.title,
      'sent by: ' + r.actor,
      'request: ' + x.request + (x.counter ? ' counter ' + x.counter : ''),
      'expected: ' + expectationWords(r.step.expect),
      'outcome: ' + x.verdict + (x.reason ? ' (' + x.reason + ')' : ''),
      ...x.checks.map((c) => (c.ok ? 'ok   ' : 'FAIL ') + c.name + ': ' + c.detail),
    ];
    const c: JunitCase = { suite: 'lab', name: String(r.index).padStart(2, '0') + ' ' + r.step.id, output: lines.join('\n'), seconds: r.ms / 1000 };
    if (!r.passed) {
      c.failure = r.differences.join('\n');
      c.message = r.differences[0];
    }
    return c;
  });
}

export function writeEvidence(run: LabRun, now: Date = new Date()): EvidenceFiles {
  const dir = run.out;
  const filed = fileMessages(dir, run.results);
  const keystore = join(dir, 'keystore');
  writeEvidenceKeystore(keystore, run);
  const junit = join(dir, 'junit.xml');
  writeFileSync(junit, junitXml('smets lab: ' + run.scenario.title, junitCases(run)));
  const report = join(dir, 'report.html');
  writeFileSync(report, htmlReport(run, filed, now));
  const firmware = writeFirmwareFiles(join(dir, 'firmware'), run);
  return { dir, report, junit, messages: join(dir, 'messages'), rejected: join(dir, 'rejected'), keystore, firmware, filed };
}
