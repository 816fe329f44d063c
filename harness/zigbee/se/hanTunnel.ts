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
 * Node only. @module
 */
import type { HanRequest } from '../../../device/pairing/hanRequests.ts';
import type { CbkeIdentity, CbkeTrust } from '../cbke/cbke.ts';
import type { SimulatedAir } from '../radio/air.ts';
import type { ZigbeeHub } from './zigbeeHub.ts';
import { ZigbeeMeter } from './zigbeeMeter.ts';

export const HAN_REQUEST = 0xa0;
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

  protected override deliver(piece: Uint8Array): void {
    const a = decodeHanAnswer(piece);
    const w = this.answer;
    if (!a || !w) return;
    this.answer = undefined;
    w(a);
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

/** The hub's side: each request from `eui` through its tunnel goes to `handle`; the answer goes down. */
export function serveHanRequests(hub: ZigbeeHub, eui: string, handle: (request: HanRequest) => HanAnswer): { requests: number; malformed: number; sendFailures: number } {
  const e = eui.toLowerCase();
  const stats = { requests: 0, malformed: 0, sendFailures: 0 };
  let queue: Promise<unknown> = Promise.resolve();
  hub.hanLink(e).onFrame((f) => {
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
