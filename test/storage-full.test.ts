/**
 * A full medium (boards/journaledStorage.ts, device/): the portable cases of storageFull.suite.ts on the
 * Node board, and what only Node checks cheaply: a power cut at every write of a refused commit (its
 * roll-back included), a sealed journal that cannot be applied at start-up, the file medium's ENOSPC,
 * and alerts and due actions that do not fit.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { journaledStorage, memoryMedium } from '../boards/journaledStorage.ts';
import { nodeBoard } from '../boards/node/index.ts';
import { fileMedium } from '../boards/node/fileMedium.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { readDeclaredVectors } from '../build/bundle.ts';
import { requireShared } from '../build/paths.ts';
import { vectorTable } from './portable/selftest.ts';
import { flashSuite, suite } from './portable/storageFull.suite.ts';
import { suite as firmwareSuite } from './portable/firmwareFull.suite.ts';
import { cuttingMedium, POWER_CUT } from './portable/powerCut.ts';
import { deviceOn, referenceBoard } from './portable/deviceFixture.ts';
import { fromHex } from '../lib/bytes.ts';
import type { Counter64 } from '../gbcs/counter64.ts';
import { genericAlertContent } from '../gbcs/contents/alerts.ts';

requireShared('test/storage-full');
const table = vectorTable(readDeclaredVectors(suite.vectors ?? []));
const ctx = {
  newBoard: (medium?: ReturnType<typeof memoryMedium>) => nodeBoard({ medium: medium ?? memoryMedium() }),
  vector: table.vector,
  vectorPaths: table.vectorPaths,
  memory: () => undefined,
};
const firmwareTable = vectorTable(readDeclaredVectors(firmwareSuite.vectors ?? []));
const firmwareCtx = { ...ctx, vector: firmwareTable.vector, vectorPaths: firmwareTable.vectorPaths };
for (const c of suite.cases.concat(flashSuite.cases)) test(`portable: ${c.name}`, () => c.run(ctx));
for (const c of firmwareSuite.cases) test(`portable: ${c.name}`, () => c.run(firmwareCtx));

const bytes = (n: number, v: number) => new Uint8Array(n).fill(v);
const hexOf = (m: ReturnType<typeof memoryMedium>) => JSON.stringify(Object.entries(m.snapshot()).map(([k, v]) => [k, Buffer.from(v).toString('hex')]).sort());
const copyOf = (m: ReturnType<typeof memoryMedium>, capacity?: number) => {
  const c = memoryMedium(capacity);
  for (const [k, v] of Object.entries(m.snapshot())) assert.ok(c.put(k, v));
  return c;
};

test('memory medium: a put past the capacity answers false and keeps the former blob', () => {
  const m = memoryMedium(10);
  assert.ok(m.put('a', bytes(6, 1)));
  assert.is(m.put('b', bytes(5, 2)), false);
  assert.is(m.put('a', bytes(11, 3)), false);
  assert.equal(m.get('a'), bytes(6, 1));
  assert.ok(m.put('a', bytes(10, 4)), 'a replacement counts the old blob as freed');
  assert.is(m.used(), 10);
});

test('a power cut at every write of a refused commit (journal, partial apply, roll-back) leaves the state wholly before', () => {
  // a and c fit, b (written after a) does not: the journal is written, a applied, b refused, a rolled back.
  const start = memoryMedium();
  const s0 = journaledStorage(start, sha256);
  assert.ok(s0.commit({ a: bytes(100, 1), b: bytes(10, 2), c: bytes(10, 3) }).ok);
  const capacity = start.used() + 600;
  const change = { a: bytes(50, 4), b: bytes(400, 5), c: null };
  const probe = copyOf(start, capacity);
  const r = journaledStorage(probe, sha256).commit(change);
  assert.equal(r, { ok: false, reason: 'storage-full' });
  assert.is(hexOf(probe), hexOf(start), 'refused: every blob as before');
  let cuts = 0;
  for (let cutAt = 0; ; cutAt++) {
    const m = copyOf(start, capacity);
    const cutting = cuttingMedium(m, cutAt, false);
    let cut = false;
    try {
      journaledStorage(cutting, sha256).commit(change);
    } catch (e) {
      if ((e as Error).message !== POWER_CUT) throw e;
      cut = true;
    }
    if (!cut) break;
    cuts++;
    const s = journaledStorage(m, sha256);
    const state = s.keys().map((k) => k + '=' + Buffer.from(s.read(k)!).toString('hex')).join(';');
    const before = s0.keys().map((k) => k + '=' + Buffer.from(s0.read(k)!).toString('hex')).join(';');
    const after = ['a=' + '04'.repeat(50), 'b=' + '05'.repeat(400)].join(';');
    assert.ok(state === before || state === after, 'cut at write ' + cutAt + ': wholly before or after');
  }
  assert.ok(cuts >= 4, 'journal, a, b (refused: no write), roll-back of a, journal removal: ' + cuts);
});

test('a sealed journal that cannot be applied at start-up is read as the committed state, and applied once room is freed', () => {
  const m = memoryMedium(2000);
  const s = journaledStorage(m, sha256);
  assert.ok(s.commit({ a: bytes(100, 1) }).ok);
  // Power cut right after the journal of { a: 300 bytes, b } was sealed; then the medium filled.
  const cutting = cuttingMedium(m, 1, false);
  assert.throws(() => journaledStorage(cutting, sha256).commit({ a: bytes(300, 2), b: bytes(20, 3) }), POWER_CUT);
  assert.ok(m.list().includes('journal'));
  assert.ok(m.put('filler', bytes(2000 - m.used(), 0)));
  const opened = journaledStorage(m, sha256);
  assert.equal(opened.read('a'), bytes(300, 2), 'the committed value');
  assert.equal(opened.keys(), ['a', 'b']);
  assert.equal(opened.commit({ c: bytes(1, 9) }), { ok: false, reason: 'storage-full' });
  m.remove('filler');
  assert.ok(opened.commit({ c: bytes(1, 9) }).ok);
  assert.equal(journaledStorage(m, sha256).keys(), ['a', 'b', 'c']);
  assert.not.ok(m.list().includes('journal'));
});

test('file medium: ENOSPC is put answering false, the old blob kept, no partial file left', () => {
  if (!existsSync('/dev/full')) return; // Linux's always-full device gives a real ENOSPC
  const dir = mkdtempSync(join(tmpdir(), 'smets-full-'));
  try {
    const m = fileMedium(dir);
    assert.ok(m.put('a', bytes(4, 1)));
    // The medium writes NAME.tmp, then renames it: a tmp that is /dev/full makes the write fail ENOSPC.
    symlinkSync('/dev/full', join(dir, 'a.tmp'));
    symlinkSync('/dev/full', join(dir, 'b.tmp'));
    assert.is(m.put('a', bytes(8, 2)), false);
    assert.is(m.put('b', bytes(8, 3)), false);
    assert.equal(m.get('a'), bytes(4, 1), 'old blob kept');
    assert.is(m.get('b'), undefined);
    assert.equal(readdirSync(dir), ['a'], 'the tmp names removed');
    assert.ok(m.put('b', bytes(8, 3)), 'writes again once the disk has room');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an alert the device raises on a full medium is refused storage-full: not sent, its counter not taken', () => {
  const base = memoryMedium();
  referenceBoard(ctx, base);
  const m = copyOf(base, base.used() + 64);
  assert.ok(m.put('filler', bytes(64, 0)));
  const before = hexOf(m);
  const sent: Uint8Array[] = [];
  const board = ctx.newBoard(m);
  const device = deviceOn(board);
  const spec = { messageCode: 0x1001, recipient: fromHex('90b3d51f30010000')!, content: (c: Counter64) => genericAlertContent(c, 0x810e, 0) };
  const origSend = board.link.send;
  board.link.send = (f: Uint8Array) => { sent.push(f); origSend.call(board.link, f); };
  assert.equal(device.raise(spec), { ok: false, reason: 'storage-full' });
  assert.is(sent.length, 0, 'nothing sent');
  assert.is(hexOf(m), before, 'every blob as it was (device counter included)');
  m.remove('filler');
  const a = device.raise(spec);
  assert.ok(a.ok, 'raised once space is freed');
  assert.is(sent.length, 1, 'sent');
});

test.run();
