/**
 * GCS59 Restore GPF Device Log (message code 0x008C; GBCS §13.8; RTDS 8.12.2_GCS59), ASN.1 DER as the
 * RTDS files show it:
 *   command  SEQUENCE { SEQUENCE OF SEQUENCE { OCTET STRING(8) device id, INTEGER device type } }
 *   response SEQUENCE { SEQUENCE OF SEQUENCE { SEQUENCE { OCTET STRING(8) device id, INTEGER device type },
 *                                              INTEGER result } }
 * RTDS: two devices, types 5 and 6, each answered with result 0 (success). What the type numbers name and
 * the failure results are not in our texts: we keep the type as a number and answer 0 success, 1 refused
 * (device log full or a device given twice: ours, UNCONFIRMED).
 * @module
 */
import { derOctetString, derSequence, derSmallInteger, expectTlv, readChildren, readSmallInteger, TAG_INTEGER, TAG_OCTET_STRING, TAG_SEQUENCE, valueOf } from '../../der.ts';
import { copyBytes } from '../../../lib/bytes.ts';
import { reject } from '../../reject.ts';
import type { Rejection } from '../../reject.ts';

export const MESSAGE_CODE_GCS59 = 0x008c;
export const GCS59_SUCCESS = 0;
export const GCS59_REFUSED = 1;

export interface GpfLogEntry {
  deviceId: Uint8Array;
  deviceType: number;
}

export function encodeGcs59Command(entries: GpfLogEntry[]): Uint8Array {
  const list: Uint8Array[] = [];
  for (let i = 0; i < entries.length; i++) list.push(derSequence([derOctetString(entries[i].deviceId), derSmallInteger(entries[i].deviceType)]));
  return derSequence([derSequence(list)]);
}

export function decodeGcs59Command(b: Uint8Array): GpfLogEntry[] | Rejection {
  const outer = expectTlv(b, 0, b.length, TAG_SEQUENCE);
  if (!outer.ok) return outer;
  if (outer.end !== b.length) return reject('trailing-bytes', outer.end);
  const top = readChildren(b, outer);
  if (!Array.isArray(top)) return top;
  if (top.length !== 1 || top[0].tag !== TAG_SEQUENCE) return reject('bad-der', outer.valueStart);
  const items = readChildren(b, top[0]);
  if (!Array.isArray(items)) return items;
  const out: GpfLogEntry[] = [];
  for (let i = 0; i < items.length; i++) {
    if (items[i].tag !== TAG_SEQUENCE) return reject('bad-der', items[i].start);
    const f = readChildren(b, items[i]);
    if (!Array.isArray(f)) return f;
    if (f.length !== 2 || f[0].tag !== TAG_OCTET_STRING || f[0].end - f[0].valueStart !== 8 || f[1].tag !== TAG_INTEGER) return reject('bad-der', items[i].start);
    const t = readSmallInteger(b, f[1]);
    if (typeof t !== 'number') return t;
    if (t > 255) return reject('bad-der', f[1].start);
    out.push({ deviceId: copyBytes(valueOf(b, f[0])), deviceType: t });
  }
  return out;
}

export function encodeGcs59Response(entries: GpfLogEntry[], results: number[]): Uint8Array {
  const list: Uint8Array[] = [];
  for (let i = 0; i < entries.length; i++) list.push(derSequence([derSequence([derOctetString(entries[i].deviceId), derSmallInteger(entries[i].deviceType)]), derSmallInteger(results[i])]));
  return derSequence([derSequence(list)]);
}
