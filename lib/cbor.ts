/**
 * A small deterministic CBOR subset (RFC 8949) for the serial link's management channel, on the board.
 * The harness uses `cbor-x`; the board cannot: cbor-x needs BigInt (64-bit integers), Map, Symbol and
 * TextDecoder, none of which Espruino 2v29 has, and its bundle is larger than this whole file. So the
 * board speaks this subset, written by hand:
 * - unsigned and negative integers up to 2^53 - 1 (heads of 1, 2, 4 or 8 bytes; an 8-byte head whose
 *   value passes 2^53 is refused: without BigInt the number would be rounded),
 * - byte strings (Uint8Array), text strings (UTF-8, checked; Espruino 2v29's strings are 8-bit, so there
 *   text beyond Latin-1 cannot be held: the board's own text is ASCII), arrays, maps with text keys (plain
 *   objects: Espruino has no Map), false, true, null; undefined (simple 23) decodes but is never encoded.
 * - No floats, tags, indefinite lengths or duplicate map keys: refused with a typed reason.
 * Encoding is RFC 8949 §4.2.1 core deterministic: shortest heads, map keys sorted by their encoded bytes
 * (for text keys: shorter first, then bytewise). Decoding accepts any head width (cbor-x writes some
 * maps with 2-byte heads) but refuses trailing bytes and nesting deeper than 16.
 * @module
 */

export type CborValue = number | string | boolean | null | undefined | Uint8Array | CborValue[] | { [key: string]: CborValue };

export type CborRejection =
  | 'truncated' | 'trailing-bytes' | 'unsupported-type' | 'integer-too-large' | 'bad-utf8'
  | 'non-text-key' | 'duplicate-key' | 'too-deep' | 'not-encodable';

export type CborDecoded = { ok: true; value: CborValue } | { ok: false; reason: CborRejection; at: number };

const MAX_DEPTH = 16;
/** 2^53: integers at or above it cannot be held exactly without BigInt. */
const SAFE_LIMIT = 9007199254740992;

// ---- encoding ----

/** A growable output buffer (Espruino lacks spread and Array.from; this stays with indexed writes). */
interface Out {
  bytes: Uint8Array;
  length: number;
}

function reserve(o: Out, n: number): void {
  if (o.length + n <= o.bytes.length) return;
  let size = o.bytes.length * 2;
  while (size < o.length + n) size *= 2;
  const next = new Uint8Array(size);
  next.set(o.bytes.subarray(0, o.length), 0);
  o.bytes = next;
}

function pushByte(o: Out, b: number): void {
  reserve(o, 1);
  o.bytes[o.length++] = b;
}

/** The shortest head for major type `major` and argument `n` (RFC 8949 §3, §4.2.1). */
function head(o: Out, major: number, n: number): void {
  const m = major << 5;
  if (n < 24) pushByte(o, m | n);
  else if (n < 0x100) {
    pushByte(o, m | 24);
    pushByte(o, n);
  } else if (n < 0x10000) {
    pushByte(o, m | 25);
    pushByte(o, n >>> 8);
    pushByte(o, n & 255);
  } else if (n < 0x100000000) {
    pushByte(o, m | 26);
    pushByte(o, (n >>> 24) & 255);
    pushByte(o, (n >>> 16) & 255);
    pushByte(o, (n >>> 8) & 255);
    pushByte(o, n & 255);
  } else {
    const hi = Math.floor(n / 0x100000000);
    const lo = n - hi * 0x100000000;
    pushByte(o, m | 27);
    pushByte(o, (hi >>> 24) & 255);
    pushByte(o, (hi >>> 16) & 255);
    pushByte(o, (hi >>> 8) & 255);
    pushByte(o, hi & 255);
    pushByte(o, (lo >>> 24) & 255);
    pushByte(o, (lo >>> 16) & 255);
    pushByte(o, (lo >>> 8) & 255);
    pushByte(o, lo & 255);
  }
}

