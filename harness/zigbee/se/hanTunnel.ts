/**
 * A PPMID's or IHD's requests to the ESME (top-up by UTRN, read balance, read supply, enable supply:
 * device/pairing/hanRequests.ts) through that device's SE tunnel on the air, and the ESME's answer back
 * down it. The frames are ours (harness only; a real PPMID speaks ZCL Prepayment/Metering to the meter,
 * which these lab devices do not model): in the TransferData data field
 *   request  `A0 kind [UTRN in ASCII]`        kind: 1 top-up, 2 read-balance, 3 read-supply, 4 enable-supply
 *   answer   `A1 00 credit(int32 BE, pence) supply(ASCII)`  or  `A1 01 reason(ASCII)`
 * The hub side (`serveHanRequests`) hands each request to the caller (the Communications Hub checks the
 * sender is admitted, then asks the ESME) and sends the answer down the requester's tunnel. A device off
 * the CHF Device Log is refused by ZigbeeHub before (Default Response NOT_AUTHORIZED: 'refused').
 * GBCS between HAN devices (a PPMID's PCS01 top-up to the GSME, GBCS §13.7, and the GSME's answer) goes as
 * the GBCS tunnel's PUT (`03` ‖ message) both ways: up to the hub (`put`; the caller routes it, e.g.
 * `CommunicationsHub.hanToHan`), and down from the hub (`sendGbcs`; GBT blocks each behind the header).
 * Node only. @module
 */
import type { HanRequest } from '../../../device/pairing/hanRequests.ts';
import { decodeGbtFrame, GbtReassembler } from '../../../gbcs/gbt.ts';
import type { CbkeIdentity, CbkeTrust } from '../cbke/cbke.ts';
import type { SimulatedAir } from '../radio/air.ts';
import type { ZigbeeHub } from './zigbeeHub.ts';
import { ZigbeeMeter } from './zigbeeMeter.ts';

export const HAN_REQUEST = 0xa0;
/** The GBCS tunnel's PUT (TransferData data, first octet; as zigbeeGsme.ts). */
const PUT = 0x03;
export const HAN_ANSWER = 0xa1;
const KINDS: HanRequest['kind'][] = ['top-up', 'read-balance', 'read-supply', 'enable-supply'];

/** What the ESME answered, as the requester reads it. */
export type HanAnswer = { ok: true; credit: number; supply: string } | { ok: false; reason: string };

export function encodeHanRequest(r: HanRequest): Uint8Array {
  const utrn = r.kind === 'top-up' ? Buffer.from(r.utrn, 'ascii') : Buffer.alloc(0);
  return Uint8Array.from([HAN_REQUEST, KINDS.indexOf(r.kind) + 1, ...utrn]);
}

export function decodeHanRequest(b: Uint8Array): HanRequest | undefined {
  if (b.length < 2 || b[0] !== HAN_REQUEST) return undefined;
  const kind = KINDS[b[1] - 1];
  if (!kind) return undefined;
  if (kind === 'top-up') return b.length > 2 ? { kind, utrn: Buffer.from(b.subarray(2)).toString('ascii') } : undefined;
  return b.length === 2 ? { kind } : undefined;
}

export function encodeHanAnswer(a: HanAnswer): Uint8Array {
  if (!a.ok) return Uint8Array.from([HAN_ANSWER, 1, ...Buffer.from(a.reason, 'ascii')]);
  const out = new Uint8Array(6 + a.supply.length);
  out[0] = HAN_ANSWER;
  out[1] = 0;
  new DataView(out.buffer).setInt32(2, a.credit);
  out.set(Buffer.from(a.supply, 'ascii'), 6);
  return out;
}

export function decodeHanAnswer(b: Uint8Array): HanAnswer | undefined {
  if (b.length < 2 || b[0] !== HAN_ANSWER) return undefined;
  if (b[1] === 1) return { ok: false, reason: Buffer.from(b.subarray(2)).toString('ascii') };
  if (b[1] !== 0 || b.length < 6) return undefined;
  return { ok: true, credit: new DataView(b.buffer, b.byteOffset, b.byteLength).getInt32(2), supply: Buffer.from(b.subarray(6)).toString('ascii') };
}

/** A PPMID or IHD on the air: a ZigbeeMeter whose tunnel carries its HAN requests. */
export class ZigbeeHanDevice extends ZigbeeMeter {
  readonly requests = { sent: 0, answered: 0, refused: 0, noAnswer: 0 };
  private answer: ((a: HanAnswer) => void) | undefined;

