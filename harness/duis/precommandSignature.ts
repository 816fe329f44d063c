/**
 * A DUIS SignedPreCommand (serviceS after serviceT): the GBCS pre-command the DCC returned, completed by
 * the user with `40 r s` (ECDSA over the APDU from offset 1 to the end of the content, GBCS-FACTS). The
 * DCC checks that signature with the originator's DS key before its ACB adds the MAC.
 * @module
 */
import { decodeMessage } from '../../gbcs/message.ts';
import { checkSignature } from '../../gbcs/protection/protection.ts';
import type { GbcsCrypto } from '../../gbcs/protection/protection.ts';
import { copyBytes } from '../../lib/bytes.ts';

export type PrecommandCheck = { ok: true; precommand: Uint8Array } | { ok: false; reason: string };

export function verifyPrecommandSignature(crypto: GbcsCrypto, originatorDsPublic: Uint8Array, completed: Uint8Array): PrecommandCheck {
  const m = decodeMessage(completed);
  if (!m.ok) return { ok: false, reason: 'the GBCS payload does not decode: ' + m.reason };
  if (m.wrapper !== 'signed' || m.gs.signatureForm !== 'ecdsa') return { ok: false, reason: 'a SignedPreCommand must be a General Signing APDU with an ECDSA signature' };
  const v = checkSignature(crypto, originatorDsPublic, m);
  if (!v.ok) return { ok: false, reason: 'the pre-command signature does not verify with the originator\'s DS key' };
  return { ok: true, precommand: copyBytes(completed, m.gs.ranges.apdu.start, m.gs.ranges.signatureField.start) };
}
