/**
 * The command pipeline: what a SMETS2 device does with every frame addressed to it, in GBCS order, each
 * step a typed rejection (GBCS §4.3 "Security", §7 message processing; GBCS-FACTS "Device rules"):
 *
 *  1. decode the General Ciphering / General Signing message                 -> 'malformed'
 *  2. it is a command for this device                                          -> 'not-a-command' | 'wrong-recipient'
 *  3. the message code is one GBCS defines for a remote-party command          -> 'unknown-message-code'
 *  4. the originator is a known remote party (a trust-anchor cell's subject unique id) whose role may send
 *     this message code (`messageCodeInfo(code).originators`)                  -> 'unknown-originator' | 'role-not-authorised'
 *  5. the message carries the protection the code requires (DD/MAC, signature) -> 'wrong-protection'
 *  6. the counter is strictly above the last accepted from that role, and above its floor for CS02b
 *                                                                              -> 'replay' | 'below-floor'
 *  7. the command MAC: device KA private x ACB KA public (ACB KA cell); KDF originator = the header's
 *     (business) originator, CRA 01, its counter, recipient = this device      -> 'no-acb-key' | 'mac-mismatch'
 *  8. the originator's signature for critical commands (originator's DS cell; for CS02b anyByContingency
 *     the Root OCA's contingency key, unwrapped with the command's symmetric key) -> 'bad-signature'
 *  9. execute (stages the effect)                                              -> 'execution-refused'
 * 10. persist counter + effect in ONE commit, then answer                  -> 'storage-full'
 * A HAN-only code (PCS01/PCS02) comes from a PPMID joined by Method C, not a remote party: steps 4-7 are
 * pairing/hanOriginator.ts's (Device Log, its own counter, the MAC of the two devices' KA keys)
 *                                              -> 'not-joined' | 'role-not-authorised' | 'wrong-protection' | 'replay' | 'mac-mismatch'
 *
 * Cheap checks run before any crypto, and nothing is staged until every check has passed, so a rejected
 * command leaves every stored byte as it was except the security log, which records it (one commit of log
 * keys only; see securityLog.ts).
 *
 * What a rejection sends: no Response. GBCS gives Responses only to Commands that pass authentication and
 * authorisation; a command failing them is not acted on and is recorded in the Security Log (event codes
 * 0x8F3D Trusted Source Authentication Failure, 0x8F30 Source does not have Authority, 0x8F1E Integrity
 * check failed, 0x8F53 other) and, when it was a command addressed to this device, reported to the
 * Supplier in a Generic Critical Alert (alerts/securityAlerts.ts) whose device counter is committed with
 * the log entry: `Rejected.alert`, for the caller to send.
 * @module
 */
