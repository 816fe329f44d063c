/**
 * `smets cpl add|change|remove|list|export|expire`: the Certified Products List (harness/cpl/) in a
 * repository folder (`<dir>/cpl.sqlite`, beside the SMKI's `smki.sqlite`). Every change prints its
 * notification line (seed ¶287-291); `expire` marks entries whose CPA certificate has expired (¶292).
 * @module
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { Command } from '../command.ts';
import { actionOptions } from '../options.ts';
import { columns } from '../output.ts';
import { mustBeWritable } from '../../userInput/files.ts';
import type { ActionSpec } from '../options.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE } from '../command.ts';
import { CertifiedProductsList, cplPath } from '../../cpl/certifiedProductsList.ts';

const HELP = `Usage: smets cpl <action> --dir DIR [options]

The Certified Products List (SEC Appendix F, F2): per device model and firmware version, the SHA-256 of
the firmware image and firmware ID, the firmware ID and the CPA certificate expiry. Kept in DIR/cpl.sqlite
(the same folder as a test SMKI repository). Every change is recorded and printed as a notification.

Actions:
  add     --model MMMM-TTTT --version VVVVVVVV --firmware-id 16HEX --hash 64HEX --expiry ISO-DATE
  change  --model M --version V [--hash H] [--firmware-id F] [--expiry ISO-DATE]
  remove  --model M --version V [--why TEXT]
  list    [--events]                 entries (and the change log)
  export  [--format json|csv] [--out FILE]
  expire  [--at ISO-DATE]            mark entries whose CPA certificate expired by then (default now)

Every action takes --json (results and notifications as JSON, one object per line). Only add starts a
list in a folder that has none; the other actions refuse such a folder.

The hash is what \`smets firmware package\` prints (SHA-256 over the OTA header, which carries the firmware
ID, and the Manufacturer Image).

Exit codes: 0 done, 1 refused (e.g. already-listed, not-listed, bad-entry), 2 usage error.

Example:
  smets cpl add --dir lab-pki --model 1234-0001 --version 00020000 --firmware-id 1234000100020000 \\
    --hash d7b8...7d --expiry 2027-11-24T00:00:00Z
  smets cpl export --dir lab-pki --format csv`;

const EXIT_CODES = 'Exit codes: 0 done, 1 refused (e.g. already-listed, not-listed, bad-entry), 2 usage error.';
const spec = (usage: string, about: string, options: string[], flags: string[] = []): ActionSpec => ({
  options: ['dir', ...options],
  flags: [...(flags ?? []), 'json'],
  help: `Usage: smets cpl ${usage} [--json]\n\n${about}\n--json: the result as JSON, one object per line.\n\n${EXIT_CODES}`,
});
const ACTIONS: Record<string, ActionSpec> = {
  add: spec('add --dir DIR --model MMMM-TTTT --version VVVVVVVV --firmware-id 16HEX --hash 64HEX --expiry ISO-DATE',
    'Lists a model and firmware version with its image hash, firmware ID and CPA certificate expiry.', ['model', 'version', 'firmware-id', 'hash', 'expiry']),
  change: spec('change --dir DIR --model M --version V [--hash H] [--firmware-id F] [--expiry ISO-DATE]',
    'Changes a listed entry.', ['model', 'version', 'hash', 'firmware-id', 'expiry']),
  remove: spec('remove --dir DIR --model M --version V [--why TEXT]', 'Removes a listed entry.', ['model', 'version', 'why']),
  list: spec('list --dir DIR [--events]', 'The entries, and with --events the change log.', [], ['events']),
  export: spec('export --dir DIR [--format json|csv] [--out FILE]', 'The list as JSON or CSV, to FILE or standard output.', ['format', 'out']),
  expire: spec('expire --dir DIR [--at ISO-DATE]', 'Marks the entries whose CPA certificate expired by then (default now).', ['at']),
};

export const cpl: Command = {
  name: 'cpl',
  summary: 'the Certified Products List: add, change, remove, list, export, expire (SQLite beside the SMKI)',
  help: HELP,
  actions: Object.keys(ACTIONS),
  async run(args: string[]): Promise<number> {
    const parsed = actionOptions('smets cpl', HELP, args, ACTIONS);
    if ('exit' in parsed) return parsed.exit;
    const action = parsed.action;
    const o = parsed.values;
    if (!o.dir) {
      console.error('smets cpl: --dir DIR is required (the repository folder)');
      return EXIT_USAGE;
    }
    const json = parsed.flags.json === true;
    // Only `add` may start a new list; the others read or change one that exists (a mistyped --dir must not make one).
    if (action !== 'add' && !existsSync(cplPath(o.dir))) {
      console.error('smets cpl ' + action + ': --dir ' + o.dir + ' holds no Certified Products List (no ' + cplPath(o.dir) + '); the first `smets cpl add --dir ' + o.dir + ' ...` starts one');
      return EXIT_USAGE;
    }
    if (!existsSync(o.dir)) mkdirSync(o.dir, { recursive: true });
    const list = new CertifiedProductsList(o.dir);
    list.onEvent((e) => (json ? console.log(JSON.stringify({ notification: e.kind, model: e.model, version: e.version, detail: e.detail })) : console.log('notification: ' + e.kind + ' ' + e.model + ' ' + e.version + ': ' + e.detail)));
    try {
      const need = (...keys: string[]) => keys.filter((k) => !o[k]).map((k) => '--' + k);
      const done = (r: { ok: boolean; reason?: string }) => {
        if (json) console.log(JSON.stringify(r));
        if (r.ok) return EXIT_OK;
        console.error('smets cpl ' + action + ': refused: ' + r.reason);
        return EXIT_CHECK_FAILED;
      };
      if (action === 'add') {
        const missing = need('model', 'version', 'firmware-id', 'hash', 'expiry');
        if (missing.length) return console.error('smets cpl add: missing ' + missing.join(', ')), EXIT_USAGE;
        return done(list.add({ model: o.model, version: o.version, firmwareId: o['firmware-id'], imageHash: o.hash, cpaExpiry: o.expiry }));
      }
      if (action === 'change') {
        const missing = need('model', 'version');
        if (missing.length) return console.error('smets cpl change: missing ' + missing.join(', ')), EXIT_USAGE;
        return done(list.change(o.model, o.version, { imageHash: o.hash, firmwareId: o['firmware-id'], cpaExpiry: o.expiry }));
      }
      if (action === 'remove') {
        const missing = need('model', 'version');
        if (missing.length) return console.error('smets cpl remove: missing ' + missing.join(', ')), EXIT_USAGE;
        return done(list.remove(o.model, o.version, o.why));
      }
      if (action === 'list') {
        if (json) {
          for (const e of list.list()) console.log(JSON.stringify(e));
          if (parsed.flags.events) for (const e of list.events()) console.log(JSON.stringify({ event: e.kind, at: e.at, model: e.model, version: e.version, detail: e.detail }));
          return EXIT_OK;
        }
        const rows = list.list().map((e) => [e.model, e.version, e.firmwareId, e.imageHash, e.cpaExpiry, e.status]);
        if (rows.length) for (const line of columns([['model', 'version', 'firmwareId', 'imageHash', 'cpaExpiry', 'status'], ...rows]).split('\n')) console.log(line);
        else console.log('(no entries)');
        if (parsed.flags.events) for (const e of list.events()) console.log(e.at + '  ' + e.kind + '  ' + e.model + ' ' + e.version + ': ' + e.detail);
        return EXIT_OK;
      }
      if (action === 'export') {
        const format = o.format ?? 'json'; // --json changes nothing here: the export is data
        if (format !== 'json' && format !== 'csv') return console.error('smets cpl export: --format must be json or csv'), EXIT_USAGE;
        const unwritable = o.out ? mustBeWritable(o.out, '--out') : undefined;
        if (unwritable) return console.error('smets cpl export: ' + unwritable), EXIT_USAGE;
        const text = list.export(format);
        if (o.out) writeFileSync(o.out, text);
        else process.stdout.write(text);
        return EXIT_OK;
      }
      if (action === 'expire') {
        const at = o.at ? Date.parse(o.at) : Date.now();
        if (Number.isNaN(at)) return console.error('smets cpl expire: --at must be an ISO 8601 date-time'), EXIT_USAGE;
        const due = list.expire(at);
        if (json) console.log(JSON.stringify({ expired: due.length }));
        else console.log(due.length + ' entr' + (due.length === 1 ? 'y' : 'ies') + ' expired');
        return EXIT_OK;
      }
      throw new Error('smets cpl: action ' + action + ' is declared but not handled');
    } finally {
      list.close();
    }
  },
};
