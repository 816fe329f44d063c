/**
 * The likely misspelling: which of a set of names a user meant (options, scenario requests, parameter
 * values). Shared by the CLI's option reader and the readers of scenario files.
 * @module
 */

/** Edit distance (insertions, deletions, substitutions, adjacent swaps), for suggestions. */
function distance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The candidate closest to `word`, when it is close enough to be a likely misspelling. */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  // A prefix ("--ser" for "--serial") or up to a third of the letters wrong reads as a misspelling.
  if (best !== undefined && (bestDistance <= Math.max(2, Math.floor(word.length / 3)) || best.startsWith(word))) return best;
  return undefined;
}
