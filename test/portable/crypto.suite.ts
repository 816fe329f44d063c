/**
 * Known answers for the portable crypto on every engine: AES-128-GCM (NIST and GBCS-library values
 * from shared/vectors) in the main self-test, and P-256 (RFC 6979 A.2.5, agreement both ways, malformed
 * inputs) in its own bundle, because a P-256 operation takes seconds on Espruino.
 * @module
 */
import { asciiBytes, concatBytes, fromHex } from '../../lib/bytes.ts';
import { gcmDecrypt, gcmEncrypt } from '../../gbcs/protection/gcm.ts';
import { aesKeyUnwrap, aesKeyUnwrapPadded } from '../../gbcs/protection/keyWrap.ts';
import { bytesEqual, equal, ok } from './assert.ts';
import type { Board } from '../../boards/board.ts';
import type { SelfTestContext, Suite } from './selftest.ts';

const hex = (h: string): Uint8Array => fromHex(h) as Uint8Array;
const V184 = 'gbcs-spec-18.4/gbcs-18.4-crypto-vectors.json';
const INLINE = 'gbcs-parser-inline/inline-vectors.json';

export const gcmSuite: Suite = {
  name: 'crypto gcm',
  bundle: 'selftest-crypto',
  vectors: [V184, INLINE],
  cases: [
    {
      // NIST GCM spec (McGrew & Viega) test case 6 subset, with the tag cut to 12 bytes, as transcribed in the 18.4 file.
      name: 'gcm NIST example: encrypt, decrypt, tamper',
      run(ctx) {
        const v = JSON.parse(ctx.vector(V184)).nist_gcm_example6_subset;
        const aes = ctx.newBoard().crypto.aes128EncryptBlock;
        const sealed = gcmEncrypt(aes, hex(v.key), hex(v.iv), hex(v.plaintext), hex(v.aad), 12);
        bytesEqual(sealed.ciphertext, hex(v.ciphertext), 'ciphertext');
        bytesEqual(sealed.tag, hex(v.tag12), 'tag');
        bytesEqual(gcmDecrypt(aes, hex(v.key), hex(v.iv), sealed.ciphertext, hex(v.aad), sealed.tag), hex(v.plaintext), 'decrypt');
        const bad = hex(v.tag12);
        bad[11] ^= 1;
        equal(gcmDecrypt(aes, hex(v.key), hex(v.iv), sealed.ciphertext, hex(v.aad), bad), undefined, 'flipped tag bit');
        const badCt = hex(v.ciphertext);
        badCt[0] ^= 0x80;
        equal(gcmDecrypt(aes, hex(v.key), hex(v.iv), badCt, hex(v.aad), sealed.tag), undefined, 'flipped ciphertext bit');
      },
    },
    {
      // gbcs-parser's gcm/ungcm values: IV = originator system title || 00000000 (GBCS §4.3.3).
      name: 'gcm GBCS-style values (empty plaintext MAC, 4- and 12-byte tags)',
      run(ctx) {
        const list = JSON.parse(ctx.vector(INLINE)).gcm_vectors.vectors;
        const aes = ctx.newBoard().crypto.aes128EncryptBlock;
        for (let i = 0; i < list.length; i++) {
          const v = list[i];
          const iv = concatBytes([hex(v.origSysTitle), new Uint8Array(4)]);
          const tag = hex(v.tag12 || v.tag4);
          const sealed = gcmEncrypt(aes, hex(v.key), iv, asciiBytes(v.plaintext_ascii), asciiBytes(v.aad_ascii), tag.length);
          bytesEqual(sealed.tag, tag, 'tag #' + i);
          if (v.ciphertext) bytesEqual(sealed.ciphertext, hex(v.ciphertext), 'ciphertext #' + i);
          const back = gcmDecrypt(aes, hex(v.key), iv, sealed.ciphertext, asciiBytes(v.aad_ascii), tag);
          ok(back !== undefined && back.length === v.plaintext_ascii.length, 'decrypts #' + i);
          equal(gcmDecrypt(aes, hex(v.key), iv, sealed.ciphertext, asciiBytes(v.aad_ascii + '!'), tag), undefined, 'other AAD #' + i);
        }
      },
    },
    {
      // The contingency key unwrap over each board's inverse cipher: RFC 3394 §4.1, and RFC 5649 wrappings
      // of 7 and 20 bytes under the same KEK made by OpenSSL (id-aes128-wrap-pad; test/keyWrap.test.ts
      // checks 1..120 bytes against OpenSSL on Node).
      name: 'aes key unwrap (RFC 3394 §4.1, RFC 5649 one- and multi-block), tamper refused',
      run(ctx) {
        const decrypt = ctx.newBoard().crypto.aes128DecryptBlock;
        const kek = hex('000102030405060708090a0b0c0d0e0f');
        bytesEqual(aesKeyUnwrap(decrypt, kek, hex('1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5')) as Uint8Array, hex('00112233445566778899aabbccddeeff'), 'RFC 3394 4.1');
        bytesEqual(aesKeyUnwrapPadded(decrypt, kek, hex('1b1d4bc2a90b1fa389412b3d40fecb20')) as Uint8Array, hex('00112233445566'), '7 bytes');
        const w20 = hex('e1f7176ecbd75d42e82b24f989a2816c209c6ef2d1aa94d2a3e60284900d03a2');
        bytesEqual(aesKeyUnwrapPadded(decrypt, kek, w20) as Uint8Array, hex('c37b7e6492584340bed12207808941155068f738'), '20 bytes');
        w20[5] ^= 1;
        equal(aesKeyUnwrapPadded(decrypt, kek, w20), undefined, 'tampered');
      },
    },
  ],
};

