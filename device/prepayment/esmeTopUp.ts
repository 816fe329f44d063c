/**
 * CS01a 0x0007 "Apply Prepayment Top Up to an ESME" (DUIS 2.2 TopUpDevice): the Supplier's UTRN over the WAN,
 * the ESME's counterpart of the GSME's CS01b (gsme/topUp.ts), through the same checks:
 * - the command pipeline's (SME.C.NC: null signature, MAC'ed by the ACB, the Supplier's originator counter
 *   above the last one accepted; GBCS use-case table), then GBCS §14.3.4/§14.3.5's additional processing,
 *   the UTRN's own MAC under the Supplier's prepayment KA key, in `stageUtrn` (utrnTopUp.ts, shared with the
 *   PPMID's PECS01 and the GSME's top-ups) into the ESME's balance (`prepay.credit`, pennies).
 * Content (DLMS, as the public RTDS 4.5.0 2.2_CS01a files show it): an access-request of one action on the
 * Token Gateway (interface class 115, OBIS 0-0:19.40.0.255), method 1 `enter`, its parameter the UTRN as an
 * octet string of 20 ASCII digits:
 *   D9 20xxxxxx 00 | 01 03 0073 0000132800FF 01 | 01 09 14 <20 digits>
 * Answer: an access-response of null-data and the action-result, `DA <invoke id> 00 00 01 00 01 03 <result>`:
 * result 00 accepted (RTDS SUCCESS_RESPONSE). On a refusal the result takes the CS01b numbers
 * (utrnTopUp.ts `topUpResult`): 01 invalid (format, check digit, range, authentication, too old), 02
 * duplicate, 03 no prepayment key, 04 max credit. UNCONFIRMED: RTDS's one ERROR_RESPONSE answers 01, the rest
 * of the mapping is ours (GBCS's own table for CS01a's result was not in the sources we could read), and the
 * response carries no credit (RTDS: null-data). A refused top-up changes nothing but the Supplier's counter,
 * as on the GSME; content that is not this one action is refused ('execution-refused', nothing sent).
 * Observed, not checked here (UNCONFIRMED as a GBCS rule): in all three RTDS top-ups (CS01a SUCCESS/ERROR,
 * CS01b SUCCESS) the UTRN counter equals the command's originator counter. Portable.
 * @module
 */
import type { CommandContext, Execution } from '../pipeline/commandContext.ts';
import { accessResponse, KIND_ACTION, readAccessRequest } from '../../gbcs/dlms/access.ts';
import type { AccessRequest } from '../../gbcs/dlms/access.ts';
import { NULL_DATA, TAG_OCTET_STRING } from '../../gbcs/dlms/data.ts';
import { stageUtrn, topUpResult } from './utrnTopUp.ts';
import type { TopUpOutcome } from './utrnTopUp.ts';

export const MESSAGE_CODE_CS01A = 0x0007;
/** The Token Gateway (IEC 62056-6-2 class 115) and its method 1 `enter`. */
export const TOKEN_GATEWAY_CLASS = 115;
export const TOKEN_GATEWAY_OBIS = '0-0:19.40.0.255';
export const TOKEN_GATEWAY_ENTER = 1;

const OBIS = [0, 0, 19, 40, 0, 255];

/** The UTRN text of a CS01a access-request, or why the content is not one Token Gateway `enter`. */
export function cs01aUtrn(req: AccessRequest | undefined): string | { refused: string } {
  if (!req) return { refused: 'not a DLMS access-request' };
  if (req.specs.length !== 1 || req.data.length !== 1) return { refused: 'not one action' };
  const s = req.specs[0];
  let obis = true;
  for (let i = 0; i < 6; i++) if (s.obis[i] !== OBIS[i]) obis = false;
  if (s.kind !== KIND_ACTION || s.classId !== TOKEN_GATEWAY_CLASS || !obis || s.member !== TOKEN_GATEWAY_ENTER) return { refused: 'not the Token Gateway enter' };
  const d = req.data[0];
  if (d.tag !== TAG_OCTET_STRING || !d.raw) return { refused: 'the token is not an octet string' };
  let text = '';
  for (let i = 0; i < d.raw.length; i++) text += String.fromCharCode(d.raw[i]);
  return text;
}

/** CS01a: checks and stages the UTRN (nothing staged on a refusal) and answers its result. */
export function esmeTopUp(ctx: CommandContext): Execution {
  const req = readAccessRequest(ctx.message.content);
  const text = cs01aUtrn(req);
  if (typeof text !== 'string') return { ok: false, detail: 'CS01a: ' + text.refused };
  const t: TopUpOutcome = stageUtrn(ctx.board, ctx.secrets, ctx.identity, ctx.tx, text);
  return { ok: true, content: accessResponse(req as AccessRequest, [{ data: NULL_DATA, result: topUpResult(t) }]) };
}
