/**
 * `npm run build`: one firmware source, bundled per board into dist/<board>/:
 *   firmware.js        what a board runs at power-on
 *   selftest*.js       the portable test cases (test/portable/**.suite.ts) with the vectors they declare
 *                      embedded, one bundle per `Suite.bundle` so large data can be split to fit an engine
 *   bench*.js          the portable figures (test/portable/**.bench.ts), read by `npm run bench`
 * Every engine bundle is checked for constructs its engine lacks (build/engineCompat.ts); any find fails
 * the build with the construct and the source file.
 * @module
 */
import * as acorn from 'acorn';
import * as walk from 'acorn-walk';
import * as esbuild from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { esbuildSupportedFor, findIncompatibilities } from './engineCompat.ts';
import type { EngineTarget, Incompatibility } from './engineCompat.ts';
import { DIST, ROOT, VECTORS, requireShared } from './paths.ts';

export const BOARDS: EngineTarget[] = ['node', 'espruino', 'jerryscript'];

export interface BundleResult {
  ok: boolean;
  code: string;
  map: string;
  /** esbuild's own failures (constructs it cannot lower), already formatted with file and line. */
  errors: string[];
  incompatibilities: Incompatibility[];
}

/** The name an Espruino bundle calls its code by (`calledByName`). */
export const ESPRUINO_MAIN = 'smetsMain';

/**
 * esbuild's IIFE `(()=>{...})();` as `var smetsMain=\n(()=>{...});smetsMain();`: the IIFE moves to line 2
 * at the same column, so its source map moves one line down. Why: Espruino names each frame of an Error's
 * stack, and a function called without a name it names by serialising it: for the IIFE, the whole bundle,
 * copied into the variable pool at every `new Error` (about 5,000 of the 12,000 variables for an 80 KB
 * bundle; the ECS52 power-cut sweep, which throws at each cut, peaked at 11,367 variables as an IIFE and
 * 6,265 called by name, measured).
 */
function calledByName(code: string, map: string): { code: string; map: string } {
  const head = /^("use strict";)?\(\(\)\s*=>\s*\{/.exec(code);
  const call = /\}\)\(\);\s*$/.exec(code);
  if (!head || !call) throw new Error('calledByName: expected an esbuild IIFE, got ' + JSON.stringify(code.substring(0, 20)));
  const at = head[1] ? head[1].length : 0;
  const named = code.substring(0, at) + 'var ' + ESPRUINO_MAIN + '=\n' + ' '.repeat(at) + code.substring(at, call.index + 2) + ';' + ESPRUINO_MAIN + '();\n';
  const m = JSON.parse(map) as { mappings: string };
  m.mappings = ';' + m.mappings;
  return { code: named, map: JSON.stringify(m) };
}

/**
 * Espruino's lexer reads `of` as a keyword wherever it stands, so a variable that esbuild's minifier names
 * `of` (it is a valid JavaScript name) stops the bundle with "Got of expected EOF" (seen: a module-level
 * `var of=new Int32Array(16)` once a bundle had enough names). Renames every such identifier to an unused
 * two-character name, in place, so the source map's columns stay right.
 */
export function withoutOfIdentifiers(code: string): string {
  const ast = acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'script' });
  const at: number[] = [];
  const names = new Set<string>();
  walk.full(ast, (node) => {
    if (node.type !== 'Identifier') return;
    const id = node as acorn.Identifier;
    names.add(id.name);
    if (id.name === 'of') at.push(id.start);
  });
  if (at.length === 0) return code;
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$';
  let name = '';
  for (let i = 0; i < letters.length && !name; i++) {
    for (let j = 0; j < letters.length && !name; j++) {
      const n = letters[i] + letters[j];
      if (!names.has(n) && n !== 'do' && n !== 'if' && n !== 'in' && n !== 'of') name = n;
    }
  }
  let out = code;
  for (const start of at) out = out.substring(0, start) + name + out.substring(start + 2);
  return out;
}

