/**
 * Who authorises a CS02b anyByContingency (message code 0x0109, credentialsReplacementMode 9): not an
 * organisation with a DS cell but the DCC's Contingency Key Pair (SEC L10), whose public key the root cell
 * holds wrapped (smki/contingencyKey.ts). The command is a General Signing message without a MAC
 * (GBCS-FACTS: recovery and contingency CS02b travel without the ACB) carrying, in its
 * authorisingRemotePartyControl, [0] plaintextSymmetricKey: the device unwraps the key with it and checks
 * the command's signature with the result. The header's business originator is taken as it is (the RTDS
 * contingency responses go to 70B3D51F300017FF, an id no cell holds); the anti-replay counter and its floor
 * are the root's (role 0), like the remotePartySeqNumberChange for role 0 in those responses.
 * @module
 */
import type { BoardCrypto } from '../../boards/board.ts';
import { unwrapContingencyKey } from '../../gbcs/smki/contingencyKey.ts';
import type { ContingencyKeyRejection } from '../../gbcs/smki/contingencyKey.ts';
import { readCell, ROLE_ROOT, KEY_USAGE_KEY_CERT_SIGN_CELL } from '../state/trustAnchors.ts';
import type { TrustAnchorCell } from '../state/trustAnchors.ts';
import { readCs02bCommand } from '../../gbcs/contents/cs02b.ts';

export const MESSAGE_CODE_CONTINGENCY = 0x0109;

/** The root cell, which stands as the originator of a contingency command; undefined when empty. */
export function rootSigner(s: { read(k: string): Uint8Array | undefined }): TrustAnchorCell | undefined {
  return readCell(s, { role: ROLE_ROOT, keyUsage: KEY_USAGE_KEY_CERT_SIGN_CELL, cellUsage: 0 });
}

/** The key that must verify a contingency command: the root's contingency key, unwrapped. */
export function contingencyPublicKey(
  crypto: BoardCrypto,
  root: TrustAnchorCell,
  content: Uint8Array,
): { ok: true; publicKey: Uint8Array } | { ok: false; reason: ContingencyKeyRejection | 'no-contingency-key' | 'no-symmetric-key' } {
  if (!root.contingencyKey) return { ok: false, reason: 'no-contingency-key' };
  const cmd = readCs02bCommand(content);
  if (!cmd || !cmd.plaintextSymmetricKey) return { ok: false, reason: 'no-symmetric-key' };
  return unwrapContingencyKey(crypto.aes128DecryptBlock, root.contingencyKey, cmd.plaintextSymmetricKey);
}