// RFC 6979 A.2.5: P-256, private key x, message "sample", SHA-256.
const RFC6979_X = 'c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721';
const RFC6979_UX = '60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6';
const RFC6979_UY = '7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299';
const RFC6979_SIG =
  'efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716' +
  'f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8';

/** The board's P-256 paths: the native one where the engine has it, and the portable one, labelled. */
function p256Paths(ctx: SelfTestContext): Array<{ path: string; board: Board }> {
  const first = ctx.newBoard();
  if (!first.crypto.native) return [{ path: 'portable', board: first }];
  return [{ path: 'native', board: first }, { path: 'portable', board: ctx.newBoard(undefined, { portableCrypto: true }) }];
}

/** The message of what `f` throws ('' when it does not throw). */
function thrown(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message || String(e);
  }
  return '';
}

// Each P-256 bundle is small: a portable operation takes ~20 s on Espruino's host build, and a bundle
// that held them all came near the runner's 600 s limit on a loaded machine. Every case runs on both
// paths where the engine has native P-256 (`npm run engines` builds it in), the portable one otherwise.
export const p256Suite: Suite = {
  name: 'crypto p256',
  bundle: 'selftest-p256-sign',
  vectors: [V184],
  cases: [
    {
      // The engines built by `npm run engines` carry native P-256 (mbedTLS); the board chooses it and says so.
      name: 'native P-256 is present and chosen (board.crypto.native), portable on request',
      run(ctx) {
        equal(ctx.newBoard().crypto.native, true, 'board.crypto.native');
        equal(ctx.newBoard(undefined, { portableCrypto: true }).crypto.native, false, 'portableCrypto');
      },
    },
    {
      name: 'public key, deterministic signature and verification (RFC 6979 A.2.5), each path',
      run(ctx) {
        for (const one of p256Paths(ctx)) {
          const path = one.path;
          const board = one.board;
          const c = board.crypto;
          const pub = c.p256PublicKey(hex(RFC6979_X));
          bytesEqual(pub, hex('04' + RFC6979_UX + RFC6979_UY), path + ': public key');
          const sig = c.p256Sign(hex(RFC6979_X), asciiBytes('sample'));
          // The engines sign with RFC 6979 nonces on both paths; Node's OpenSSL signs with random ones.
          if (!(board.name === 'node' && c.native)) bytesEqual(sig, hex(RFC6979_SIG), path + ': signature');
          ok(c.p256Verify(pub, asciiBytes('sample'), hex(RFC6979_SIG)), path + ': the RFC signature verifies');
          ok(c.p256Verify(pub, asciiBytes('sample'), sig), path + ': verifies');
          ok(!c.p256Verify(pub, asciiBytes('samplf'), sig), path + ': other message rejected');
        }
      },
    },
  ],
};

export const p256EcdhSuite: Suite = {
  name: 'crypto p256 ecdh',
  bundle: 'selftest-p256-ecdh',
  vectors: [V184],
  cases: [
    {
      // 18.4 keys: supplier A's DS key and the ACB KA key agree on the same Z from either side.
      name: 'ECDH agrees both ways, each path',
      run(ctx) {
        const v = JSON.parse(ctx.vector(V184));
        const a = hex(v.supplierA.ds_private);
        const b = hex(v.acb.ka_private);
        let first: Uint8Array | undefined;
        for (const one of p256Paths(ctx)) {
          const path = one.path;
          const board = one.board;
          const c = board.crypto;
          bytesEqual(c.p256PublicKey(a), hex('04' + v.supplierA.ds_public), path + ': supplier A public key');
          const zab = c.ecdh(a, c.p256PublicKey(b));
          ok(zab !== undefined && zab.length === 32, path + ': Z');
          bytesEqual(c.ecdh(b, hex('04' + v.supplierA.ds_public)), zab as Uint8Array, path + ': Z from the other side');
          if (first) bytesEqual(zab, first, path + ': the same Z as the native path');
          first = zab;
        }
      },
    },
  ],
};

