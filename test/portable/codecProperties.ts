/**
 * The codec's totality property, shared by the portable suites, the Node tests and `npm run fuzz`:
 * for ANY byte string, decodeMessage returns (never throws); a rejection names an offset inside the
 * input (or its end); an accepted message re-encodes to exactly the input and its views lie inside it.
 * @module
 */
import { bytesEqual } from '../../lib/bytes.ts';
import { readChildren, readTlv } from '../../gbcs/der.ts';
import type { Tlv } from '../../gbcs/der.ts';
import { decodeGbtFrame, encodeGbtFrame } from '../../gbcs/gbt.ts';
import { decodeMessage, encodeMessage } from '../../gbcs/message.ts';

/** undefined when the property holds for `bytes`, else what broke. */
export function messageTotalityProblem(bytes: Uint8Array): string | undefined {
  let m;
  try {
    m = decodeMessage(bytes);
  } catch (e) {
    return 'exception: ' + ((e as Error).message || String(e));
  }
  if (!m || typeof m !== 'object') return 'no answer';
  if (!m.ok) {
    if (typeof m.reason !== 'string' || !(m.at >= 0 && m.at <= bytes.length)) return 'rejection out of range: ' + m.reason + ' at ' + m.at;
    return undefined;
  }
  let again: Uint8Array;
  try {
    again = encodeMessage(m);
  } catch (e) {
    return 'accepted but encode threw: ' + ((e as Error).message || String(e));
  }
  if (!bytesEqual(again, bytes)) return 'accepted but re-encodes differently';
  const r = m.gs.ranges;
  if (!(r.apdu.start >= 0 && r.apdu.end <= bytes.length && r.signed.start === r.apdu.start + 1 && r.content.end <= r.apdu.end)) return 'ranges outside the message';
  return undefined;
}

/** The same property for one GBT frame. */
export function gbtTotalityProblem(bytes: Uint8Array): string | undefined {
  let f;
  try {
    f = decodeGbtFrame(bytes);
  } catch (e) {
    return 'exception: ' + ((e as Error).message || String(e));
  }
  if (!f.ok) return f.at >= 0 && f.at <= bytes.length ? undefined : 'rejection out of range: ' + f.reason + ' at ' + f.at;
  let again: Uint8Array;
  try {
    again = encodeGbtFrame(f);
  } catch (e) {
    return 'accepted but encode threw: ' + ((e as Error).message || String(e));
  }
  return bytesEqual(again, bytes) ? undefined : 'accepted but re-encodes differently';
}

/**
 * The DER reader's property: walking every TLV of any input (descending into constructed ones)
 * never throws, every TLV lies inside its parent, and the walk ends.
 */
export function derWalkProblem(bytes: Uint8Array): string | undefined {
  try {
    const stack: Tlv[] = [];
    let at = 0;
    while (at < bytes.length) {
      const t = readTlv(bytes, at, bytes.length);
      if (!t.ok) return t.at >= 0 && t.at <= bytes.length ? undefined : 'rejection out of range';
      stack.push(t);
      at = t.end;
    }
    let steps = 0;
    while (stack.length) {
      if (++steps > bytes.length + 1) return 'walk does not end';
      const t = stack.pop() as Tlv;
      if (!(t.start < t.valueStart && t.valueStart <= t.end && t.end <= bytes.length)) return 'TLV outside the input';
      if ((t.tag & 0x20) === 0) continue;
      const kids = readChildren(bytes, t);
      if (!Array.isArray(kids)) continue;
      for (let i = 0; i < kids.length; i++) {
        if (kids[i].start < t.valueStart || kids[i].end > t.end) return 'child outside its parent';
        stack.push(kids[i]);
      }
    }
  } catch (e) {
    return 'exception: ' + ((e as Error).message || String(e));
  }
  return undefined;
}
