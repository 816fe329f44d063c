/**
 * Answers to commands the ESME does not carry out (pipeline/useCases.ts `unsupported`): GBZ content gets a
 * ZCL Default Response per component (ZCL §2.5.12; status 0x81 UNSUP_CLUSTER_COMMAND for cluster-specific
 * commands, 0x82 UNSUP_GENERAL_COMMAND for general ones).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gbzUnsupported } from '../device/pipeline/useCases.ts';

function hex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substring(i * 2, i * 2 + 2), 16);
  return out;
}
function toHex(b: Uint8Array | undefined): string {
  if (!b) return 'undefined';
  let s = '';
  for (let i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16).toUpperCase();
  return s;
}

test('GBZ Read Attributes (general command, RTDS 11.2 GCS38 content) -> Default Response UNSUP_GENERAL_COMMAND', () => {
  // 0109 profile, 1 component, control 01, cluster 0702, length 5, ZCL 00 00 00 (Read Attributes) 0602.
  assert.is(toHex(gbzUnsupported(hex('01090101070200050000000602'))), '01090101070200051800' + '0B0082');
});

test('GBZ cluster-specific command -> Default Response UNSUP_CLUSTER_COMMAND with its sequence number and id', () => {
  assert.is(toHex(gbzUnsupported(hex('0109010107020004' + '0107' + '05' + 'AA'))), '010901010702000518070B0581');
});

test('GBZ manufacturer-specific frame: sequence number and command id after the manufacturer code', () => {
  assert.is(toHex(gbzUnsupported(hex('0109010107020005' + '05' + '1234' + '09' + '33'))), '010901010702000518090B3381');
});

test('two components -> two Default Responses', () => {
  assert.is(toHex(gbzUnsupported(hex('01090200070200030001000107020003010204'))), '01090200070200051801' + '0B0082' + '01070200051802' + '0B0481');
});

test('not GBZ, truncated or trailing bytes -> undefined (DLMS/ASN.1 answered otherwise)', () => {
  assert.is(gbzUnsupported(hex('3003020101')), undefined);
  assert.is(gbzUnsupported(hex('01090101070200050000')), undefined);
  assert.is(gbzUnsupported(hex('0109010107020003000100FF')), undefined);
  assert.is(gbzUnsupported(hex('010900')), undefined);
});

test.run();