export const p256MalformedSuite: Suite = {
  name: 'crypto p256 malformed',
  bundle: 'selftest-p256-malformed',
  vectors: [V184],
  cases: [
    {
      name: 'malformed public keys and signatures are rejected without work, the same on each path',
      run(ctx) {
        for (const one of p256Paths(ctx)) {
          const path = one.path;
          const board = one.board;
          const c = board.crypto;
          const pub = hex('04' + RFC6979_UX + RFC6979_UY);
          const sig = hex(RFC6979_SIG);
          const m = asciiBytes('sample');
          const offCurve = hex('04' + RFC6979_UX + RFC6979_UY);
          offCurve[64] ^= 1;
          equal(c.p256Verify(offCurve, m, sig), false, path + ': off-curve key');
          equal(c.ecdh(hex(RFC6979_X), offCurve), undefined, path + ': ECDH with an off-curve key');
          equal(c.ecdh(hex(RFC6979_X), new Uint8Array(65)), undefined, path + ': ECDH with 04 || 0 || 0');
          equal(c.ecdh(hex(RFC6979_X), hex('00')), undefined, path + ': ECDH with the SEC 1 encoding of infinity');
          const compressed = hex('03' + RFC6979_UX);
          equal(c.ecdh(hex(RFC6979_X), compressed), undefined, path + ': ECDH with a compressed point');
          equal(c.p256Verify(compressed, m, sig), false, path + ': compressed key');
          const xp = hex('04ffffffff00000001000000000000000000000000ffffffffffffffffffffffff' + RFC6979_UY);
          equal(c.p256Verify(xp, m, sig), false, path + ': x = p');
          equal(c.ecdh(hex(RFC6979_X), xp), undefined, path + ': ECDH with x = p');
          equal(c.p256Verify(pub.subarray(0, 64), m, sig), false, path + ': short key');
          const long = new Uint8Array(66);
          long.set(pub);
          equal(c.p256Verify(long, m, sig), false, path + ': 66-byte key');
          equal(c.ecdh(hex(RFC6979_X), long), undefined, path + ': ECDH with a 66-byte key');
          const n = 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551';
          equal(c.p256Verify(pub, m, hex('00'.repeat(32) + RFC6979_SIG.substr(64))), false, path + ': r = 0');
          equal(c.p256Verify(pub, m, hex(RFC6979_SIG.substr(0, 64) + '00'.repeat(32))), false, path + ': s = 0');
          equal(c.p256Verify(pub, m, hex(n + RFC6979_SIG.substr(64))), false, path + ': r = n');
          equal(c.p256Verify(pub, m, hex(RFC6979_SIG.substr(0, 64) + n)), false, path + ': s = n');
          equal(c.p256Verify(pub, m, sig.subarray(0, 63)), false, path + ': 63-byte signature');
          const sig65 = new Uint8Array(65);
          sig65.set(sig);
          equal(c.p256Verify(pub, m, sig65), false, path + ': 65-byte signature');
        }
      },
    },
    {
      // A private key outside [1, n-1] or of the wrong length is the caller's mistake: it throws, with the
      // same words on each path, before any work (and before ECDH looks at the peer's key).
      name: 'private keys out of range or of the wrong length throw, with the same words on each path',
      run(ctx) {
        const n = hex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
        const bad: Array<[string, Uint8Array]> = [['0', new Uint8Array(32)], ['n', n], ['2^256 - 1', hex('ff'.repeat(32))], ['31 bytes', hex(RFC6979_X).subarray(0, 31)]];
        const pub = hex('04' + RFC6979_UX + RFC6979_UY);
        const words: string[][] = [];
        for (const one of p256Paths(ctx)) {
          const path = one.path;
          const board = one.board;
          const c = board.crypto;
          const mine: string[] = [];
          for (const item of bad) {
            const what = item[0];
            const d = item[1];
            const said = [
              thrown(() => c.p256PublicKey(d)),
              thrown(() => c.p256Sign(d, asciiBytes('sample'))),
              thrown(() => c.ecdh(d, pub)),
              thrown(() => c.ecdh(d, hex('00'))),
            ];
            for (let i = 0; i < said.length; i++) ok(said[i] !== '', path + ': private key ' + what + ' refused (call ' + i + ')');
            mine.push(said.join(' | '));
          }
          words.push(mine);
        }
        for (let i = 1; i < words.length; i++) {
          for (let k = 0; k < bad.length; k++) equal(words[i][k], words[0][k], 'the same words on each path, private key ' + bad[k][0]);
        }
      },
    },
  ],
};
