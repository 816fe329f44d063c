/**
 * How later modules add to `smets conformance` without editing it: an extension names the option that
 * turns it on (`--keys` with a KEYDIR, `--device` alone), its help line, and returns the checks to run
 * for each file. The command reads `conformanceExtensions` to parse options, print help and collect
 * checks. To add one: push it onto `conformanceExtensions` from a module that the command imports
 * (add the import to harness/cli/commands/conformance.ts, one line).
 * @module
 */
import type { ConformanceCheck } from './checks.ts';

export interface ConformanceExtension {
  /** The option, e.g. '--keys'. */
  option: string;
  /** The value's name in help (e.g. 'KEYDIR'); undefined for a flag. */
  valueName?: string;
  /** One help line. */
  help: string;
  /**
   * The checks to add, given the option's value ('' for a flag). A string return is an environment
   * error (e.g. 'KEYDIR has no ACB key'): the command prints it and exits 2.
   */
  checks(value: string): ConformanceCheck[] | string | Promise<ConformanceCheck[] | string>;
}

export const conformanceExtensions: ConformanceExtension[] = [];

/** Adds an extension (replacing one with the same option). */
export function registerConformanceExtension(e: ConformanceExtension): void {
  for (let i = 0; i < conformanceExtensions.length; i++) {
    if (conformanceExtensions[i].option === e.option) {
      conformanceExtensions[i] = e;
      return;
    }
  }
  conformanceExtensions.push(e);
}
