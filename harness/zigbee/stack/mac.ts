/**
 * IEEE 802.15.4 MAC frames as ZigBee uses them (802.15.4-2006 §7.2, frame versions 2003/2006, no MAC
 * security): header, payload and FCS; beacon fields with the ZigBee beacon payload (ZigBee spec
 * 05-3474 §3.6.7); the MAC commands of association (§7.3). Encode/decode pairs; `decodeMac` refuses
 * by name. Addresses: short as numbers, extended (EUI-64) as bigint, both little-endian on the air.
 * Written here, not taken from zigbee-on-host (GPL-3.0: a dependency through herdsman only). @module
 */

export const MAC_FRAME = { BEACON: 0, DATA: 1, ACK: 2, COMMAND: 3 } as const;
/** aMaxPHYPacketSize (802.15.4-2006 §6.4.1): the largest PSDU, FCS included. Larger payloads need APS fragmentation. */
export const MAX_PSDU = 127;
export const ADDR = { NONE: 0, SHORT: 2, EXT: 3 } as const;
export const MAC_CMD = { ASSOC_REQ: 0x01, ASSOC_RSP: 0x02, DISASSOC: 0x03, DATA_REQ: 0x04, BEACON_REQ: 0x07 } as const;
/** Association status (802.15.4-2006 Table 83). */
export const ASSOC_STATUS = { SUCCESS: 0x00, PAN_AT_CAPACITY: 0x01, PAN_ACCESS_DENIED: 0x02 } as const;
/** Capability information bits (802.15.4-2006 §7.3.1.2). */
export const CAP = { FFD: 0x02, MAINS: 0x04, RX_ON_WHEN_IDLE: 0x08, SECURITY: 0x40, ALLOCATE_ADDRESS: 0x80 } as const;

export interface MacFrame {
  frameType: number;
  framePending?: boolean;
  ackRequest?: boolean;
  panIdCompression?: boolean;
  frameVersion?: number;
  sequence: number;
  dstPan?: number;
  dst?: number | bigint;
  srcPan?: number;
  src?: number | bigint;
  payload: Uint8Array;
}

export type MacReason = 'mac-short' | 'mac-too-long' | 'mac-fcs' | 'mac-security-unsupported' | 'mac-address-mode';

/** CRC-16/KERMIT (802.15.4-2006 §7.2.1.9: ITU-T x^16 + x^12 + x^5 + 1, init 0, LSB first). */
export function macFcs(b: Uint8Array): number {
  let crc = 0;
  for (const byte of b) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return crc;
}

function mode(a: number | bigint | undefined): number {
  return a === undefined ? ADDR.NONE : typeof a === 'bigint' ? ADDR.EXT : ADDR.SHORT;
}

function putAddr(out: number[], a: number | bigint): void {
  if (typeof a === 'bigint') for (let i = 0; i < 8; i++) out.push(Number((a >> BigInt(8 * i)) & 0xffn));
  else out.push(a & 0xff, a >> 8);
}

export function encodeMac(f: MacFrame): Uint8Array {
  const dm = mode(f.dst);
  const sm = mode(f.src);
  const compress = f.panIdCompression ?? (dm !== ADDR.NONE && sm !== ADDR.NONE && (f.srcPan === undefined || f.srcPan === f.dstPan));
  const fc = (f.frameType & 7) | (f.framePending ? 0x10 : 0) | (f.ackRequest ? 0x20 : 0) | (compress ? 0x40 : 0)
    | (dm << 10) | ((f.frameVersion ?? 0) << 12) | (sm << 14);
  const out: number[] = [fc & 0xff, fc >> 8, f.sequence & 0xff];
  if (dm !== ADDR.NONE) {
    const pan = f.dstPan ?? 0xffff;
    out.push(pan & 0xff, pan >> 8);
    putAddr(out, f.dst as number | bigint);
  }
  if (sm !== ADDR.NONE) {
    if (!compress) {
      const pan = f.srcPan ?? 0xffff;
      out.push(pan & 0xff, pan >> 8);
    }
    putAddr(out, f.src as number | bigint);
  }
  out.push(...f.payload);
  if (out.length + 2 > MAX_PSDU) throw new Error('encodeMac: ' + (out.length + 2) + ' bytes exceed aMaxPHYPacketSize (127): fragment above the MAC');
  const fcs = macFcs(Uint8Array.from(out));
  out.push(fcs & 0xff, fcs >> 8);
  return Uint8Array.from(out);
}

