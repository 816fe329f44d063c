/**
 * A full medium on every engine: a commit that does not fit answers 'storage-full' and leaves every
 * stored byte as it was (boards/journaledStorage.ts), whether the journal itself does not fit or a change
 * does not once the journal is written (rolled back); a later commit, once space is freed, works. Then the
 * device: a command refused 'storage-full' with state byte-for-byte unchanged and its counter not advanced,
 * so the same command is accepted once space is freed; an image block that does not fit refused and the
 * transfer abandoned by a new begin. A small bundle of its own: the device bundles fill JerryScript's heap.
 * The medium is a memory medium with a capacity (bytes of blob content), filled with a blob outside the
 * storage ("filler") whose removal is the freed space.
 * @module
 */
import type { Medium } from '../../boards/board.ts';
import { memoryMedium } from '../../boards/journaledStorage.ts';
import { journaledStorage } from '../../boards/journaledStorage.ts';
import { fromHex, toHex } from '../../lib/bytes.ts';
import { ACK_CONTINUE, ACK_REFUSED, BLOCK_SIZE, beginFrame, blockFrame, decodeAck } from '../../gbcs/ota/blockTransfer.ts';
import type { Ack } from '../../gbcs/ota/blockTransfer.ts';
import { provisionFirmwareStore, readSlot, SLOT_RECEIVING } from '../../device/firmwareUpdate/imageStore.ts';
import { receiveTransferFrame } from '../../device/firmwareUpdate/imageReceiver.ts';
import { readIdentity } from '../../device/state/identity.ts';
import { equal, ok } from './assert.ts';
import { copyWithRoom, fill, picture } from './fullMedium.ts';
import { deviceOn, ECS52, fixtureVectors, referenceBoard, vectorBytes } from './deviceFixture.ts';
import { syntheticImage } from './firmwareImages.ts';
import { MFR_PRIVATE, MFR_PUBLIC } from './firmware.suite.ts';
import type { Suite } from './selftest.ts';

function bytesOf(n: number, v: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = v;
  return b;
}

export const suite: Suite = {
  name: 'storage full',
  bundle: 'selftest-storage-full',
  vectors: fixtureVectors(),
  cases: [
    {
      name: 'a commit that does not fit answers storage-full, nothing changed; after space is freed it commits',
      run(ctx) {
        const sha = ctx.newBoard().crypto.sha256;
        // The medium also keeps the storage's reserve (512 bytes) once a commit has gone through.
        const capacity = 8192;
        const m = memoryMedium(capacity);
        const s = journaledStorage(m as Medium, sha);
        equal(s.commit({ a: bytesOf(300, 1), b: bytesOf(300, 2) }).ok, true, 'first commit fits');
        fill(m, capacity);
        const before = picture(m);
        // The journal itself does not fit.
        const r = s.commit({ a: bytesOf(400, 3), c: bytesOf(10, 4) });
        equal(r.ok ? 'ok' : r.reason, 'storage-full', 'refused');
        equal(picture(m), before, 'every blob as it was');
        // The journal (about 470 bytes) fits, the larger a does not: rolled back, journal removed.
        fill(m, capacity - 500);
        const before2 = picture(m);
        const r2 = s.commit({ a: bytesOf(420, 5), b: null });
        equal(r2.ok ? 'ok' : r2.reason, 'storage-full', 'refused after the journal was written');
        equal(picture(m), before2, 'rolled back: every blob as it was');
        equal(toHex(s.read('a') as Uint8Array), toHex(bytesOf(300, 1)), 'a readable as before');
        equal(s.keys().join(','), 'a,b', 'keys as before');
        // A commit that only frees space goes through on the reserve, even with nothing free.
        fill(m, capacity);
        equal(s.commit({ b: null }).ok, true, 'a delete commits on a full medium');
        equal(s.keys().join(','), 'a', 'b deleted');
        m.remove('filler');
        equal(s.commit({ a: bytesOf(400, 3), c: bytesOf(10, 4) }).ok, true, 'space freed: the refused commit now fits');
        equal(toHex(s.read('c') as Uint8Array), '04040404040404040404', 'c written');
        equal(m.list().indexOf('journal'), -1, 'no journal left');
      },
    },
    {
      name: 'a command refused storage-full leaves state byte-for-byte unchanged; once space is freed the same command is accepted',
      run(ctx) {
        const base = memoryMedium();
        referenceBoard(ctx, base);
        const m = copyWithRoom(base, 2048, 0);
        const before = picture(m);
        const cmd = vectorBytes(ctx, ECS52);
        const a = deviceOn(ctx.newBoard(m)).receive(cmd);
        equal(a.outcome.ok ? 'accepted' : a.outcome.reason, 'storage-full', 'refused storage-full');
        equal(a.response === undefined && a.alerts.length === 0, true, 'nothing sent');
        equal(picture(m), before, 'state byte-for-byte unchanged (not even the log entry fitted)');
        m.remove('filler');
        const b = deviceOn(ctx.newBoard(m)).receive(cmd);
        ok(b.outcome.ok, 'the same command accepted once space is freed: ' + (b.outcome.ok ? '' : b.outcome.reason));
        ok(b.response !== undefined, 'answered');
        const again = deviceOn(ctx.newBoard(m)).receive(cmd);
        equal(again.outcome.ok ? 'accepted' : again.outcome.reason, 'replay', 'and its counter advanced with it');
      },
    },
    {
      name: 'an image block that does not fit is refused storage-full; a new begin abandons the transfer',
      run(ctx) {
        const base = memoryMedium();
        const board0 = referenceBoard(ctx, base).board;
        ok(provisionFirmwareStore(board0.storage, { manufacturerKey: MFR_PUBLIC, capacity: 16 * 1024 }).ok, 'firmware store provisioned');
        const id = readIdentity(board0.storage);
        if (!id) throw new Error('not manufactured');
        // No signing on the board: the transfer is refused before the image is checked.
        const zero = new Uint8Array(64);
        const img = syntheticImage(board0.crypto, MFR_PRIVATE, { bodyLength: 6000, fileVersion: 0x00020000, seed: 3, known: { bodyDigest: zero.subarray(0, 32), hash: zero.subarray(0, 32), signature: zero } });
        // Room for the begin and two blocks (each block: its journal, then the block itself).
        const m = copyWithRoom(base, 0, 3 * BLOCK_SIZE + 1024);
        const board = ctx.newBoard(m);
        let ack = decodeAck(receiveTransferFrame(board, id, beginFrame(img.size, fromHex('90b3d51f30010000') as Uint8Array)).frames[0]) as Ack;
        equal(ack.status, ACK_CONTINUE, 'begin accepted');
        let refused: Ack | undefined;
        let before = '';
        let blocks = 0;
        while (ack.status === ACK_CONTINUE && !refused) {
          before = picture(m);
          const next = decodeAck(receiveTransferFrame(board, id, blockFrame(ack.next, img.block(Math.floor(ack.next / BLOCK_SIZE)))).frames[0]) as Ack;
          if (next.status === ACK_REFUSED) refused = next;
          else {
            blocks++;
            ack = next;
          }
        }
        ok(refused !== undefined, 'a block refused before the image was complete');
        if (!refused) return;
        equal(refused.reason, 'storage-full', 'refused storage-full');
        equal(refused.next, blocks * BLOCK_SIZE, 'the offset wanted is still the refused block');
        ok(blocks >= 1, 'blocks stored before: ' + blocks);
        equal(picture(m), before, 'the refused block changed nothing');
        equal(readSlot(board.storage, 0).state, SLOT_RECEIVING, 'slot 0 still receiving');
        // Abandon: a new begin drops the slot's blocks (a commit that frees space: it fits on the reserve).
        const again = decodeAck(receiveTransferFrame(board, id, beginFrame(img.size, fromHex('90b3d51f30010000') as Uint8Array)).frames[0]) as Ack;
        equal(again.status, ACK_CONTINUE, 'begin accepted on a full medium');
        equal(again.next, 0, 'from offset 0');
        let stored = 0;
        const keys = board.storage.keys();
        for (let i = 0; i < keys.length; i++) if (keys[i].indexOf('fw.s0.') === 0 || keys[i].indexOf('fw.s1.') === 0) stored++;
        equal(stored, 0, 'no block left');
        const first = decodeAck(receiveTransferFrame(board, id, blockFrame(0, img.block(0))).frames[0]) as Ack;
        equal(first.status, ACK_CONTINUE, 'the transfer starts again');
        equal(first.next, BLOCK_SIZE, 'block 0 stored');
      },
    },
  ],
};

