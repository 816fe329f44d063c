/**
 * A GBZ command of ZCL Read Attributes components, the form the DCC's reads of ZigBee (gas) devices take
 * (GBCS §7.2 GBZ payload; the layout the RTDS 4.5.0 GSME/GPF read commands show):
 * ```
 * 01 09        Profile ID (GBZ)
 * nn           number of GBZ use-case-specific components
 * per component:
 *   cc         extended header control: 01 on the last component, 00 before it (| 10 when a From Date
 *              Time follows the length: `gbzCommands`' timed components)
 *   CC CC      ZCL cluster id (big-endian)
 *   LL LL      length of the ZCL frame (big-endian)
 *   00 ss 00   ZCL frame control (profile-wide, client to server), transaction sequence number (the
 *              component's index), command 00 Read Attributes
 *   (AA AA)*   attribute ids (ZCL: little-endian)
 * ```
 * The device decodes it with `readGbzReadAttributes`. Portable.
 * @module
 */
import { GBZ_PROFILE_ID } from './alertHeader.ts';

export const ZCL_READ_ATTRIBUTES = 0x00;

export interface GbzReadComponent {
  cluster: number;
  attributes: number[];
}

export function gbzReadAttributes(components: GbzReadComponent[]): Uint8Array {
  if (components.length === 0 || components.length > 255) throw new Error('gbzReadAttributes: 1..255 components');
  const out: number[] = [(GBZ_PROFILE_ID >> 8) & 0xff, GBZ_PROFILE_ID & 0xff, components.length];
  components.forEach((c, i) => {
    const len = 3 + 2 * c.attributes.length;
    out.push(i === components.length - 1 ? 0x01 : 0x00, (c.cluster >> 8) & 0xff, c.cluster & 0xff, (len >> 8) & 0xff, len & 0xff, 0x00, i & 0xff, ZCL_READ_ATTRIBUTES);
    for (const a of c.attributes) out.push(a & 0xff, (a >> 8) & 0xff);
  });
  return new Uint8Array(out);
}

/** The components of a GBZ Read Attributes command, or why `c` is not one. */
export function readGbzReadAttributes(c: Uint8Array): GbzReadComponent[] | string {
  if (c.length < 3 || ((c[0] << 8) | c[1]) !== GBZ_PROFILE_ID) return 'not a GBZ payload (profile 0x0109)';
  const n = c[2];
  const out: GbzReadComponent[] = [];
  let at = 3;
  for (let i = 0; i < n; i++) {
    if (at + 8 > c.length) return 'component ' + i + ' truncated';
    if (c[at] !== (i === n - 1 ? 1 : 0)) return 'component ' + i + ': bad extended header control';
    const cluster = (c[at + 1] << 8) | c[at + 2];
    const len = (c[at + 3] << 8) | c[at + 4];
    const f = at + 5;
    if (len < 3 || (len - 3) % 2 !== 0 || f + len > c.length) return 'component ' + i + ': bad ZCL frame length';
    if (c[f] !== 0x00 || c[f + 2] !== ZCL_READ_ATTRIBUTES) return 'component ' + i + ': not a ZCL Read Attributes';
    const attributes: number[] = [];
    for (let k = f + 3; k < f + len; k += 2) attributes.push(c[k] | (c[k + 1] << 8));
    out.push({ cluster, attributes });
    at = f + len;
  }
  if (at !== c.length) return 'trailing bytes after the last component';
  return out;
}

/**
 * A ZCL command of a GBZ component: cluster, frame control (00 profile-wide, 01 cluster-specific), command id,
 * payload; `fromTime` (ZigBee UTCTime, seconds since 2000) when the component carries GBCS's From Date Time
 * (extended header control bit 0x10; the time big-endian after the length), as the log reads restricted by
 * a start time do.
 */
export interface GbzCommandComponent {
  cluster: number;
  frameControl: number;
  command: number;
  payload: Uint8Array;
  fromTime?: number;
}

/** Extended header control: last component (0x01), From Date Time present (0x10). */
export const GBZ_LAST_COMPONENT = 0x01;
export const GBZ_FROM_TIME = 0x10;

/** A GBZ command of any ZCL commands, in the same layout (transaction sequence number = the component's index). */
export function gbzCommands(components: GbzCommandComponent[]): Uint8Array {
  if (components.length === 0 || components.length > 255) throw new Error('gbzCommands: 1..255 components');
  const out: number[] = [(GBZ_PROFILE_ID >> 8) & 0xff, GBZ_PROFILE_ID & 0xff, components.length];
  components.forEach((c, i) => {
    const timed = c.fromTime !== undefined;
    const len = (timed ? 4 : 0) + 3 + c.payload.length;
    out.push((i === components.length - 1 ? GBZ_LAST_COMPONENT : 0) | (timed ? GBZ_FROM_TIME : 0), (c.cluster >> 8) & 0xff, c.cluster & 0xff, (len >> 8) & 0xff, len & 0xff);
    if (timed) {
      const t = c.fromTime as number;
      out.push((t >>> 24) & 0xff, (t >>> 16) & 0xff, (t >>> 8) & 0xff, t & 0xff);
    }
    out.push(c.frameControl & 0xff, i & 0xff, c.command & 0xff);
    for (const b of c.payload) out.push(b);
  });
  return new Uint8Array(out);
}

/** The components of a GBZ command (any ZCL commands), or why `c` is not one. */
export function readGbzCommands(c: Uint8Array): GbzCommandComponent[] | string {
  if (c.length < 3 || ((c[0] << 8) | c[1]) !== GBZ_PROFILE_ID) return 'not a GBZ payload (profile 0x0109)';
  const n = c[2];
  const out: GbzCommandComponent[] = [];
  let at = 3;
  for (let i = 0; i < n; i++) {
    if (at + 8 > c.length) return 'component ' + i + ' truncated';
    const control = c[at];
    if ((control & ~GBZ_FROM_TIME) !== (i === n - 1 ? GBZ_LAST_COMPONENT : 0)) return 'component ' + i + ': bad extended header control';
    let len = (c[at + 3] << 8) | c[at + 4];
    let f = at + 5;
    let fromTime: number | undefined;
    if (control & GBZ_FROM_TIME) {
      if (len < 4 || f + 4 > c.length) return 'component ' + i + ' truncated';
      fromTime = ((c[f] << 24) >>> 0) + ((c[f + 1] << 16) | (c[f + 2] << 8) | c[f + 3]);
      f += 4;
      len -= 4;
    }
    if (len < 3 || f + len > c.length) return 'component ' + i + ': bad ZCL frame length';
    const comp: GbzCommandComponent = { cluster: (c[at + 1] << 8) | c[at + 2], frameControl: c[f], command: c[f + 2], payload: c.slice(f + 3, f + len) };
    if (fromTime !== undefined) comp.fromTime = fromTime;
    out.push(comp);
    at = f + len;
  }
  if (at !== c.length) return 'trailing bytes after the last component';
  return out;
}

/** ZigBee UTCTime (seconds since 2000) of Unix seconds, little-endian as ZCL payloads carry it. */
export function zclUtcTime(unixSeconds: number): Uint8Array {
  const t = Math.max(0, Math.floor(unixSeconds) - 946684800);
  return new Uint8Array([t & 0xff, (t >>> 8) & 0xff, (t >>> 16) & 0xff, (t >>> 24) & 0xff]);
}
