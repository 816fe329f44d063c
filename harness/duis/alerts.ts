/**
 * Device alerts back to the DCC User as DUIS (as DCC Boxed pushes them): a GBCS alert (CRA 03) that reaches the
 * DCC is pushed, to the URL registered for the alert's recipient (its General Signing recipient: the remote
 * party it is for), as a signed `sr:Response` whose body is `sr:DeviceAlertMessage` {AlertCode, GBCSPayload}
 * (DUIS 5.4 schema), ResponseCode I0, ResponseID `device:recipient:alert counter`. The alert code is read from
 * the content: a DLMS Data-Notification's first element, or the GBZ alert header (gbcs/).
 * @module
 */
import { decodeMessage } from '../../gbcs/message.ts';
import { CRA_ALERT } from '../../gbcs/generalSigning.ts';
import { readAlertNotification } from '../../gbcs/dlms/notification.ts';
import { readGbzAlertHeader } from '../../gbcs/gbz/alertHeader.ts';
import { toHex } from '../../lib/bytes.ts';

export interface DeviceAlert {
  /** Upper-case hex EUI-64s. */
  device: string;
  recipient: string;
  counter: bigint;
  alertCode: number;
  messageCode: number;
  payload: Uint8Array;
}

/** What the DCC pushes for an alert frame, or why it cannot say (not an alert, no alert code it can read). */
export function readDeviceAlert(frame: Uint8Array): { ok: true; alert: DeviceAlert } | { ok: false; reason: string } {
  const m = decodeMessage(frame);
  if (!m.ok) return { ok: false, reason: 'not a GBCS message: ' + m.reason };
  if (m.gs.cra !== CRA_ALERT) return { ok: false, reason: 'not an alert (CRA ' + m.gs.cra + ')' };
  const c = m.content;
  let alertCode: number | undefined;
  if (c[0] === 0x0f) {
    const n = readAlertNotification(c);
    if (typeof n !== 'string') alertCode = n.alertCode;
  } else if (c[0] === 0x01 && c[1] === 0x09) {
    const h = readGbzAlertHeader(c);
    if (typeof h !== 'string') alertCode = h.alertCode;
  }
  if (alertCode === undefined) return { ok: false, reason: 'its alert code cannot be read from the content' };
  const counter = (BigInt(m.gs.counter.hi >>> 0) << 32n) | BigInt(m.gs.counter.lo >>> 0);
  return {
    ok: true,
    alert: { device: toHex(m.gs.originator).toUpperCase(), recipient: toHex(m.gs.recipient).toUpperCase(), counter, alertCode, messageCode: m.gs.messageCode, payload: frame },
  };
}
