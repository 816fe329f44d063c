/**
 * The addressing fields of an 802.15.4 MAC header (802.15.4-2020 §7.2.2: frame control, sequence number,
 * destination PAN and address), which is all a radio needs to filter and acknowledge frames. The full
 * MAC codec is separate; this only reads. Addresses: short as numbers, extended as bigint (sent little-endian).
 * @module
 */

export const FRAME_TYPE = { BEACON: 0, DATA: 1, ACK: 2, COMMAND: 3 } as const;

export interface MacAddressing {
  frameType: number;
  ackRequest: boolean;
  sequence: number;
  dstPan?: number;
  dstShort?: number;
  dstExtended?: bigint;
}

export function readMacAddressing(psdu: Uint8Array): MacAddressing | undefined {
  if (psdu.length < 3) return undefined;
  const fc = psdu[0] | (psdu[1] << 8);
  const dstMode = (fc >> 10) & 3;
  const out: MacAddressing = { frameType: fc & 7, ackRequest: (fc & 0x20) !== 0, sequence: psdu[2] };
  let at = 3;
  if (dstMode === 2 || dstMode === 3) {
    if (psdu.length < at + 2) return undefined;
    out.dstPan = psdu[at] | (psdu[at + 1] << 8);
    at += 2;
    if (dstMode === 2) {
      if (psdu.length < at + 2) return undefined;
      out.dstShort = psdu[at] | (psdu[at + 1] << 8);
    } else {
      if (psdu.length < at + 8) return undefined;
      let v = 0n;
      for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(psdu[at + i]);
      out.dstExtended = v;
    }
  }
  return out;
}

/** Whether a radio with these addresses takes the frame (802.15.4-2020 §6.7.2, third-level filtering, simplified). */
export function addressedTo(a: MacAddressing, own: { pan: number; short: number; extended: bigint; panCoordinator: boolean }): boolean {
  // no destination: beacons, and frames for the PAN coordinator (§6.7.2 e)
  if (a.dstPan === undefined) return a.frameType === FRAME_TYPE.BEACON || own.panCoordinator;
  if (a.dstPan !== 0xffff && a.dstPan !== own.pan) return false;
  if (a.dstShort !== undefined) return a.dstShort === 0xffff || a.dstShort === own.short;
  return a.dstExtended === own.extended;
}