/**
 * The bug this answers, on the board's own flash: Espruino's Storage.write failing ("Unable to find or
 * create file") when the 256 KiB Storage of the host build is full used to throw out of a commit. Espruino
 * only (its board's default medium is its flash); Node runs it on a 64 KiB capped memory medium.
 */
export const flashSuite: Suite = {
  name: 'storage full on the board flash',
  bundle: 'selftest-storage-full',
  boards: ['espruino'],
  cases: [
    {
      name: 'commits filling the flash end in storage-full, every key still readable; deleting them frees the flash',
      run(ctx) {
        const probe = ctx.newBoard();
        const board = probe.name === 'espruino' ? probe : ctx.newBoard(memoryMedium(64 * 1024));
        // 4 KiB blobs: an 8 KiB one (its copy and its journal besides) ran the 12,000-variable pool out.
        const size = 4 * 1024;
        let n = 0;
        let full = false;
        while (!full && n < 96) {
          const change: Record<string, Uint8Array | null> = {};
          change['fill.' + n] = bytesOf(size, n & 255);
          const r = board.storage.commit(change);
          if (r.ok) n++;
          else {
            equal(r.reason, 'storage-full', 'the reason');
            full = true;
          }
        }
        ok(full, 'the flash filled after ' + n + ' blobs of ' + size + ' bytes');
        ok(n >= 1, 'something fitted first');
        equal(board.storage.read('fill.' + n), undefined, 'the refused blob is absent');
        for (let i = 0; i < n; i++) {
          const v = board.storage.read('fill.' + i) as Uint8Array;
          ok(v !== undefined && v.length === size && v[0] === (i & 255) && v[size - 1] === (i & 255), 'fill.' + i + ' intact');
        }
        const drop: Record<string, Uint8Array | null> = {};
        for (let i = 0; i < n; i++) drop['fill.' + i] = null;
        equal(board.storage.commit(drop).ok, true, 'the deletes commit on a full flash');
        equal(board.storage.commit({ after: bytesOf(size, 7) }).ok, true, 'space freed: a blob of the same size commits');
        equal(board.storage.commit({ after: null }).ok, true, 'cleaned up');
      },
    },
  ],
};
