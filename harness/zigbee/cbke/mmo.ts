/**
 * The hashes of ZigBee security on Node's AES: the AES-MMO hash (ZigBee spec §B.6, one implementation:
 * hub/installCode.ts `aesMmo`, here given node:crypto's AES-128 block) and the keyed hash for message
 * authentication built on it (ZigBee spec §B.1.4: HMAC, FIPS 198, with AES-MMO and a 16-byte block:
 * MAC_K(M) = H((K xor opad) || H((K xor ipad) || M)), ipad = 0x36.., opad = 0x5c..). @module
 */
import { createCipheriv } from 'node:crypto';
import { aesMmo } from '../../../hub/installCode.ts';

export function aes128EncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(block), c.final()]));
}

/** AES-MMO hash, 16 bytes. */
export function mmoHash(message: Uint8Array): Uint8Array {
  return aesMmo(aes128EncryptBlock, message);
}

/** ZigBee keyed hash MAC (HMAC over AES-MMO) with a 16-byte key. */
export function mmoHmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  if (key.length !== 16) throw new Error('mmoHmac: key must be 16 bytes, got ' + key.length);
  const inner = new Uint8Array(16 + message.length);
  const outer = new Uint8Array(32);
  for (let i = 0; i < 16; i++) {
    inner[i] = key[i] ^ 0x36;
    outer[i] = key[i] ^ 0x5c;
  }
  inner.set(message, 16);
  outer.set(mmoHash(inner), 16);
  return mmoHash(outer);
}
