/**
 * Which ZCL commands each GSME use case may carry (GBCS: a device carries out a command's content only as
 * the use case its message code names; the compositions as the RTDS 4.5.0 GSME commands show them). The
 * pipeline has already checked who may send the message code and how it must be protected (critical ones
 * signed), so this check is what stops a component with an effect riding in another code's envelope: a
 * valve closure in a MAC-only read, a Display Message under a code the ACB may send.
 *
 * - Effects: by message code, as tokens `s` (client to server, the GSME serves it) or `p` (server to
 *   client, the DCC publishes to the GSME) + cluster + '.' + command id.
 * - Reads (Read Attributes, and the client-to-server "Get" commands below): under any code whose GBCS title
 *   is a "Read ..." (gbcs/readCodes.ts, from gbcs/messageTitles.ts). They change nothing; which roles may send each read code is
 *   the pipeline's check.
 * Codes not listed carry nothing here (GCS01a, GCS03's sibling codes, GCS40a-d, GCS41 are not in the sample).
 * Portable.
 * @module
 */
import type { GbzComponent } from '../../gbcs/gbz/components.ts';
import { ZCL_SERVER_TO_CLIENT } from '../../gbcs/gbz/components.ts';
import { ZCL_READ_ATTRIBUTES } from '../../gbcs/gbz/zcl.ts';
import { isReadCode } from '../../gbcs/readCodes.ts';

const EFFECTS: Record<string, string> = {
  '00a3': 'p0700.04 p0700.05', // GCS01b Publish Tariff Information, Publish Price Matrix
  '006c': 's0705.06', // GCS02 Change Payment Mode (to credit)
  '006d': 's0705.06', // GCS03 Change Payment Mode (to prepayment)
  '006e': 's0705.02', // GCS04 Change Debt
  '006f': 's0705.03 s0705.09 s0705.0b s0705.0c p0707.00 p0707.01 p0707.02 p0707.03 p0707.04 p0707.05', // GCS05
  '0070': 's0705.00', // GCS06 Select Available Emergency Credit
  '0071': 'p0703.00 p0703.01 p0703.02 p0703.03', // GCS07 Messaging
  '007c': 'p0700.02 p0700.03', // GCS23 Publish Conversion Factor, Publish Calorific Value
  '007e': 'p0700.09 p0700.01', // GCS25 Publish Billing Period, Publish Block Period
  '00d8': 'p0700.09 p0700.01', // GCS25a
  '0080': 's0702.07', // GCS31 Start Sampling
  '0081': 's0702.0b', // GCS32 Change Supply (close)
  '0085': 's0702.0b', // GCS39 Change Supply (arm)
  '0083': 'p0708.06', // GCS36 Update CIN
  '0088': 'p0708.01', // GCS44 contact details (Device Management)
  '00ad': 'p0708.04', // GCS20 Set Event Configuration
  '00fc': 's0702.0d s0702.0e', // GCS24a Set Supply Status, Set Uncontrolled Flow Threshold
  '0097': 's0705.04', // CS01b Consumer Top Up
};

/** Client-to-server commands that only read: Price and Calendar "Get"s, Get Event Log, logs and snapshots. */
const READS = 's0700.00 s0700.03 s0700.04 s0700.05 s0700.06 s0700.07 s0700.08 s0700.0b s0707.00 s0707.01 s0707.02 s0707.03 s0707.04 s0709.00 s0705.07 s0705.08 s0705.0a s0702.00 s0702.06';

function hex(n: number, digits: number): string {
  let s = n.toString(16);
  while (s.length < digits) s = '0' + s;
  return s;
}

export function componentToken(c: GbzComponent): string {
  return ((c.frameControl & ZCL_SERVER_TO_CLIENT) !== 0 ? 'p' : 's') + hex(c.cluster, 4) + '.' + hex(c.command, 2);
}

function isRead(c: GbzComponent): boolean {
  if ((c.frameControl & ZCL_SERVER_TO_CLIENT) !== 0) return false;
  if ((c.frameControl & 0x03) === 0) return c.command === ZCL_READ_ATTRIBUTES;
  return READS.indexOf(componentToken(c)) >= 0;
}

/** Whether message code `code` may carry component `c`. */
export function mayCarry(code: number, c: GbzComponent): boolean {
  if (c.encrypted) return false;
  if (isReadCode(code) && isRead(c)) return true;
  if ((c.frameControl & 0x03) !== 0x01) return false;
  const effects = Object.prototype.hasOwnProperty.call(EFFECTS, hex(code, 4)) ? EFFECTS[hex(code, 4)] : '';
  return effects.indexOf(componentToken(c)) >= 0;
}
