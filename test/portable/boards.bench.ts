/** Board figures on every engine: the digest and the all-or-nothing commit everything else leans on. @module */
import { memoryMedium } from '../../boards/journaledStorage.ts';
import { timePerCall } from './selftest.ts';
import type { Bench } from './selftest.ts';

export const sha256Throughput: Bench = {
  name: 'sha256 over 4 KiB',
  unit: 'MB/s',
  run(ctx) {
    const c = ctx.newBoard().crypto;
    const data = new Uint8Array(4096);
    for (let i = 0; i < data.length; i++) data[i] = i & 0xff;
    const ms = timePerCall(() => c.sha256(data), 300);
    return Math.round((4096 / 1e6 / (ms / 1000)) * 1000) / 1000;
  },
};

export const storageCommits: Bench = {
  name: 'storage commit (2 keys, 40 bytes)',
  unit: 'commits/s',
  run(ctx) {
    const storage = ctx.newBoard(memoryMedium()).storage;
    const value = new Uint8Array(20);
    let n = 0;
    const ms = timePerCall(() => {
      value[0] = n++ & 0xff;
      storage.commit({ counter: value, cell: value });
    }, 300);
    return Math.round(1000 / ms);
  },
};
