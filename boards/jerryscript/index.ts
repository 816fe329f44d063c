/**
 * The JerryScript board (3.0, es.next profile): the stock `jerry` command line offers no crypto and no
 * file system, so crypto is portable (SHA-256, AES-128, P-256 in boards/portable/) and state lives in a memory medium (a real port backs the same
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

/**
 * The board's flash: one per process, so a board made again (a restart) finds what was committed; it
 * starts from the host's flash image when one is given (hostLink.ts).
 */
const flash = memoryMedium();
loadFlashImage(flash);

export function jerryscriptBoard(options?: BoardOptions): Board {
  const o = options || {};
  const sha256 = portableSha256;
  const curve = p256(sha256);
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
    },
    storage: storage,
    clock: { nowSec: () => Math.floor(Date.now() / 1000) },
    link: o.link || hostLink((line) => print(line)) || memoryLinkPair().device,
    log: (line) => print(line),
    memory: () => undefined,
  };
}