  constructor(air: SimulatedAir, o: { eui: string; installCodeKey: Uint8Array; cbke: CbkeIdentity; trust: CbkeTrust; hubEui: string }) {
    super(air, o);
  }

  protected override accepts(): boolean {
    return true;
  }

  /** GBCS frames the hub PUT down this device's tunnel (e.g. the GSME's answer to the PPMID's PCS01), oldest first. */
  readonly inbox: Uint8Array[] = [];
  private gbt: GbtReassembler | undefined;

  protected override deliver(piece: Uint8Array): void {
    if (piece.length > 1 && piece[0] === PUT) {
      const body = piece.subarray(1);
      if (!decodeGbtFrame(body).ok) {
        this.inbox.push(new Uint8Array(body));
        return;
      }
      if (!this.gbt) this.gbt = new GbtReassembler({ maxBlockSize: 1024 });
      const b = this.gbt.accept(body);
      if (!b.ok || b.complete) this.gbt = undefined;
      if (b.ok && b.complete) this.inbox.push(b.apdu);
      return;
    }
    const a = decodeHanAnswer(piece);
    const w = this.answer;
    if (!a || !w) return;
    this.answer = undefined;
    w(a);
  }

  /** A GBCS frame up the tunnel as PUT: 'acked' (the hub took it), 'refused' (off the CHF log) or 'failed'. */
  async put(frame: Uint8Array): Promise<'acked' | 'refused' | 'failed'> {
    const data = new Uint8Array(1 + frame.length);
    data[0] = PUT;
    data.set(frame, 1);
    return this.transfer(data);
  }

  /**
   * One request up the tunnel and the ESME's answer down it; 'refused' when the hub would not take it
   * (off the CHF log), 'no-answer' when nothing came within `ms`.
   */
  async request(r: HanRequest, ms = 8000): Promise<{ ok: true; answer: HanAnswer } | { ok: false; reason: 'refused' | 'no-answer' }> {
    this.requests.sent++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const answer = new Promise<HanAnswer | undefined>((resolve) => {
      timer = setTimeout(() => {
        this.answer = undefined;
        resolve(undefined);
      }, ms);
      this.answer = (a) => {
        clearTimeout(timer);
        resolve(a);
      };
    });
    const sent = await this.transfer(encodeHanRequest(r));
    if (sent !== 'acked') {
      clearTimeout(timer);
      this.answer = undefined;
      if (sent === 'refused') this.requests.refused++;
      else this.requests.noAnswer++;
      return { ok: false, reason: sent === 'refused' ? 'refused' : 'no-answer' };
    }
    const a = await answer;
    if (!a) {
      this.requests.noAnswer++;
      return { ok: false, reason: 'no-answer' };
    }
    this.requests.answered++;
    return { ok: true, answer: a };
  }
}

/**
 * The hub's side: each request from `eui` through its tunnel goes to `handle`, the answer goes down; a GBCS
 * frame it PUTs goes to `put`.
 */
export function serveHanRequests(hub: ZigbeeHub, eui: string, handle: (request: HanRequest) => HanAnswer, put?: (frame: Uint8Array) => void): { requests: number; puts: number; malformed: number; sendFailures: number } {
  const e = eui.toLowerCase();
  const stats = { requests: 0, puts: 0, malformed: 0, sendFailures: 0 };
  let queue: Promise<unknown> = Promise.resolve();
  hub.hanLink(e).onFrame((f) => {
    if (f.length > 1 && f[0] === PUT && put) {
      stats.puts++;
      put(f.subarray(1));
      return;
    }
    queue = queue.then(async () => {
      const r = decodeHanRequest(f);
      const a: HanAnswer = r ? handle(r) : { ok: false, reason: 'malformed' };
      if (r) stats.requests++;
      else stats.malformed++;
      const s = await hub.sendTunnelFrames(e, [encodeHanAnswer(a)]);
      if (!s.ok) stats.sendFailures++;
    }).catch(() => undefined);
  });
  return stats;
}

/** A GBCS frame down a HAN device's tunnel as PUT (GBT blocks, each behind the header, where it does not fit). */
export function sendGbcs(hub: ZigbeeHub, eui: string, frame: Uint8Array): Promise<{ ok: true; frames: number } | { ok: false; reason: string }> {
  return hub.sendTunnel(eui.toLowerCase(), frame, Uint8Array.of(PUT));
}
