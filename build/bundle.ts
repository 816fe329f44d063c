/**
 * `npm run build`: one firmware source, bundled per board into dist/<board>/:
 *   firmware.js        what a board runs at power-on
 *   selftest*.js       the portable test cases (test/portable/**.suite.ts) with the vectors they declare
 *                      embedded, one bundle per `Suite.bundle` so large data can be split to fit an engine
 * Every engine bundle is checked for constructs its engine lacks (build/engineCompat.ts); any find fails
 * the build with the construct and the source file.
 * @module
 */
import * as esbuild from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Suite } from '../test/portable/selftest.ts';
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
    // Espruino keeps every character of the source in its variable pool: minify what it holds.
    minifyWhitespace: board === 'espruino',
    minifySyntax: board !== 'node',
  };
  const options: esbuild.BuildOptions =
    'file' in entry
      ? { ...common, entryPoints: [entry.file] }
      : { ...common, stdin: { contents: entry.contents, resolveDir: ROOT, sourcefile: 'selftest-entry.ts', loader: 'ts' } };
  try {
    const out = await esbuild.build(options);
    const code = out.outputFiles!.find((f) => f.path.endsWith('.js'))!.text;
    const map = out.outputFiles!.find((f) => f.path.endsWith('.map'))!.text;
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

interface FoundSuite {
  file: string;
  exportName: string;
  suite: Suite;
}

/** Every Suite exported by test/portable/**.suite.ts. */
export async function findSuites(): Promise<FoundSuite[]> {
  const found: FoundSuite[] = [];
  const walkDir = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? walkDir(p) : n.endsWith('.suite.ts') ? [p] : [];
    });
  for (const file of walkDir(resolve(ROOT, 'test/portable')).sort()) {
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    for (const [exportName, value] of Object.entries(mod)) {
      const s = value as Suite;
      if (s && typeof s === 'object' && typeof s.name === 'string' && Array.isArray(s.cases)) {
        found.push({ file: relative(ROOT, file), exportName, suite: s });
      }
    }
  }
  return found;
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

function selfTestEntry(board: EngineTarget, suites: FoundSuite[]): string {
  const vectors = readDeclaredVectors(suites.flatMap((s) => s.suite.vectors ?? []));
  const imports = suites.map((s, i) => `import { ${s.exportName} as s${i} } from './${s.file}';`).join('\n');
  return [
    `import { runBoardSelfTest } from './boards/${board}/selftest.ts';`,
    imports,
    `runBoardSelfTest([${suites.map((_, i) => 's' + i).join(', ')}], ${JSON.stringify(vectors)});`,
  ].join('\n');
}

export interface BuiltFile {
  board: EngineTarget;
  name: string;
  bytes: number;
}

export async function buildAll(log: (line: string) => void = console.log): Promise<{ ok: boolean; files: BuiltFile[] }> {
  requireShared('build');
  const suites = await findSuites();
  const files: BuiltFile[] = [];
  let ok = true;
  for (const board of BOARDS) {
    const dir = resolve(DIST, board);
    mkdirSync(dir, { recursive: true });
    const jobs: Array<{ name: string; entry: { file: string } | { contents: string } }> = [
      { name: 'firmware.js', entry: { file: `boards/${board}/firmware.ts` } },
    ];
    const groups = new Map<string, FoundSuite[]>();
    for (const s of suites) {
      if (s.suite.boards && !s.suite.boards.includes(board)) continue;
      const name = s.suite.bundle ?? 'selftest';
      groups.set(name, [...(groups.get(name) ?? []), s]);
    }
    for (const [name, group] of [...groups].sort()) jobs.push({ name: name + '.js', entry: { contents: selfTestEntry(board, group) } });
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
