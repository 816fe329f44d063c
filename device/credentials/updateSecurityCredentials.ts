/**
 * CS02b Update Security Credentials (GBCS §12.2 / GBCS-FACTS "Device rules"): a remote party replaces
 * trust-anchor cells. The command and response layouts are gbcs/contents/cs02b.ts; this is the behaviour.
 *
 * Rules enforced: the mode is the message code's (0x0100 + mode); the sequence number equals the header
 * counter; an authorising cell, when named, is the originator's; each target cell is one the mode may
 * replace (supplierBySupplier/supplierByTransCoS: supplier cells; networkOperator, ACB, WAN provider,
 * TransCoS: their own; recovery: any but root); each replacement certificate is for that cell (role, key
 * usage, the device's SMKI environment) and is signed by an issuing CA in certificationPathCertificates
 * whose own signature verifies with the root cell's key (or which is the root cell's key itself).
 * Each replacement that passes its checks is applied, the others report why (see execute); everything the
 * command changes is one commit with the counter and floors.
 * Status codes: 0 success, 5 bad certificate, 10 no trust anchor (path does not reach the root),
 * 25 trust anchor (cell) not found, 127 other (the mode may not replace that cell).
 * Future-dated execution (GBCS CS02b executionDateTime; RTDS 6.23_CS02bSupplierByTransCoS): the response
 * is SEQUENCE { NULL } and the command is kept as the pending action 'cs02b' (state/pendingActions.ts;
 * a later one replaces it); when due (pipeline/futureDated.ts) it is executed as above and the 0x00CB
 * alert goes to the command's originator: { 0x8F66 when every replacement succeeded, else 0x8F67,
 * the execution date-time, the executionOutcome } (alerts/alertContent.ts). 99991231235959Z cancels
 * what is pending (response SEQUENCE { NULL }).
 * Contingency (mode 9): authenticated by the root's unwrapped contingency key (contingencyAuthority.ts), it
 * may replace every cell, the root included; a new root must be self-signed and the other replacements'
 * paths must reach it. [0] plaintextSymmetricKey is required in mode 9 and refused in any other.
 * @module
 */
import { bytesEqual, concatBytes } from '../../lib/bytes.ts';
import { compareCounters, counterToBytes, counterFromBytes, COUNTER_ZERO } from '../../gbcs/counter64.ts';
import type { Counter64 } from '../../gbcs/counter64.ts';
import { encodeCs02bResponse, encodeExecutionOutcome, readCs02bCommand, replacementModeFor, STATUS_BAD_CERTIFICATE, STATUS_NO_TRUST_ANCHOR, STATUS_OTHER, STATUS_SUCCESS, STATUS_TRUST_ANCHOR_NOT_FOUND } from '../../gbcs/contents/cs02b.ts';
import type { Cs02bCommand, ReplacementOutcome, SeqNumberChange } from '../../gbcs/contents/cs02b.ts';
import type { CommandContext, Execution } from '../pipeline/commandContext.ts';
import type { DueContext } from '../pipeline/futureDated.ts';
import type { Board } from '../../boards/board.ts';
import type { AlertSpec } from '../alerts/alertSender.ts';
import { futureDatedCredentialsAlert, MESSAGE_CODE_FUTURE_DATED_CREDENTIALS_ALERT } from '../../gbcs/contents/alerts.ts';
import { CANCEL_TIME, timeToSeconds } from '../../gbcs/dateTime.ts';
import type { Identity } from '../state/identity.ts';
import { cancelPending, readPending, schedulePending } from '../state/pendingActions.ts';
import type { StateTx } from '../state/stateTx.ts';
import { readCertificate, issuedBy, KEY_USAGE_DIGITAL_SIGNATURE } from '../../gbcs/smki/certificate.ts';
import type { Certificate } from '../../gbcs/smki/certificate.ts';
import { resetForNewParty, setFloor } from '../state/originatorCounters.ts';
import { cellForParty, cellFromCertificate, findCell, readCell, writeCell, ROLE_ROOT, ROLE_SUPPLIER, ROLE_NETWORK_OPERATOR, ROLE_ACB, ROLE_WAN_PROVIDER, ROLE_TRANSCOS, KEY_USAGE_KEY_CERT_SIGN_CELL } from '../state/trustAnchors.ts';
import type { CellId, TrustAnchorCell } from '../state/trustAnchors.ts';

