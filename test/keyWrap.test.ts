/**
 * AES key unwrap (gbcs/protection/keyWrap.ts) against RFC 3394 §4.1 and OpenSSL's id-aes128-wrap and
 * id-aes128-wrap-pad, on the portable and the Node board ciphers; every tampered byte and a wrong key
 * give undefined.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createCipheriv, createHash } from 'node:crypto';
import { aes128DecryptBlock } from '../boards/portable/aes128.ts';
import { nodeCrypto } from '../boards/node/nodeCrypto.ts';
import { aesKeyUnwrap, aesKeyUnwrapPadded } from '../gbcs/protection/keyWrap.ts';

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('hex') : 'undefined');
let n = 0;
const rand = (len: number) => {
  const out = new Uint8Array(len);
  for (let at = 0; at < len; at += 32) out.set(createHash('sha256').update('keywrap:' + n++).digest().subarray(0, Math.min(32, len - at)), at);
  return out;
};
function wrap(kek: Uint8Array, data: Uint8Array, padded: boolean): Uint8Array {
  const c = createCipheriv(padded ? 'id-aes128-wrap-pad' : 'id-aes128-wrap', kek, padded ? hex('a65959a6') : hex('a6a6a6a6a6a6a6a6'));
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

for (const [name, decrypt] of [['portable', aes128DecryptBlock], ['node board', nodeCrypto().aes128DecryptBlock]] as const) {
  test(`RFC 3394 §4.1 (128-bit KEK, 128-bit key) on the ${name} cipher`, () => {
    const kek = hex('000102030405060708090a0b0c0d0e0f');
    const got = aesKeyUnwrap(decrypt, kek, hex('1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5'));
    assert.is(toHex(got), '00112233445566778899aabbccddeeff');
  });

  test(`unwraps what OpenSSL wraps, 1..120 bytes padded and 16..120 unpadded (${name})`, () => {
    for (let len = 1; len <= 120; len++) {
      const kek = rand(16);
      const data = rand(len);
      assert.is(toHex(aesKeyUnwrapPadded(decrypt, kek, wrap(kek, data, true))), toHex(data), 'padded ' + len);
      if (len % 8 === 0 && len >= 16) assert.is(toHex(aesKeyUnwrap(decrypt, kek, wrap(kek, data, false))), toHex(data), 'unpadded ' + len);
    }
  });

  test(`every flipped byte, a wrong key and bad lengths are refused (${name})`, () => {
    const kek = rand(16);
    const spki = rand(91); // a P-256 SubjectPublicKeyInfo is 91 bytes
    const w = wrap(kek, spki, true);
    for (let i = 0; i < w.length; i++) {
      const t = new Uint8Array(w);
      t[i] ^= 0x01;
      assert.is(aesKeyUnwrapPadded(decrypt, kek, t), undefined, 'flip at ' + i);
    }
    const wrongKek = new Uint8Array(kek);
    wrongKek[15] ^= 0x80;
    assert.is(aesKeyUnwrapPadded(decrypt, wrongKek, w), undefined, 'wrong key');
    assert.is(aesKeyUnwrapPadded(decrypt, kek, w.subarray(0, w.length - 8)), undefined, 'truncated by a semiblock');
    assert.is(aesKeyUnwrapPadded(decrypt, kek, w.subarray(0, w.length - 1)), undefined, 'not a multiple of 8');
    assert.is(aesKeyUnwrapPadded(decrypt, kek, new Uint8Array(8)), undefined, 'one semiblock');
    assert.is(aesKeyUnwrapPadded(decrypt, new Uint8Array(15), w), undefined, 'short KEK');
    // An RFC 3394 wrapping is not an RFC 5649 one (different integrity value) and vice versa.
    const plain = rand(32);
    assert.is(aesKeyUnwrapPadded(decrypt, kek, wrap(kek, plain, false)), undefined, '3394 read as 5649');
    assert.is(aesKeyUnwrap(decrypt, kek, wrap(kek, plain, true)), undefined, '5649 read as 3394');
  });
}

test.run();
