/**
 * GBZ payloads as a list of ZCL frames (GBCS §7.2.x GBZ payload; the layout of the RTDS 4.5.0 GSME/GPF
 * commands and responses):
 * ```
 * 01 09        Profile ID (GBZ)
 * nn           number of GBZ use-case-specific components
 * per component:
 *   cc         extended header control: bit 0 last component, bit 1 encrypted content, bit 4 a
 *              "from date-time" (ZigBee UTCTime, 4 bytes, big-endian) precedes the ZCL frame
 *   CC CC      ZCL cluster id (big-endian)
 *   LL LL      length of what follows (date-time and ZCL frame; big-endian)
 *   [tt*4]     from date-time, when bit 4 is set
 *   ZCL frame  frame control, [manufacturer code (2, LE) when fc bit 2], sequence number, command id, payload
 * ```
 * Encrypted components (bit 1) are kept whole (`encrypted`): their ZCL frame is ciphertext. Portable.
 * @module
 */
import { GBZ_PROFILE_ID } from './alertHeader.ts';
import { readU32be } from '../../lib/bytes.ts';

export const GBZ_LAST = 0x01;
export const GBZ_ENCRYPTED = 0x02;
export const GBZ_FROM_DATE_TIME = 0x10;

/** ZCL frame control bits (ZCL §2.4.1.1). */
export const ZCL_CLUSTER_SPECIFIC = 0x01;
export const ZCL_MANUFACTURER_SPECIFIC = 0x04;
export const ZCL_SERVER_TO_CLIENT = 0x08;
export const ZCL_DISABLE_DEFAULT_RESPONSE = 0x10;

export interface GbzComponent {
  control: number;
  cluster: number;
  /** The "from date-time" (ZigBee UTCTime: seconds since 2000-01-01 UTC), when control bit 4 is set. */
  fromDateTime?: number;
  frameControl: number;
  manufacturer?: number;
  sequence: number;
  command: number;
  payload: Uint8Array;
  /** The component's ciphertext (control bit 1): the ZCL fields above are then not read. */
  encrypted?: Uint8Array;
}


/** The components of a GBZ payload, or why `b` is not one. */
export function decodeGbz(b: Uint8Array): GbzComponent[] | string {
  if (b.length < 3 || ((b[0] << 8) | b[1]) !== GBZ_PROFILE_ID) return 'not a GBZ payload (profile 0x0109)';
  const n = b[2];
  if (n === 0) return 'no components';
  const out: GbzComponent[] = [];
  let at = 3;
  for (let i = 0; i < n; i++) {
    if (at + 5 > b.length) return 'component ' + i + ' truncated';
    const control = b[at];
    if (((control & GBZ_LAST) !== 0) !== (i === n - 1)) return 'component ' + i + ': last-component bit wrong';
    const cluster = (b[at + 1] << 8) | b[at + 2];
    const len = (b[at + 3] << 8) | b[at + 4];
    const start = at + 5;
    const end = start + len;
    if (end > b.length) return 'component ' + i + ': length past the end';
    if ((control & GBZ_ENCRYPTED) !== 0) {
      out.push({ control: control, cluster: cluster, frameControl: 0, sequence: 0, command: 0, payload: new Uint8Array(0), encrypted: b.subarray(start, end) });
      at = end;
      continue;
    }
    let f = start;
    let fromDateTime: number | undefined;
    if ((control & GBZ_FROM_DATE_TIME) !== 0) {
      if (f + 4 > end) return 'component ' + i + ': date-time truncated';
      fromDateTime = readU32be(b, f);
      f += 4;
    }
    if (f + 3 > end) return 'component ' + i + ': ZCL frame truncated';
    const fc = b[f];
    let manufacturer: number | undefined;
    if ((fc & ZCL_MANUFACTURER_SPECIFIC) !== 0) {
      if (f + 5 > end) return 'component ' + i + ': ZCL frame truncated';
      manufacturer = b[f + 1] | (b[f + 2] << 8);
      f += 2;
    }
    const c: GbzComponent = { control: control, cluster: cluster, frameControl: fc, sequence: b[f + 1], command: b[f + 2], payload: b.subarray(f + 3, end) };
    if (fromDateTime !== undefined) c.fromDateTime = fromDateTime;
    if (manufacturer !== undefined) c.manufacturer = manufacturer;
    out.push(c);
    at = end;
  }
  if (at !== b.length) return 'trailing bytes after the last component';
  return out;
}

/** Encodes components as a GBZ payload; the last-component bit is set from the position. */
export function encodeGbz(components: GbzComponent[]): Uint8Array {
  if (components.length === 0 || components.length > 255) throw new Error('encodeGbz: 1..255 components');
  const parts: Uint8Array[] = [];
  let total = 3;
  for (let i = 0; i < components.length; i++) {
    const c = components[i];
    const last = i === components.length - 1;
    const control = (c.control & ~GBZ_LAST & (c.fromDateTime === undefined ? ~GBZ_FROM_DATE_TIME : 0xff)) | (last ? GBZ_LAST : 0) | (c.fromDateTime !== undefined ? GBZ_FROM_DATE_TIME : 0);
    let body: Uint8Array;
    if (c.encrypted) body = c.encrypted;
    else {
      const dt = c.fromDateTime !== undefined ? 4 : 0;
      const mf = c.manufacturer !== undefined ? 2 : 0;
      body = new Uint8Array(dt + mf + 3 + c.payload.length);
      let at = 0;
      if (c.fromDateTime !== undefined) {
        const t = c.fromDateTime;
        body[0] = (t >>> 24) & 0xff;
        body[1] = (t >>> 16) & 0xff;
        body[2] = (t >>> 8) & 0xff;
        body[3] = t & 0xff;
        at = 4;
      }
      body[at++] = c.frameControl | (c.manufacturer !== undefined ? ZCL_MANUFACTURER_SPECIFIC : 0);
      if (c.manufacturer !== undefined) {
        body[at++] = c.manufacturer & 0xff;
        body[at++] = (c.manufacturer >> 8) & 0xff;
      }
      body[at++] = c.sequence;
      body[at++] = c.command;
      body.set(c.payload, at);
    }
    const head = new Uint8Array([control & 0xff, (c.cluster >> 8) & 0xff, c.cluster & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]);
    parts.push(head, body);
    total += 5 + body.length;
  }
  const out = new Uint8Array(total);
  out[0] = (GBZ_PROFILE_ID >> 8) & 0xff;
  out[1] = GBZ_PROFILE_ID & 0xff;
  out[2] = components.length;
  let at = 3;
  for (let i = 0; i < parts.length; i++) {
    out.set(parts[i], at);
    at += parts[i].length;
  }
  return out;
}
