/**
 * The device's alert sender: every alert a device originates goes through `stageAlert` (GBCS §7.2
 * General Signing with CRA flag 03; GBCS-FACTS "Who protects what").
 *
 * - Counter: the device's own originator counter (state/deviceCounter.ts), NOT a command's. It is staged
 *   in the caller's transaction, the same one that holds the effect that caused the alert; the caller
 *   commits that transaction and only then sends the frame. A power cut before the commit loses both the
 *   effect and the counter step (the alert was never sent); after it, the counter has advanced with the
 *   effect, so no counter is ever reused, and a restart never takes it back.
 * - Protection follows the message code's alert protection (`messageCodeInfo(code).alert`):
 *   critical ('signed') -> a DF General Signing APDU signed with the device's DS key, no MAC;
 *   non-critical ('mac') -> signature 00 inside a DD General Ciphering wrapper whose MAC key comes from
 *   the device's KA private key and the recipient's KA key (its KA trust-anchor cell), KDF originator =
 *   the device, CRA 03, the alert's counter, recipient (GBCS §7.3.2; RTDS NA_GNCA-DLMS checks with the
 *   supplier KA key and the device KA certificate).
 * - The header carries no date-time (00), as every RTDS 4.5.0 alert file.
 * - Sending: the frame goes out on `board.link`, the path responses take (SmetsDevice sends it after the
 *   commit; see runtime.ts `emit`).
 *
 * Use (e.g. a firmware receipt alert, a future-dated activation's outcome):
 *   const tx = new StateTx(board.storage);
 *   ...stage the effect in tx...
 *   const a = stageAlert(board, secrets, tx, identity, { messageCode: 0x00CE, recipient, content });
 *   const stored = tx.commit();   // { ok: false, reason: 'storage-full' }: nothing stored, nothing to send
 *   if (stored.ok && a.ok) board.link.send(a.frame);
 * `secrets`: the device's ECDH cache (SmetsDevice.secrets); only a non-critical alert uses it (undefined:
 * a fresh one). A code that is not an alert code in the message-code table is a caller bug (thrown).
 * @module
 */
import type { Board } from '../../boards/board.ts';
import type { Counter64 } from '../../gbcs/counter64.ts';
import { CRA_ALERT, signedBytesOf } from '../../gbcs/generalSigning.ts';
import type { GeneralSigningFields } from '../../gbcs/generalSigning.ts';
import { encodeMessage } from '../../gbcs/message.ts';
import { messageCodeInfo } from '../../gbcs/messageCodes.ts';
import { wrapWithMac } from '../../gbcs/protection/protection.ts';
import { sharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import type { SharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import { KEY_USAGE_KEY_AGREEMENT } from '../../gbcs/smki/certificate.ts';
import { nextDeviceCounter } from '../state/deviceCounter.ts';
import type { Identity } from '../state/identity.ts';
import type { StateTx } from '../state/stateTx.ts';
import { cellForParty } from '../state/trustAnchors.ts';

export interface AlertSpec {
  /** An alert message code (0x00CA..0x00CF, 0x1000, 0x1001, ...). */
  messageCode: number;
  /** The remote party the alert is for (EUI-64). */
  recipient: Uint8Array;
  /** The content, or a function of the alert's own counter (DLMS alerts carry it in their invoke id). */
  content: Uint8Array | ((counter: Counter64) => Uint8Array);
}

export type AlertRejection =
  /** The device counter reached 2^64-1: the device can send no more alerts. */
  | 'counter-exhausted'
  /** A non-critical alert to a party whose KA cell the device does not hold. */
  | 'no-recipient-ka-key'
  /** That KA cell's key is not a P-256 point. */
  | 'bad-recipient-ka-key';

export type StagedAlert = { ok: true; frame: Uint8Array; counter: Counter64; critical: boolean } | { ok: false; reason: AlertRejection };

/** Stages the next device counter in `tx` and returns the protected alert frame (send it after `tx` commits). */
export function stageAlert(board: Board, secrets: SharedSecrets | undefined, tx: StateTx, identity: Identity, spec: AlertSpec): StagedAlert {
  const info = messageCodeInfo(spec.messageCode);
  if (!info || !info.alert) throw new Error('stageAlert: 0x' + spec.messageCode.toString(16) + ' is not an alert message code');
  if (spec.recipient.length !== 8) throw new Error('stageAlert: recipient must be 8 bytes, got ' + spec.recipient.length);
  const critical = info.alert === 'signed';
  let ka: Uint8Array | undefined;
  if (!critical) {
    const cell = cellForParty(tx, spec.recipient, KEY_USAGE_KEY_AGREEMENT);
    if (!cell) return { ok: false, reason: 'no-recipient-ka-key' };
    ka = cell.publicKey;
    if (!secrets) secrets = sharedSecrets(board.crypto.ecdh);
    if (!secrets.agree(identity.kaPrivate, ka)) return { ok: false, reason: 'bad-recipient-ka-key' };
  }
  // The counter is taken only once the alert can be built: a refused alert leaves `tx` as it was.
  const counter = nextDeviceCounter(tx);
  if (!counter) return { ok: false, reason: 'counter-exhausted' };
  const f: GeneralSigningFields = {
    cra: CRA_ALERT,
    counter: counter,
    originator: identity.eui,
    recipient: spec.recipient,
    messageCode: spec.messageCode,
    content: typeof spec.content === 'function' ? spec.content(counter) : spec.content,
    signatureForm: critical ? 'ecdsa' : 'null',
  };
  if (critical) {
    f.signature = board.crypto.p256Sign(identity.dsPrivate, signedBytesOf(f));
    return { ok: true, frame: encodeMessage({ wrapper: 'signed', gs: f }), counter: counter, critical: true };
  }
  const frame = wrapWithMac(board.crypto, secrets as SharedSecrets, identity.kaPrivate, ka as Uint8Array, encodeMessage({ wrapper: 'signed', gs: f }));
  if (!frame) return { ok: false, reason: 'bad-recipient-ka-key' };
  return { ok: true, frame: frame, counter: counter, critical: false };
}
