/**
 * The alert a device raises when it refuses a command addressed to it (GBCS §6/§7 command processing; the
 * alert codes of the GBCS alert code table; GBCS-FACTS "Device rules"). A refused command gets no
 * Response; the event goes to the Security Log (state/securityLog.ts) and, as the Generic Critical Alert
 * 0x1000 (signed with the device's DS key; its DLMS shape from RTDS NA_GCA-DLMS, which carries 0x8F30
 * "Source Does not have Authority for Command" from this device to the Supplier; a ZigBee device's (GSME's)
 * is GBZ, a GBZ alert header with no components, as RTDS NA_GCA-ZigBee shows from 00DB1234567890A1), to the
 * Supplier:
 *
 *   MAC or signature check failed                       0x8F3D Trusted Source Authentication Failure
 *   originator's role may not send this command         0x8F30 Source Does not have Authority for Command
 *   wrong protection for the code, unknown message code 0x8F1E Integrity check of content or format failed
 *   unknown originator, replay, below floor, no ACB key 0x8F53 Failed Authentication or Authorisation
 *                                                              not covered by other codes
 *
 * Silent (no alert): frames that are not a command addressed to this device (undecodable, a response or
 * alert, another recipient: not ours to judge) and commands refused by their use case after passing every
 * security check ('execution-refused': not a security event). Also silent when the device holds no
 * Supplier DS cell (no one to tell). Recipient: the Supplier, the party of the Supplier DS cell, as in the
 * RTDS generic alerts (90B3D51F30010000). The alert's counter is staged in the same commit as the log
 * entry (commandPipeline.ts), so every alert sent has a logged cause.
 *
 * Cost: each alert is one P-256 signature. A stream of forged frames addressed to the device makes it sign
 * once per frame; GBCS's answer to that is 0x8F60 ("Unusual numbers of malformed, out-of-order or
 * unexpected Commands received"), a rate rule not implemented here.
 * @module
 */
import { KEY_USAGE_DIGITAL_SIGNATURE } from '../../gbcs/smki/certificate.ts';
import { readCell, ROLE_SUPPLIER } from '../state/trustAnchors.ts';
import { ALERT_AUTHENTICATION_FAILURE, ALERT_INTEGRITY_FAILURE, ALERT_NO_AUTHORITY, ALERT_OTHER_AUTH_FAILURE, MESSAGE_CODE_GENERIC_CRITICAL_ALERT, genericAlertContent } from '../../gbcs/contents/alerts.ts';
import type { AlertSpec } from './alertSender.ts';
import type { Counter64 } from '../../gbcs/counter64.ts';
import { gbzAlertHeader } from '../../gbcs/gbz/alertHeader.ts';
import type { DeviceKind } from '../kinds.ts';

/** The alert code for a rejection reason, or undefined where the device stays silent. */
export function securityAlertCode(reason: string): number | undefined {
  if (reason === 'mac-mismatch' || reason === 'bad-signature') return ALERT_AUTHENTICATION_FAILURE;
  if (reason === 'role-not-authorised' || reason === 'not-joined') return ALERT_NO_AUTHORITY;
  if (reason === 'wrong-protection' || reason === 'unknown-message-code') return ALERT_INTEGRITY_FAILURE;
  if (reason === 'unknown-originator' || reason === 'replay' || reason === 'below-floor' || reason === 'no-acb-key') return ALERT_OTHER_AUTH_FAILURE;
  return undefined;
}

/**
 * The alert for refusing a command addressed to this device (the caller checks that) for `reason` at
 * `timeSec`, or undefined when the device stays silent.
 */
export function securityAlertFor(s: { read(k: string): Uint8Array | undefined }, reason: string, timeSec: number, kind?: DeviceKind): AlertSpec | undefined {
  const code = securityAlertCode(reason);
  if (code === undefined) return undefined;
  const supplier = readCell(s, { role: ROLE_SUPPLIER, keyUsage: KEY_USAGE_DIGITAL_SIGNATURE, cellUsage: 0 });
  if (!supplier) return undefined;
  return {
    messageCode: MESSAGE_CODE_GENERIC_CRITICAL_ALERT,
    recipient: supplier.subjectUniqueId,
    content: function (counter: Counter64) {
      return kind === 'GSME' ? gbzAlertHeader(0, code, timeSec) : genericAlertContent(counter, code, timeSec);
    },
  };
}