import type { Board } from '../../boards/board.ts';
import { bytesEqual } from '../../lib/bytes.ts';
import type { Counter64 } from '../../gbcs/counter64.ts';
import { CRA_COMMAND } from '../../gbcs/generalSigning.ts';
import { decodeMessage } from '../../gbcs/message.ts';
import type { GbcsMessage } from '../../gbcs/message.ts';
import { messageCodeInfo, roleFromNumber } from '../../gbcs/messageCodes.ts';
import type { MessageCodeInfo, Protection } from '../../gbcs/messageCodes.ts';
import { KEY_USAGE_DIGITAL_SIGNATURE, KEY_USAGE_KEY_AGREEMENT } from '../../gbcs/smki/certificate.ts';
import type { Identity } from '../state/identity.ts';
import { acceptCounter, checkCounter } from '../state/originatorCounters.ts';
import { appendLog, EVENT_AUTHENTICATION_FAILURE, EVENT_INTEGRITY_FAILURE, EVENT_NO_AUTHORITY, EVENT_OTHER_AUTH_FAILURE } from '../state/securityLog.ts';
import { StateTx } from '../state/stateTx.ts';
import { cellsForParty, readCell, ROLE_ACB } from '../state/trustAnchors.ts';
import { checkMac } from '../../gbcs/protection/protection.ts';
import { contingencyPublicKey, rootSigner, MESSAGE_CODE_CONTINGENCY } from '../credentials/contingencyAuthority.ts';
import { stageAlert } from '../alerts/alertSender.ts';
import type { AlertSpec } from '../alerts/alertSender.ts';
import { securityAlertFor } from '../alerts/securityAlerts.ts';
import type { SharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import type { CommandContext, Handler } from './commandContext.ts';
import { acceptHanCounter, hanCounterFresh, hanOriginator } from '../pairing/hanOriginator.ts';

/** The role number a HAN device's command carries in its context (not a trust-anchor role). */
export const ROLE_HAN_DEVICE = -1;

export type RejectionReason =
  | 'malformed'
  | 'not-a-command'
  | 'wrong-recipient'
  | 'unknown-message-code'
  | 'unknown-originator'
  | 'role-not-authorised'
  | 'wrong-protection'
  | 'replay'
  | 'below-floor'
  | 'no-acb-key'
  | 'mac-mismatch'
  | 'bad-signature'
  | 'execution-refused'
  | 'not-joined'
  /** Every check passed but the medium had no room for the commit: nothing stored, counter not advanced. */
  | 'storage-full';

/** Index of each reason in the security log (stable: append only). */
export const REJECTION_REASONS: RejectionReason[] = [
  'malformed', 'not-a-command', 'wrong-recipient', 'unknown-message-code', 'unknown-originator', 'role-not-authorised',
  'wrong-protection', 'replay', 'below-floor', 'no-acb-key', 'mac-mismatch', 'bad-signature', 'execution-refused', 'not-joined',
  'storage-full',
];

function eventCodeFor(r: RejectionReason): number {
  if (r === 'mac-mismatch' || r === 'bad-signature') return EVENT_AUTHENTICATION_FAILURE;
  if (r === 'role-not-authorised' || r === 'unknown-originator' || r === 'not-joined') return EVENT_NO_AUTHORITY;
  if (r === 'malformed' || r === 'wrong-protection') return EVENT_INTEGRITY_FAILURE;
  return EVENT_OTHER_AUTH_FAILURE;
}

export type { CommandContext, Execution, Handler } from './commandContext.ts';

export interface Accepted {
  ok: true;
  message: GbcsMessage;
  info: MessageCodeInfo;
  role: number;
  critical: boolean;
  content: Uint8Array;
  /** Alert frames the command raised, their counters committed with its effect (send after the response). */
  alerts: Uint8Array[];
}

export interface Rejected {
  ok: false;
  reason: RejectionReason;
  detail?: string;
  /** The security alert to send (committed with the log entry), when GBCS defines one for the refusal. */
  alert?: Uint8Array;
}

export type PipelineOutcome = Accepted | Rejected;

/** The command form a role uses: the code's main form, or its variant (CS02a/e/f, CS03A2/C). */
function formFor(info: MessageCodeInfo, role: string): { critical: boolean; command: Protection; response: Protection } | undefined {
  if (info.originators.indexOf(role as never) >= 0 && info.command && info.response) return { critical: info.critical, command: info.command, response: info.response };
  const v = info.variant;
  if (v && v.originators.indexOf(role as never) >= 0) return { critical: v.critical, command: v.command, response: v.response };
  return undefined;
}

/** The protection a message carries, checked against the required one (GBCS-FACTS "Who protects what"). */
function protectionMatches(m: GbcsMessage, required: Protection): boolean {
  const signed = m.gs.signatureForm === 'ecdsa';
  const ciphered = m.wrapper === 'ciphered';
  if (m.gs.signatureForm === 'absent') return false;
  if (required === 'mac') return ciphered && !signed;
  if (required === 'signed-and-mac') return ciphered && signed;
  // 'signed': DF with a signature; the RTDS also shows signed forms inside a DD (CS02f): then the MAC is checked too.
  if (required === 'signed') return signed;
  return false;
}

/**
 * Runs one frame through the pipeline. On acceptance the handler's effect and the new originator counter
 * are committed together; on rejection only a security-log entry is committed.
 */
export function runPipeline(board: Board, secrets: SharedSecrets, identity: Identity, frame: Uint8Array, handlerFor: (code: number) => Handler): PipelineOutcome {
  const tx = new StateTx(board.storage);
  let out = evaluate(board, secrets, tx, identity, frame, handlerFor);
  if (out.ok) {
    const specs = out.raised || [];
    for (let i = 0; i < specs.length; i++) {
      const a = stageAlert(board, secrets, tx, identity, specs[i]);
      if (a.ok) out.alerts.push(a.frame);
    }
    delete out.raised;
    if (tx.commit().ok) return out;
    // No room for the effect: refused like a command that could not be executed (no Response, logged),
    // its counter not advanced, so the same command is accepted once space is freed.
    out = reject('storage-full');
  }
  // Rejected: drop everything staged and log, in a transaction of its own.
  const logTx = new StateTx(board.storage);
  const m = decodeMessage(frame);
  const entry: { timeSec: number; eventCode: number; reason: number; messageCode: number; originator?: Uint8Array; counter?: Counter64 } = {
    timeSec: board.clock.nowSec(),
    eventCode: eventCodeFor(out.reason),
    reason: REJECTION_REASONS.indexOf(out.reason),
    messageCode: 0,
  };
  if (m.ok) {
    entry.messageCode = m.gs.messageCode;
    entry.originator = m.gs.originator;
    entry.counter = m.gs.counter;
  }
  appendLog(logTx, entry);
  let alert: Uint8Array | undefined;
  if (m.ok && m.gs.cra === CRA_COMMAND && bytesEqual(m.gs.recipient, identity.eui)) {
    const spec = securityAlertFor(logTx, out.reason, entry.timeSec, identity.kind);
    const staged = spec ? stageAlert(board, secrets, logTx, identity, spec) : undefined;
    if (staged && staged.ok) alert = staged.frame;
  }
  // A full medium may refuse the log entry too: the refusal stands, and an alert whose counter was not
  // stored is not sent.
  if (logTx.commit().ok && alert) out.alert = alert;
  return out;
}

function reject(reason: RejectionReason, detail?: string): Rejected {
  const r: Rejected = { ok: false, reason: reason };
  if (detail) r.detail = detail;
  return r;
}

function evaluate(board: Board, secrets: SharedSecrets, tx: StateTx, identity: Identity, frame: Uint8Array, handlerFor: (code: number) => Handler): (Accepted & { raised?: AlertSpec[] }) | Rejected {
  const m = decodeMessage(frame);
  if (!m.ok) return reject('malformed', m.reason + ' at ' + m.at);
  const gs = m.gs;
  if (gs.cra !== CRA_COMMAND) return reject('not-a-command');
  if (!bytesEqual(gs.recipient, identity.eui)) return reject('wrong-recipient');
  const info = messageCodeInfo(gs.messageCode);
  if (!info || !info.command) return reject('unknown-message-code');
  if (info.hanOnly) return fromHanDevice(board, secrets, tx, identity, m, info, handlerFor);
  // Originator: the remote party whose DS cell names it (every originating role has a DS cell), or, for
  // CS02b anyByContingency, the root: the Root OCA's contingency key, unwrapped with the key the command
  // carries, is what authenticates it (credentials/contingencyAuthority.ts).
  const contingency = gs.messageCode === MESSAGE_CODE_CONTINGENCY;
  // A party named by several DS cells (the ACB in the DCC-controlled state: cellsForParty) acts in the
  // first role that may send this code.
  const named = contingency ? [] : cellsForParty(tx, gs.originator, KEY_USAGE_DIGITAL_SIGNATURE);
  let signer = contingency ? rootSigner(tx) : named[0];
  if (!signer) return reject('unknown-originator');
  let roleName = roleFromNumber(signer.role);
  let form = roleName ? formFor(info, roleName) : undefined;
  for (let i = 1; !form && i < named.length; i++) {
    roleName = roleFromNumber(named[i].role);
    form = roleName ? formFor(info, roleName) : undefined;
    if (form) signer = named[i];
  }
  if (!form) return reject('role-not-authorised');
  if (!protectionMatches(m, form.command)) return reject('wrong-protection');
  const isCs02b = gs.messageCode >= 0x0100 && gs.messageCode <= 0x0109;
  // One remote party, one counter sequence: a party named by several cells (DCC-controlled) must be fresh
  // in every role it holds, and the command advances them all (so a handover cannot be replayed through
  // the party's other role once the handover has moved the cell on).
  const roles: number[] = [signer.role];
  for (let i = 0; i < named.length; i++) if (roles.indexOf(named[i].role) < 0) roles.push(named[i].role);
  for (let i = 0; i < roles.length; i++) {
    const verdict = checkCounter(tx, roles[i], gs.counter, isCs02b && roles[i] === signer.role);
    if (verdict !== 'fresh') return reject(verdict);
  }
  if (m.wrapper === 'ciphered') {
    const acbKa = readCell(tx, { role: ROLE_ACB, keyUsage: KEY_USAGE_KEY_AGREEMENT, cellUsage: 0 });
    if (!acbKa) return reject('no-acb-key');
    // KDF over the header's business originator, CRA 01, counter and recipient (= this device, checked above).
    if (!checkMac(board.crypto, secrets, identity.kaPrivate, acbKa.publicKey, m).ok) return reject('mac-mismatch');
  }
  if (m.signature) {
    let key = signer.publicKey;
    if (contingency) {
      const k = contingencyPublicKey(board.crypto, signer, m.content);
      if (!k.ok) return reject('bad-signature', 'contingency key: ' + k.reason);
      key = k.publicKey;
    }
    if (!board.crypto.p256Verify(key, m.signed, m.signature)) return reject('bad-signature');
  }
  // The counter is staged before the handler runs, so a handler that installs a new party in this role
  // (CS02b) can set that party's counter to its floor in the same commit.
  for (let i = 0; i < roles.length; i++) acceptCounter(tx, roles[i], gs.counter);
  const ctx: CommandContext = { board: board, secrets: secrets, tx: tx, identity: identity, message: m, info: info, role: signer.role, critical: form.critical };
  const exec = handlerFor(gs.messageCode)(ctx);
  if (!exec.ok) return reject(exec.reason || 'execution-refused', exec.detail);
  const accepted: Accepted & { raised?: AlertSpec[] } = { ok: true, message: m, info: info, role: signer.role, critical: form.response === 'signed', content: exec.content, alerts: [] };
  if (exec.alerts) accepted.raised = exec.alerts;
  return accepted;
}

/** A command from a joined HAN device (module header; pairing/hanOriginator.ts). */
function fromHanDevice(board: Board, secrets: SharedSecrets, tx: StateTx, identity: Identity, m: GbcsMessage, info: MessageCodeInfo, handlerFor: (code: number) => Handler): Accepted | Rejected {
  const gs = m.gs;
  const h = hanOriginator(tx, gs.originator, gs.messageCode);
  if (!h.ok) return reject(h.reason);
  if (!protectionMatches(m, 'mac')) return reject('wrong-protection');
  if (!hanCounterFresh(tx, gs.originator, gs.counter)) return reject('replay');
  if (!checkMac(board.crypto, secrets, identity.kaPrivate, h.entry.kaPublicKey as Uint8Array, m).ok) return reject('mac-mismatch');
  acceptHanCounter(tx, gs.originator, gs.counter);
  const exec = handlerFor(gs.messageCode)({ board: board, secrets: secrets, tx: tx, identity: identity, message: m, info: info, role: ROLE_HAN_DEVICE, critical: false });
  if (!exec.ok) return reject(exec.reason || 'execution-refused', exec.detail);
  return { ok: true, message: m, info: info, role: ROLE_HAN_DEVICE, critical: false, content: exec.content, alerts: [] };
}
