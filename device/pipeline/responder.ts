/**
 * How the device answers an accepted command (GBCS-FACTS "Who protects what"; GBCS §7.2): a Response with
 * CRA 02 that echoes the command's originator counter and message code, from the device to the command's
 * originator (and, for a command sent by the ACB on behalf of another party, the same supplementary
 * remote party and counter). A response to a critical command is a General Signing APDU signed with the
 * device's DS key (DF, no MAC); any other response is MAC'ed in a DD wrapper with a key agreed between the
 * device's KA key and the recipient's KA key (its KA trust-anchor cell), KDF originator = the device, CRA 02.
 * @module
 */
import type { Board } from '../../boards/board.ts';
import { CRA_RESPONSE, signedBytesOf } from '../../gbcs/generalSigning.ts';
import type { GeneralSigningFields, Supplementary } from '../../gbcs/generalSigning.ts';
import { encodeMessage } from '../../gbcs/message.ts';
import { KEY_USAGE_KEY_AGREEMENT } from '../../gbcs/smki/certificate.ts';
import type { Identity } from '../state/identity.ts';
import { cellForParty } from '../state/trustAnchors.ts';
import { joinedKaKey } from '../pairing/hanOriginator.ts';
import type { Accepted } from './commandPipeline.ts';
import { wrapWithMac } from '../../gbcs/protection/protection.ts';
import type { SharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';

export type ResponseResult = { ok: true; frame: Uint8Array } | { ok: false; reason: 'no-recipient-ka-key' | 'bad-recipient-ka-key' };

export function buildResponse(board: Board, secrets: SharedSecrets, identity: Identity, a: Accepted): ResponseResult {
  const cmd = a.message.gs;
  const f: GeneralSigningFields = {
    cra: CRA_RESPONSE,
    counter: cmd.counter,
    originator: identity.eui,
    recipient: cmd.originator,
    messageCode: cmd.messageCode,
    content: a.content,
    signatureForm: a.critical ? 'ecdsa' : 'null',
  };
  if (cmd.supplementary) {
    const sup: Supplementary = { remoteParty: cmd.supplementary.remoteParty };
    if (cmd.supplementary.remotePartyCounter) sup.remotePartyCounter = cmd.supplementary.remotePartyCounter;
    f.supplementary = sup;
  }
  if (a.critical) {
    f.signature = board.crypto.p256Sign(identity.dsPrivate, signedBytesOf(f));
    return { ok: true, frame: encodeMessage({ wrapper: 'signed', gs: f }) };
  }
  // The recipient's KA key: its trust-anchor cell, or (a PPMID's PCS01/PCS02) the Method C join's.
  const cell = cellForParty(board.storage, cmd.originator, KEY_USAGE_KEY_AGREEMENT);
  const ka = cell ? cell.publicKey : joinedKaKey(board.storage, cmd.originator);
  if (!ka) return { ok: false, reason: 'no-recipient-ka-key' };
  // KDF: originator = this device, CRA 02, the command's counter, recipient = the command's originator.
  const frame = wrapWithMac(board.crypto, secrets, identity.kaPrivate, ka, encodeMessage({ wrapper: 'signed', gs: f }));
  return frame ? { ok: true, frame: frame } : { ok: false, reason: 'bad-recipient-ka-key' };
}
