/**
 * A UTRN top-up on the GSME, however it arrives (GBCS §14.3; the checks are the ESME's own,
 * prepayment/utrnTopUp.ts `stageUtrn`, into the GSME's purse):
 * - CS01b 0x0097 "Apply Prepayment Top Up to a GSME" from the Supplier (SME.C.NC, MAC'ed by the ACB: the
 *   pipeline's checks; then GBCS §14.3.4/§14.3.5's additional processing, the UTRN's own MAC under the
 *   Supplier's prepayment KA key), queued on the GPF and run when the GSME wakes;
 * - PCS01 0x009B "Apply Prepayment Top Up to a GSME using PPMID" from a PPMID joined by Method C
 *   (pairing/hanOriginator.ts's checks), gsme/ppmidCommands.ts.
 * Both carry one GBZ component, Prepayment 0x0705 Consumer Top Up 0x04 { originating device (enum8), UTRN
 * (octet string, 20 ASCII digits) }, and are answered Consumer Top Up Response 0x03 { result, top-up value
 * (int32), source (the originating device), credit remaining (int32) }, as RTDS 4.5.0 2.2_CS01b and NA_PCS01
 * show them. Result (SE 1.4 Prepayment ResultType): 00 accepted, 01 invalid top up, 02 duplicate,
 * 03 error (no prepayment key), 04 max credit reached; a refused top-up answers top-up value and credit
 * remaining FFFFFFFF (RTDS CS01b_2.2_ERROR_RESPONSE). A refusal changes nothing but the sender's counter.
 * The purse: the ZCL Prepayment CreditRemaining 0x0001 (int32), counting 1,000 to the penny (RTDS NA_PCS01:
 * a UTRN of 2025 pennies answers a top-up value of 2,025,000). Portable.
 * @module
 */
import { decodeGbz, encodeGbz, ZCL_CLUSTER_SPECIFIC, ZCL_SERVER_TO_CLIENT } from '../../gbcs/gbz/components.ts';
import type { GbzComponent } from '../../gbcs/gbz/components.ts';
import { readUintLe, uintLe } from '../../gbcs/gbz/zcl.ts';
import type { CommandContext, Execution } from '../pipeline/commandContext.ts';
import { stageUtrn, TOP_UP_ACCEPTED, TOP_UP_DUPLICATE, TOP_UP_ERROR, TOP_UP_INVALID, TOP_UP_MAX_CREDIT, topUpResult, topUpResultName } from '../prepayment/utrnTopUp.ts';
import type { Purse, TopUpOutcome, TopUpRefusal } from '../prepayment/utrnTopUp.ts';
import type { StateTx } from '../state/stateTx.ts';
import { componentToken } from './useCaseContents.ts';
import { CLUSTER_PREPAYMENT } from './clusters.ts';
import { readAttribute, writeAttribute } from './zclStore.ts';

const T_I32 = 0x2b;
const ATTR_CREDIT_REMAINING = 0x0001;

export const MESSAGE_CODE_CS01B = 0x0097;

/** The GSME's purse: CreditRemaining as a signed 32-bit number (0 when the GSME has none), 1,000 to the penny. */
export const GSME_PURSE: Purse = {
  read: function (s) {
    const a = readAttribute(s, CLUSTER_PREPAYMENT, ATTR_CREDIT_REMAINING);
    return a && a.value.length === 4 ? readUintLe(a.value, 0, 4) | 0 : 0;
  },
  write: function (tx: StateTx, credit: number) {
    writeAttribute(tx, { cluster: CLUSTER_PREPAYMENT, attribute: ATTR_CREDIT_REMAINING, type: T_I32, value: uintLe(credit >>> 0, 4) });
  },
  perPenny: 1000,
};

/** The GSME's credit remaining (CreditRemaining, 1,000 to the penny). */
export function gsmeCredit(s: { read(k: string): Uint8Array | undefined }): number {
  return GSME_PURSE.read(s);
}

