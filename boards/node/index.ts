/**
 * The Node board: the simulator's hardware. Crypto from node:crypto (OpenSSL), storage in a folder of
 * files (or in memory), the system clock, an in-process link unless one is given.
 * @module
 */
import type { Board, BoardCrypto, Clock, Link, Medium } from '../board.ts';
import { p256 } from '../portable/p256.ts';
import { FLASH_RESERVE, journaledStorage, memoryMedium } from '../journaledStorage.ts';
import { memoryLinkPair } from '../memoryLink.ts';
import { fileMedium } from './fileMedium.ts';
import { nodeCrypto } from './nodeCrypto.ts';

export interface NodeBoardOptions {
  /** Folder for persistent state; omitted: state lives in memory. */
  storageDir?: string;
  /** A medium to use instead (tests inject faulty media to cut power). */
  medium?: Medium;
  clock?: Clock;
  link?: Link;
  log?: (line: string) => void;
  /** P-256 in the portable JavaScript the engines fall back on, instead of OpenSSL (tests of both paths). */
  portableCrypto?: boolean;
}

/** node:crypto with P-256 from boards/portable/p256.ts (SHA-256 and AES stay OpenSSL's). */
function portableP256Crypto(): BoardCrypto {
  const c = nodeCrypto();
  const curve = p256(c.sha256);
  return { ...c, native: false, p256Sign: curve.sign, p256Verify: curve.verify, p256PublicKey: curve.publicKey, ecdh: curve.ecdh };
}

export function nodeBoard(options: NodeBoardOptions = {}): Board {
  const crypto = options.portableCrypto ? portableP256Crypto() : nodeCrypto();
  const medium = options.medium ?? (options.storageDir ? fileMedium(options.storageDir) : memoryMedium());
  return {
    name: 'node',
    crypto,
    storage: journaledStorage(medium, crypto.sha256, !options.medium && options.storageDir ? FLASH_RESERVE : undefined),
    clock: options.clock ?? { nowSec: () => Math.floor(Date.now() / 1000) },
    link: options.link ?? memoryLinkPair().device,
    log: options.log ?? ((line) => console.log(line)),
    memory: () => {
      const m = process.memoryUsage();
      return { used: m.heapUsed, total: m.heapTotal, unit: 'bytes' };
    },
  };
}