/** The pending-action kind of a future-dated CS02b. */
export const PENDING_CS02B = 'cs02b';

/** Roles whose cells each mode may replace (GBCS CS02b credentialsReplacementMode). */
function mayReplace(mode: number, role: number): boolean {
  if (mode === 2 || mode === 7) return role === ROLE_SUPPLIER;
  if (mode === 3) return role === ROLE_NETWORK_OPERATOR;
  if (mode === 4) return role === ROLE_ACB;
  if (mode === 5) return role === ROLE_WAN_PROVIDER;
  if (mode === 6) return role === ROLE_TRANSCOS;
  if (mode === 8) return role !== ROLE_ROOT;
  if (mode === 9) return true;
  return false;
}

/** Whether `cert` chains through one of `path` to the root cell (GBCS certification path validation). */
function pathReachesRoot(verify: (p: Uint8Array, m: Uint8Array, s: Uint8Array) => boolean, cert: Certificate, path: Uint8Array[], root: TrustAnchorCell | undefined): boolean {
  if (!root) return false;
  for (let i = 0; i < path.length; i++) {
    const ca = readCertificate(path[i]);
    if (!ca.ok || !ca.certificate.subjectKeyId) continue;
    const c = ca.certificate;
    if ((c.keyUsage & KEY_USAGE_KEY_CERT_SIGN_CELL) === 0) continue;
    if (!issuedBy(verify, cert, c.publicKey, c.subjectKeyId)) continue;
    if (bytesEqual(c.publicKey, root.publicKey)) return true;
    if (issuedBy(verify, c, root.publicKey, root.subjectKeyId)) return true;
  }
  return false;
}

const ZERO8 = new Uint8Array(8);
const ROOT_CELL: CellId = { role: ROLE_ROOT, keyUsage: KEY_USAGE_KEY_CERT_SIGN_CELL, cellUsage: 0 };

/**
 * Checks one replacement against `root` (the root cell its certification path must reach); the new cell
 * when it passes. A new Root OCA certificate (contingency only) must be self-signed.
 */
function checkReplacement(board: Board, env: Identity['environment'], cmd: Cs02bCommand, rep: { certificate: Uint8Array; cell: CellId }, root: TrustAnchorCell | undefined): { status: number; cell?: TrustAnchorCell } {
  if (!findCell(rep.cell)) return { status: STATUS_TRUST_ANCHOR_NOT_FOUND };
  if (!mayReplace(cmd.mode, rep.cell.role)) return { status: STATUS_OTHER };
  const loaded = cellFromCertificate(rep.cell, rep.certificate, env);
  if (!loaded.ok) return { status: STATUS_BAD_CERTIFICATE };
  const c = loaded.certificate;
  const reaches = rep.cell.role === ROLE_ROOT ? issuedBy(board.crypto.p256Verify, c, c.publicKey, c.subjectKeyId) : pathReachesRoot(board.crypto.p256Verify, c, cmd.path, root);
  if (!reaches) return { status: STATUS_NO_TRUST_ANCHOR };
  return { status: STATUS_SUCCESS, cell: loaded.cell };
}

/**
 * Applies (stages) a parsed CS02b; returns the executionOutcome DER and whether every replacement succeeded.
 * Each replacement stands on its own: those that pass their checks are applied, the others keep their cell
 * and report why (the RTDS NA_CS02bAnyByContingency error response: one cell 10 no trust anchor, the rest
 * 0 with their new subject key ids). A new root (contingency) is checked first, and the other replacements'
 * certification paths must reach it, so one command can replace the root and what it issued.
 */
