/**
 * BoardCrypto on node:crypto (OpenSSL). Key objects are cached per key, because importing a key costs
 * about as much as the operation itself and a device uses the same few keys for every message.
 * @module
 */
import { createCipheriv, createDecipheriv, createECDH, createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import type { Cipheriv, KeyObject } from 'node:crypto';
import type { BoardCrypto } from '../board.ts';

const b64url = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function expectLength(fn: string, what: string, bytes: Uint8Array, length: number): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new TypeError(`${fn}: "${what}" expected Uint8Array of length ${length}, got length=${bytes?.length}`);
  }
}

/** The order n of P-256 (FIPS 186-4 D.1.2.3), big-endian. */
const N = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');

/**
 * A private key must be 32 bytes in [1, n-1]; otherwise the caller's mistake, refused before OpenSSL sees
 * it with the words of the engines' paths (boards/portable/p256.ts, boards/nativeP256.ts): OpenSSL would
 * reduce some and fail others in its own words, or answer nothing.
 */
function expectPrivateKey(fn: string, d: Uint8Array): void {
  expectLength(fn, 'privateKey', d, 32);
  if (d.every((b) => b === 0) || Buffer.compare(Buffer.from(d.buffer, d.byteOffset, 32), N) >= 0) {
    throw new Error(fn + ': private key is not in [1, n-1]');
  }
}

export function nodeCrypto(): BoardCrypto {
  const privateKeys = new Map<string, KeyObject>();
  const publicKeys = new Map<string, KeyObject | null>();
  const ciphers = new Map<string, Cipheriv>();

  function publicKeyOf(privateKey: Uint8Array): Uint8Array {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(privateKey);
    return new Uint8Array(ecdh.getPublicKey());
  }

  function privateKeyObject(d: Uint8Array): KeyObject {
    const id = hex(d);
    let key = privateKeys.get(id);
    if (!key) {
      const pub = publicKeyOf(d);
      key = createPrivateKey({
        key: { kty: 'EC', crv: 'P-256', d: b64url(d), x: b64url(pub.subarray(1, 33)), y: b64url(pub.subarray(33)) },
        format: 'jwk',
      });
      privateKeys.set(id, key);
    }
    return key;
  }

  /** null when the bytes are not a point of P-256 (OpenSSL checks the curve equation on import). */
  function publicKeyObject(q: Uint8Array): KeyObject | null {
    const id = hex(q);
    let key = publicKeys.get(id);
    if (key === undefined) {
      try {
        key = q.length === 65 && q[0] === 4
          ? createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64url(q.subarray(1, 33)), y: b64url(q.subarray(33)) }, format: 'jwk' })
          : null;
      } catch {
        key = null;
      }
      publicKeys.set(id, key);
    }
    return key;
  }

  return {
    native: true,
    sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
    aes128EncryptBlock(key, block) {
      expectLength('aes128EncryptBlock', 'key', key, 16);
      expectLength('aes128EncryptBlock', 'block', block, 16);
      // ECB without padding is stateless block by block: one cipher per key serves every block (creating
      // a cipher costs more than the block; GBCS MACs use each message key for 2+ blocks).
      const id = hex(key);
      let cipher = ciphers.get(id);
      if (!cipher) {
        if (ciphers.size >= 64) ciphers.clear();
        cipher = createCipheriv('aes-128-ecb', key, null);
        cipher.setAutoPadding(false);
        ciphers.set(id, cipher);
      }
      return new Uint8Array(cipher.update(block));
    },
    aes128DecryptBlock(key, block) {
      expectLength('aes128DecryptBlock', 'key', key, 16);
      expectLength('aes128DecryptBlock', 'block', block, 16);
      // Rare (contingency key unwrap): a decipher per call.
      const d = createDecipheriv('aes-128-ecb', key, null);
      d.setAutoPadding(false);
      return new Uint8Array(Buffer.concat([d.update(block), d.final()]));
    },
    p256Sign(privateKey, message) {
      expectPrivateKey('p256Sign', privateKey);
      return new Uint8Array(sign('sha256', message, { key: privateKeyObject(privateKey), dsaEncoding: 'ieee-p1363' }));
    },
    p256Verify(publicKey, message, signature) {
      if (!(signature instanceof Uint8Array) || signature.length !== 64) return false;
      if (!(publicKey instanceof Uint8Array)) return false;
      const key = publicKeyObject(publicKey);
      if (!key) return false;
      try {
        return verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
      } catch {
        return false;
      }
    },
    p256PublicKey(privateKey) {
      expectPrivateKey('p256PublicKey', privateKey);
      return publicKeyOf(privateKey);
    },
    ecdh(privateKey, publicKey) {
      expectPrivateKey('ecdh', privateKey);
      if (!publicKeyObject(publicKey)) return undefined;
      try {
        const ecdh = createECDH('prime256v1');
        ecdh.setPrivateKey(privateKey);
        return new Uint8Array(ecdh.computeSecret(publicKey));
      } catch {
        return undefined;
      }
    },
    randomBytes: (length) => new Uint8Array(randomBytes(length)),
  };
}
