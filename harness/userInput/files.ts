/**
 * Reading the files a user names, with problems said in the user's terms: which file, what was
 * expected, what was found ("does not exist", "is a folder", "not valid JSON at line 3, column 10:
 * Unexpected token '['"), never a bare ENOENT or a V8 message with the whole file quoted in it.
 * @module
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export type Read<T> = { ok: true; value: T } | { ok: false; message: string };

/** `path: <what is wrong>` for an error of fs (ENOENT, EISDIR, EACCES), else its message. */
export function fileProblem(path: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return path + ': does not exist';
  if (code === 'EISDIR') return path + ': is a folder, expected a file';
  if (code === 'ENOTDIR') return path + ': a part of the path is a file, not a folder';
  if (code === 'EACCES' || code === 'EPERM') return path + ': cannot be read (permission denied)';
  return path + ': ' + ((e as Error).message || String(e));
}

/**
 * Where a JSON syntax error is, as ` at line L, column C`. V8 names a position for most errors ("at
 * position N") but not for an unexpected token; then the shortest prefix of the text that fails for a
 * reason other than ending early ends at the error (binary search, a few dozen parses).
 */
export function jsonWhere(text: string, message: string): string {
  const positionOf = (m: string) => {
    const p = /position (\d+)/.exec(m);
    return p ? Number(p[1]) : undefined;
  };
  let at = positionOf(message);
  if (at === undefined) {
    const failsInside = (n: number) => {
      try {
        JSON.parse(text.substring(0, n));
        return false;
      } catch (e) {
        const m = (e as Error).message;
        if (/end of JSON input/.test(m)) return false;
        const p = positionOf(m);
        return p === undefined || p < n;
      }
    };
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (failsInside(mid)) hi = mid;
      else lo = mid + 1;
    }
    at = Math.max(0, lo - 1);
  }
  const before = text.substring(0, at);
  return ' at line ' + before.split('\n').length + ', column ' + (before.length - before.lastIndexOf('\n'));
}

/** A JSON file: its value, or `path: not valid JSON at line L, column C: <what V8 expected>`. */
export function readJsonFile(path: string): Read<unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { ok: false, message: fileProblem(path, e) };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const m = (e as Error).message;
    const what = m.replace(/, "[\s\S]*$|, \.\.\.[\s\S]*$/, '').replace(/ in JSON at position \d+.*$/, '');
    return { ok: false, message: path + ': not valid JSON' + jsonWhere(text, m) + ': ' + what };
  }
}

/** undefined when `path` is an existing file (or folder, with `folder`), else what is wrong. */
export function mustExist(path: string, option: string, folder = false): string | undefined {
  if (!existsSync(path)) return option + ' ' + path + ': does not exist';
  const isDir = statSync(path).isDirectory();
  if (folder && !isDir) return option + ' ' + path + ': is a file, expected a folder';
  if (!folder && isDir) return option + ' ' + path + ': is a folder, expected a file';
  return undefined;
}

/** undefined when `path` can be written as a file (its folder exists; it is not a folder), else what is wrong. */
export function mustBeWritable(path: string, option: string): string | undefined {
  const parent = dirname(resolve(path));
  if (!existsSync(parent)) return option + ' ' + path + ': the folder ' + parent + ' does not exist';
  if (!statSync(parent).isDirectory()) return option + ' ' + path + ': ' + parent + ' is a file, not a folder';
  if (existsSync(path) && statSync(path).isDirectory()) return option + ' ' + path + ': is a folder, expected a file name';
  return undefined;
}