export function decodeMac(b: Uint8Array): { ok: true; frame: MacFrame } | { ok: false; reason: MacReason } {
  if (b.length < 5) return { ok: false, reason: 'mac-short' };
  if (b.length > MAX_PSDU) return { ok: false, reason: 'mac-too-long' };
  const body = b.subarray(0, b.length - 2);
  if (macFcs(body) !== (b[b.length - 2] | (b[b.length - 1] << 8))) return { ok: false, reason: 'mac-fcs' };
  const fc = body[0] | (body[1] << 8);
  if (fc & 0x08) return { ok: false, reason: 'mac-security-unsupported' };
  const dm = (fc >> 10) & 3;
  const sm = (fc >> 14) & 3;
  if (dm === 1 || sm === 1) return { ok: false, reason: 'mac-address-mode' };
  const compress = (fc & 0x40) !== 0;
  const f: MacFrame = {
    frameType: fc & 7, framePending: (fc & 0x10) !== 0, ackRequest: (fc & 0x20) !== 0, panIdCompression: compress,
    frameVersion: (fc >> 12) & 3, sequence: body[2], payload: new Uint8Array(0),
  };
  let at = 3;
  const need = (n: number) => at + n <= body.length;
  const readAddr = (m: number): number | bigint => {
    if (m === ADDR.SHORT) {
      const v = body[at] | (body[at + 1] << 8);
      at += 2;
      return v;
    }
    let v = 0n;
    for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(body[at + i]);
    at += 8;
    return v;
  };
  if (dm !== ADDR.NONE) {
    if (!need(2 + (dm === ADDR.SHORT ? 2 : 8))) return { ok: false, reason: 'mac-short' };
    f.dstPan = body[at] | (body[at + 1] << 8);
    at += 2;
    f.dst = readAddr(dm);
  }
  if (sm !== ADDR.NONE) {
    if (!compress || dm === ADDR.NONE) {
      if (!need(2)) return { ok: false, reason: 'mac-short' };
      f.srcPan = body[at] | (body[at + 1] << 8);
      at += 2;
    } else {
      f.srcPan = f.dstPan;
    }
    if (!need(sm === ADDR.SHORT ? 2 : 8)) return { ok: false, reason: 'mac-short' };
    f.src = readAddr(sm);
  }
  f.payload = new Uint8Array(body.subarray(at));
  return { ok: true, frame: f };
}

export interface Beacon {
  associationPermit: boolean;
  panCoordinator: boolean;
  /** ZigBee beacon payload */
  stackProfile: number;
  protocolVersion: number;
  routerCapacity: boolean;
  endDeviceCapacity: boolean;
  depth: number;
  extendedPanId: bigint;
  updateId: number;
}

/** Superframe spec, GTS and pending address fields, then the ZigBee beacon payload (15 bytes). */
export function decodeBeacon(payload: Uint8Array): Beacon | undefined {
  if (payload.length < 4) return undefined;
  const sf = payload[0] | (payload[1] << 8);
  let at = 2;
  const gtsCount = payload[at] & 7;
  at += 1 + (gtsCount > 0 ? 1 + 3 * gtsCount : 0);
  if (at >= payload.length) return undefined;
  const pend = payload[at];
  at += 1 + 2 * (pend & 7) + 8 * ((pend >> 4) & 7);
  if (payload.length < at + 15 || payload[at] !== 0) return undefined; // protocol id 0 = ZigBee
  let epid = 0n;
  for (let i = 7; i >= 0; i--) epid = (epid << 8n) | BigInt(payload[at + 3 + i]);
  return {
    associationPermit: (sf & 0x8000) !== 0,
    panCoordinator: (sf & 0x4000) !== 0,
    stackProfile: payload[at + 1] & 0x0f,
    protocolVersion: payload[at + 1] >> 4,
    routerCapacity: (payload[at + 2] & 0x04) !== 0,
    depth: (payload[at + 2] >> 3) & 0x0f,
    endDeviceCapacity: (payload[at + 2] & 0x80) !== 0,
    extendedPanId: epid,
    updateId: payload[at + 14],
  };
}

export function encodeBeacon(b: Beacon): Uint8Array {
  const sf = 0x0f | (0x0f << 4) | (0x0f << 8) | (b.panCoordinator ? 0x4000 : 0) | (b.associationPermit ? 0x8000 : 0);
  const out = [sf & 0xff, sf >> 8, 0, 0, 0, (b.stackProfile & 0x0f) | (b.protocolVersion << 4),
    (b.routerCapacity ? 0x04 : 0) | ((b.depth & 0x0f) << 3) | (b.endDeviceCapacity ? 0x80 : 0)];
  for (let i = 0; i < 8; i++) out.push(Number((b.extendedPanId >> BigInt(8 * i)) & 0xffn));
  out.push(0xff, 0xff, 0xff, b.updateId);
  return Uint8Array.from(out);
}
