/**
 * Runs the conformance checks over an RTDS-style folder: one line per file, a JUnit case per file, and
 * the totals. Line format (also in `smets conformance --help`):
 * ```
 * <use case> | <kind> | <code> <use-case name / title> | PASS
 * <use case> | <kind> | <code> <use-case name / title> | FAIL <check>: <detail>[; <check>: <detail>] | <file>
 * ```
 * @module
 */
import { messageCodeInfo } from '../../gbcs/messageCodes.ts';
import { messageTitle } from '../../gbcs/messageTitles.ts';
import type { CheckResult, CodeEntry, CodeLookup, ConformanceCheck } from './checks.ts';
import { loadFile } from './checks.ts';
import type { JunitCase } from './junit.ts';
import type { RtdsFile } from './rtdsFolder.ts';
import { listRtdsFiles } from './rtdsFolder.ts';

export interface FileOutcome {
  file: RtdsFile;
  code?: number;
  codeEntry?: CodeEntry;
  results: CheckResult[];
  ok: boolean;
  seconds: number;
}

export interface ConformanceSummary {
  passed: number;
  failed: number;
  outcomes: FileOutcome[];
  junit: JunitCase[];
}

function hex4(n: number): string {
  return '0x' + ('000' + n.toString(16).toUpperCase()).slice(-4);
}

/** The one-line report of a file. */
export function formatLine(o: FileOutcome): string {
  const code = o.code === undefined ? '------' : hex4(o.code);
  const name = o.codeEntry ? entryName(o.codeEntry) : o.code === undefined ? '(not decoded)' : '(unknown message code)';
  const base = file(o);
  if (o.ok) return `${o.file.useCase || '.'} | ${o.file.kind} | ${code} ${name} | PASS | ${base}`;
  const failed = o.results.filter((r) => !r.ok).map((r) => r.name + ': ' + r.detail).join('; ');
  return `${o.file.useCase || '.'} | ${o.file.kind} | ${code} ${name} | FAIL ${failed} | ${base}`;
}

/** `ECS01b Set Price on ESME`: the use case, then the title when it does not already start with it. */
function entryName(e: CodeEntry): string {
  if (!e.title) return e.useCase;
  return e.title.indexOf(e.useCase) === 0 ? e.title : e.useCase + ' ' + e.title;
}

function file(o: FileOutcome): string {
  const slash = o.file.path.lastIndexOf('/');
  return slash < 0 ? o.file.path : o.file.path.substring(slash + 1);
}

/** Runs `checks` on every file under `dir`, calling `onLine` as each file finishes. */
export async function runConformance(
  dir: string,
  checks: ConformanceCheck[],
  lookup: CodeLookup,
  onLine: (line: string, outcome: FileOutcome) => void,
  opts: { strict?: boolean } = {},
): Promise<ConformanceSummary> {
  const files = listRtdsFiles(dir);
  const summary: ConformanceSummary = { passed: 0, failed: 0, outcomes: [], junit: [] };
  for (const f of files) {
    const start = process.hrtime.bigint();
    const ctx = loadFile(f, lookup);
    const results: CheckResult[] = [];
    for (const check of checks) {
      try {
        const r = await check.run(ctx);
        for (const x of Array.isArray(r) ? r : [r]) {
          // --strict: a check that could not run (no key) fails the file.
          results.push(opts.strict && x.skipped ? { ...x, ok: false, detail: x.detail.replace(/^skipped/, 'not checked') } : x);
        }
      } catch (e) {
        results.push({ name: check.name, ok: false, detail: 'check threw: ' + ((e as Error).message || String(e)) });
      }
    }
    const ok = results.length > 0 && results.every((r) => r.ok);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const outcome: FileOutcome = { file: f, results, ok, seconds };
    if (ctx.code !== undefined) outcome.code = ctx.code;
    if (ctx.codeEntry) outcome.codeEntry = ctx.codeEntry;
    summary.outcomes.push(outcome);
    if (ok) summary.passed++;
    else summary.failed++;
    const line = formatLine(outcome);
    onLine(line, outcome);
    const failedChecks = results.filter((r) => !r.ok);
    const jc: JunitCase = {
      suite: f.useCase || '.',
      name: file(outcome),
      output: line + '\n' + results.map((r) => (r.ok ? 'ok   ' : 'FAIL ') + r.name + ': ' + r.detail).join('\n'),
      seconds,
    };
    if (!ok) {
      jc.failure = failedChecks.map((r) => r.name + ': ' + r.detail).join('\n') || 'no checks ran';
      jc.message = failedChecks.length ? failedChecks[0].name + ': ' + failedChecks[0].detail : 'no checks ran';
    }
    summary.junit.push(jc);
  }
  return summary;
}

/** The message-code look-up: gbcs/messageCodes.ts with the titles of gbcs/messageTitles.ts. */
export function codeLookup(code: number): CodeEntry | undefined {
  const e = messageCodeInfo(code);
  if (!e) return undefined;
  const title = messageTitle(code);
  return title ? { useCase: e.useCase, critical: e.critical, title: title } : { useCase: e.useCase, critical: e.critical };
}
