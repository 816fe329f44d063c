/**
 * The ZDO messages a simulated end device exchanges with its coordinator (ZigBee spec 05-3474 §2.4; every
 * ZDO frame starts with its transaction sequence number, addresses little-endian):
 * Device_annce (0x0013, §2.4.3.1.11), Node_Desc_rsp (0x8002, §2.4.4.2.3, the 13-byte node descriptor
 * §2.3.2.3), Simple_Desc_rsp (0x8004, §2.4.4.2.5), Active_EP_rsp (0x8005, §2.4.4.2.6), Mgmt_Leave_req
 * (0x0034, §2.4.3.3.5) and its response (0x8034). Status codes: 0x00 SUCCESS, 0x81 DEVICE_NOT_FOUND,
 * 0x83 NOT_ACTIVE (§2.4.5). @module
 */

export const ZDO = {
  NODE_DESC_REQ: 0x0002, SIMPLE_DESC_REQ: 0x0004, ACTIVE_EP_REQ: 0x0005, DEVICE_ANNCE: 0x0013, MGMT_LEAVE_REQ: 0x0034,
} as const;
export const ZDO_STATUS = { SUCCESS: 0x00, DEVICE_NOT_FOUND: 0x81, NOT_ACTIVE: 0x83 } as const;

export interface SimpleDescriptor {
  endpoint: number;
  profile: number;
  deviceId: number;
  version: number;
  inClusters: number[];
  outClusters: number[];
}

export interface NodeIdentity {
  short: number;
  eui64: bigint;
  /** MAC capability flags (mac.ts CAP) */
  capability: number;
  manufacturerCode: number;
  endpoints: SimpleDescriptor[];
}

function u16(v: number): number[] {
  return [v & 0xff, (v >> 8) & 0xff];
}

function u64(v: bigint): number[] {
  const out: number[] = [];
  for (let i = 0; i < 8; i++) out.push(Number((v >> BigInt(8 * i)) & 0xffn));
  return out;
}

export function encodeDeviceAnnce(tsn: number, n: NodeIdentity): Uint8Array {
  return Uint8Array.from([tsn & 0xff, ...u16(n.short), ...u64(n.eui64), n.capability]);
}

/**
 * The response to a descriptor request (cluster 0x0002, 0x0004 or 0x0005, payload from the TSN on), or
 * undefined for another cluster or a short request. The answer's cluster is the request's | 0x8000.
 * Node descriptor: logical type 2 (end device); frequency band bit 3 of byte 1 (2.4 GHz); the MAC
 * capabilities; the manufacturer code; maximum buffer 82; maximum incoming and outgoing transfer 1500.
 */
export function answerDescriptorRequest(cluster: number, p: Uint8Array, n: NodeIdentity): Uint8Array | undefined {
  if (p.length < 3) return undefined;
  const tsn = p[0];
  const addr = p[1] | (p[2] << 8);
  if (addr !== n.short) return Uint8Array.of(tsn, ZDO_STATUS.DEVICE_NOT_FOUND, p[1], p[2]);
  const me = u16(n.short);
  if (cluster === ZDO.NODE_DESC_REQ) {
    return Uint8Array.from([tsn, ZDO_STATUS.SUCCESS, ...me, 0x02, 0x40, n.capability, ...u16(n.manufacturerCode), 82, ...u16(1500), ...u16(0), ...u16(1500), 0x00]);
  }
  if (cluster === ZDO.ACTIVE_EP_REQ) return Uint8Array.from([tsn, ZDO_STATUS.SUCCESS, ...me, n.endpoints.length, ...n.endpoints.map((e) => e.endpoint)]);
  if (cluster === ZDO.SIMPLE_DESC_REQ) {
    const e = p.length >= 4 ? n.endpoints.find((x) => x.endpoint === p[3]) : undefined;
    if (!e) return Uint8Array.from([tsn, ZDO_STATUS.NOT_ACTIVE, ...me, 0]);
    const desc = [e.endpoint, ...u16(e.profile), ...u16(e.deviceId), e.version & 0x0f, e.inClusters.length];
    for (const c of e.inClusters) desc.push(...u16(c));
    desc.push(e.outClusters.length);
    for (const c of e.outClusters) desc.push(...u16(c));
    return Uint8Array.from([tsn, ZDO_STATUS.SUCCESS, ...me, desc.length, ...desc]);
  }
  return undefined;
}

/** Mgmt_Leave_req: TSN, device address (0 = the receiver), flags (bit 6 remove children, bit 7 rejoin). */
export function decodeLeaveRequest(p: Uint8Array): { tsn: number; device: bigint; rejoin: boolean; removeChildren: boolean } | undefined {
  if (p.length < 10) return undefined;
  let device = 0n;
  for (let i = 8; i >= 1; i--) device = (device << 8n) | BigInt(p[i]);
  return { tsn: p[0], device, rejoin: (p[9] & 0x80) !== 0, removeChildren: (p[9] & 0x40) !== 0 };
}
