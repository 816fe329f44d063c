/**
 * What a conformance run covered: how many MACs, signatures and payload decryptions were checked, and
 * how many could not be (and why, e.g. "no DS key of 90B3D51F30010000"), so a run with the wrong KEYDIR
 * cannot pass silently as if the keys were right.
 * @module
 */
import type { FileOutcome } from './run.ts';

export const CRYPTO_CHECKS = [
  { prefix: 'mac', noun: 'MAC', plural: 'MACs' },
  { prefix: 'signature', noun: 'signature', plural: 'signatures' },
  { prefix: 'decrypt', noun: 'decryption', plural: 'decryptions' },
];

export interface Coverage {
  /** By check (mac, signature, decrypt): checked (passed or failed) and unchecked counts. */
  checked: Record<string, number>;
  unchecked: Record<string, number>;
  /** Why, by check: reason -> count. */
  why: Record<string, Record<string, number>>;
}

export function coverage(outcomes: FileOutcome[]): Coverage {
  const c: Coverage = { checked: {}, unchecked: {}, why: {} };
  for (const k of CRYPTO_CHECKS) {
    c.checked[k.prefix] = 0;
    c.unchecked[k.prefix] = 0;
    c.why[k.prefix] = {};
  }
  for (const o of outcomes) {
    for (const r of o.results) {
      const k = CRYPTO_CHECKS.find((x) => r.name === x.prefix || r.name.startsWith(x.prefix + ' '));
      if (!k) continue;
      if (r.skipped) {
        c.unchecked[k.prefix]++;
        const why = r.detail.replace(/^(skipped|not checked) \((.*)\)$/, '$2');
        c.why[k.prefix][why] = (c.why[k.prefix][why] ?? 0) + 1;
      } else c.checked[k.prefix]++;
    }
  }
  return c;
}

/** The closing lines: `checked: ...` and, when anything went unchecked, `NOT checked: ...` with the reasons. */
export function coverageLines(c: Coverage, keysGiven: boolean, strict: boolean, keyDir?: string): string[] {
  if (!keysGiven) return ['checked: decoding, message codes and re-encoding only; MACs, signatures and decryptions NOT checked (no --keys KEYDIR given)'];
  const count = (n: number, k: { noun: string; plural: string }) => n + ' ' + (n === 1 ? k.noun : k.plural);
  const lines = ['checked: ' + CRYPTO_CHECKS.map((k) => count(c.checked[k.prefix], k)).join(', ')];
  const missing = CRYPTO_CHECKS.filter((k) => c.unchecked[k.prefix] > 0);
  const none = CRYPTO_CHECKS.every((k) => c.checked[k.prefix] === 0);
  if (missing.length && none) lines.push('none of these messages could be checked with the keys in ' + (keyDir ?? 'KEYDIR') + ': is it the right KEYDIR (the keystore of the run that made them)?');
  if (missing.length) {
    lines.push('NOT checked' + (strict ? ' (failures with --strict)' : ' (--strict makes these failures)') + ': ' + missing.map((k) => count(c.unchecked[k.prefix], k)).join(', '));
    for (const k of missing) {
      const reasons = Object.entries(c.why[k.prefix]).sort((a, b) => b[1] - a[1]);
      for (const [why, n] of reasons.slice(0, 5)) lines.push('  ' + count(n, k) + ': ' + why);
      if (reasons.length > 5) lines.push('  ... and ' + (reasons.length - 5) + ' other reasons for ' + k.plural);
    }
  }
  return lines;
}
