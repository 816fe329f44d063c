/**
 * The board contract on every profile: digest and block cipher known answers, and the journaled
 * storage's all-or-nothing rule under a power cut at every write (torn and clean).
 * @module
 */
import { journaledStorage, memoryMedium } from '../../boards/journaledStorage.ts';
import { asciiBytes, fromHex, toHex } from '../../lib/bytes.ts';
import { bytesEqual, equal, ok } from './assert.ts';
import { POWER_CUT, cuttingMedium } from './powerCut.ts';
import type { Suite } from './selftest.ts';

const hex = (h: string): Uint8Array => fromHex(h) as Uint8Array;

/** State as text, to compare whole stores. */
function dump(read: (k: string) => Uint8Array | undefined, keys: string[]): string {
  let out = '';
  for (let i = 0; i < keys.length; i++) out += keys[i] + '=' + toHex(read(keys[i]) || new Uint8Array(0)) + ';';
  return out;
}

export const suite: Suite = {
  name: 'board',
  cases: [
    {
      // FIPS 180-4 examples (NIST CSRC "SHA256.pdf"): one block, empty, and a two-block message.
      name: 'sha256 known answers',
      run(ctx) {
        const c = ctx.newBoard().crypto;
        bytesEqual(c.sha256(asciiBytes('abc')), hex('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'), 'sha256("abc")');
        bytesEqual(c.sha256(new Uint8Array(0)), hex('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'), 'sha256("")');
        bytesEqual(
          c.sha256(asciiBytes('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')),
          hex('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'),
          'sha256(448-bit message)',
        );
      },
    },
    {
      name: 'storage commits, reads back and deletes',
      run(ctx) {
        const s = ctx.newBoard(memoryMedium()).storage;
        s.commit({ a: hex('01'), b: hex('0203') });
        bytesEqual(s.read('b'), hex('0203'), 'b after first commit');
        s.commit({ a: null, c: hex('ff') });
        equal(s.read('a'), undefined, 'a deleted');
        equal(s.keys().join(','), 'b,c', 'keys');
      },
    },
    {
      name: 'board storage medium persists across a restart',
      run(ctx) {
        const key = 'selftest.persist';
        const write: Record<string, Uint8Array | null> = {};
        write[key] = hex('c0ffee');
        ctx.newBoard().storage.commit(write);
        bytesEqual(ctx.newBoard().storage.read(key), hex('c0ffee'), 'value after restart');
        write[key] = null;
        ctx.newBoard().storage.commit(write);
      },
    },
    {
      name: 'storage refuses keys the flash cannot name',
      run(ctx) {
        const s = ctx.newBoard(memoryMedium()).storage;
        let threw = false;
        try {
          s.commit({ 'a key with spaces': hex('00') });
        } catch (e) {
          threw = true;
        }
        ok(threw, 'a bad key is a programming error');
        equal(s.keys().length, 0, 'nothing written');
      },
    },
    {
      name: 'power cut at every write leaves the state wholly before or wholly after',
      run(ctx) {
        const before: Record<string, Uint8Array> = { counter: hex('0000000000000005'), cell: hex('aa'), gone: hex('01') };
        const change = { counter: hex('0000000000000006'), cell: hex('bbbb'), gone: null, fresh: hex('0102') };
        const keys = ['cell', 'counter', 'fresh', 'gone'];
        let tried = 0;
        for (let tear = 0; tear < 2; tear++) {
          for (let cutAt = 0; ; cutAt++) {
            const medium = memoryMedium();
            journaledStorage(medium, ctx.newBoard().crypto.sha256).commit(before);
            const faulty = cuttingMedium(medium, cutAt, tear === 1);
            const board = ctx.newBoard(faulty);
            let cut = false;
            try {
              board.storage.commit(change);
            } catch (e) {
              equal((e as Error).message, POWER_CUT, 'only the power cut may interrupt');
              cut = true;
            }
            const restarted = ctx.newBoard(medium).storage;
            const state = dump(restarted.read, keys);
            const old = dump((k) => before[k], keys);
            const next = dump((k) => (change as Record<string, Uint8Array | null>)[k] || undefined, keys);
            ok(state === old || state === next, 'cut at write ' + cutAt + (tear ? ' (torn)' : '') + ' left a mix: ' + state);
            equal(medium.get('journal'), undefined, 'journal cleared after restart');
            tried++;
            if (!cut) break;
          }
        }
        ok(tried >= 10, 'cut points tried: ' + tried);
      },
    },
  ],
};

/** AES-128 on every board (native on Node and Espruino, boards/portable/aes128.ts on JerryScript). */
export const aesSuite: Suite = {
  name: 'board aes',
  cases: [
    {
      // FIPS 197 Appendix C.1 (AES-128).
      name: 'aes-128 known answer',
      run(ctx) {
        const c = ctx.newBoard().crypto;
        bytesEqual(
          c.aes128EncryptBlock(hex('000102030405060708090a0b0c0d0e0f'), hex('00112233445566778899aabbccddeeff')),
          hex('69c4e0d86a7b0430d8cdb78070b4c55a'),
          'AES-128(FIPS-197 C.1)',
        );
        bytesEqual(
          c.aes128DecryptBlock(hex('000102030405060708090a0b0c0d0e0f'), hex('69c4e0d86a7b0430d8cdb78070b4c55a')),
          hex('00112233445566778899aabbccddeeff'),
          'AES-128 inverse (FIPS-197 C.1)',
        );
      },
    },
  ],
};