/** Bundles one entry (a file, or generated source resolved from the project root) for a board's engine. */
export async function bundleFor(board: EngineTarget, entry: { file: string } | { contents: string }): Promise<BundleResult> {
  const common: esbuild.BuildOptions = {
    bundle: true,
    write: false,
    format: board === 'node' ? 'esm' : 'iife',
    platform: board === 'node' ? 'node' : 'neutral',
    mainFields: ['module', 'main'],
    target: board === 'node' ? 'node20' : 'es2020',
    supported: esbuildSupportedFor(board),
    sourcemap: 'external',
    sourceRoot: '',
    outfile: 'out.js',
    absWorkingDir: ROOT,
    logLevel: 'silent',
    legalComments: 'none',
    // Espruino interprets the source text as it runs it and keeps it in its variable pool: every
    // character costs memory and time. Short identifiers alone ran a 16x16-limb multiply 35% faster
    // (7.9 ms -> 5.2 ms, measured on the host build).
    minifyWhitespace: board === 'espruino',
    minifyIdentifiers: board === 'espruino',
    minifySyntax: board !== 'node',
  };
  const options: esbuild.BuildOptions =
    'file' in entry
      ? { ...common, entryPoints: [entry.file] }
      : { ...common, stdin: { contents: entry.contents, resolveDir: ROOT, sourcefile: 'selftest-entry.ts', loader: 'ts' } };
  try {
    const out = await esbuild.build(options);
    let code = out.outputFiles!.find((f) => f.path.endsWith('.js'))!.text;
    let map = out.outputFiles!.find((f) => f.path.endsWith('.map'))!.text;
    if (board === 'espruino') ({ code, map } = calledByName(withoutOfIdentifiers(code), map));
    const incompatibilities = findIncompatibilities(board, code, map);
    return { ok: incompatibilities.length === 0, code, map, errors: [], incompatibilities };
  } catch (e) {
    const failure = e as esbuild.BuildFailure;
    const errors = (failure.errors ?? []).map((m) =>
      m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ${m.text}` : m.text,
    );
    if (errors.length === 0) throw e;
    return { ok: false, code: '', map: '', errors, incompatibilities: [] };
  }
}

/** A build failure as the lines a developer reads: construct, file and line. */
export function describeFailure(board: EngineTarget, name: string, r: BundleResult): string[] {
  return [
    ...r.errors.map((e) => `build: ${board}/${name}: ${e}`),
    ...r.incompatibilities.map((i) => `build: ${board}/${name}: ${i.where}: ${i.construct}`),
  ];
}

/**
 * What the bundler reads of a portable suite or bench: where it goes and what it needs. The whole
 * contract (cases, contexts, the runner) is test code, test/portable/selftest.ts; the build does not
 * import it, it only writes an entry that does.
 */
export interface PortableItem {
  name: string;
  /** Bundle it goes into (default "selftest" or "bench"). */
  bundle?: string;
  /** Vector files under shared/vectors it needs embedded. */
  vectors?: string[];
  /** Boards that run it (default: all). */
  boards?: string[];
}
export type PortableSuite = PortableItem & { cases: unknown[] };
export type PortableBench = PortableItem & { run: unknown };

interface Found<T> {
  file: string;
  exportName: string;
  value: T;
}
export type FoundSuite = Found<PortableSuite>;
export type FoundBench = Found<PortableBench>;

function walkPortable(suffix: string): string[] {
  const walkDir = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? walkDir(p) : n.endsWith(suffix) ? [p] : [];
    });
  return walkDir(resolve(ROOT, 'test/portable')).sort();
}

async function findExports<T>(suffix: string, is: (v: unknown) => v is T): Promise<Found<T>[]> {
  const found: Found<T>[] = [];
  for (const file of walkPortable(suffix)) {
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    for (const [exportName, value] of Object.entries(mod)) {
      if (is(value)) found.push({ file: relative(ROOT, file), exportName, value });
    }
  }
  return found;
}

/** Every Suite exported by test/portable/**.suite.ts. */
export function findSuites(): Promise<FoundSuite[]> {
  return findExports('.suite.ts', (v): v is PortableSuite =>
    !!v && typeof v === 'object' && typeof (v as PortableSuite).name === 'string' && Array.isArray((v as PortableSuite).cases));
}

/** Every Bench exported by test/portable/**.bench.ts. */
export function findBenches(): Promise<FoundBench[]> {
  return findExports('.bench.ts', (v): v is PortableBench =>
    !!v && typeof v === 'object' && typeof (v as PortableBench).name === 'string' && typeof (v as PortableBench).run === 'function');
}

/** The files a suite declares, read from ../shared/vectors (a path ending in "/" takes the folder). */
export function readDeclaredVectors(paths: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (rel: string) => {
    const abs = resolve(VECTORS, rel);
    if (statSync(abs).isDirectory()) {
      for (const n of readdirSync(abs).sort()) add(rel.replace(/\/?$/, '/') + n);
    } else {
      out[rel] = readFileSync(abs, 'utf8');
    }
  };
  for (const p of paths) add(p.replace(/\/$/, ''));
  return out;
}

/** Source of a generated entry: the board's test host, the chosen exports, their vectors embedded. */
function generatedEntry(board: EngineTarget, kind: 'selftest' | 'bench', items: Array<Found<PortableItem>>): string {
  const vectors = readDeclaredVectors(items.flatMap((s) => s.value.vectors ?? []));
  const imports = items.map((s, i) => `import { ${s.exportName} as x${i} } from './${s.file}';`).join('\n');
  const list = `[${items.map((_, i) => 'x' + i).join(', ')}]`;
  const run =
    kind === 'selftest'
      ? `const r = runSelfTest(host.board, ${list}, host.ctx, host.print);\nif (r.failed > 0) host.fail('selftest: ' + r.failed + ' failed');`
      : `runBenches(host, ${list});`;
  return [
    `import { runBenches, runSelfTest } from './test/portable/selftest.ts';`,
    `import { testHost } from './test/portable/hosts/${board}.ts';`,
    imports,
    `const host = testHost(${JSON.stringify(vectors)});`,
    run,
  ].join('\n');
}

/** Items for a board, grouped by bundle name (default `fallback`). */
function groupByBundle<T extends PortableItem>(board: EngineTarget, items: Found<T>[], fallback: string): Array<[string, Found<T>[]]> {
  const groups = new Map<string, Found<T>[]>();
  for (const item of items) {
    if (item.value.boards && !item.value.boards.includes(board)) continue;
    const name = item.value.bundle ?? fallback;
    groups.set(name, [...(groups.get(name) ?? []), item]);
  }
  return [...groups].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

export interface BuiltFile {
  board: EngineTarget;
  name: string;
  bytes: number;
}

/** `benchName`: only the benches whose name it accepts go into the bench bundles (`npm run bench -- --only`). */
export async function buildAll(
  log: (line: string) => void = console.log,
  benchName: (name: string) => boolean = () => true,
): Promise<{ ok: boolean; files: BuiltFile[] }> {
  requireShared('build');
  const suites = await findSuites();
  const benches = (await findBenches()).filter((b) => benchName(b.value.name));
  const files: BuiltFile[] = [];
  let ok = true;
  for (const board of BOARDS) {
    const dir = resolve(DIST, board);
    rmSync(dir, { recursive: true, force: true }); // no stale bundle of a renamed suite survives
    mkdirSync(dir, { recursive: true });
    const jobs: Array<{ name: string; entry: { file: string } | { contents: string } }> = [
      { name: 'firmware.js', entry: { file: `boards/${board}/firmware.ts` } },
    ];
    for (const [name, group] of groupByBundle(board, suites, 'selftest')) {
      jobs.push({ name: name + '.js', entry: { contents: generatedEntry(board, 'selftest', group) } });
    }
    for (const [name, group] of groupByBundle(board, benches, 'bench')) {
      jobs.push({ name: name + '.js', entry: { contents: generatedEntry(board, 'bench', group) } });
    }
    for (const job of jobs) {
      const r = await bundleFor(board, job.entry);
      if (!r.ok) {
        ok = false;
        for (const line of describeFailure(board, job.name, r)) log(line);
        continue;
      }
      writeFileSync(join(dir, job.name), r.code);
      writeFileSync(join(dir, job.name + '.map'), r.map);
      files.push({ board, name: job.name, bytes: Buffer.byteLength(r.code) });
    }
  }
  return { ok, files };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { ok, files } = await buildAll();
  for (const f of files) console.log(`${f.board.padEnd(12)} ${f.name.padEnd(24)} ${(f.bytes / 1024).toFixed(1).padStart(8)} KiB`);
  if (!ok) {
    console.error('build failed: a bundle uses what its engine lacks (lines above)');
    process.exit(1);
  }
}
