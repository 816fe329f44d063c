/**
 * The JerryScript board (3.0, es.next profile): the `jerry` command line offers no file system and no
 * crypto but P-256: the host built by `npm run engines` carries a native `P256` binding (mbedTLS,
 * build/engine-patches/native-p256), used where present, decided once when this module loads
 * (`board.crypto.native`); elsewhere P-256 is portable, as SHA-256 and AES-128 are (boards/portable/). State lives in a memory medium (a real port backs the same
 * Medium with its flash driver). The stock engine has no entropy source at all: randomBytes is a seeded
 * HMAC_DRBG (boards/portable/drbg.ts) that throws until a seed is provisioned at manufacture. Memory is reported by `jerry --mem-stats` at exit, not from inside.
 * On the host build the link is a line on standard output and the flash starts from an image (hostLink.ts).
 * @module
 */
import type { Board, BoardOptions } from '../board.ts';
import { journaledStorage, memoryMedium } from '../journaledStorage.ts';
import { hostLink, loadFlashImage } from '../hostLink.ts';
import { memoryLinkPair } from '../memoryLink.ts';
import { aes128DecryptBlock, aes128EncryptBlock } from '../portable/aes128.ts';
import { seededRandomBytes } from '../portable/drbg.ts';
import { p256 } from '../portable/p256.ts';
import { sha256 as portableSha256 } from '../portable/sha256.ts';
import { nativeP256 } from '../nativeP256.ts';
import type { NativeP256Module } from '../nativeP256.ts';

// The host's native binding, a global where the engine was built with it.
declare const P256: NativeP256Module | undefined;
const nativeP256Module: NativeP256Module | undefined = typeof P256 === 'undefined' ? undefined : P256;

/**
 * The board's flash: one per process, so a board made again (a restart) finds what was committed; it
 * starts from the host's flash image when one is given (hostLink.ts).
 */
const flash = memoryMedium();
loadFlashImage(flash);

export function jerryscriptBoard(options?: BoardOptions): Board {
  const o = options || {};
  const sha256 = portableSha256;
  const native = !o.portableCrypto && nativeP256Module !== undefined;
  const curve = native ? nativeP256(nativeP256Module as NativeP256Module, sha256) : p256(sha256);
  const storage = journaledStorage(o.medium || flash, sha256);
  return {
    name: 'jerryscript',
    crypto: {
      sha256,
      aes128EncryptBlock: aes128EncryptBlock,
      aes128DecryptBlock: aes128DecryptBlock,
      p256Sign: curve.sign,
      p256Verify: curve.verify,
      p256PublicKey: curve.publicKey,
      ecdh: curve.ecdh,
      randomBytes: seededRandomBytes('jerryscript', () => storage, sha256),
      native: native,
    },
    storage: storage,
    clock: { nowSec: () => Math.floor(Date.now() / 1000) },
    link: o.link || hostLink((line) => print(line)) || memoryLinkPair().device,
    log: (line) => print(line),
    memory: () => undefined,
  };
}
