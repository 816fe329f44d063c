/**
 * Image distribution on the device's link: an explicit block transfer, so that any bearer that carries
 * whole frames (the in-process transport today, serial or ZigBee later) can carry an image, one block per
 * frame, with the device acknowledging each and saying where to continue. Modelled on the ZigBee OTA
 * Upgrade cluster's client-driven exchange (Image Block Request/Response by file offset), reduced to what
 * the lab needs. GBCS frames start with DD or DF; these start with B0/B1/BA, so one link carries both.
 *
 *   begin   B0 | total size u32 BE | receipt-alert recipient (8)
 *   block   B1 | file offset u32 BE | data (BLOCK_SIZE bytes; the last one shorter)
 *   ack     BA | status u8 | next offset u32 BE | reason u8 (index into TRANSFER_REASONS) [| image hash (32)]
 * Status: 0 continue at offset, 1 complete (image verified, hash follows), 2 refused (reason).
 * @module
 */
/** Bytes per block frame; the device stores the image block by block in this size (imageStore.ts). */
export const BLOCK_SIZE = 1024;
export const FRAME_BEGIN = 0xb0;
export const FRAME_BLOCK = 0xb1;
export const FRAME_ACK = 0xba;
export const ACK_CONTINUE = 0;
export const ACK_COMPLETE = 1;
export const ACK_REFUSED = 2;

/** Why a transfer was refused (stable order: the ack carries the index). */
export const TRANSFER_REASONS = [
  'none', 'too-large', 'too-small', 'not-manufactured', 'no-transfer', 'short', 'not-an-ota-file', 'header-version', 'header-length',
  'not-an-upgrade-image', 'size-mismatch', 'bad-descriptor', 'incomplete', 'missing-block', 'bad-signature-element', 'bad-signature',
  'no-manufacturer-key', 'version-mismatch', 'bad-block-size', 'malformed',
  // The device's storage has no room for the frame (nothing stored; abandon with a new begin, or retry).
  'storage-full',
];
const MALFORMED = TRANSFER_REASONS.indexOf('malformed');

export interface Ack {
  status: number;
  next: number;
  reason: string;
  hash?: Uint8Array;
}

function u32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}
function readU32(b: Uint8Array, at: number): number {
  return b[at] * 16777216 + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
}

export function isTransferFrame(f: Uint8Array): boolean {
  return f.length > 0 && (f[0] === FRAME_BEGIN || f[0] === FRAME_BLOCK || f[0] === FRAME_ACK);
}

export function beginFrame(size: number, recipient: Uint8Array): Uint8Array {
  const out = new Uint8Array(13);
  out[0] = FRAME_BEGIN;
  out.set(u32(size), 1);
  out.set(recipient, 5);
  return out;
}

export function blockFrame(offset: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + data.length);
  out[0] = FRAME_BLOCK;
  out.set(u32(offset), 1);
  out.set(data, 5);
  return out;
}

export function ackFrame(status: number, next: number, reason: string, hash?: Uint8Array): Uint8Array {
  const r = TRANSFER_REASONS.indexOf(reason);
  const out = new Uint8Array(7 + (hash ? 32 : 0));
  out[0] = FRAME_ACK;
  out[1] = status;
  out.set(u32(next), 2);
  out[6] = r < 0 ? MALFORMED : r;
  if (hash) out.set(hash, 7);
  return out;
}

export function decodeBegin(f: Uint8Array): { size: number; recipient: Uint8Array } | undefined {
  if (f.length !== 13 || f[0] !== FRAME_BEGIN) return undefined;
  return { size: readU32(f, 1), recipient: new Uint8Array(f.subarray(5, 13)) };
}

export function decodeBlock(f: Uint8Array): { offset: number; data: Uint8Array } | undefined {
  if (f.length < 6 || f[0] !== FRAME_BLOCK) return undefined;
  return { offset: readU32(f, 1), data: f.subarray(5) };
}

export function decodeAck(f: Uint8Array): Ack | undefined {
  if ((f.length !== 7 && f.length !== 39) || f[0] !== FRAME_ACK) return undefined;
  const a: Ack = { status: f[1], next: readU32(f, 2), reason: TRANSFER_REASONS[f[6]] || 'malformed' };
  if (f.length === 39) a.hash = new Uint8Array(f.subarray(7));
  return a;
}
