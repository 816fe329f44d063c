/**
 * What the GSME does with the commands a joined PPMID sends it (the pipeline has checked the Device Log,
 * the PPMID's counter and the MAC of the Method C keys: pairing/hanOriginator.ts). One GBZ component each,
 * layouts as RTDS 4.5.0 NA_PCS01 / NA_PCS02 show them:
 * - PCS01 0x009B: Prepayment 0x0705 Consumer Top Up 0x04 { originating device (enum8), UTRN } -> the UTRN
 *   checked and applied as the Supplier's CS01b is (gsme/topUp.ts: prepayment/utrnTopUp.ts into the ZCL
 *   Prepayment CreditRemaining), answered Consumer Top Up Response 0x03. RTDS's UTRN of 2025 pennies
 *   answers a top-up value of 2,025,000, credit 2,500,000 -> 4,525,000.
 * - PCS02 0x0090: Prepayment Select Available Emergency Credit 0x00 { issue time (UTCTime), originating
 *   device } -> CreditStatus 0x0003 (bitmap8) gains "emergency credit selected" (bit 4, SE 1.4 Prepayment;
 *   UNCONFIRMED against SMETS2's own rule for when emergency credit may be taken), Default Response SUCCESS.
 * A content that is not that one component is refused (nothing sent, nothing changed). Portable.
 * @module
 */
import { encodeGbz } from '../../gbcs/gbz/components.ts';
import type { GbzComponent } from '../../gbcs/gbz/components.ts';
import { ZCL_SUCCESS } from '../../gbcs/gbz/zcl.ts';
import type { CommandContext, Execution } from '../pipeline/commandContext.ts';
import { CLUSTER_PREPAYMENT, defaultResponse } from './clusters.ts';
import { consumerTopUpHandler, onlyComponent } from './topUp.ts';
import { readAttribute, writeAttribute } from './zclStore.ts';

const T_BITMAP8 = 0x18;
const ATTR_CREDIT_STATUS = 0x0003;
const EMERGENCY_CREDIT_SELECTED = 0x10;

function answer(c: GbzComponent, frameControl: number, command: number, payload: Uint8Array): Execution {
  return { ok: true, content: encodeGbz([{ control: 0, cluster: c.cluster, frameControl: frameControl, sequence: c.sequence, command: command, payload: payload }]) };
}

/** PCS01: the PPMID's top-up. */
export const ppmidTopUp = consumerTopUpHandler('PCS01');

/** PCS02: the PPMID selects emergency credit. */
export function ppmidEmergencyCredit(ctx: CommandContext): Execution {
  const c = onlyComponent(ctx, 's0705.00');
  if (typeof c === 'string') return { ok: false, detail: 'PCS02: ' + c };
  if (c.payload.length !== 5) return { ok: false, detail: 'PCS02: not { issue time, originating device }' };
  const s = readAttribute(ctx.tx, CLUSTER_PREPAYMENT, ATTR_CREDIT_STATUS);
  const bits = (s && s.value.length === 1 ? s.value[0] : 0) | EMERGENCY_CREDIT_SELECTED;
  writeAttribute(ctx.tx, { cluster: CLUSTER_PREPAYMENT, attribute: ATTR_CREDIT_STATUS, type: T_BITMAP8, value: new Uint8Array([bits]) });
  const d = defaultResponse(c, c.command, ZCL_SUCCESS);
  return answer(c, d.frameControl, d.command, d.payload);
}
