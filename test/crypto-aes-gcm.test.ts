/**
 * Differential tests of the portable AES-128 (boards/portable/aes128.ts) and AES-GCM
 * (gbcs/protection/gcm.ts) against node:crypto on seeded random cases, including zero-length
 * plaintext, AAD-only messages and tampering; and the seeded DRBG's persistence rules.
 * @module
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { aes128DecryptBlock, aes128EncryptBlock } from '../boards/portable/aes128.ts';
import { provisionRandomSeed, seededRandomBytes } from '../boards/portable/drbg.ts';
import { journaledStorage, memoryMedium } from '../boards/journaledStorage.ts';
import { nodeCrypto } from '../boards/node/nodeCrypto.ts';
import { toHex } from '../lib/bytes.ts';
import { gcmDecrypt, gcmEncrypt } from '../gbcs/protection/gcm.ts';
import { seededBytes } from './portable/seeded.ts';

const sha256 = (d: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(d).digest());
const CASES = 1000;

test('AES-128 blocks equal OpenSSL', () => {
  const rand = seededBytes('aes');
  for (let i = 0; i < CASES; i++) {
    const key = rand(16);
    const block = rand(16);
    const c = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
    assert.is(toHex(aes128EncryptBlock(key, block)), toHex(new Uint8Array(c.update(block))), 'block #' + i);
  }
});

for (const [name, decrypt] of [['portable', aes128DecryptBlock], ['node board', nodeCrypto().aes128DecryptBlock]] as const) {
  test(`AES-128 inverse cipher (${name}) equals OpenSSL and inverts the forward cipher`, () => {
    const rand = seededBytes('aes-inverse-' + name);
    for (let i = 0; i < CASES; i++) {
      const key = rand(16);
      const block = rand(16);
      const d = createDecipheriv('aes-128-ecb', key, null).setAutoPadding(false);
      assert.is(toHex(decrypt(key, block)), toHex(new Uint8Array(d.update(block))), 'block #' + i);
      assert.is(toHex(decrypt(key, aes128EncryptBlock(key, block))), toHex(block), 'round trip #' + i);
    }
    assert.throws(() => decrypt(new Uint8Array(15), new Uint8Array(16)), /aes128DecryptBlock/);
  });
}

for (const [name, aes] of [['portable AES', aes128EncryptBlock], ['node board AES', nodeCrypto().aes128EncryptBlock]] as const) {
  test(`GCM over ${name} equals OpenSSL (tags 12 and 16, empty plaintext and AAD) and rejects tampering`, () => {
    const rand = seededBytes('gcm-' + name);
    for (let i = 0; i < CASES; i++) {
      const key = rand(16);
      const iv = rand(12);
      const pt = rand(i % 5 === 0 ? 0 : i % 70);
      const aad = rand(i % 7 === 0 ? 0 : i % 45);
      const tagLength = i % 3 === 0 ? 16 : 12;
      const c = createCipheriv('aes-128-gcm', key, iv);
      c.setAAD(aad);
      const ct = new Uint8Array(Buffer.concat([c.update(pt), c.final()]));
      const tag = new Uint8Array(c.getAuthTag()).subarray(0, tagLength);
      const sealed = gcmEncrypt(aes, key, iv, pt, aad, tagLength);
      assert.is(toHex(sealed.ciphertext), toHex(ct), 'ciphertext #' + i);
      assert.is(toHex(sealed.tag), toHex(tag), 'tag #' + i);
      assert.is(toHex(gcmDecrypt(aes, key, iv, ct, aad, tag)!), toHex(pt), 'decrypt #' + i);
      const badTag = new Uint8Array(tag);
      badTag[i % tagLength] ^= 1 << (i % 8);
      assert.is(gcmDecrypt(aes, key, iv, ct, aad, badTag), undefined, 'tag bit #' + i);
      if (ct.length > 0) {
        const badCt = new Uint8Array(ct);
        badCt[i % ct.length] ^= 1;
        assert.is(gcmDecrypt(aes, key, iv, badCt, aad, tag), undefined, 'ciphertext bit #' + i);
      }
      const badAad = new Uint8Array([...aad, 0]);
      assert.is(gcmDecrypt(aes, key, iv, ct, badAad, tag), undefined, 'longer AAD #' + i);
    }
  });
}

test('GCM argument errors are programming errors', () => {
  assert.throws(() => gcmEncrypt(aes128EncryptBlock, new Uint8Array(15), new Uint8Array(12), new Uint8Array(0), new Uint8Array(0), 12), /gcmEncrypt/);
  assert.throws(() => gcmEncrypt(aes128EncryptBlock, new Uint8Array(16), new Uint8Array(16), new Uint8Array(0), new Uint8Array(0), 12), /gcmEncrypt/);
});

test('seeded DRBG: refuses without a seed, never repeats across restarts, follows the seed', () => {
  const medium = memoryMedium();
  const storage = () => journaledStorage(medium, sha256);
  const rng = seededRandomBytes('test', storage, sha256);
  assert.throws(() => rng(16), /no entropy seed/);
  provisionRandomSeed(storage(), sha256, new Uint8Array(32).fill(7));
  const a = rng(40) as Uint8Array;
  const b = seededRandomBytes('test', storage, sha256)(40) as Uint8Array; // a "restarted" board
  assert.is.not(toHex(a), toHex(b), 'no replay after restart');
  const other = memoryMedium();
  provisionRandomSeed(journaledStorage(other, sha256), sha256, new Uint8Array(32).fill(7));
  assert.is(toHex(seededRandomBytes('test', () => journaledStorage(other, sha256), sha256)(40) as Uint8Array), toHex(a), 'deterministic in the seed');
  const mixed = memoryMedium();
  provisionRandomSeed(journaledStorage(mixed, sha256), sha256, new Uint8Array(32).fill(7));
  const withEntropy = seededRandomBytes('test', () => journaledStorage(mixed, sha256), sha256, () => new Uint8Array(32).fill(1))(40) as Uint8Array;
  assert.is.not(toHex(withEntropy), toHex(a), 'fresh entropy changes the output');
});

test.run();
