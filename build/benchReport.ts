/**
 * The table `npm run bench` prints: each figure with its goal beside it and missed goals marked, then a
 * summary line (how many goals were met, which were missed). A goal comes from the figure's name
 * ("... (goal >= 0.6)", "(goal < 5 ms)", "(goal >= 70%)", as the bench modules name them) or, for the
 * per-engine targets of the README ("Engines and what they lack": the critical command check on native
 * P-256 within 20 ms on JerryScript and 50 ms on Espruino), from ENGINE_GOALS below.
 * @module
 */

export interface BenchRow {
  figure: string;
  engine: string;
  value: number | string;
  unit: string;
}

export interface Goal {
  op: '>=' | '<=' | '<' | '>';
  value: number;
  /** As written, e.g. "< 5 ms". */
  text: string;
}

/** Targets that are per engine, so not in the figure's name. */
export const ENGINE_GOALS: Array<{ figure: RegExp; engine: RegExp; goal: string }> = [
  { figure: /^critical command check .*native P-256\)$/, engine: /^jerry/, goal: '< 20 ms' },
  { figure: /^critical command check .*native P-256\)$/, engine: /^espruino/, goal: '< 50 ms' },
];

function parseGoalText(text: string): Goal | undefined {
  const m = /^(>=|<=|<|>)\s*([0-9.]+)\s*(%|[a-z/ ]*)$/.exec(text.trim());
  return m ? { op: m[1] as Goal['op'], value: Number(m[2]), text: text.trim() } : undefined;
}

/** The goal of a row: from "(goal ...)" in its name, else from ENGINE_GOALS; undefined when it has none. */
export function goalOf(row: Pick<BenchRow, 'figure' | 'engine'>): Goal | undefined {
  const inName = /\(goal ([^)]*)\)/.exec(row.figure);
  if (inName) return parseGoalText(inName[1]);
  const g = ENGINE_GOALS.find((x) => x.figure.test(row.figure) && x.engine.test(row.engine));
  return g ? parseGoalText(g.goal) : undefined;
}

/** Whether `value` meets `goal`; undefined when the figure did not come out as a number (an error). */
export function met(value: number | string, goal: Goal): boolean | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  switch (goal.op) {
    case '>=': return value >= goal.value;
    case '<=': return value <= goal.value;
    case '<': return value < goal.value;
    case '>': return value > goal.value;
  }
}

const fmt = (v: number | string) => (typeof v === 'number' ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3)) : v);

/** The table and the summary line, as printed. */
export function benchReport(rows: BenchRow[]): { lines: string[]; goals: number; metCount: number; missed: string[] } {
  const nodeValue = (figure: string) => rows.find((r) => r.figure === figure && r.engine === 'node')?.value;
  const header = ['figure', 'engine', 'value', 'unit', 'ratio to Node', 'goal', 'met'];
  let goals = 0;
  let metCount = 0;
  const missed: string[] = [];
  const table = rows.map((r) => {
    const base = nodeValue(r.figure);
    const ratio = r.engine !== 'node' && typeof base === 'number' && typeof r.value === 'number' && base !== 0 && !r.figure.startsWith('memory')
      ? (r.value / base).toPrecision(3) : '';
    const goal = goalOf(r);
    let mark = '';
    if (goal) {
      goals++;
      const ok = met(r.value, goal);
      if (ok) {
        metCount++;
        mark = 'met';
      } else {
        mark = ok === undefined ? 'MISSED (no figure)' : 'MISSED';
        missed.push(r.figure.replace(/ \(goal [^)]*\)/, '') + ' on ' + r.engine + ': ' + fmt(r.value) + ' ' + r.unit + ', goal ' + goal.text);
      }
    }
    return [r.figure, r.engine, String(fmt(r.value)), r.unit, ratio, goal ? goal.text : '', mark];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 || i === 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const lines = [line(header), widths.map((w) => '-'.repeat(w)).join('  ').trimEnd(), ...table.map(line), ''];
  lines.push('ratio to Node: the engine\'s value divided by Node\'s (for rates, below 1 is slower; for times, above 1 is slower)');
  lines.push(goals === 0 ? 'goals: none among these figures'
    : 'goals: ' + metCount + ' of ' + goals + ' met' + (missed.length ? '; MISSED: ' + missed.join('; ') : ''));
  return { lines, goals, metCount, missed };
}
