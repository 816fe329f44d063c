/**
 * The codec is total: truncation at every offset of reference messages gives a typed rejection (or,
 * for a signed DF message cut exactly after its content, the valid pre-command it then is), and a
 * seeded fuzz of 10,000 mutated RTDS messages gives no exception and no inexact acceptance.
 * @module
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolve } from 'node:path';
import { VECTORS } from '../build/paths.ts';
import { decodeMessage } from '../gbcs/message.ts';
import { listRtdsFiles, readHexFile } from '../harness/conformance/rtdsFolder.ts';
import { messageTotalityProblem } from './portable/codecProperties.ts';
import { mutate } from './portable/mutate.ts';
import { seededRng } from './portable/seeded.ts';

const files = listRtdsFiles(resolve(VECTORS, 'rtds/RTDS-4.5.0'));
const corpus = files.map((f) => readHexFile(f.absolutePath)!);

function pick(suffix: string): Uint8Array {
  const i = files.findIndex((f) => f.path.endsWith(suffix));
  assert.ok(i >= 0, suffix);
  return corpus[i];
}

const samples = [
  'ECS01b_1.2.1_CANCELLATION_TOU_BLOCK_SUCCESS_COMMAND_GBCS.HEX', // DD, 82 lengths, ECDSA
  'ECS01b_1.2.1_CANCELLATION_TOU_BLOCK_SUCCESS_PRECOMMAND_GBCS.HEX', // DF, no signature
  'ECS01b_1.2.1_8F66_FUTURE_DATED_TOU_BLOCK_SUCCESS_ALERT_PRICE_MATRIX_GBCS.HEX', // DF alert, ECDSA
  'ECS21b_4.14_URP_SUCCESS_COMMAND_GBCS.HEX', // other-information with a KA certificate
  'ECS21b_4.14_URP_SUCCESS_RESPONSE_GBCS.HEX', // supplementary originator counter
];

test('truncation at every offset gives a typed rejection', () => {
  for (const name of samples) {
    const b = pick(name);
    const full = decodeMessage(b);
    assert.ok(full.ok, name);
    if (!full.ok) continue;
    for (let n = 0; n < b.length; n++) {
      const cut = new Uint8Array(b.subarray(0, n));
      const m = decodeMessage(cut);
      if (m.ok) {
        // Only a DF message cut right after its content is still well formed: a pre-command.
        assert.is(full.wrapper, 'signed', name + ' cut at ' + n + ' accepted');
        assert.is(n, full.gs.ranges.content.end, name + ' cut at ' + n + ' accepted');
        assert.is(m.gs.signatureForm, 'absent');
      } else {
        assert.ok(m.at >= 0 && m.at <= n, name + ' cut at ' + n + ': offset ' + m.at);
        assert.ok(['truncated', 'length-overrun', 'bad-length-form', 'trailing-bytes', 'bad-signature-length', 'bad-other-information', 'bad-der'].indexOf(m.reason) >= 0, name + ' cut at ' + n + ': ' + m.reason);
      }
    }
  }
});

test('a cut DD message is rejected where its length disagrees', () => {
  const b = pick(samples[0]);
  const m = decodeMessage(new Uint8Array(b.subarray(0, b.length - 1)));
  assert.ok(!m.ok);
  if (!m.ok) {
    assert.is(m.reason, 'length-overrun');
    assert.is(m.at, 7);
  }
});

test('typed rejections for each malformed field', () => {
  const b = pick(samples[1]); // DF pre-command
  const variant = (at: number, v: number) => {
    const c = new Uint8Array(b);
    c[at] = v;
    return decodeMessage(c);
  };
  const expect = (m: ReturnType<typeof decodeMessage>, reason: string, at: number) => {
    assert.ok(!m.ok, reason);
    if (!m.ok) assert.is(m.reason + ' at ' + m.at, reason + ' at ' + at);
  };
  expect(variant(0, 0x30), 'unknown-apdu-tag', 0);
  expect(variant(1, 0x08), 'bad-transaction-id-length', 1);
  expect(variant(2, 0x04), 'bad-cra-flag', 2);
  expect(variant(11, 0x07), 'bad-system-title-length', 11);
  expect(variant(20, 0x09), 'bad-system-title-length', 20);
  expect(variant(29, 0x05), 'bad-date-time-length', 29);
  expect(variant(30, 0x80), 'bad-length-form', 30);
  expect(variant(30, 0x03), 'bad-other-information', 33);
  const dd = pick(samples[0]);
  const ddv = (at: number, v: number) => {
    const c = new Uint8Array(dd);
    c[at] = v;
    return decodeMessage(c);
  };
  expect(ddv(3, 0x01), 'bad-ciphering-header', 3);
  expect(ddv(10, 0x10), 'bad-security-header', 10);
  expect(ddv(12, 0x01), 'bad-security-header', 12);
  expect(decodeMessage(new Uint8Array(0)), 'truncated', 0);
});

test('seeded fuzz: 10,000 mutated RTDS messages, no exception, no inexact acceptance', () => {
  const rng = seededRng(20240611);
  const problems: string[] = [];
  let accepted = 0;
  for (let i = 0; i < 10000; i++) {
    const src = corpus[rng.below(corpus.length)];
    const input = mutate(src, rng);
    const p = messageTotalityProblem(input);
    if (p) problems.push('case ' + i + ': ' + p);
    if (decodeMessage(input).ok) accepted++;
  }
  assert.equal(problems.slice(0, 5), []);
  // Some mutations land in content bytes and stay valid: the fuzz reaches both outcomes.
  assert.ok(accepted > 0 && accepted < 10000, 'accepted ' + accepted);
});

test.run();