/** UTF-8 bytes of a string (surrogate pairs joined; a lone surrogate becomes U+FFFD). */
export function utf8Bytes(text: string): Uint8Array {
  const o: Out = { bytes: new Uint8Array(text.length + 8), length: 0 };
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) pushByte(o, c);
    else if (c < 0x800) {
      pushByte(o, 0xc0 | (c >> 6));
      pushByte(o, 0x80 | (c & 63));
    } else if (c < 0x10000) {
      pushByte(o, 0xe0 | (c >> 12));
      pushByte(o, 0x80 | ((c >> 6) & 63));
      pushByte(o, 0x80 | (c & 63));
    } else {
      pushByte(o, 0xf0 | (c >> 18));
      pushByte(o, 0x80 | ((c >> 12) & 63));
      pushByte(o, 0x80 | ((c >> 6) & 63));
      pushByte(o, 0x80 | (c & 63));
    }
  }
  return o.bytes.subarray(0, o.length);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function encodeInto(o: Out, v: CborValue, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (v === null) pushByte(o, 0xf6);
  else if (v === true) pushByte(o, 0xf5);
  else if (v === false) pushByte(o, 0xf4);
  else if (typeof v === 'number') {
    if (v !== Math.floor(v) || v >= SAFE_LIMIT || v <= -SAFE_LIMIT) return false;
    if (v >= 0) head(o, 0, v);
    else head(o, 1, -1 - v);
  } else if (typeof v === 'string') {
    const b = utf8Bytes(v);
    head(o, 3, b.length);
    reserve(o, b.length);
    o.bytes.set(b, o.length);
    o.length += b.length;
  } else if (v instanceof Uint8Array) {
    head(o, 2, v.length);
    reserve(o, v.length);
    o.bytes.set(v, o.length);
    o.length += v.length;
  } else if (Array.isArray(v)) {
    head(o, 4, v.length);
    for (let i = 0; i < v.length; i++) if (!encodeInto(o, v[i], depth + 1)) return false;
  } else if (typeof v === 'object') {
    // Keys whose value is undefined are left out (as JSON does); the rest sorted by encoded key.
    const all = Object.keys(v);
    const keys: Array<{ key: string; bytes: Uint8Array }> = [];
    for (let i = 0; i < all.length; i++) {
      if (v[all[i]] === undefined) continue;
      const k: Out = { bytes: new Uint8Array(16), length: 0 };
      encodeInto(k, all[i], depth + 1);
      keys.push({ key: all[i], bytes: k.bytes.subarray(0, k.length) });
    }
    keys.sort(function (a, b) {
      return compareBytes(a.bytes, b.bytes);
    });
    head(o, 5, keys.length);
    for (let i = 0; i < keys.length; i++) {
      reserve(o, keys[i].bytes.length);
      o.bytes.set(keys[i].bytes, o.length);
      o.length += keys[i].bytes.length;
      if (!encodeInto(o, v[keys[i].key], depth + 1)) return false;
    }
  } else return false;
  return true;
}

/**
 * Deterministic CBOR of `value`; undefined when it holds something outside the subset (a fraction, an
 * integer beyond 2^53, a function, undefined at the top or in an array). A programming error's result, not
 * the peer's: callers build the values themselves.
 */
export function cborEncode(value: CborValue): Uint8Array | undefined {
  if (value === undefined) return undefined;
  const o: Out = { bytes: new Uint8Array(64), length: 0 };
  if (!encodeInto(o, value, 0)) return undefined;
  return new Uint8Array(o.bytes.subarray(0, o.length));
}

// ---- decoding ----

interface Reader {
  bytes: Uint8Array;
  at: number;
  error?: CborRejection;
}

function fail(r: Reader, reason: CborRejection): undefined {
  if (!r.error) r.error = reason;
  return undefined;
}

/** The argument of a head whose low 5 bits are `info`; undefined (and r.error) when it cannot be read. */
function argument(r: Reader, info: number): number | undefined {
  if (info < 24) return info;
  const widths = [1, 2, 4, 8];
  if (info > 27) return fail(r, 'unsupported-type'); // 28-30 reserved, 31 indefinite length
  const w = widths[info - 24];
  if (r.at + w > r.bytes.length) return fail(r, 'truncated');
  let n = 0;
  for (let i = 0; i < w; i++) n = n * 256 + r.bytes[r.at + i];
  r.at += w;
  if (n >= SAFE_LIMIT) return fail(r, 'integer-too-large');
  return n;
}

