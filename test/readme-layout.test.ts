/**
 * The documentation against the tree, as a newcomer meets it:
 * - the README's layout table names every source folder (each top-level folder and every folder under
 *   them, as git sees the tree), and every path it or the Layout section's prose names exists;
 * - every `smets <command> [<action>] [--options]` and `npm run|test|start ... [-- --options]` shown in a
 *   Markdown file (code blocks and inline code) is a command that exists, and its `--help` names each
 *   option shown (the long commands are not run: only their help);
 * - every relative link in a Markdown file points to a file that exists, and every path it names in a
 *   source folder (`device/...`, or `se/...` in a folder's README) exists;
 * - every command, action and npm script with options answers `--help` with the exit-code convention
 *   (0 ok, 1 check failed, 2 bad input), every command and action takes --json, and the command lines
 *   the help texts show (usage, examples) exist with their options;
 * - every npm script and every smets command has its row in the README's command tables.
 * A failure names the file and the line's text or the folder: fix the doc (or the help text), not this.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from '../build/paths.ts';
import { commands } from '../harness/cli/commands/index.ts';
import { overview } from '../harness/cli/main.ts';
import { captureCli } from './helpers/captureCli.ts';

/** The files of the tree as git sees it: tracked, plus new ones not ignored. */
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f !== '' && existsSync(join(ROOT, f)));
const folders = [...new Set(files.flatMap((f) => {
  const parts = f.split('/').slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}))].sort();
const markdown = files.filter((f) => f.endsWith('.md'));
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const isFile = (p: string) => existsSync(p) && statSync(p).isFile();

/** The README's "## Layout" section (to the next "## "). */
function layoutSection(): string {
  const start = readme.indexOf('\n## Layout\n');
  assert.ok(start >= 0, 'README.md has a "## Layout" section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.substring(start, end < 0 ? readme.length : end);
}

/** A backticked token that names a path in the tree (not a command, a placeholder or code). */
function pathLike(token: string): boolean {
  if (/[\s<>*{}()$=,]/.test(token) || token.startsWith('-')) return false;
  return token.includes('/') || /\.(ts|mjs|js|json|yaml|sh|py|c|h|md)$/.test(token);
}

/**
 * The paths one unit of text (a table row, a paragraph) names, resolved as a reader would: from the
 * project root, or inside a folder named earlier in the same unit (`gbcs/` ... `dlms/`).
 */
function namedPaths(unit: string): { folders: string[]; missing: string[] } {
  const bases: string[] = [];
  const found: string[] = [];
  const missing: string[] = [];
  for (const m of unit.matchAll(/`([^`]+)`/g)) {
    const token = m[1].replace(/\\\|/g, '|');
    if (!pathLike(token)) continue;
    const folder = token.endsWith('/');
    // Inside the folders named before it (the latest first), then from the root.
    const candidates = [...bases.slice().reverse().map((b) => b + '/' + token), token].map((c) => c.replace(/\/$/, ''));
    const hit = candidates.find((c) => (folder ? isDir(resolve(ROOT, c)) : isFile(resolve(ROOT, c)) || isDir(resolve(ROOT, c))));
    if (hit === undefined) missing.push(token);
    else if (isDir(resolve(ROOT, hit))) {
      const rel = relative(ROOT, resolve(ROOT, hit));
      bases.push(rel);
      found.push(rel);
    } else found.push(relative(ROOT, dirname(resolve(ROOT, hit)))); // a file names its folder too

  }
  return { folders: found, missing };
}

/** The Layout section's tables, one row each, and its paragraphs. */
function layoutUnits(): { rows: string[]; paragraphs: string[] } {
  const rows: string[] = [];
  const paragraphs: string[] = [];
  for (const block of layoutSection().split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    const table = lines.filter((l) => l.startsWith('|') && !/^\|[-| ]+\|$/.test(l.trim()));
    rows.push(...table.slice(1)); // the first is the header
    const prose = lines.filter((l) => !l.startsWith('|')).join(' ');
    if (prose) paragraphs.push(prose);
  }
  return { rows, paragraphs };
}

test('README layout table: every source folder is named in it', () => {
  const { rows } = layoutUnits();
  assert.ok(rows.length > 10, 'the layout table has rows');
  const named = new Set(rows.flatMap((r) => namedPaths(r).folders));
  const unnamed = folders.filter((f) => !named.has(f));
  assert.equal(unnamed, [], 'folders the README layout table does not name: ' + unnamed.join(', '));
});

test('README Layout section: every path it names exists', () => {
  const { rows, paragraphs } = layoutUnits();
  const missing = [...rows, ...paragraphs].flatMap((u) => namedPaths(u).missing);
  assert.equal(missing, [], 'named in README "Layout" but not in the tree: ' + missing.join(', '));
});

/** Text without its fenced code blocks, and the fenced blocks' lines. */
function splitFences(text: string): { prose: string; code: string[] } {
  const code: string[] = [];
  let prose = '';
  let inFence = false;
  for (const line of text.split('\n')) {
    if (/^\s*```/.test(line)) {
      inFence = !inFence;
      prose += '\n';
      continue;
    }
    if (inFence) code.push(line);
    else prose += line + '\n';
  }
  return { prose, code };
}

