/**
 * The Node board: the simulator's hardware. Crypto from node:crypto (OpenSSL), storage in a folder of
 * files (or in memory), the system clock, an in-process link unless one is given.
 * @module
 */
import type { Board, Clock, Link, Medium } from '../board.ts';
import { journaledStorage, memoryMedium } from '../journaledStorage.ts';
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
}

export function nodeBoard(options: NodeBoardOptions = {}): Board {
  const crypto = nodeCrypto();
  const medium = options.medium ?? (options.storageDir ? fileMedium(options.storageDir) : memoryMedium());
  return {
    name: 'node',
    crypto,
    storage: journaledStorage(medium, crypto.sha256),
    clock: options.clock ?? { nowSec: () => Math.floor(Date.now() / 1000) },
    link: options.link ?? memoryLinkPair().device,
    log: options.log ?? ((line) => console.log(line)),
    memory: () => {
      const m = process.memoryUsage();
      return { used: m.heapUsed, total: m.heapTotal, unit: 'bytes' };
    },
  };
}
