/**
 * Pre-commands (GBCS-FACTS "Message layout"; DUIS: the DCC transforms a service request into a GBCS
 * pre-command): the General Signing APDU of a command without its signature field. The originator then
 * completes it: a critical command is signed with the originator's DS key (`40 r s`, over the APDU from
 * offset 1 to the end of the content, GBCS §7.2.5); a non-critical one gets the null signature `00`.
 * @module
 */
import { concatBytes } from '../../lib/bytes.ts';
import type { BoardCrypto } from '../../boards/board.ts';
import type { Counter64 } from '../../gbcs/counter64.ts';
import { CRA_COMMAND } from '../../gbcs/generalSigning.ts';
import type { GeneralSigningFields } from '../../gbcs/generalSigning.ts';
import { encodeMessage } from '../../gbcs/message.ts';
import { signPrecommand } from '../../gbcs/protection/protection.ts';

export interface PrecommandFields {
  counter: Counter64;
  originator: Uint8Array;
  recipient: Uint8Array;
  messageCode: number;
  content: Uint8Array;
  /** The supplementary remote party of a command the DCC sends as the ACB on a user's behalf. */
  supplementary?: GeneralSigningFields['supplementary'];
}

/** The DF APDU with no signature field. */
export function buildPrecommand(p: PrecommandFields): Uint8Array {
  const gs: GeneralSigningFields = {
    cra: CRA_COMMAND,
    counter: p.counter,
    originator: p.originator,
    recipient: p.recipient,
    messageCode: p.messageCode,
    content: p.content,
    signatureForm: 'absent',
  };
  if (p.supplementary) gs.supplementary = p.supplementary;
  return encodeMessage({ wrapper: 'signed', gs });
}

/** The originator's signature on a critical pre-command (done by the user, with its own key). */
export function signCritical(crypto: BoardCrypto, dsPrivate: Uint8Array, precommand: Uint8Array): Uint8Array {
  return signPrecommand(crypto, dsPrivate, precommand);
}

/** A non-critical command's APDU: the pre-command with the null signature `00`. */
export function withNullSignature(precommand: Uint8Array): Uint8Array {
  return concatBytes([precommand, new Uint8Array([0x00])]);
}
