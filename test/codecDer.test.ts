/**
 * The DER reader and writer (gbcs/der.ts) on every ASN.1 body of the RTDS sample: CS02b-e
 * credentials, CS06 activation, the CHF device-log bodies and the rest. Each body is walked to its
 * leaves (constructed tags: SEQUENCE, SET and constructed context tags) with every length consumed
 * exactly, then rebuilt with the writer from what the reader saw, byte for byte. Vectors: DCC RTDS
 * 4.5.0 as sampled in ../shared/vectors.
 * Found on the way: some device RESPONSE bodies in RTDS (e.g. 6.15.1 CS02b) use a long-form length
 * where a short one fits (BER, not DER). The reader is DER-only and refuses them at that length; every
 * COMMAND body, which is what the device parses, is strict DER.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { bytesEqual, toHex } from '../lib/bytes.ts';
import { derTlv, readChildren, readTlv, valueOf } from '../gbcs/der.ts';
import type { Tlv } from '../gbcs/der.ts';
import { decodeMessage } from '../gbcs/message.ts';
import { messageCodeInfo } from '../gbcs/messageCodes.ts';
import { VECTORS } from '../build/paths.ts';
import { listRtdsFiles, readHexFile } from '../harness/conformance/rtdsFolder.ts';

/** The TLV rebuilt with the writer from what the reader found; a string says where reading failed. */
function rebuild(bytes: Uint8Array, t: Tlv): Uint8Array | string {
  const constructed = (t.tag & 0x20) !== 0;
  if (!constructed) return derTlv(t.tag, [valueOf(bytes, t)]);
  const children = readChildren(bytes, t);
  if (!(children instanceof Array)) return children.reason + ' at ' + children.at;
  const parts: Uint8Array[] = [];
  for (const c of children) {
    const p = rebuild(bytes, c);
    if (typeof p === 'string') return p;
    parts.push(p);
  }
  return derTlv(t.tag, parts);
}

const bodies = listRtdsFiles(join(VECTORS, 'rtds/RTDS-4.5.0'))
  .map((f) => ({ f, m: decodeMessage(readHexFile(f.absolutePath)!) }))
  .filter((x) => x.m.ok && x.m.content.length > 0 && x.m.content[0] === 0x30);

test('the sample holds ASN.1 bodies of the credential, firmware and device-log use cases', () => {
  const cases = new Set(bodies.map((b) => (b.m.ok ? messageCodeInfo(b.m.gs.messageCode)?.useCase ?? '?' : '?')));
  for (const uc of ['CS02b', 'CS02a', 'CS06']) assert.ok([...cases].some((c) => c.startsWith(uc)), uc + ' among ' + [...cases].join(' '));
  assert.ok(bodies.length >= 40, 'ASN.1 bodies found: ' + bodies.length);
});

/** True when the length at `at` (after a tag) is long-form although a shorter form would hold it. */
function nonMinimalLengthAt(bytes: Uint8Array, at: number): boolean {
  const first = bytes[at];
  if (first === 0x81) return bytes[at + 1] < 0x80;
  if (first === 0x82) return bytes[at + 1] === 0;
  return false;
}

/** The offset of the first non-minimal length in a BER tree, or -1 when every length is minimal. */
function firstNonMinimal(bytes: Uint8Array, at: number, end: number): number {
  while (at < end) {
    if (nonMinimalLengthAt(bytes, at + 1)) return at + 1;
    const lenByte = bytes[at + 1];
    const width = lenByte < 0x80 ? 0 : lenByte & 0x7f;
    let length = lenByte < 0x80 ? lenByte : 0;
    for (let i = 0; i < width; i++) length = length * 256 + bytes[at + 2 + i];
    const valueStart = at + 2 + width;
    if (bytes[at] & 0x20) {
      const inner = firstNonMinimal(bytes, valueStart, valueStart + length);
      if (inner >= 0) return inner;
    }
    at = valueStart + length;
  }
  return -1;
}

test('every strict-DER body is read to its leaves and rebuilt byte for byte; every COMMAND body is strict DER', () => {
  let rebuilt = 0;
  let ber = 0;
  for (const { f, m } of bodies) {
    if (!m.ok) continue;
    const top = readTlv(m.content, 0);
    const again = 'reason' in (top as object) ? (top as { reason: string; at: number }).reason + ' at ' + (top as { at: number }).at : rebuild(m.content, top as Tlv);
    if (typeof again === 'string') {
      const where = firstNonMinimal(m.content, 0, m.content.length);
      assert.ok(where >= 0, f.path + ': refused (' + again + ') although every length is minimal');
      assert.is.not(f.kind, 'COMMAND', f.path + ': a command body the device must parse is not DER');
      ber++;
      continue;
    }
    assert.is((top as Tlv).end, m.content.length, f.path + ': the body is one TLV with nothing after it');
    assert.ok(bytesEqual(again, m.content), f.path + ': rebuilt ' + toHex(again).substring(0, 80));
    rebuilt++;
  }
  assert.ok(rebuilt >= 40, 'rebuilt ' + rebuilt + ', BER-only responses ' + ber);
  console.log('  DER bodies rebuilt byte for byte: ' + rebuilt + '; BER-only device responses refused at their long-form length: ' + ber);
});

test('a body whose outer length claims one byte more than there is is refused with its offset', () => {
  let tried = 0;
  for (const { f, m } of bodies) {
    if (!m.ok || m.content[1] === 0x82 && m.content[3] === 0xff) continue;
    const bad = new Uint8Array(m.content);
    const first = bad[1];
    if (first < 0x7f) bad[1]++;
    else if (first === 0x81 && bad[2] < 0xff) bad[2]++;
    else if (first === 0x82) bad[3]++;
    else continue;
    const r = readTlv(bad, 0) as { ok?: boolean; reason?: string; at?: number };
    assert.is(r.ok, false, f.path + ': a length past the end must be refused');
    assert.type(r.at, 'number', f.path + ': the refusal names its offset');
    tried++;
  }
  assert.ok(tried >= 40, 'bodies tried: ' + tried);
});

test.run();
