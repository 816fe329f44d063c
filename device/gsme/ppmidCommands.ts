/**
 * What the GSME does with the commands a joined PPMID sends it (the pipeline has checked the Device Log,
 * the PPMID's counter and the MAC of the Method C keys: pairing/hanOriginator.ts). One GBZ component each,
 * layouts as RTDS 4.5.0 NA_PCS01 / NA_PCS02 show them:
 * - PCS01 0x009B: Prepayment 0x0705 Consumer Top Up 0x04 { originating device (enum8), UTRN (octet string,
 *   20 ASCII digits) } -> the UTRN checked and applied (prepayment/utrnTopUp.ts, GBCS §14.3) to the ZCL
 *   Prepayment CreditRemaining 0x0001 (int32) and answered with Consumer Top Up Response 0x03 { result
 *   (00 accepted, 01 invalid, 02 duplicate, 04 max credit reached), top-up value (int32), source (the
 *   originating device), credit remaining (int32) }. CreditRemaining counts 1,000 to the penny: RTDS's UTRN
 *   of 2025 pennies answers a top-up value of 2,025,000, credit 2,500,000 -> 4,525,000.
 * - PCS02 0x0090: Prepayment Select Available Emergency Credit 0x00 { issue time (UTCTime), originating
 *   device } -> CreditStatus 0x0003 (bitmap8) gains "emergency credit selected" (bit 4, SE 1.4 Prepayment;
 *   UNCONFIRMED against SMETS2's own rule for when emergency credit may be taken), Default Response SUCCESS.
 * A content that is not that one component is refused (nothing sent, nothing changed). Portable.
 * @module
 */
import { decodeGbz, encodeGbz, ZCL_CLUSTER_SPECIFIC, ZCL_SERVER_TO_CLIENT } from '../../gbcs/gbz/components.ts';
import type { GbzComponent } from '../../gbcs/gbz/components.ts';
import { readUintLe, uintLe, ZCL_SUCCESS } from '../../gbcs/gbz/zcl.ts';
import type { CommandContext, Execution } from '../pipeline/commandContext.ts';
import { stageUtrn } from '../prepayment/utrnTopUp.ts';
import type { Purse } from '../prepayment/utrnTopUp.ts';
import type { StateTx } from '../state/stateTx.ts';
import { componentToken } from './useCaseContents.ts';
import { CLUSTER_PREPAYMENT, defaultResponse } from './clusters.ts';
import { readAttribute, writeAttribute } from './zclStore.ts';

const T_BITMAP8 = 0x18;
const T_I32 = 0x2b;
const ATTR_CREDIT_REMAINING = 0x0001;
const ATTR_CREDIT_STATUS = 0x0003;
const EMERGENCY_CREDIT_SELECTED = 0x10;

/** CreditRemaining as a signed 32-bit number (0 when the GSME has none). */
const GSME_PURSE: Purse = {
  read: function (s) {
    const a = readAttribute(s, CLUSTER_PREPAYMENT, ATTR_CREDIT_REMAINING);
    return a && a.value.length === 4 ? readUintLe(a.value, 0, 4) | 0 : 0;
  },
  write: function (tx: StateTx, credit: number) {
    writeAttribute(tx, { cluster: CLUSTER_PREPAYMENT, attribute: ATTR_CREDIT_REMAINING, type: T_I32, value: uintLe(credit >>> 0, 4) });
  },
  perPenny: 1000,
};

/** The single component of `token` the command carries, or a refusal. */
function only(ctx: CommandContext, token: string): GbzComponent | string {
  const comps = decodeGbz(ctx.message.content);
  if (typeof comps === 'string') return 'GBZ: ' + comps;
  if (comps.length !== 1 || comps[0].encrypted || componentToken(comps[0]) !== token) return 'not one ' + token + ' component';
  return comps[0];
}

function answer(c: GbzComponent, frameControl: number, command: number, payload: Uint8Array): Execution {
  return { ok: true, content: encodeGbz([{ control: 0, cluster: c.cluster, frameControl: frameControl, sequence: c.sequence, command: command, payload: payload }]) };
}

/** PCS01: the PPMID's top-up. */
export function ppmidTopUp(ctx: CommandContext): Execution {
  const c = only(ctx, 's0705.04');
  if (typeof c === 'string') return { ok: false, detail: 'PCS01: ' + c };
  const p = c.payload;
  if (p.length < 2 || p[1] !== p.length - 2) return { ok: false, detail: 'PCS01: not { originating device, UTRN }' };
  let text = '';
  for (let i = 2; i < p.length; i++) text += String.fromCharCode(p[i]);
  const t = stageUtrn(ctx.board, ctx.secrets, ctx.identity, ctx.tx, text, GSME_PURSE);
  const result = t.ok ? 0x00 : t.reason === 'utrn-used' ? 0x02 : t.reason === 'credit-overflow' ? 0x04 : 0x01;
  const body = new Uint8Array(10);
  body[0] = result;
  body.set(uintLe(t.ok ? t.added : 0, 4), 1);
  body[5] = p[0];
  body.set(uintLe((t.ok ? t.credit : GSME_PURSE.read(ctx.tx)) >>> 0, 4), 6);
  return answer(c, ZCL_SERVER_TO_CLIENT | ZCL_CLUSTER_SPECIFIC, 0x03, body);
}

/** PCS02: the PPMID selects emergency credit. */
export function ppmidEmergencyCredit(ctx: CommandContext): Execution {
  const c = only(ctx, 's0705.00');
  if (typeof c === 'string') return { ok: false, detail: 'PCS02: ' + c };
  if (c.payload.length !== 5) return { ok: false, detail: 'PCS02: not { issue time, originating device }' };
  const s = readAttribute(ctx.tx, CLUSTER_PREPAYMENT, ATTR_CREDIT_STATUS);
  const bits = (s && s.value.length === 1 ? s.value[0] : 0) | EMERGENCY_CREDIT_SELECTED;
  writeAttribute(ctx.tx, { cluster: CLUSTER_PREPAYMENT, attribute: ATTR_CREDIT_STATUS, type: T_BITMAP8, value: new Uint8Array([bits]) });
  const d = defaultResponse(c, c.command, ZCL_SUCCESS);
  return answer(c, d.frameControl, d.command, d.payload);
}
