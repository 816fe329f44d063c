/**
 * `smets conformance DIR [--junit FILE]`: checks every `*_GBCS.HEX` file of an RTDS-style folder
 * through the GBCS codec (decode, known message code, byte-exact re-encode), one line per file, with
 * optional JUnit XML. Options of later modules (`--keys KEYDIR`, `--device`) come from
 * harness/conformance/extensions.ts.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { mustBeWritable, mustExist } from '../../userInput/files.ts';
import { coverage, coverageLines } from '../../conformance/coverage.ts';
import type { Command } from '../command.ts';
import { commandOptions } from '../options.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE } from '../command.ts';
import { baseChecks } from '../../conformance/checks.ts';
import type { ConformanceCheck } from '../../conformance/checks.ts';
import { conformanceExtensions } from '../../conformance/extensions.ts';
import { junitXml } from '../../conformance/junit.ts';
import { codeLookup, runConformance } from '../../conformance/run.ts';
import '../../conformance/keyChecks.ts'; // registers --keys KEYDIR
import '../../conformance/deviceReplay.ts'; // registers --device

function help(): string {
  const ext = conformanceExtensions.map((e) => `  ${(e.option + (e.valueName ? ' ' + e.valueName : '')).padEnd(16)} ${e.help}`);
  return [
    'Usage: smets conformance DIR [--junit FILE] [--strict] [--json]' + conformanceExtensions.map((e) => ` [${e.option}${e.valueName ? ' ' + e.valueName : ''}]`).join(''),
    '',
    'Checks every *_GBCS.HEX file under DIR (a folder laid out like DCC RTDS 4.5.0: use-case folders of',
    'hex files). A file passes when it decodes as a GBCS message (DD or DF), its message code is known,',
    'and re-encoding the decoded message gives the same bytes' + (conformanceExtensions.length ? ', and every added check passes.' : '.'),
    '',
    'Options:',
    '  --junit FILE     also write JUnit XML: a testsuite per use-case folder, a testcase per file',
    '  --strict         a MAC, signature or decryption that could not be checked (no key for it) fails the file',
    '  --json           one JSON object per file, then one with the totals and the coverage',
    ...ext,
    '',
    'Output: one line per file, then "N passed, M failed", then what was checked: how many MACs, signatures',
    'and decryptions, and how many could not be and why (e.g. "no DS key of 90B3D51F30010000"):',
    '  <use case> | <kind> | <message code> <name> | PASS | <file>',
    '  <use case> | <kind> | <message code> <name> | FAIL <check>: <detail>[; ...] | <file>',
    'kind comes from the file name (COMMAND, PRECOMMAND, RESPONSE, ALERT).',
    'e.g.',
    '  1.2.1_ECS01b | COMMAND | 0x00A2 ECS01b | PASS | ECS01b_1.2.1_IMMEDIATE_BLOCK_SUCCESS_COMMAND_GBCS.HEX',
    '  9.1_CS02b | COMMAND | 0x0102 CS02b | FAIL decode: length-overrun at 37 | CS02b_9.1_..._COMMAND_GBCS.HEX',
    '',
    'Exit codes: 0 every file passed, 1 a file failed (or none found), 2 DIR missing or bad options.',
    'Without --strict a file passes when its keys are missing: read the "NOT checked" line.',
    '',
    'Example: smets conformance ../shared/vectors/rtds/RTDS-4.5.0 --junit conformance.xml',
  ].join('\n');
}

export const conformance: Command = {
  name: 'conformance',
  summary: 'check an RTDS-style folder of GBCS messages: decode, known code, byte-exact re-encode',
  get help() {
    return help();
  },
  async run(args: string[]): Promise<number> {
    const parsed = commandOptions('smets conformance', help(), args, {
      options: ['junit', ...conformanceExtensions.filter((e) => e.valueName).map((e) => e.option.replace(/^--/, ''))],
      flags: ['strict', 'json', ...conformanceExtensions.filter((e) => !e.valueName).map((e) => e.option.replace(/^--/, ''))],
      positionals: { min: 1, max: 1, name: 'DIR' },
    });
    if ('exit' in parsed) return parsed.exit;
    const dir = parsed.positionals[0];
    const junit = parsed.values.junit;
    // The checks run in the order their options were given.
    const chosen = parsed.order
      .filter((name) => name !== 'junit' && name !== 'strict' && name !== 'json')
      .map((name) => ({ option: '--' + name, value: parsed.values[name] ?? '' }));
    const strict = parsed.flags.strict === true;
    const json = parsed.flags.json === true;
    const keysGiven = parsed.values.keys !== undefined;
    const absent = mustExist(dir, 'DIR', true) ?? (keysGiven ? mustExist(parsed.values.keys, '--keys', true) : undefined) ?? (junit ? mustBeWritable(junit, '--junit') : undefined);
    if (absent) {
      console.error('smets conformance: ' + absent);
      return EXIT_USAGE;
    }
    if (strict && !keysGiven) {
      console.error('smets conformance: --strict needs --keys KEYDIR (without keys no MAC, signature or decryption can be checked)');
      return EXIT_USAGE;
    }
    const checks: ConformanceCheck[] = [...baseChecks];
    for (const c of chosen) {
      const ext = conformanceExtensions.find((e) => e.option === c.option)!;
      const added = await ext.checks(c.value);
      if (typeof added === 'string') {
        console.error(`smets conformance: ${c.option}: ${added}`);
        return EXIT_USAGE;
      }
      checks.push(...added);
    }
    const summary = await runConformance(dir, checks, codeLookup, (line, o) => {
      if (!json) return console.log(line);
      console.log(JSON.stringify({
        file: o.file.path, useCase: o.file.useCase, kind: o.file.kind, code: o.code ?? null, ok: o.ok,
        results: o.results.map((r) => ({ check: r.name, ok: r.ok, detail: r.detail, ...(r.skipped ? { unchecked: true } : {}) })),
      }));
    }, { strict });
    if (junit) writeFileSync(junit, junitXml('smets conformance ' + dir, summary.junit));
    const cover = coverage(summary.outcomes);
    if (json) console.log(JSON.stringify({ passed: summary.passed, failed: summary.failed, strict, keys: keysGiven, checked: cover.checked, unchecked: cover.unchecked, why: cover.why }));
    else for (const line of [`${summary.passed} passed, ${summary.failed} failed`, ...coverageLines(cover, keysGiven, strict, parsed.values.keys)]) console.log(line);
    if (summary.passed + summary.failed === 0) {
      console.error(`smets conformance: no *_GBCS.HEX files under ${dir}`);
      return EXIT_CHECK_FAILED;
    }
    return summary.failed === 0 ? EXIT_OK : EXIT_CHECK_FAILED;
  },
};