/** A Consumer Top Up Response's fields, or why it is not one (a GBZ content of one component). */
export function readTopUpResponse(content: Uint8Array): { result: number; added: number; source: number; credit: number } | string {
  const comps = decodeGbz(content);
  if (typeof comps === 'string') return 'GBZ: ' + comps;
  if (comps.length !== 1 || comps[0].encrypted || componentToken(comps[0]) !== 'p0705.03' || comps[0].payload.length !== 10) return 'not one Consumer Top Up Response';
  const p = comps[0].payload;
  return { result: p[0], added: readUintLe(p, 1, 4) | 0, source: p[5], credit: readUintLe(p, 6, 4) | 0 };
}

/** The UTRN of a Consumer Top Up component's payload { originating device, octet string }, or undefined. */
function utrnOf(p: Uint8Array): string | undefined {
  if (p.length < 2 || p[1] !== p.length - 2) return undefined;
  let text = '';
  for (let i = 2; i < p.length; i++) text += String.fromCharCode(p[i]);
  return text;
}

/**
 * Checks the UTRN of `c` (a Consumer Top Up) and stages the credit in `tx`: the typed outcome, and the
 * Consumer Top Up Response component answering it. Undefined when the payload is not { enum8, octet string }.
 */
export function stageConsumerTopUp(ctx: CommandContext, c: GbzComponent): { outcome: TopUpOutcome; answer: GbzComponent } | undefined {
  const text = utrnOf(c.payload);
  if (text === undefined) return undefined;
  const t = stageUtrn(ctx.board, ctx.secrets, ctx.identity, ctx.tx, text, GSME_PURSE);
  const body = new Uint8Array(10);
  body[0] = topUpResult(t);
  body.set(t.ok ? uintLe(t.added >>> 0, 4) : new Uint8Array([0xff, 0xff, 0xff, 0xff]), 1);
  body[5] = c.payload[0];
  body.set(t.ok ? uintLe(t.credit >>> 0, 4) : new Uint8Array([0xff, 0xff, 0xff, 0xff]), 6);
  const answer: GbzComponent = { control: 0, cluster: c.cluster, frameControl: ZCL_SERVER_TO_CLIENT | ZCL_CLUSTER_SPECIFIC, sequence: c.sequence, command: 0x03, payload: body };
  return { outcome: t, answer: answer };
}

/** The single component of `token` a command carries, or why not. */
export function onlyComponent(ctx: CommandContext, token: string): GbzComponent | string {
  const comps = decodeGbz(ctx.message.content);
  if (typeof comps === 'string') return 'GBZ: ' + comps;
  if (comps.length !== 1 || comps[0].encrypted || componentToken(comps[0]) !== token) return 'not one ' + token + ' component';
  return comps[0];
}

/** A handler for a use case carrying one Consumer Top Up (CS01b, PCS01): `label` names it in refusals. */
export function consumerTopUpHandler(label: string): (ctx: CommandContext) => Execution {
  return function (ctx: CommandContext): Execution {
    const c = onlyComponent(ctx, 's0705.04');
    if (typeof c === 'string') return { ok: false, detail: label + ': ' + c };
    const r = stageConsumerTopUp(ctx, c);
    if (!r) return { ok: false, detail: label + ': not { originating device, UTRN }' };
    return { ok: true, content: encodeGbz([r.answer]) };
  };
}

/** CS01b: the Supplier's top-up, pulled from the GPF when the GSME wakes. */
export const supplierTopUp = consumerTopUpHandler('CS01b');

export type { TopUpRefusal };
/** The result codes (prepayment/utrnTopUp.ts, shared with CS01a on the ESME). */
export { TOP_UP_ACCEPTED, TOP_UP_DUPLICATE, TOP_UP_ERROR, TOP_UP_INVALID, TOP_UP_MAX_CREDIT, topUpResult, topUpResultName };
