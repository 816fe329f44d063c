/**
 * The head of a GBZ alert payload, the form ZigBee (gas) devices' alerts take (GBCS §7.2.x GBZ payload;
 * RTDS 4.5.0 NA_FDRA-ZigBee, read as SmartDCCInnovation/gbcs-parser reads GBZ alerts):
 * ```
 * 01 09  Profile ID (GBZ)
 * nn     number of GBZ use-case-specific components
 * aa aa  alert code
 * tt*4   time stamp: ZigBee UTCTime, seconds since 2000-01-01 00:00:00 UTC, big-endian
 * ...    the alert's own content
 * ```
 * Portable.
 * @module
 */
import { UNIX_2000 } from '../dateTime.ts';

export const GBZ_PROFILE_ID = 0x0109;

export interface GbzAlertHeader {
  components: number;
  alertCode: number;
  /** Seconds since 1970 (UTC). */
  timeSec: number;
  /** Index of what follows the header. */
  next: number;
}

/** The header of a GBZ alert raised at `timeSec` (seconds since 1970; not before 2000). */
export function gbzAlertHeader(components: number, alertCode: number, timeSec: number): Uint8Array {
  const t = timeSec - UNIX_2000;
  if (t < 0 || t > 0xffffffff) throw new Error('gbzAlertHeader: time ' + timeSec + ' is outside ZigBee UTCTime');
  return new Uint8Array([0x01, 0x09, components & 0xff, (alertCode >> 8) & 0xff, alertCode & 0xff, (t >>> 24) & 0xff, (t >>> 16) & 0xff, (t >>> 8) & 0xff, t & 0xff]);
}

/** Reads the header of a GBZ alert payload, or says why `c` does not start with one. */
export function readGbzAlertHeader(c: Uint8Array): GbzAlertHeader | string {
  if (c.length < 9) return 'shorter than a GBZ alert header';
  if (((c[0] << 8) | c[1]) !== GBZ_PROFILE_ID) return 'not a GBZ payload (profile 0x0109)';
  const t = ((c[5] << 24) >>> 0) + (c[6] << 16) + (c[7] << 8) + c[8];
  return { components: c[2], alertCode: (c[3] << 8) | c[4], timeSec: t + UNIX_2000, next: 9 };
}
