/**
 * Checking what a device sent back before the user sees it (GBCS §7.2, GBCS-FACTS "Who protects what"):
 * it decodes; it is a Response (CRA 02) from the device to the command's originator; it echoes the
 * command's counter and message code; and it carries the protection the use case requires — a critical
 * command's response is a DF APDU signed with the device's DS key (checked against the device DS
 * certificate from the SMKI), any other is a DD message whose MAC the recipient checks with its own KA
 * private key and the device's KA public key. Each check is reported, passed or failed.
 * Alerts (CRA 03) are checked the same way by `checkAlert`: from the device, protected as the alert code
 * requires (critical: DF signed by the device DS key; else DD MAC'ed to the recipient), and carrying the
 * device's own counter, which must rise from one alert to the next (GBCS-FACTS "Who protects what").
 * @module
 */
import type { BoardCrypto } from '../../boards/board.ts';
import { bytesEqual, toHex } from '../../lib/bytes.ts';
import { compareCounters, counterToHex } from '../../gbcs/counter64.ts';
import type { Counter64 } from '../../gbcs/counter64.ts';
import { CRA_ALERT, CRA_RESPONSE } from '../../gbcs/generalSigning.ts';
import { messageCodeInfo } from '../../gbcs/messageCodes.ts';
import { decodeMessage } from '../../gbcs/message.ts';
import type { GbcsMessage } from '../../gbcs/message.ts';
import { describeRejection } from '../../gbcs/reject.ts';
import { checkMac, checkSignature } from '../../gbcs/protection/protection.ts';
import type { SharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ResponseExpectation {
  device: Uint8Array;
  originator: Uint8Array;
  counter: Counter64;
  messageCode: number;
  critical: boolean;
  deviceDsPublic: Uint8Array;
  deviceKaPublic: Uint8Array;
  /** The recipient's own KA private key (the user checks the MAC of a non-critical response). */
  recipientKaPrivate: Uint8Array;
}

type CheckResult = { ok: boolean; checks: Check[]; message?: GbcsMessage };
type Add = (name: string, ok: boolean, detail: string) => void;

/** Decodes `frame` and runs `checks` on it (from the device `device`); the decode is the first check. */
function checkFrame(frame: Uint8Array, device: Uint8Array, run: (m: GbcsMessage, add: Add) => void): CheckResult {
  const checks: Check[] = [];
  const add: Add = (name, ok, detail) => checks.push({ name, ok, detail });
  const m = decodeMessage(frame);
  if (!m.ok) {
    add('decode', false, describeRejection(m));
    return { ok: false, checks };
  }
  add('decode', true, (m.wrapper === 'ciphered' ? 'DD' : 'DF') + ', ' + frame.length + ' bytes');
  add('originator', bytesEqual(m.gs.originator, device), toHex(m.gs.originator).toUpperCase());
  run(m, add);
  return { ok: checks.every((c) => c.ok), checks, message: m };
}

function codeHex(code: number): string {
  return '0x' + ('000' + code.toString(16).toUpperCase()).slice(-4);
}

export function checkResponse(crypto: BoardCrypto, secrets: SharedSecrets, frame: Uint8Array, e: ResponseExpectation): CheckResult {
  return checkFrame(frame, e.device, (m, add) => {
    add('response', m.gs.cra === CRA_RESPONSE, 'CRA ' + m.gs.cra);
    add('recipient', bytesEqual(m.gs.recipient, e.originator), toHex(m.gs.recipient).toUpperCase());
    add('counter-echo', compareCounters(m.gs.counter, e.counter) === 0, counterToHex(m.gs.counter));
    add('message-code', m.gs.messageCode === e.messageCode, codeHex(m.gs.messageCode));
    checkProtection(crypto, secrets, m, e.critical, e, add);
  });
}

interface ProtectionKeys {
  deviceDsPublic: Uint8Array;
  deviceKaPublic: Uint8Array;
  /** Undefined when the recipient is not one of ours: its MAC cannot be checked here. */
  recipientKaPrivate?: Uint8Array;
}

/** Critical: a signed DF APDU, checked with the device DS key; otherwise a DD MAC, checked as the recipient. */
function checkProtection(crypto: BoardCrypto, secrets: SharedSecrets, m: GbcsMessage, critical: boolean, k: ProtectionKeys, add: Add): void {
  if (critical) {
    const ok = m.wrapper === 'signed' && m.gs.signatureForm === 'ecdsa';
    add('protection', ok, ok ? 'DF signed (critical)' : 'a critical message must be a signed DF APDU');
    if (ok) {
      const v = checkSignature(crypto, k.deviceDsPublic, m);
      add('signature', v.ok, v.ok ? 'valid with the device DS certificate' : v.reason);
    }
  } else {
    const ok = m.wrapper === 'ciphered';
    add('protection', ok, ok ? 'DD with MAC' : 'a non-critical message must carry a MAC');
    if (ok && k.recipientKaPrivate) {
      const v = checkMac(crypto, secrets, k.recipientKaPrivate, k.deviceKaPublic, m);
      add('mac', v.ok, v.ok ? 'valid (recipient KA x device KA)' : v.reason);
    } else if (ok) {
      add('mac', false, 'the recipient is not a party of this DCC: its MAC cannot be checked');
    }
  }
}

export interface AlertExpectation extends ProtectionKeys {
  device: Uint8Array;
  /** The device counter of the last alert accepted from this device. */
  lastCounter?: Counter64;
}

export function checkAlert(crypto: BoardCrypto, secrets: SharedSecrets, frame: Uint8Array, e: AlertExpectation): CheckResult {
  return checkFrame(frame, e.device, (m, add) => {
    add('alert', m.gs.cra === CRA_ALERT, 'CRA ' + m.gs.cra);
    const rising = e.lastCounter === undefined || compareCounters(m.gs.counter, e.lastCounter) > 0;
    add('device-counter', rising, counterToHex(m.gs.counter) + (rising ? '' : ' does not rise above ' + counterToHex(e.lastCounter!)));
    const info = messageCodeInfo(m.gs.messageCode);
    add('alert-code', !!info && !!info.alert, codeHex(m.gs.messageCode) + (info ? ' ' + info.useCase : ' unknown'));
    if (info && info.alert) checkProtection(crypto, secrets, m, info.alert !== 'mac', e, add);
  });
}
