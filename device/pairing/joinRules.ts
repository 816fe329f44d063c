/**
 * Which joins a device accepts (GBCS §13.7): each join use case carries one JoinMethodAndRole, and a
 * device of a given type joins by that method only with certain other device types.
 *
 * From the sources we hold:
 * - CS03A1 "Method A Join (Meter)" is sent to the meter, the Method A initiator (0); CS03A2 "Method A
 *   Join (non Meter)" to the PPMID or HCALCS, the responder (1) (RTDS 8.7.1_CS03A2Critical: a PPMID/HCALCS
 *   told of ESME ...93). Method A ends in CBKE between the two on the HAN.
 * - CS03B Method B (2): a meter with a Type 2 device (an IHD), and the GSME with the GPF (RTDS
 *   8.7.2_CS03B SUCCESS: GSME with a GPF; RTDS 8.9_CS07: a GSME's log holding GPFs joined so); a PPMID by
 *   Method B is refused with 2, invalid join method and role (RTDS 8.7.2_CS03B ERROR).
 * - CS03C Method C (3): the GSME with a PPMID, each told the other's Key Agreement certificate (GBCS
 *   JoinDevice: the certificate is present if and only if the join is between a GSME and a PPMID; RTDS
 *   8.7.1_CS03CCritical sent to the GSME).
 * UNCONFIRMED (our reading, not in the texts we hold): the ESME joins the HCALCS and the PPMID by Method A;
 * the GPF joins the PPMID by Method A (the PPMID shows gas data from the GPF) and Type 2 devices by Method B.
 * @module
 */
import {
  DEVICE_ESME, DEVICE_GPF, DEVICE_GSME, DEVICE_HCALCS, DEVICE_PPMID, DEVICE_TYPE2,
  MESSAGE_CODE_CS03A1, MESSAGE_CODE_CS03A2, MESSAGE_CODE_CS03B, MESSAGE_CODE_CS03C, MESSAGE_CODE_CS04AC, MESSAGE_CODE_CS04B,
  METHOD_A_INITIATOR, METHOD_A_RESPONDER, METHOD_B, METHOD_C,
} from '../../gbcs/contents/join.ts';

export interface JoinRule {
  /** The device that receives the join command. */
  own: number;
  method: number;
  /** Device types it may join by that method. */
  partners: number[];
}

const RULES: JoinRule[] = [
  { own: DEVICE_ESME, method: METHOD_A_INITIATOR, partners: [DEVICE_HCALCS, DEVICE_PPMID] },
  { own: DEVICE_GPF, method: METHOD_A_INITIATOR, partners: [DEVICE_PPMID] },
  { own: DEVICE_PPMID, method: METHOD_A_RESPONDER, partners: [DEVICE_ESME, DEVICE_GPF] },
  { own: DEVICE_HCALCS, method: METHOD_A_RESPONDER, partners: [DEVICE_ESME] },
  { own: DEVICE_ESME, method: METHOD_B, partners: [DEVICE_TYPE2] },
  { own: DEVICE_GSME, method: METHOD_B, partners: [DEVICE_TYPE2, DEVICE_GPF] },
  { own: DEVICE_GPF, method: METHOD_B, partners: [DEVICE_TYPE2] },
  { own: DEVICE_GSME, method: METHOD_C, partners: [DEVICE_PPMID] },
  { own: DEVICE_PPMID, method: METHOD_C, partners: [DEVICE_GSME] },
];

/** The JoinMethodAndRole a join use case carries, or -1 for a code that is not a join. */
export function methodOfCode(code: number): number {
  if (code === MESSAGE_CODE_CS03A1) return METHOD_A_INITIATOR;
  if (code === MESSAGE_CODE_CS03A2) return METHOD_A_RESPONDER;
  if (code === MESSAGE_CODE_CS03B) return METHOD_B;
  if (code === MESSAGE_CODE_CS03C) return METHOD_C;
  return -1;
}

/** True when a device of type `own` joins a device of type `partner` by `method`. */
export function joinAllowed(own: number, method: number, partner: number): boolean {
  for (let i = 0; i < RULES.length; i++) {
    const r = RULES[i];
    if (r.own === own && r.method === method) return r.partners.indexOf(partner) >= 0;
  }
  return false;
}

/** Whether a join by `method` carries the other device's Key Agreement certificate (Method C only). */
export function certificateRequired(method: number): boolean {
  return method === METHOD_C;
}

/** True when an unjoin use case removes an entry joined by `method`: CS04AC Methods A and C, CS04B Method B. */
export function unjoinCovers(code: number, method: number): boolean {
  if (code === MESSAGE_CODE_CS04B) return method === METHOD_B;
  if (code === MESSAGE_CODE_CS04AC) return method !== METHOD_B;
  return false;
}
