/**
 * How the hub puts one GBCS message into Tunneling-cluster TransferData frames (SE 1.4 §D.6, cluster
 * 0x0704; ZCL header 3 bytes + TunnelID 2 bytes + the data) on herdsman 11.1.1 with the zoh adapter. Two
 * limits found here (harness/zigbee/README.md) decide:
 *   - herdsman builds every ZCL frame in a 250-byte buffer and silently cuts longer ones;
 *   - zigbee-on-host 0.3.0 fragments an APS payload only above 100 bytes, and a ZCL frame of 74..100
 *     bytes to a meter does not fit one 127-byte secured frame: its send throws (measured: 74..100 fail).
 * So a message whose TransferData frame would be 74..100 or over 250 bytes goes as GBT blocks (GBCS
 * §7.3.6, gbcs/gbt.ts), which the device runtime reassembles: one block when that alone lifts the frame
 * over 100 bytes, else blocks sized to keep each frame at most 250. Nothing is cut. @module
 */
import { decodeMessage } from '../../../gbcs/message.ts';
import { decodeGbtFrame, encodeGbtFrame, splitIntoGbt } from '../../../gbcs/gbt.ts';
import { isTransferFrame } from '../../../gbcs/ota/blockTransfer.ts';

/** ZCL header (frame control, sequence number, command id) + TunnelID. */
export const TRANSFER_DATA_OVERHEAD = 5;
/** herdsman's ZCL frame buffer (Frame.toBuffer). */
export const HERDSMAN_ZCL_MAX = 250;
/** zigbee-on-host's unfragmented APS payload maximum (it fragments above this). */
export const ZOH_UNFRAGMENTED_MAX = 100;
/** The smallest ZCL frame to a meter that zigbee-on-host 0.3.0 cannot send (measured, test/zigbee-lab.test.ts). */
export const ZOH_DEAD_ZONE_FROM = 74;

/** A GBT frame's bytes around its block data (routing header, APDU header, block-control, length). */
const GBT_OVERHEAD = encodeGbtFrame({ cra: 1, counter: { hi: 0, lo: 0 }, originator: new Uint8Array(8), recipient: new Uint8Array(8), messageCode: 0, lastBlock: true, streaming: false, window: 1, blockNumber: 1, blockNumberAck: 0, blockData: new Uint8Array(0) }).length + 2;

/** Whether a ZCL frame of `zclLength` bytes can go from herdsman/zoh to a meter unchanged. */
export function sendable(zclLength: number): boolean {
  return zclLength <= HERDSMAN_ZCL_MAX && !(zclLength >= ZOH_DEAD_ZONE_FROM && zclLength <= ZOH_UNFRAGMENTED_MAX);
}

export type TunnelFrames = { ok: true; frames: Uint8Array[]; gbt: boolean; stream?: boolean } | { ok: false; reason: 'not-gbcs' };

/**
 * An image block-transfer frame (gbcs/ota/blockTransfer.ts: B0/B1/BA, blocks of 1,024 bytes), or a GBT
 * block larger than a TransferData frame, is not a whole GBCS message, so GBT cannot carry it: it goes as consecutive pieces of the tunnel's octet stream (SE
 * Tunneling carries a stream; the far end rebuilds the frame from its length, zigbeeMeter.ts). A real
 * hub would hand images over the OTA Upgrade cluster instead.
 */
function streamPieces(frame: Uint8Array, headerBytes: number): Uint8Array[] {
  for (let size = HERDSMAN_ZCL_MAX - TRANSFER_DATA_OVERHEAD - headerBytes; size > 8; size--) {
    const pieces: Uint8Array[] = [];
    for (let at = 0; at < frame.length; at += size) pieces.push(frame.subarray(at, Math.min(frame.length, at + size)));
    if (pieces.every((p) => sendable(p.length + TRANSFER_DATA_OVERHEAD + headerBytes))) return pieces;
  }
  throw new Error('streamPieces: no piece size fits');
}

/**
 * The TransferData data fields for one GBCS message (whole, or GBT blocks). `headerBytes`: octets the
 * caller puts before each frame (the GBCS tunnel header of a GET-RESPONSE, `02 ‖ remaining`: gpfTunnel.ts).
 */
export function tunnelFrames(message: Uint8Array, headerBytes = 0): TunnelFrames {
  const overhead = TRANSFER_DATA_OVERHEAD + headerBytes;
  const fits = (n: number) => sendable(n + overhead);
  if (fits(message.length)) return { ok: true, frames: [message], gbt: false };
  if (isTransferFrame(message)) return { ok: true, frames: streamPieces(message, headerBytes), gbt: false, stream: true };
  // a GBT block already (the Communications Hub's router splits messages over its HAN frame size, 1,000
  // bytes): it cannot be split again as GBT, so it goes as stream pieces; the meter rebuilds it until it decodes
  if (decodeGbtFrame(message).ok) return { ok: true, frames: streamPieces(message, headerBytes), gbt: false, stream: true };
  const m = decodeMessage(message);
  if (!m.ok) return { ok: false, reason: 'not-gbcs' };
  const g = m.gs;
  const header = { cra: g.cra, counter: g.counter, originator: g.originator, recipient: g.recipient, messageCode: g.messageCode };
  if (fits(message.length + GBT_OVERHEAD)) return { ok: true, frames: splitIntoGbt(message, header, { blockSize: message.length }), gbt: true };
  // the largest blocks whose frames all fit (the last block's frame must not land in zoh's 74..100 either)
  for (let blockSize = HERDSMAN_ZCL_MAX - overhead - GBT_OVERHEAD; blockSize > 8; blockSize--) {
    const frames = splitIntoGbt(message, header, { blockSize });
    if (frames.every((f) => fits(f.length))) return { ok: true, frames, gbt: true };
  }
  throw new Error('tunnelFrames: no GBT block size fits (overhead ' + GBT_OVERHEAD + ')');
}
