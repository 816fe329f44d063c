/**
 * The DCC as Access Control Broker (GBCS §4.3.3, GBCS-FACTS "Who protects what"): before a command leaves
 * for a device, the ACB checks that the General Signing APDU it is given is the pre-command it built,
 * completed by its originator (a critical command carries a signature that verifies with the originator's
 * DS certificate; a non-critical one the null signature), then wraps it in General Ciphering (DD) with the
 * command MAC: key from ECDH(ACB KA private, device KA public) and the KDF over the *business* originator,
 * CRA 01, its counter and the device (GBCS-FACTS "Cryptography").
 * @module
 */
import type { BoardCrypto } from '../../boards/board.ts';
import { bytesEqual } from '../../lib/bytes.ts';
import { decodeMessage } from '../../gbcs/message.ts';
import { checkSignature, wrapWithMac } from '../../gbcs/protection/protection.ts';
import type { SharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';

export type AcbResult = { ok: true; command: Uint8Array } | { ok: false; reason: 'not-the-precommand' | 'missing-signature' | 'bad-originator-signature' | 'bad-device-key' };

export function protectCommand(
  crypto: BoardCrypto,
  secrets: SharedSecrets,
  a: { acbKaPrivate: Uint8Array; deviceKaPublic: Uint8Array; precommand: Uint8Array; completed: Uint8Array; critical: boolean; originatorDsPublic: Uint8Array },
): AcbResult {
  // The completed APDU must be the pre-command plus a signature field, nothing changed.
  if (a.completed.length <= a.precommand.length || !bytesEqual(a.completed.subarray(0, a.precommand.length), a.precommand)) return { ok: false, reason: 'not-the-precommand' };
  const m = decodeMessage(a.completed);
  if (!m.ok) return { ok: false, reason: 'not-the-precommand' };
  if (a.critical) {
    if (m.gs.signatureForm !== 'ecdsa') return { ok: false, reason: 'missing-signature' };
    if (!checkSignature(crypto, a.originatorDsPublic, m).ok) return { ok: false, reason: 'bad-originator-signature' };
  } else if (m.gs.signatureForm !== 'null') {
    return { ok: false, reason: 'not-the-precommand' };
  }
  const command = wrapWithMac(crypto, secrets, a.acbKaPrivate, a.deviceKaPublic, a.completed);
  return command ? { ok: true, command } : { ok: false, reason: 'bad-device-key' };
}
