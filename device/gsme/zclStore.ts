/**
 * The GSME's ZCL attributes (ZCL §2.3 attributes; SE 1.4 Basic 0x0000, Metering 0x0702, Prepayment 0x0705,
 * ...): what Read Attributes answers and what cluster commands change. One key per attribute,
 * `zcl.<cluster><attribute>` (8 hex digits), holding the ZCL data type then the value's wire bytes (numbers
 * little-endian, strings with their length prefix), so a value is answered exactly as it was stored. The
 * factory writes the device's initial attributes (manufacture.ts `attributes`); commands stage changes in
 * the command's StateTx, so they land in its commit or not at all. Portable.
 * @module
 */
import { zclValueLength } from '../../gbcs/gbz/zcl.ts';
import type { StateTx } from '../state/stateTx.ts';

export const ZCL_PREFIX = 'zcl.';

export interface ZclAttributeValue {
  cluster: number;
  attribute: number;
  /** ZCL data type (gbcs/gbz/zcl.ts). */
  type: number;
  /** The value's wire bytes (a string with its length prefix). */
  value: Uint8Array;
}

type Readable = { read(k: string): Uint8Array | undefined };

function hex4(n: number): string {
  const s = (n & 0xffff).toString(16);
  return '0000'.substring(s.length) + s;
}

export function attributeKey(cluster: number, attribute: number): string {
  return ZCL_PREFIX + hex4(cluster) + hex4(attribute);
}

/** The stored attribute, or undefined when the device does not have it. */
export function readAttribute(s: Readable, cluster: number, attribute: number): { type: number; value: Uint8Array } | undefined {
  const b = s.read(attributeKey(cluster, attribute));
  if (!b || b.length < 1) return undefined;
  return { type: b[0], value: b.subarray(1) };
}

/** Stages an attribute; false (nothing staged) when the value is not one of its type. */
export function writeAttribute(tx: StateTx, v: ZclAttributeValue): boolean {
  if (v.cluster < 0 || v.cluster > 0xffff || v.attribute < 0 || v.attribute > 0xffff) return false;
  if (zclValueLength(v.type, v.value, 0) !== v.value.length) return false;
  const b = new Uint8Array(1 + v.value.length);
  b[0] = v.type;
  b.set(v.value, 1);
  tx.write(attributeKey(v.cluster, v.attribute), b);
  return true;
}
