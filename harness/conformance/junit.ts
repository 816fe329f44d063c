/**
 * JUnit XML for CI (the de-facto schema Jenkins, GitLab and GitHub reporters read): one <testsuite>
 * per use-case folder, one <testcase> per file, a <failure> listing the failed checks.
 * @module
 */

export interface JunitCase {
  suite: string;
  name: string;
  /** Failure text, one failed check per line; undefined when the case passed. */
  failure?: string;
  /** Short failure message (the first failed check). */
  message?: string;
  /** Everything the checks said, for <system-out>. */
  output: string;
  seconds: number;
}

/** XML 1.0 text escaping; characters XML cannot carry at all are replaced by '?'. */
export function escapeXml(s: string): string {
  return s
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD]/g, '?')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function junitXml(title: string, cases: JunitCase[]): string {
  const suites = new Map<string, JunitCase[]>();
  for (const c of cases) suites.set(c.suite, [...(suites.get(c.suite) ?? []), c]);
  const failures = cases.filter((c) => c.failure !== undefined).length;
  const total = cases.reduce((t, c) => t + c.seconds, 0);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="${escapeXml(title)}" tests="${cases.length}" failures="${failures}" errors="0" time="${total.toFixed(3)}">`);
  let id = 0;
  for (const [name, list] of suites) {
    const f = list.filter((c) => c.failure !== undefined).length;
    const t = list.reduce((s, c) => s + c.seconds, 0);
    out.push(`  <testsuite id="${id++}" name="${escapeXml(name)}" tests="${list.length}" failures="${f}" errors="0" skipped="0" time="${t.toFixed(3)}">`);
    for (const c of list) {
      out.push(`    <testcase classname="${escapeXml(name)}" name="${escapeXml(c.name)}" time="${c.seconds.toFixed(3)}">`);
      if (c.failure !== undefined) {
        out.push(`      <failure message="${escapeXml(c.message ?? 'failed')}" type="conformance">${escapeXml(c.failure)}</failure>`);
      }
      out.push(`      <system-out>${escapeXml(c.output)}</system-out>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