test('every Markdown file: a path it names in a source folder exists', () => {
  // Tokens that start with a top-level folder of the tree (`device/...`), or in a folder's README with one
  // of that folder's own (`se/...` in harness/zigbee/README.md); run outputs and packages are not checked.
  const top = new Set(folders.filter((f) => !f.includes('/')));
  const missing: string[] = [];
  for (const file of markdown) {
    const here = dirname(file);
    const { prose } = splitFences(readFileSync(join(ROOT, file), 'utf8'));
    for (const m of prose.matchAll(/`([^`]+)`/g)) {
      const token = m[1];
      if (!pathLike(token) || !token.includes('/')) continue;
      const first = token.split('/')[0];
      const inHere = here !== '.' && first !== '' && first !== '..' && isDir(join(ROOT, here, first));
      const shared = token.startsWith('../shared/') && file === 'README.md' && existsSync(join(ROOT, '../shared')); // the README's neighbour
      if (!top.has(first) && !inHere && !shared) continue;
      const path = token.replace(/\/$/, '');
      if (!existsSync(join(ROOT, path)) && !(here !== '.' && existsSync(join(ROOT, here, path)))) missing.push(`${file}: ${token}`);
    }
  }
  assert.equal(missing, [], 'paths named in Markdown that do not exist: ' + missing.join(', '));
});

interface Shown {
  file: string;
  /** The command line as shown. */
  text: string;
}

/**
 * The command lines shown in a Markdown file: each code-block line (its `# comment` dropped, split at
 * `&&`, `;`, `|`, `&`) from `smets` or `npm` on, and each inline code span that starts with one.
 */
function shownCommands(file: string): Shown[] {
  const { prose, code } = splitFences(readFileSync(join(ROOT, file), 'utf8'));
  const out: Shown[] = [];
  const start = /(?:^|\s)((?:npx\s+)?smets\s+\S.*|npm\s+(?:run|test|start)\b.*)$/;
  for (const line of code) {
    for (const part of line.replace(/\s#.*$/, '').split(/\s*(?:&&|;|\s\|\s|\s&\s|\s&$)\s*/)) {
      const m = part.match(start);
      if (m) out.push({ file, text: m[1].trim() });
    }
  }
  // Inline code: a span may cross a line break; a table cell escapes | as \|.
  for (const m of prose.replace(/``/g, '').matchAll(/`([^`]+)`/g)) {
    const span = m[1].replace(/\s+/g, ' ').trim();
    if (/^(?:npx )?smets \S/.test(span) || /^npm (?:run|test|start)\b/.test(span)) out.push({ file, text: span });
  }
  return out;
}

/** `--name` tokens of a command line. */
const optionsOf = (text: string) => [...text.matchAll(/(?:^|[\s[|(])(--[a-z][a-z0-9-]*)/g)].map((m) => m[1]);
/** Whether a help text names an option (not only as the prefix of a longer one). */
const names = (help: string, option: string) => new RegExp(option.replace(/-/g, '\\-') + '(?![a-z0-9-])').test(help);

const helpCache = new Map<string, { code: number; stdout: string }>();
async function smetsHelp(argv: string[]): Promise<{ code: number; stdout: string }> {
  const key = argv.join(' ');
  if (!helpCache.has(key)) {
    const r = await captureCli([...argv, '--help']);
    helpCache.set(key, { code: r.code, stdout: r.stdout });
  }
  return helpCache.get(key)!;
}

const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
/** The TypeScript entry of an npm script that reads options with harness/cli/options.ts (undefined otherwise). */
function optionEntry(script: string): string | undefined {
  const entry = scripts[script]?.match(/^node --import tsx (\S+\.ts)$/)?.[1];
  return entry && /harness\/cli\/options\.ts/.test(readFileSync(join(ROOT, entry), 'utf8')) ? entry : undefined;
}
/** Such a script's --help (its entry run with --help, which stops after printing it). */
function npmHelp(script: string): { code: number; stdout: string } | undefined {
  const entry = optionEntry(script);
  if (!entry) return undefined;
  if (!helpCache.has('npm ' + script)) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', entry, '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    helpCache.set('npm ' + script, { code: r.status ?? -1, stdout: r.stdout });
  }
  return helpCache.get('npm ' + script);
}

/** What is wrong with one shown command line (empty when nothing). */
async function problems(shown: Shown): Promise<string[]> {
  const where = `${shown.file}: \`${shown.text}\``;
  const words = shown.text.replace(/\\\|/g, '|').replace(/\s+\|\s+/g, '|').split(/\s+/);
  if (words[0] === 'npx') words.shift();
  if (words[0] === 'npm') {
    const script = words[1] === 'run' ? words[2] : words[1];
    if (!(script in scripts)) return [`${where}: no npm script "${script}"`];
    const dash = words.indexOf('--');
    const options = dash < 0 ? [] : optionsOf(words.slice(dash + 1).join(' '));
    if (options.length === 0) return [];
    const help = npmHelp(script);
    if (!help || help.code !== 0) return [`${where}: npm ${script} takes no options (no --help)`];
    return options.filter((o) => !names(help.stdout, o)).map((o) => `${where}: ${o} is not in npm ${script}'s --help`);
  }
  // smets [--global] <command> [<action>[|<action>...]] ...
  let i = 1;
  while (words[i] === '--debug') i++;
  const name = words[i];
  if (name === undefined || name.startsWith('<') || name.endsWith(':')) return []; // a placeholder, or output ("smets lab: ...")
  if (name.startsWith('--')) return optionsOf(shown.text).filter((o) => !names(overview(), o)).map((o) => `${where}: ${o} is not in smets --help`);
  const command = commands.find((c) => c.name === name);
  if (!command) return [`${where}: no smets command "${name}"`];
  const out: string[] = [];
  const actionWord = words[i + 1];
  const actions = command.actions && actionWord && !actionWord.startsWith('-') && !/^[A-Z<[]/.test(actionWord)
    ? actionWord.replace(/[[\]]/g, '').split('|').filter((a) => a !== '')
    : [];
  const options = optionsOf(words.slice(i + 1).join(' '));
  for (const action of actions) if (!command.actions!.includes(action)) out.push(`${where}: no action "${action}" of smets ${name}`);
  const known = actions.filter((a) => command.actions!.includes(a));
  if (actions.length && !known.length) return out;
  const helps = known.length ? known.map((a) => [name, a]) : [[name]];
  const texts: string[] = [];
  for (const argv of helps) {
    const h = await smetsHelp(argv);
    if (h.code !== 0) out.push(`${where}: smets ${argv.join(' ')} --help exits ${h.code}`);
    texts.push(h.stdout);
  }
  // An option shown with several actions (smets smki init|csr ...) must be in one of their helps.
  for (const o of options) if (o !== '--help' && !texts.some((t) => names(t, o))) out.push(`${where}: ${o} is not in smets ${helps.map((h) => h.join(' ')).join(' / ')} --help`);
  return out;
}

test('the command-line check: what it refuses', async () => {
  const wrong = async (text: string) => (await problems({ file: 'x.md', text })).length;
  assert.is(await wrong('smets lab --scenario my.json --bearer zigbee'), 0);
  assert.is(await wrong('smets smki init\\|lookup --dir d --serial 1'), 0);
  assert.is(await wrong('npm test -- --only hub'), 0);
  assert.is(await wrong('smets lab --scenarios my.json'), 1);
  assert.is(await wrong('smets labb'), 1);
  assert.is(await wrong('smets smki lokup --dir d'), 1);
  assert.is(await wrong('smets smki init --serial 1'), 1);
  assert.is(await wrong('npm run fuzz -- --counts 3'), 1);
  assert.is(await wrong('npm run build -- --fast'), 1);
  assert.is(await wrong('npm run deploy'), 1);
});

test('every smets / npm command line shown in the Markdown files exists, with the options shown', async () => {
  const shown = markdown.flatMap(shownCommands);
  if (process.env.SHOW_COMMANDS) for (const s of shown) console.log(s.file + ': ' + s.text);
  assert.ok(shown.filter((s) => s.file === 'README.md').length > 20, 'the README shows commands');
  const wrong: string[] = [];
  for (const s of shown) wrong.push(...(await problems(s)));
  assert.equal(wrong, [], '\n' + wrong.join('\n'));
});

test('every smets command line a --help text shows exists, with the options shown', async () => {
  const wrong: string[] = [];
  let shown = 0;
  for (const c of commands) {
    for (const argv of [[c.name], ...(c.actions ?? []).map((a) => [c.name, a])]) {
      const help = (await smetsHelp(argv)).stdout;
      // `smets <command> ...` up to the end of its clause: the usage lines, examples, "(smets hsm init)".
      for (const m of help.matchAll(/(?:^|[\s(])(smets [a-z][^);,\n]*)/gm)) {
        if (/^smets [a-z]+(?: [a-z]+)?:/.test(m[1])) continue; // "smets fleet worker: takes jobs ..."
        shown++;
        for (const p of await problems({ file: `smets ${argv.join(' ')} --help`, text: m[1].split(/\s(?:&&?|\|)\s/)[0].trim() })) wrong.push(p);
      }
    }
  }
  assert.ok(shown > 40, `the help texts show commands (${shown})`);
  assert.equal(wrong, [], '\n' + wrong.join('\n'));
});

test('every npm script is in the README\'s Commands table', () => {
  const start = readme.indexOf('\n## Commands\n');
  assert.ok(start >= 0, 'README.md has a "## Commands" section');
  const table = readme.substring(start, readme.indexOf('\n## ', start + 1)).split('\n').filter((l) => l.startsWith('| `npm'));
  const named = new Set(table.flatMap((row) => [...row.matchAll(/`npm (?:run )?([a-z:]+)/g)].map((m) => m[1])));
  const missing = Object.keys(scripts).filter((s) => !named.has(s));
  assert.equal(missing, [], 'npm scripts the README\'s Commands table does not name: ' + missing.join(', '));
});

test('every smets command is in the README\'s table of the harness\'s commands', () => {
  const rows = readme.split('\n').filter((l) => l.startsWith('| `smets '));
  const missing = commands.filter((c) => !rows.some((r) => r.startsWith('| `smets ' + c.name + ' ') || r.startsWith('| `smets ' + c.name + '`')));
  assert.equal(missing.map((c) => c.name), [], 'smets commands without a row in the README');
});

test('relative links in the Markdown files point to files that exist', () => {
  const broken: string[] = [];
  let links = 0;
  for (const file of markdown) {
    const { prose } = splitFences(readFileSync(join(ROOT, file), 'utf8'));
    const withoutCode = prose.replace(/`[^`]*`/g, '');
    for (const m of withoutCode.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)|^\s*\[[^\]]+\]:\s*(\S+)/gm)) {
      const target = (m[1] ?? m[2]).split('#')[0];
      if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // an anchor, http:, mailto:
      links++;
      const path = target.startsWith('/') ? join(ROOT, target) : resolve(ROOT, dirname(file), decodeURIComponent(target));
      if (!existsSync(path)) broken.push(`${file}: ${target}`);
    }
  }
  assert.equal(broken, [], `broken relative links (of ${links}): ` + broken.join(', '));
});

/** Whether a help text has an "Exit codes:" paragraph that says what 0, 1 and 2 mean. */
function exitConvention(help: string): boolean {
  const at = help.search(/Exit codes?:/);
  if (at < 0) return false;
  const paragraph = help.slice(at).split(/\n\s*\n|\nExample/)[0];
  return [0, 1, 2].every((code) => new RegExp(`(?:^|[\\s,;(])${code}\\s`).test(paragraph));
}

test('the exit-code check: what it accepts and refuses', () => {
  assert.ok(exitConvention('Usage: x\n\nExit codes: 0 done, 1 refused, 2 usage error.'));
  assert.not.ok(exitConvention('Usage: x\n\nExit codes: 0 stopped, 2 usage error.\nExample: x --host 127.0.0.1'));
  assert.not.ok(exitConvention('Usage: x --count 1 --seed 2 --from 0'));
});

test('every smets command and action answers --help with the exit codes 0, 1 and 2', async () => {
  const lacking: string[] = [];
  assert.ok(exitConvention(overview()), 'smets --help gives the exit codes');
  for (const c of commands) {
    for (const argv of [[c.name], ...(c.actions ?? []).map((a) => [c.name, a])]) {
      const h = await smetsHelp(argv);
      if (h.code !== 0 || !exitConvention(h.stdout)) lacking.push(`smets ${argv.join(' ')}`);
    }
  }
  assert.equal(lacking, [], 'no --help, or no "Exit codes:" with 0, 1 and 2: ' + lacking.join(', '));
});

test('every smets command and action takes --json (README: "--json on every command and action")', async () => {
  const refused: string[] = [];
  for (const c of commands) {
    for (const argv of c.actions ? c.actions.map((a) => [c.name, a]) : [[c.name]]) {
      // --json first: an undeclared one is refused before --help is read.
      const r = await captureCli([...argv, '--json', '--help']);
      if (r.code !== 0) refused.push(`smets ${argv.join(' ')}: ${r.stderr.split('\n')[0]}`);
    }
  }
  assert.equal(refused, [], refused.join('\n'));
});

test('every npm script that reads options answers --help with the exit codes 0, 1 and 2', () => {
  const withHelp = Object.keys(scripts).filter((s) => optionEntry(s) !== undefined);
  assert.ok(withHelp.length >= 4, 'test, bench, fuzz, flash');
  const lacking = withHelp.filter((s) => {
    const h = npmHelp(s)!;
    return h.code !== 0 || !exitConvention(h.stdout);
  });
  assert.equal(lacking, [], 'npm scripts without --help or its exit codes: ' + lacking.join(', '));
});

test.run();
