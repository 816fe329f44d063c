/**
 * ZigBee NWK/APS frame security (ZigBee spec 05-3474 §4.5.1 auxiliary header, §4.3.1 / §4.4.1
 * processing, Annex A CCM*, §B.1.4 key hashing):
 *
 * - Auxiliary header: security control (level bits 0-2, key id bits 3-4: 0 data/link key, 1 network key,
 *   2 key-transport key, 3 key-load key; extended nonce bit 5), frame counter (u32 LE), source EUI-64
 *   (LE) when extended nonce, key sequence number when key id = 1.
 * - On the air the level field is 0; both ends use nwkSecurityLevel 5 (ENC-MIC-32) in its place for the
 *   nonce and the authenticated header (§4.3.1.1 step 7, §4.3.1.2 step 3).
 * - CCM* nonce (13 bytes): source EUI-64 LE || frame counter LE || security control (level 5).
 *   a = the layer header through the auxiliary header; m = the payload; MIC 4 bytes appended. At level 5
 *   CCM* is CCM with M = 4, L = 2, which node:crypto's aes-128-ccm does, so no CCM is written here.
 * - Key hashing: key-transport key = HMAC-MMO(link key, 0x00), key-load key = HMAC-MMO(link key, 0x02). @module
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { mmoHmac } from '../cbke/mmo.ts';

export const KEY_ID = { DATA: 0, NETWORK: 1, KEY_TRANSPORT: 2, KEY_LOAD: 3 } as const;
export const LEVEL_ENC_MIC_32 = 5;
const MIC = 4;

export interface AuxHeader {
  keyId: number;
  frameCounter: number;
  source?: bigint;
  keySequence?: number;
}

export function encodeAux(h: AuxHeader, level = 0): Uint8Array {
  const out = [(level & 7) | ((h.keyId & 3) << 3) | (h.source !== undefined ? 0x20 : 0)];
  out.push(h.frameCounter & 0xff, (h.frameCounter >>> 8) & 0xff, (h.frameCounter >>> 16) & 0xff, h.frameCounter >>> 24);
  if (h.source !== undefined) for (let i = 0; i < 8; i++) out.push(Number((h.source >> BigInt(8 * i)) & 0xffn));
  if (h.keyId === KEY_ID.NETWORK) out.push(h.keySequence ?? 0);
  return Uint8Array.from(out);
}

export function decodeAux(b: Uint8Array, at: number): { aux: AuxHeader; length: number } | undefined {
  if (b.length < at + 5) return undefined;
  const sc = b[at];
  const aux: AuxHeader = { keyId: (sc >> 3) & 3, frameCounter: (b[at + 1] | (b[at + 2] << 8) | (b[at + 3] << 16) | (b[at + 4] << 24)) >>> 0 };
  let n = 5;
  if (sc & 0x20) {
    if (b.length < at + n + 8) return undefined;
    let v = 0n;
    for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[at + n + i]);
    aux.source = v;
    n += 8;
  }
  if (aux.keyId === KEY_ID.NETWORK) {
    if (b.length < at + n + 1) return undefined;
    aux.keySequence = b[at + n];
    n += 1;
  }
  return { aux, length: n };
}

export function nonce(source: bigint, frameCounter: number, securityControl: number): Uint8Array {
  const n = new Uint8Array(13);
  for (let i = 0; i < 8; i++) n[i] = Number((source >> BigInt(8 * i)) & 0xffn);
  new DataView(n.buffer).setUint32(8, frameCounter >>> 0, true);
  n[12] = (securityControl & ~7) | LEVEL_ENC_MIC_32;
  return n;
}

/** Level-5 CCM*: ciphertext || MIC(4). `header` is sent as is (level 0); the AAD uses level 5 at `auxAt`. */
export function seal(key: Uint8Array, header: Uint8Array, auxAt: number, source: bigint, frameCounter: number, payload: Uint8Array): Uint8Array {
  const aad = new Uint8Array(header);
  aad[auxAt] = (aad[auxAt] & ~7) | LEVEL_ENC_MIC_32;
  const c = createCipheriv('aes-128-ccm', key, nonce(source, frameCounter, aad[auxAt]), { authTagLength: MIC });
  c.setAAD(aad, { plaintextLength: payload.length });
  const ct = Buffer.concat([c.update(payload), c.final()]);
  return new Uint8Array(Buffer.concat([ct, c.getAuthTag()]));
}

/** The payload, or undefined when the MIC does not verify (wrong key, or altered header or payload). */
export function open(key: Uint8Array, header: Uint8Array, auxAt: number, source: bigint, frameCounter: number, sealed: Uint8Array): Uint8Array | undefined {
  if (sealed.length < MIC) return undefined;
  const aad = new Uint8Array(header);
  aad[auxAt] = (aad[auxAt] & ~7) | LEVEL_ENC_MIC_32;
  const d = createDecipheriv('aes-128-ccm', key, nonce(source, frameCounter, aad[auxAt]), { authTagLength: MIC });
  d.setAuthTag(sealed.subarray(sealed.length - MIC));
  d.setAAD(aad, { plaintextLength: sealed.length - MIC });
  const pt = d.update(sealed.subarray(0, sealed.length - MIC));
  try {
    d.final();
  } catch {
    return undefined;
  }
  return new Uint8Array(pt);
}

export function keyTransportKey(linkKey: Uint8Array): Uint8Array {
  return mmoHmac(linkKey, Uint8Array.of(0x00));
}

export function keyLoadKey(linkKey: Uint8Array): Uint8Array {
  return mmoHmac(linkKey, Uint8Array.of(0x02));
}
