/**
 * A minimal DER (ITU-T X.690 §10) writer and reader: just what the SMKI profiles, PKCS#10 requests
 * (RFC 2986) and CRLs (RFC 5280 §5) of this test SMKI need. Written here rather than taken from a
 * general ASN.1 library because the device-certificate hot path (issuingDca/deviceTemplate) must
 * build ~50,000 TBS structures per batch without object churn; tests cross-check everything this
 * module writes with pkijs and `openssl asn1parse`/`x509`/`crl`.
 * @module
 */

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** DER length octets (X.690 §8.1.3, definite form, minimal). */
export function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  if (n < 0x10000) return Buffer.from([0x82, n >> 8, n & 0xff]);
  if (n < 0x1000000) return Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  throw new RangeError(`encodeLength: ${n} too large`);
}

export function tlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}
export const seq = (...items: Uint8Array[]): Buffer => tlv(TAG.SEQUENCE, Buffer.concat(items));
/** SET OF in DER sorts its elements (X.690 §11.6); a set of one needs no sorting. */
export const set = (...items: Uint8Array[]): Buffer =>
  tlv(TAG.SET, Buffer.concat([...items].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))));
export const octets = (b: Uint8Array): Buffer => tlv(TAG.OCTET_STRING, b);
export const bool = (v: boolean): Buffer => Buffer.from([TAG.BOOLEAN, 1, v ? 0xff : 0]);
export const nul = (): Buffer => Buffer.from([TAG.NULL, 0]);
/** [n] EXPLICIT (constructed context tag). */
export const explicit = (n: number, inner: Uint8Array): Buffer => tlv(0xa0 | n, inner);
export const utf8 = (s: string): Buffer => tlv(TAG.UTF8_STRING, Buffer.from(s, 'utf8'));
export const printable = (s: string): Buffer => {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s)) throw new TypeError(`printable: "${s}" is not a PrintableString`);
  return tlv(TAG.PRINTABLE_STRING, Buffer.from(s, 'latin1'));
};
/** BIT STRING with no unused bits (X.690 §8.6). */
export const bits = (b: Uint8Array): Buffer => tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([0]), b]));

/** Non-negative INTEGER from big-endian magnitude bytes (adds 00 if the top bit is set, strips extra zeros). */
export function uint(magnitude: Uint8Array): Buffer {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const m = Buffer.from(magnitude.subarray(i));
  return tlv(TAG.INTEGER, (m[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), m]) : m.length ? m : Buffer.from([0]));
}
export const smallInt = (n: number): Buffer => {
  if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) throw new RangeError(`smallInt: ${n}`);
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return uint(b);
};

/** OBJECT IDENTIFIER from dotted form (X.690 §8.19). */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => {
    if (!/^\d+$/.test(a)) throw new TypeError(`oid: bad arc in "${dotted}"`);
    return Number(a);
  });
  if (arcs.length < 2) throw new TypeError(`oid: "${dotted}" needs two arcs`);
  const out: number[] = [];
  const push = (v: number) => {
    const stack = [v & 0x7f];
    v = Math.floor(v / 128);
    while (v > 0) {
      stack.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(...stack);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (let i = 2; i < arcs.length; i++) push(arcs[i]!);
  return tlv(TAG.OID, Buffer.from(out));
}

export function decodeOid(content: Uint8Array): string {
  const arcs: number[] = [];
  let v = 0;
  for (let i = 0; i < content.length; i++) {
    v = v * 128 + (content[i]! & 0x7f);
    if (!(content[i]! & 0x80)) {
      if (arcs.length === 0) {
        const first = v < 80 ? Math.floor(v / 40) : 2;
        arcs.push(first, v - first * 40);
      } else arcs.push(v);
      v = 0;
    }
  }
  return arcs.join('.');
}

const pad2 = (n: number) => String(n).padStart(2, '0');
/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; always Zulu, whole seconds. */
export function time(d: Date): Buffer {
  const y = d.getUTCFullYear();
  const rest = `${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(TAG.UTC_TIME, Buffer.from(pad2(y % 100) + rest, 'latin1'));
  return tlv(TAG.GENERALIZED_TIME, Buffer.from(String(y).padStart(4, '0') + rest, 'latin1'));
}
/** The GBCS "no well-defined expiration" value 99991231235959Z (RFC 5280 §4.1.2.5). */
export const NEVER_EXPIRES = tlv(TAG.GENERALIZED_TIME, Buffer.from('99991231235959Z', 'latin1'));

export function decodeTime(tag: number, content: Uint8Array): Date {
  const s = Buffer.from(content).toString('latin1');
  const m = tag === TAG.UTC_TIME ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s) : /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s);
  if (!m) throw new TypeError(`decodeTime: "${s}"`);
  let y = Number(m[1]);
  if (tag === TAG.UTC_TIME) y += y < 50 ? 2000 : 1900;
  return new Date(Date.UTC(y, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

/** One parsed TLV: offsets into the original buffer, no copies. */
export interface Node {
  tag: number;
  /** offset of the tag byte */
  start: number;
  /** offset of the first content byte */
  body: number;
  /** offset after the last content byte */
  end: number;
}

/** Reads the TLV at `at`; returns undefined when it runs past `limit` or uses a non-DER length. */
export function readNode(buf: Uint8Array, at: number, limit = buf.length): Node | undefined {
  if (at + 2 > limit) return undefined;
  const tag = buf[at]!;
  if ((tag & 0x1f) === 0x1f) return undefined; // high tag numbers are not used by any structure here
  let len = buf[at + 1]!;
  let body = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || body + n > limit) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[body + i]!;
    body += n;
    if (len < 0x80 || (n > 1 && buf[at + 2] === 0)) return undefined; // not minimal: not DER
  }
  const end = body + len;
  if (end > limit) return undefined;
  return { tag, start: at, body, end };
}

/** The children of a constructed node; undefined if they do not tile it exactly. */
export function children(buf: Uint8Array, parent: Node): Node[] | undefined {
  const out: Node[] = [];
  let at = parent.body;
  while (at < parent.end) {
    const n = readNode(buf, at, parent.end);
    if (!n) return undefined;
    out.push(n);
    at = n.end;
  }
  return out;
}

export const content = (buf: Uint8Array, n: Node): Uint8Array => buf.subarray(n.body, n.end);
export const whole = (buf: Uint8Array, n: Node): Uint8Array => buf.subarray(n.start, n.end);

/** PEM armour (RFC 7468). */
export function toPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}
export function fromPem(pem: string, label?: string): Buffer | undefined {
  const re = label
    ? new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`)
    : /-----BEGIN [A-Z0-9 ]+-----([\s\S]*?)-----END [A-Z0-9 ]+-----/;
  const m = re.exec(pem);
  return m ? Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64') : undefined;
}
