/**
 * The CS02b codec (gbcs/contents/cs02b.ts) against every CS02b command and response in the DCC's RTDS
 * 4.5.0 sample: each reads, and writing what was read gives the file's content byte for byte (so the
 * device and the DCC, which both use this one pair, write what the reference writes).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { concatBytes, fromHex, toHex } from '../lib/bytes.ts';
import { readTlv } from '../gbcs/der.ts';
import type { Tlv } from '../gbcs/der.ts';
import { decodeMessage } from '../gbcs/message.ts';
import { encodeCs02bCommand, encodeCs02bResponse, encodeExecutionOutcome, readCs02bCommand, readCs02bResponse, replacementModeFor } from '../gbcs/contents/cs02b.ts';

const RTDS = new URL('../../shared/vectors/rtds/RTDS-4.5.0', import.meta.url).pathname;

function cs02bFiles(kind: 'COMMAND' | 'RESPONSE'): Array<{ path: string; content: Uint8Array; code: number }> {
  const out: Array<{ path: string; content: Uint8Array; code: number }> = [];
  for (const uc of readdirSync(RTDS).sort()) {
    for (const name of readdirSync(join(RTDS, uc)).sort()) {
      if (!name.endsWith('_' + kind + '_GBCS.HEX')) continue;
      const m = decodeMessage(fromHex(readFileSync(join(RTDS, uc, name), 'utf8').trim())!);
      if (m.ok && m.gs.messageCode >= 0x0102 && m.gs.messageCode <= 0x0109) out.push({ path: uc + '/' + name, content: m.gs.content, code: m.gs.messageCode });
    }
  }
  return out;
}

test('every RTDS CS02b command reads and re-encodes byte for byte', () => {
  const files = cs02bFiles('COMMAND');
  assert.ok(files.length >= 10, 'CS02b commands: ' + files.length);
  for (const f of files) {
    const c = readCs02bCommand(f.content);
    if (!c) throw new Error(f.path + ': does not read');
    assert.is(c.mode, f.code - 0x0100, f.path + ' mode');
    assert.is(toHex(encodeCs02bCommand(c)), toHex(f.content), f.path);
  }
});

test('every RTDS CS02b response reads (BER long-form lengths too) and re-encodes as DER with the same values', () => {
  const files = cs02bFiles('RESPONSE');
  assert.ok(files.length >= 10, 'CS02b responses: ' + files.length);
  let outcomes = 0;
  let longForm = 0;
  for (const f of files) {
    const r = readCs02bResponse(f.content);
    if (typeof r === 'string') throw new Error(f.path + ': ' + r);
    if (r.outcome) outcomes++;
    const ours = encodeCs02bResponse(r.outcome && encodeExecutionOutcome(r.outcome));
    if (toHex(ours) === toHex(f.content)) continue;
    // The reference writes some lengths in the long form; ours is DER: same values, shorter bytes.
    longForm++;
    assert.ok(ours.length < f.content.length, f.path + ': differs but is not shorter');
    assert.equal(readCs02bResponse(ours), r, f.path + ': values');
  }
  assert.ok(outcomes >= 8, 'responses with an executionOutcome: ' + outcomes);
  assert.is(longForm, 4, 'RTDS CS02b responses with long-form lengths (6.15.1 NOByNO, 6.21 x2, 6.23 immediate)');
});

test('the response reader accepts long-form lengths, the command reader does not', () => {
  const [f] = cs02bFiles('RESPONSE').filter((x) => x.path.startsWith('6.15.1_CS02bNOByNO'));
  assert.type(readCs02bResponse(f.content), 'object', 'long-form response read');
  assert.is(readTlv(f.content, 0, f.content.length).ok, false, 'strict DER refuses it');
  const [c] = cs02bFiles('COMMAND');
  const cmd = readCs02bCommand(c.content)!;
  // The same command with its outer length in the long form where the short form would do.
  const der = encodeCs02bCommand(cmd);
  const t = readTlv(der, 0) as Tlv;
  const n = t.end - t.valueStart;
  const ber = concatBytes([new Uint8Array([0x30, 0x84, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]), der.subarray(t.valueStart)]);
  const read = readTlv(ber, 0, ber.length, 'ber') as Tlv;
  assert.is(read.end - read.valueStart, n, 'the BER form carries the same value');
  assert.is(readCs02bCommand(ber), undefined, 'the command reader refuses the long form');
});

test('CS02g (0x0126) carries CS02b content with mode 11, read and re-encoded by the same pair', () => {
  const dir = join(RTDS, '6.15.1_CS02gLoadControllerBySupplier');
  let n = 0;
  for (const name of readdirSync(dir).sort()) {
    const m = decodeMessage(fromHex(readFileSync(join(dir, name), 'utf8').trim())!);
    if (!m.ok || m.gs.messageCode !== 0x0126) continue;
    if (name.endsWith('_COMMAND_GBCS.HEX')) {
      const c = readCs02bCommand(m.gs.content);
      if (!c) throw new Error(name + ': does not read');
      assert.is(c.mode, replacementModeFor(0x0126), name);
      assert.is(toHex(encodeCs02bCommand(c)), toHex(m.gs.content), name);
      n++;
    } else if (name.endsWith('_RESPONSE_GBCS.HEX')) {
      assert.type(readCs02bResponse(m.gs.content), 'object', name);
      n++;
    }
  }
  assert.is(n, 10, 'CS02g commands and responses (5 each)');
  assert.is(replacementModeFor(0x0102), 2);
  assert.is(replacementModeFor(0x0125), undefined);
});

test('malformed CS02b contents are refused', () => {
  const [f] = cs02bFiles('COMMAND');
  for (let n = 0; n < f.content.length; n += 7) assert.is(readCs02bCommand(f.content.subarray(0, n)), undefined, 'truncated to ' + n);
  const [r] = cs02bFiles('RESPONSE').filter((x) => x.content.length > 2);
  for (let n = 0; n < r.content.length; n += 5) assert.type(readCs02bResponse(r.content.subarray(0, n)), 'string', 'response truncated to ' + n);
});

test.run();