function execute(board: Board, tx: StateTx, identity: Identity, cmd: Cs02bCommand): { outcome: Uint8Array; allOk: boolean } {
  const env = identity.environment;
  let root = readCell(tx, ROOT_CELL);
  const checked: Array<{ status: number; cell?: TrustAnchorCell }> = [];
  for (let i = 0; i < cmd.replacements.length; i++) {
    if (cmd.replacements[i].cell.role !== ROLE_ROOT) continue;
    checked[i] = checkReplacement(board, env, cmd, cmd.replacements[i], root);
    const newRoot = checked[i].cell;
    if (newRoot) root = newRoot;
  }
  const outcomes: ReplacementOutcome[] = [];
  const newCells: TrustAnchorCell[] = [];
  let allOk = true;
  for (let i = 0; i < cmd.replacements.length; i++) {
    const rep = cmd.replacements[i];
    const existing = readCell(tx, rep.cell);
    const c = checked[i] || checkReplacement(board, env, cmd, rep, root);
    outcomes.push({
      cell: rep.cell, status: c.status,
      existingUid: existing ? existing.subjectUniqueId : ZERO8, existingSki: existing ? existing.subjectKeyId : ZERO8,
      replacingUid: c.cell ? c.cell.subjectUniqueId : ZERO8, replacingSki: c.cell ? c.cell.subjectKeyId : ZERO8,
    });
    if (c.cell) newCells.push(c.cell);
    else allOk = false;
  }
  // Floors: [4] applies to the roles being replaced; a new party in a role starts at its floor.
  const changes: SeqNumberChange[] = [];
  const replacedRoles: number[] = [];
  for (let i = 0; i < newCells.length; i++) {
    const c = newCells[i];
    if (replacedRoles.indexOf(c.role) < 0) {
      replacedRoles.push(c.role);
      const existing = readCell(tx, c);
      const floor = cmd.floor || floorFromOthers(cmd, c.role) || COUNTER_ZERO;
      if (!existing || !bytesEqual(existing.subjectUniqueId, c.subjectUniqueId)) resetForNewParty(tx, c.role, floor);
      else if (cmd.floor) setFloor(tx, c.role, floor);
      if (cmd.floor) changes.push(cmd.specialist ? { role: c.role, floor: floor, specialist: cmd.specialist } : { role: c.role, floor: floor });
    }
    writeCell(tx, c);
  }
  for (let i = 0; i < cmd.otherFloors.length; i++) {
    const f = cmd.otherFloors[i];
    if (replacedRoles.indexOf(f.role) < 0) setFloor(tx, f.role, f.floor);
    changes.push(f);
  }
  return { outcome: encodeExecutionOutcome({ seq: cmd.seq, mode: cmd.mode, changes: changes, replacements: outcomes }), allOk: allOk };
}

function floorFromOthers(cmd: Cs02bCommand, role: number): Counter64 | undefined {
  for (let i = 0; i < cmd.otherFloors.length; i++) if (cmd.otherFloors[i].role === role) return cmd.otherFloors[i].floor;
  return undefined;
}

/**
 * Whether the named authorising cell is a DS cell holding the key the originator's signature was checked
 * with (GBCS CS02b authorisingRemotePartyTACellIdentifier: the cell whose key authorises). Not "the cell
 * of the originator's role": at a DCC-controlled handover (RTDS 6.21 SupplierBySupplierHandover) the ACB
 * signs a supplierBySupplier CS02b naming the Supplier DS cell, which then holds the ACB's certificate
 * (the response's existing subject is 90B3D51F30000002).
 */
function authorisedBy(ctx: CommandContext, cellId: CellId): boolean {
  if (cellId.keyUsage !== KEY_USAGE_DIGITAL_SIGNATURE) return false;
  const named = readCell(ctx.tx, cellId);
  const signer = cellForParty(ctx.tx, ctx.message.gs.originator, KEY_USAGE_DIGITAL_SIGNATURE);
  return !!named && !!signer && bytesEqual(named.subjectUniqueId, ctx.message.gs.originator) && bytesEqual(named.publicKey, signer.publicKey);
}

