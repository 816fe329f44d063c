/**
 * The GBCS codec against DCC's reference data: every RTDS 4.5.0 file decodes and re-encodes byte for
 * byte, decoded fields agree with rtds/MANIFEST.tsv, and the gbcs-parser inline messages (nominal and
 * malformed) give the expected values or typed rejections.
 * @module
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { VECTORS } from '../build/paths.ts';
import { bytesEqual, fromHex, toHex } from '../lib/bytes.ts';
import { counterToHex } from '../gbcs/counter64.ts';
import { decodeMessage, encodeMessage, appendSignature } from '../gbcs/message.ts';
import { encodeGeneralSigning, signedBytesOf } from '../gbcs/generalSigning.ts';
import { describeRejection } from '../gbcs/reject.ts';
import { listRtdsFiles, readHexFile } from '../harness/conformance/rtdsFolder.ts';

const RTDS = resolve(VECTORS, 'rtds/RTDS-4.5.0');
const files = listRtdsFiles(RTDS);

test('the RTDS sample is there', () => {
  assert.ok(files.length >= 700, 'expected the 774-file sample, found ' + files.length);
});

test('every RTDS file decodes and re-encodes byte for byte', () => {
  const failures: string[] = [];
  for (const f of files) {
    const bytes = readHexFile(f.absolutePath)!;
    const m = decodeMessage(bytes);
    if (!m.ok) {
      failures.push(f.path + ': ' + describeRejection(m));
      continue;
    }
    const again = encodeMessage(m);
    if (!bytesEqual(again, bytes)) failures.push(f.path + ': re-encoded bytes differ');
    // the re-encoding from fields copied out of the buffer (not views) must agree too
    const gs = { ...m.gs, originator: new Uint8Array(m.gs.originator), content: new Uint8Array(m.gs.content) };
    if (!bytesEqual(encodeGeneralSigning(gs), m.apdu)) failures.push(f.path + ': GS APDU from copied fields differs');
  }
  assert.equal(failures, []);
});

const manifest = readFileSync(resolve(VECTORS, 'rtds/MANIFEST.tsv'), 'utf8').trim().split('\n');
const columns = manifest[0].split('\t');
const rows = manifest.slice(1).map((l) => {
  const cells = l.split('\t');
  const row: Record<string, string> = {};
  columns.forEach((c, i) => (row[c] = cells[i] ?? ''));
  return row;
});

test('decoded fields agree with MANIFEST.tsv', () => {
  assert.ok(rows.length >= 700);
  const bad: string[] = [];
  for (const r of rows) {
    const m = decodeMessage(readHexFile(resolve(RTDS, r.file))!);
    if (!m.ok) {
      bad.push(r.file + ' does not decode');
      continue;
    }
    const gs = m.gs;
    const expectSig = r.signature === '64-byte' ? 'ecdsa' : r.signature === 'null(00)' ? 'null' : 'absent';
    const got = {
      wrapper: m.wrapper === 'ciphered' ? 'DD(general-ciphering)' : 'DF(general-signing)',
      cra: String(gs.cra),
      code: '0x' + gs.messageCode.toString(16).padStart(4, '0'),
      originator: toHex(gs.originator),
      recipient: toHex(gs.recipient),
      oi: String(gs.ranges.otherInformation.end - gs.ranges.otherInformation.start),
      supp: gs.supplementary ? toHex(gs.supplementary.remoteParty) : '',
      counter: counterToHex(gs.counter),
      dt: String(gs.dateTime ? gs.dateTime.length : 0),
      content: String(gs.content.length),
      sig: gs.signatureForm,
    };
    const want = {
      wrapper: r.wrapper,
      cra: r.cra,
      code: r.message_code,
      originator: r.originator,
      recipient: r.recipient,
      oi: r.other_info_len,
      supp: r.supp_remote_party,
      counter: r.originator_counter,
      dt: r.date_time_len,
      content: r.content_len,
      sig: expectSig,
    };
    if (JSON.stringify(got) !== JSON.stringify(want)) bad.push(r.file + ': ' + JSON.stringify(got) + ' != ' + JSON.stringify(want));
    if (r.signature === '64-byte' && m.signature?.length !== 64) bad.push(r.file + ': signature not 64 bytes');
    if (m.wrapper === 'ciphered' && m.mac?.length !== 12) bad.push(r.file + ': MAC not 12 bytes');
  }
  assert.equal(bad, []);
});

test('crypto ranges: signed bytes run from the 09 to the end of the content', () => {
  const f = files.find((x) => x.path.endsWith('ECS01b_1.2.1_CANCELLATION_TOU_BLOCK_SUCCESS_COMMAND_GBCS.HEX'))!;
  const bytes = readHexFile(f.absolutePath)!;
  const m = decodeMessage(bytes);
  assert.ok(m.ok);
  if (!m.ok) return;
  // DD 00*6 82 037B 11 00000000 -> the GS APDU starts at offset 15
  assert.is(m.gs.ranges.apdu.start, 15);
  assert.is(m.apdu[0], 0xdf);
  assert.is(m.signed[0], 0x09);
  assert.is(m.gs.ranges.signed.start, 16);
  assert.is(m.gs.ranges.signed.end, m.gs.ranges.content.end);
  assert.is(m.gs.ranges.apdu.end, bytes.length - 12);
  assert.is(toHex(m.mac!), toHex(bytes.subarray(bytes.length - 12)));
  assert.is(toHex(m.signature!), toHex(bytes.subarray(bytes.length - 12 - 64, bytes.length - 12)));
  assert.is(m.content[0], 0xd9);
  assert.is(toHex(signedBytesOf(m.gs)), toHex(m.signed));
});

test('a pre-command plus its signature is the signed DF command', () => {
  const pre = files.find((x) => x.path.endsWith('ECS01b_1.2.1_CANCELLATION_TOU_BLOCK_SUCCESS_PRECOMMAND_GBCS.HEX'))!;
  const cmd = files.find((x) => x.path.endsWith('ECS01b_1.2.1_CANCELLATION_TOU_BLOCK_SUCCESS_COMMAND_GBCS.HEX'))!;
  const p = decodeMessage(readHexFile(pre.absolutePath)!);
  const c = decodeMessage(readHexFile(cmd.absolutePath)!);
  assert.ok(p.ok && c.ok);
  if (!p.ok || !c.ok) return;
  assert.is(p.gs.signatureForm, 'absent');
  assert.is(toHex(appendSignature(p.apdu, c.signature!)), toHex(c.apdu));
});

const inline = JSON.parse(readFileSync(resolve(VECTORS, 'gbcs-parser-inline/inline-vectors.json'), 'utf8')) as Record<string, { hex?: string; base64?: string }>;
const inlineBytes = (k: string): Uint8Array => {
  const v = inline[k];
  return v.hex ? fromHex(v.hex)! : new Uint8Array(Buffer.from(v.base64!, 'base64'));
};

test('inline nominal messages decode and re-encode', () => {
  const nominal = [
    'precommand_missing_signature',
    'precommand_null_signature',
    'gbcs_sme_c_nc_command',
    'gbcs_sme_c_nc_response',
    'gfi_ecs01a_critical_command',
    'real_ecs_double_long_response',
    'real_cs02a_response_cell_usage_implicit',
    'real_cs02a_response_cell_usage_explicit',
    'real_ecs24_response_hybrid_tariff',
    'readme_ecs52_response',
    'readme_sign_precommand_input',
    'readme_sign_precommand_output',
  ];
  for (const k of nominal) {
    const b = inlineBytes(k);
    const m = decodeMessage(b);
    assert.ok(m.ok, k + ': ' + (m.ok ? '' : describeRejection(m)));
    if (m.ok) assert.ok(bytesEqual(encodeMessage(m), b), k + ' re-encodes');
  }
  const missing = decodeMessage(inlineBytes('precommand_missing_signature'));
  const nul = decodeMessage(inlineBytes('precommand_null_signature'));
  assert.ok(missing.ok && nul.ok);
  if (missing.ok && nul.ok) {
    assert.is(missing.gs.signatureForm, 'absent');
    assert.is(nul.gs.signatureForm, 'null');
    assert.is(missing.gs.messageCode, 0x0062);
  }
  const gfi = decodeMessage(inlineBytes('gfi_ecs01a_critical_command'));
  assert.ok(gfi.ok && gfi.gs.signatureForm === 'ecdsa' && gfi.gs.messageCode === 0x0019);
  const ecs52 = decodeMessage(inlineBytes('readme_ecs52_response'));
  assert.ok(ecs52.ok && ecs52.gs.supplementary !== undefined && toHex(ecs52.gs.supplementary.remoteParty) === '90b3d51f30010000');
});

test('inline malformed messages give typed rejections with offsets', () => {
  const sig = decodeMessage(inlineBytes('malformed_wrong_signature_length'));
  assert.ok(!sig.ok);
  const sigBytes = inlineBytes('malformed_wrong_signature_length');
  if (!sig.ok) {
    assert.is(sig.reason, 'length-overrun');
    assert.is(sig.at, sigBytes.length - 1);
    assert.is(describeRejection(sig), 'length-overrun at ' + (sigBytes.length - 1));
  }
  const frame = decodeMessage(inlineBytes('malformed_wrong_frame_length'));
  assert.ok(!frame.ok);
  if (!frame.ok) {
    assert.is(frame.reason, 'length-overrun');
    // the content length byte (6E) sits after DF 09.. 08.. 08.. 00 02 0062
    assert.is(frame.at, 1 + 10 + 9 + 9 + 1 + 3);
  }
});

test.run();
