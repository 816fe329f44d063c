/**
 * Memory per premises on Node (bytes of V8 heap retained, the collector run before each reading): a
 * Communications Hub — the CHF and the GPF as reference devices of their kinds on memory-backed boards —
 * holding a full premises' state (test/portable/hub.bench.ts `fullPremises`: CHF logs full, GPF log full,
 * the GSME's queue full, the GPF's copy of 9 use cases).
 * Run alone: node --import tsx bench/hub.bench.ts
 * @module
 */
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadReferenceKeys } from '../harness/referenceDevice/referenceDevice.ts';
import { loadHubDeviceKeys, referenceHubDevice } from '../harness/referenceDevice/referenceHub.ts';
import type { HubDeviceKeys } from '../harness/referenceDevice/referenceHub.ts';
import type { ReferenceKeys } from '../harness/referenceDevice/referenceDevice.ts';
import { findIssuingCa } from '../harness/referenceDevice/replay.ts';
import { CommunicationsHub } from '../hub/communicationsHub.ts';
import { fullPremises } from '../test/portable/hub.bench.ts';

const V = new URL('../../shared/vectors/', import.meta.url);
const KEYS = new URL('rtds/keystore', V).pathname;
const RTDS = new URL('rtds/RTDS-4.5.0', V).pathname;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Retained heap of `n` premises built and kept, per premises. */
function perPremises(n: number): number {
  const root = findIssuingCa(RTDS);
  const keys = loadReferenceKeys(KEYS) as ReferenceKeys;
  const chfKeys = loadHubDeviceKeys(KEYS, '00db1234567890a2', 'CHF') as HubDeviceKeys;
  const gpfKeys = loadHubDeviceKeys(KEYS, '00db1234567890a3', 'GPF') as HubDeviceKeys;
  referenceHubDevice(chfKeys, keys, root); // warm the modules and caches once
  const before = heap();
  const kept: CommunicationsHub[] = [];
  for (let i = 0; i < n; i++) {
    const chf = referenceHubDevice(chfKeys, keys, root);
    const gpf = referenceHubDevice(gpfKeys, keys, root);
    fullPremises(chf.board, gpf.board);
    kept.push(new CommunicationsHub({ chf: chf.device!, gpf: gpf.device!, han: {}, alertRecipient: new Uint8Array(8) }));
  }
  const after = heap();
  return kept.length ? (after - before) / kept.length : NaN;
}

export const nodeBenches = [{ name: 'hub premises RAM (CHF + GPF devices, full premises, Node heap)', unit: 'bytes', run: () => perPremises(20) }];

if (import.meta.url === pathToFileURL(process.argv[1]).href) console.log(nodeBenches[0].name + ': ' + perPremises(20).toFixed(0) + ' bytes');
