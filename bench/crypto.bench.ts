/**
 * GBCS protection on the Node board (Node only): OpenSSL's raw P-256 verify rate through node:crypto
 * with a cached KeyObject, the rate of whole critical-command checks (decode + MAC over a cached ECDH
 * secret + signature) on the Node board, and their ratio (goal >= 70%: the board path adds little to
 * the one verify it cannot avoid).
 * Run alone: node --import tsx bench/crypto.bench.ts
 * @module
 */
import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { nodeCrypto } from '../boards/node/nodeCrypto.ts';
import { fromHex } from '../lib/bytes.ts';
import { decodeMessage } from '../gbcs/message.ts';
import { checkMac, checkSignature } from '../gbcs/protection/protection.ts';
import { sharedSecrets } from '../gbcs/protection/sharedSecrets.ts';
import { openKeyDir } from '../harness/conformance/keyDir.ts';

const V = new URL('../../shared/vectors/', import.meta.url);
const keys = openKeyDir(new URL('rtds/keystore', V).pathname);
const bytes = fromHex(readFileSync(new URL('rtds/RTDS-4.5.0/2.5_ECS09/ECS09_2.5_SUCCESS_COMMAND_GBCS.HEX', V), 'utf8'))!;

function rate(fn: () => void, ms: number): number {
  for (let i = 0; i < 200; i++) fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 20; i++) fn();
    n += 20;
  }
  return n / ((performance.now() - start) / 1000);
}

const figures: Record<string, number> = {};

/** The two workloads, set up once. */
function workloads(): { raw: () => void; critical: () => void } {
  const first = decodeMessage(bytes);
  if (!first.ok || !first.signature) throw new Error('bench: the critical command did not decode');
  const key = createPublicKey(new X509Certificate(readFileSync(new URL('rtds/keystore/90b3d51f30010000-ds.pem', V))).publicKey.export({ format: 'pem', type: 'spki' }));
  const signed = first.signed;
  const sig = first.signature;
  const crypto = nodeCrypto();
  const secrets = sharedSecrets(crypto.ecdh);
  const acb = keys.privateKey('90b3d51f30000002', 'ka')!;
  const device = keys.publicKey('00db1234567890a0', 'ka')!;
  const supplier = keys.publicKey('90b3d51f30010000', 'ds')!;
  return {
    raw() {
      if (!verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, sig)) throw new Error('bench: verify failed');
    },
    critical() {
      const m = decodeMessage(bytes);
      if (!m.ok || !checkMac(crypto, secrets, acb, device, m).ok || !checkSignature(crypto, supplier, m).ok) throw new Error('bench: rejected');
    },
  };
}

/** Both rates, measured in alternating 200 ms slices so that load from other processes hits both alike. */
function measure(): void {
  if (figures.raw) return;
  const w = workloads();
  let rawSum = 0;
  let criticalSum = 0;
  for (let round = 0; round < 5; round++) {
    rawSum += rate(w.raw, 200);
    criticalSum += rate(w.critical, 200);
  }
  figures.raw = rawSum / 5;
  figures.critical = criticalSum / 5;
}

export const nodeBenches = [
  { name: 'OpenSSL P-256 verify (cached KeyObject)', unit: 'verifies/s', run: () => (measure(), Math.round(figures.raw)) },
  { name: 'critical command checks, Node board', unit: 'checks/s', run: () => (measure(), Math.round(figures.critical)) },
  {
    name: 'critical command checks / raw verify (goal >= 70%)',
    unit: '%',
    run: () => (measure(), Math.round((figures.critical / figures.raw) * 1000) / 10),
  },
];

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const b of nodeBenches) console.log(`${b.name}: ${await b.run()} ${b.unit}`);
}
