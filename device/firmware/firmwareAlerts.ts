/**
 * The firmware alerts a device sends: 00CE Firmware Distribution Receipt Alert and 00CA Future Dated
 * Firmware Activation Alert, both critical alerts (GBCS message-code table: signed with the device's DS
 * key, DF only; GBCS-FACTS "Who protects what"), CRA 03, carrying the device's own monotonic counter,
 * staged in the same commit as the event that caused them (state/deviceCounter.ts), so a power cut never
 * reuses a counter. To the party that asked: the CS06 originator, or the transfer's named recipient.
 * @module
 */
import type { Board } from '../../boards/board.ts';
import { CRA_ALERT, signedBytesOf } from '../gbcs/generalSigning.ts';
import type { GeneralSigningFields } from '../gbcs/generalSigning.ts';
import { encodeMessage } from '../gbcs/message.ts';
import { nextDeviceCounter } from '../state/deviceCounter.ts';
import type { Identity } from '../state/identity.ts';
import type { StateTx } from '../state/stateTx.ts';

/** Stages the device counter in `tx` and returns the signed alert frame (send it after `tx` commits). */
export function buildCriticalAlert(board: Board, tx: StateTx, identity: Identity, messageCode: number, recipient: Uint8Array, content: Uint8Array): Uint8Array | undefined {
  const counter = nextDeviceCounter(tx);
  if (!counter) return undefined;
  const f: GeneralSigningFields = {
    cra: CRA_ALERT, counter: counter, originator: identity.eui, recipient: recipient, messageCode: messageCode, content: content, signatureForm: 'ecdsa',
  };
  f.signature = board.crypto.p256Sign(identity.dsPrivate, signedBytesOf(f));
  return encodeMessage({ wrapper: 'signed', gs: f });
}