function utf8Text(r: Reader, b: Uint8Array): string | undefined {
  let s = '';
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let cp: number;
    let n: number;
    if (c < 0x80) {
      cp = c;
      n = 0;
    } else if (c >= 0xc2 && c <= 0xdf) {
      cp = c & 31;
      n = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      cp = c & 15;
      n = 2;
    } else if (c >= 0xf0 && c <= 0xf4) {
      cp = c & 7;
      n = 3;
    } else return fail(r, 'bad-utf8');
    if (i + n >= b.length) return fail(r, 'bad-utf8'); // a sequence cut short
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if ((d & 0xc0) !== 0x80) return fail(r, 'bad-utf8');
      cp = (cp << 6) | (d & 63);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8 (RFC 3629 §3).
    if ((n === 2 && cp < 0x800) || (n === 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff)) return fail(r, 'bad-utf8');
    if (cp >= 0x10000) {
      cp -= 0x10000;
      s += String.fromCharCode(0xd800 + (cp >> 10), 0xdc00 + (cp & 1023));
    } else s += String.fromCharCode(cp);
    i += n + 1;
  }
  return s;
}

function take(r: Reader, n: number): Uint8Array | undefined {
  if (r.at + n > r.bytes.length) return fail(r, 'truncated');
  const out = new Uint8Array(r.bytes.subarray(r.at, r.at + n));
  r.at += n;
  return out;
}

function item(r: Reader, depth: number): CborValue {
  if (depth > MAX_DEPTH) return fail(r, 'too-deep');
  if (r.at >= r.bytes.length) return fail(r, 'truncated');
  const initial = r.bytes[r.at++];
  const major = initial >> 5;
  const info = initial & 31;
  if (major === 7) {
    if (info === 20) return false;
    if (info === 21) return true;
    if (info === 22) return null;
    if (info === 23) return undefined;
    return fail(r, 'unsupported-type'); // floats, other simple values, break
  }
  if (major === 6) return fail(r, 'unsupported-type'); // tags
  const n = argument(r, info);
  if (n === undefined) return undefined;
  if (major === 0) return n;
  if (major === 1) return -1 - n;
  if (major === 2) return take(r, n);
  if (major === 3) {
    const b = take(r, n);
    return b === undefined ? undefined : utf8Text(r, b);
  }
  if (major === 4) {
    // Each element takes at least one byte: a count beyond what is left is truncated, not an allocation.
    if (n > r.bytes.length - r.at) return fail(r, 'truncated');
    const out: CborValue[] = [];
    for (let i = 0; i < n; i++) {
      const v = item(r, depth + 1);
      if (r.error) return undefined;
      out.push(v);
    }
    return out;
  }
  // major 5: a map, text keys only
  if (n * 2 > r.bytes.length - r.at) return fail(r, 'truncated');
  const obj: { [key: string]: CborValue } = {};
  for (let i = 0; i < n; i++) {
    if (r.at < r.bytes.length && r.bytes[r.at] >> 5 !== 3) return fail(r, 'non-text-key');
    const k = item(r, depth + 1);
    if (r.error) return undefined;
    if (Object.prototype.hasOwnProperty.call(obj, k as string)) return fail(r, 'duplicate-key');
    const v = item(r, depth + 1);
    if (r.error) return undefined;
    obj[k as string] = v;
  }
  return obj;
}

/** One CBOR item filling `bytes` exactly, or the first problem and where it was found. */
export function cborDecode(bytes: Uint8Array): CborDecoded {
  const r: Reader = { bytes: bytes, at: 0 };
  const value = item(r, 0);
  if (r.error) return { ok: false, reason: r.error, at: r.at };
  if (r.at !== bytes.length) return { ok: false, reason: 'trailing-bytes', at: r.at };
  return { ok: true, value: value };
}