/** Contingency's authority is the root cell's (credentials/contingencyAuthority.ts). */
function isRootCell(c: CellId): boolean {
  return c.role === ROOT_CELL.role && c.keyUsage === ROOT_CELL.keyUsage && c.cellUsage === ROOT_CELL.cellUsage;
}

/** The CS02b handler (message codes 0x0102..0x0109). */
export function updateSecurityCredentials(ctx: CommandContext): Execution {
  const gs = ctx.message.gs;
  const cmd = readCs02bCommand(ctx.message.content);
  if (!cmd) return { ok: false, detail: 'CS02b content is not a well-formed UpdateSecurityCredentials' };
  if (cmd.mode !== replacementModeFor(gs.messageCode)) return { ok: false, detail: 'mode ' + cmd.mode + ' does not match message code' };
  if ((cmd.mode === 9) !== !!cmd.plaintextSymmetricKey) return { ok: false, detail: 'plaintextSymmetricKey belongs to, and only to, contingency mode' };
  if (compareCounters(cmd.seq, gs.counter) !== 0) return { ok: false, detail: 'sequence number differs from the originator counter' };
  if (cmd.authorisingCell && !(cmd.mode === 9 ? isRootCell(cmd.authorisingCell) : authorisedBy(ctx, cmd.authorisingCell))) return { ok: false, detail: 'authorising cell does not hold the originator\'s DS key' };
  if (cmd.executionTime === CANCEL_TIME) {
    cancelPending(ctx.tx, PENDING_CS02B);
    return { ok: true, content: encodeCs02bResponse() };
  }
  if (cmd.executionTime && timeToSeconds(cmd.executionTime) > ctx.board.clock.nowSec()) {
    // Held until due: who authorised it (role, counter, originator for the alert) and the content.
    schedulePending(ctx.tx, PENDING_CS02B, timeToSeconds(cmd.executionTime), concatBytes([new Uint8Array([ctx.role]), counterToBytes(gs.counter), gs.originator, ctx.message.content]));
    return { ok: true, content: encodeCs02bResponse() };
  }
  return { ok: true, content: encodeCs02bResponse(execute(ctx.board, ctx.tx, ctx.identity, cmd).outcome) };
}

/** The future-dated CS02b waiting, if any: its authorising role, counter, originator, content and time. */
export function pendingCs02b(s: { read(k: string): Uint8Array | undefined }): { role: number; counter: Counter64; originator: Uint8Array; content: Uint8Array; executionTime: string } | undefined {
  const p = readPending(s, PENDING_CS02B);
  if (!p || p.data.length < 17) return undefined;
  const b = p.data;
  const content = b.subarray(17);
  const cmd = readCs02bCommand(content);
  if (!cmd || !cmd.executionTime) return undefined;
  return { role: b[0], counter: counterFromBytes(b, 1), originator: b.subarray(9, 17), content: content, executionTime: cmd.executionTime };
}

/**
 * The executor of a due future-dated CS02b (pipeline/futureDated.ts): stages the replacement as an
 * immediate CS02b would and returns the 0x00CB alert to the command's originator.
 */
export function executeDueCs02b(ctx: DueContext): AlertSpec[] {
  const p = pendingCs02b(ctx.tx);
  if (!p) return [];
  const cmd = readCs02bCommand(p.content) as Cs02bCommand;
  const r = execute(ctx.board, ctx.tx, ctx.identity, cmd);
  return [{ messageCode: MESSAGE_CODE_FUTURE_DATED_CREDENTIALS_ALERT, recipient: new Uint8Array(p.originator), content: futureDatedCredentialsAlert(r.allOk, p.executionTime, r.outcome) }];
}
