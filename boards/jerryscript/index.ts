/**
 * The JerryScript board (3.0, es.next profile): the stock `jerry` command line offers no crypto and no
 * file system, so crypto is portable and state lives in a memory medium (a real port backs the same
 * Medium with its flash driver). Memory is reported by `jerry --mem-stats` at exit, not from inside.
 * @module
 */
import type { Board, BoardOptions } from '../board.ts';
import { journaledStorage, memoryMedium } from '../journaledStorage.ts';
import { memoryLinkPair } from '../memoryLink.ts';
import { unavailable } from '../unavailable.ts';
import { sha256 as portableSha256 } from '../portable/sha256.ts';

/** The board's flash: one per process, so a board made again (a restart) finds what was committed. */
const flash = memoryMedium();

export function jerryscriptBoard(options?: BoardOptions): Board {
  const o = options || {};
  const sha256 = portableSha256;
  return {
    name: 'jerryscript',
    crypto: {
      sha256,
      aes128EncryptBlock: unavailable('jerryscript', 'aes128EncryptBlock'),
      p256Sign: unavailable('jerryscript', 'p256Sign'),
      p256Verify: unavailable('jerryscript', 'p256Verify'),
      p256PublicKey: unavailable('jerryscript', 'p256PublicKey'),
      ecdh: unavailable('jerryscript', 'ecdh'),
      randomBytes: unavailable('jerryscript', 'randomBytes'),
    },
    storage: journaledStorage(o.medium || flash, sha256),
    clock: { nowSec: () => Math.floor(Date.now() / 1000) },
    link: o.link || memoryLinkPair().device,
    log: (line) => print(line),
    memory: () => undefined,
  };
}
