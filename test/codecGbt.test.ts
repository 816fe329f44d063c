/**
 * GBT segmentation: every RTDS message split at random block sizes reassembles to the same bytes in
 * order and shuffled within the window; frames re-encode exactly; duplicate, missing, out-of-order,
 * oversize and inconsistent blocks are typed rejections; mutated frames never throw.
 * @module
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bytesEqual, fromHex } from '../lib/bytes.ts';
import { counterFromNumber } from '../gbcs/counter64.ts';
import { GbtReassembler, decodeGbtFrame, encodeGbtFrame, splitIntoGbt } from '../gbcs/gbt.ts';
import type { GbtHeader } from '../gbcs/gbt.ts';
import { decodeMessage } from '../gbcs/message.ts';
import { rtdsCorpus } from './fuzzTargets.ts';
import { gbtTotalityProblem } from './portable/codecProperties.ts';
import { mutate } from './portable/mutate.ts';
import { seededRng } from './portable/seeded.ts';

const corpus = rtdsCorpus();

function headerOf(msg: Uint8Array): GbtHeader {
  const m = decodeMessage(msg);
  if (!m.ok) throw new Error('headerOf: corpus message does not decode');
  return { cra: m.gs.cra, counter: m.gs.counter, originator: m.gs.originator, recipient: m.gs.recipient, messageCode: m.gs.messageCode };
}

test('every RTDS message round-trips through GBT at random block sizes, in order and shuffled', () => {
  const rng = seededRng(99);
  for (let i = 0; i < corpus.length; i++) {
    const msg = corpus[i];
    const size = 1 + rng.below(rng.below(2) ? 64 : 600);
    const window = 1 + rng.below(8);
    const frames = splitIntoGbt(msg, headerOf(msg), { blockSize: size, window });
    assert.is(frames.length, Math.ceil(msg.length / size));
    for (const f of frames) {
      const d = decodeGbtFrame(f);
      assert.ok(d.ok);
      if (d.ok) assert.ok(bytesEqual(encodeGbtFrame(d), f), 'frame re-encodes');
    }
    // shuffle inside the window: swap disjoint neighbour pairs (each block moves by one at most)
    const order = frames.map((_, k) => k);
    for (let k = 0; k + 1 < order.length; k++) {
      if (window > 1 && rng.below(2)) {
        [order[k], order[k + 1]] = [order[k + 1], order[k]];
        k++;
      }
    }
    const r = new GbtReassembler({ maxBlockSize: size });
    let done: Uint8Array | undefined;
    for (let k = 0; k < order.length; k++) {
      const a = r.accept(frames[order[k]]);
      assert.ok(a.ok, 'message ' + i + ' block ' + (order[k] + 1) + ': ' + JSON.stringify(a));
      if (a.ok && a.complete) done = a.apdu;
    }
    assert.ok(done && bytesEqual(done, msg), 'message ' + i + ' reassembled');
    assert.is(r.finish(), undefined);
  }
});

function setup(blockSize = 50, window = 1) {
  const msg = corpus[2];
  const frames = splitIntoGbt(msg, headerOf(msg), { blockSize, window });
  return { msg, frames, r: new GbtReassembler({ maxBlockSize: blockSize }) };
}

function reason(a: ReturnType<GbtReassembler['accept']>): string {
  return a.ok ? 'accepted' : 'block' in a ? a.reason + ' (block ' + a.block + ')' : a.reason + ' at ' + a.at;
}

test('duplicate and conflicting blocks', () => {
  const { frames, r } = setup();
  assert.ok(r.accept(frames[0]).ok);
  assert.is(reason(r.accept(frames[0])), 'gbt-duplicate-block (block 1)');
  const d = decodeGbtFrame(frames[0]);
  if (!d.ok) throw new Error('frame');
  const changed = encodeGbtFrame({ ...d, blockData: new Uint8Array(d.blockData.length) });
  assert.is(reason(r.accept(changed)), 'gbt-conflicting-block (block 1)');
});

test('missing block: finish names the first gap; a block past the window is out of order', () => {
  const { frames, r } = setup(50, 1);
  assert.ok(r.accept(frames[0]).ok);
  assert.is(reason(r.accept(frames[2])), 'gbt-out-of-order (block 3)');
  const f = r.finish();
  assert.ok(f && f.reason === 'gbt-missing-block' && f.block === 2);
  const w = setup(50, 4);
  assert.ok(w.r.accept(w.frames[0]).ok);
  const a = w.r.accept(w.frames[2]);
  assert.ok(a.ok && !a.complete && a.firstMissing === 2);
  assert.is(reason(w.r.accept(w.frames[5])), 'gbt-out-of-order (block 6)');
});

test('oversize, inconsistent header, block number 0, blocks after the last, too large', () => {
  const { frames, msg } = setup(50);
  const small = new GbtReassembler({ maxBlockSize: 49 });
  assert.is(reason(small.accept(frames[0])), 'gbt-oversize-block (block 1)');
  const r = new GbtReassembler({ maxBlockSize: 50 });
  assert.ok(r.accept(frames[0]).ok);
  const other = splitIntoGbt(msg, { ...headerOf(msg), counter: counterFromNumber(7) }, { blockSize: 50 });
  assert.is(reason(r.accept(other[1])), 'gbt-inconsistent-header (block 2)');
  const d = decodeGbtFrame(frames[1]);
  if (!d.ok) throw new Error('frame');
  assert.is(reason(r.accept(encodeGbtFrame({ ...d, blockNumber: 0 }))), 'gbt-bad-block-number (block 0)');
  const w = new GbtReassembler({ maxBlockSize: 50 });
  const d0 = decodeGbtFrame(frames[0]);
  if (!d0.ok) throw new Error('frame');
  assert.ok(w.accept(encodeGbtFrame({ ...d0, window: 8 })).ok);
  assert.ok(w.accept(encodeGbtFrame({ ...d, lastBlock: true })).ok);
  const d2 = decodeGbtFrame(frames[2]);
  if (!d2.ok) throw new Error('frame');
  assert.is(reason(w.accept(frames[2])), 'gbt-block-after-last (block 3)');
  const tiny = new GbtReassembler({ maxBlockSize: 50, maxMessageSize: 60 });
  assert.ok(tiny.accept(frames[0]).ok);
  assert.is(reason(tiny.accept(frames[1])), 'gbt-message-too-large (block 2)');
});

test('frame decoding: typed rejections and exact layout', () => {
  const h: GbtHeader = { cra: 1, counter: counterFromNumber(0x1234), originator: fromHex('90b3d51f30010000')!, recipient: fromHex('00db1234567890a0')!, messageCode: 0x00a2 };
  const [f] = splitIntoGbt(fromHex('0102030405')!, h, { blockSize: 10, window: 3, streaming: true });
  // DD 09 01 counter 08 orig 08 recip 00 02 00A2 00 | 10 | 00 00000000 | E0 C3 0001 0000 05 0102030405
  assert.is(
    Buffer.from(f).toString('hex'),
    'dd0901' + '0000000000001234' + '0890b3d51f30010000' + '0800db1234567890a0' + '00' + '0200a2' + '00' + '11' + '0000000000' + 'e0c3' + '0001' + '0000' + '05' + '0102030405',
  );
  const d = decodeGbtFrame(f);
  assert.ok(d.ok && d.lastBlock && d.streaming && d.window === 3 && d.blockNumber === 1);
  const cut = decodeGbtFrame(f.subarray(0, f.length - 1));
  assert.ok(!cut.ok && cut.reason === 'length-overrun');
  const notE0 = new Uint8Array(f);
  notE0[40] = 0xe1;
  const bad = decodeGbtFrame(notE0);
  assert.ok(!bad.ok && bad.reason === 'bad-gbt-header' && bad.at === 40);
});

test('seeded fuzz of GBT frames: no exception, exact re-encoding of what is accepted', () => {
  const rng = seededRng(5);
  const frames: Uint8Array[] = [];
  for (let i = 0; i < 40; i++) frames.push(...splitIntoGbt(corpus[i], headerOf(corpus[i]), { blockSize: 30 + i * 7 }));
  const problems: string[] = [];
  for (let i = 0; i < 10000; i++) {
    const p = gbtTotalityProblem(mutate(frames[rng.below(frames.length)], rng));
    if (p) problems.push(p);
  }
  assert.equal(problems.slice(0, 3), []);
});

test.run();
