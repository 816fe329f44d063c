/**
 * CS02b Update Security Credentials (GBCS §12.2 / GBCS-FACTS "Device rules"): a remote party replaces
 * trust-anchor cells. The command (ASN.1 DER) is
 *   SEQUENCE { authorisingRemotePartyControl SEQUENCE { credentialsReplacementMode INTEGER,
 *                [0] plaintextSymmetricKey OPTIONAL, [1] applyTimeBasedCPVChecks OPTIONAL,
 *                [2] authorisingRemotePartyTACellIdentifier OPTIONAL, [3] authorisingRemotePartySeqNumber,
 *                [4] newRemotePartyFloorSeqNumber OPTIONAL, [5] specialist floors OPTIONAL,
 *                [6] otherRemotePartySeqNumberChanges OPTIONAL },
 *              replacements SEQUENCE OF { certificate, targetTACellIdentifier },
 *              certificationPathCertificates SEQUENCE OF Certificate,
 *              executionDateTime GeneralizedTime OPTIONAL }
 * and the response SEQUENCE { NULL commandAccepted, executionOutcome SEQUENCE { seqNumber, mode,
 * remotePartySeqNumberChanges, replacementOutcomes SEQUENCE OF { cell, StatusCode, existing subject
 * unique id, existing subject key id, replacing subject unique id, replacing subject key id } } OPTIONAL }.
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
import { counterToBytes, counterFromBytes, COUNTER_ZERO } from '../../gbcs/counter64.ts';
import type { Counter64 } from '../../gbcs/counter64.ts';
import { derNull, derOctetString, derSequence, derSmallInteger, derTlv, derUnsignedInteger, readChildren, readSmallInteger, readTime, readTlv, readUnsignedInteger, readBitString, TAG_ENUMERATED, TAG_GENERALIZED_TIME, TAG_SEQUENCE } from '../../gbcs/der.ts';
import type { Tlv } from '../../gbcs/der.ts';
import type { CommandContext, Execution } from '../pipeline/commandPipeline.ts';
import type { DueContext } from '../pipeline/futureDated.ts';
import type { Board } from '../../boards/board.ts';
import type { AlertSpec } from '../alerts/alertSender.ts';
import { futureDatedCredentialsAlert, MESSAGE_CODE_FUTURE_DATED_CREDENTIALS_ALERT } from '../../gbcs/contents/alerts.ts';
import { CANCEL_TIME, timeToSeconds } from '../../gbcs/dateTime.ts';
import type { Identity } from '../state/identity.ts';
import { cancelPending, readPending, schedulePending } from '../state/pendingActions.ts';
import type { StateTx } from '../state/stateTx.ts';
import { readCertificate, issuedBy, KEY_USAGE_DIGITAL_SIGNATURE } from '../../gbcs/smki/certificate.ts';
import { keyUsageBitString } from './deviceCredentials.ts';
import type { Certificate } from '../../gbcs/smki/certificate.ts';
import { resetForNewParty, setFloor } from '../state/originatorCounters.ts';
import { cellForParty, cellFromCertificate, findCell, readCell, writeCell, ROLE_ROOT, ROLE_SUPPLIER, ROLE_NETWORK_OPERATOR, ROLE_ACB, ROLE_WAN_PROVIDER, ROLE_TRANSCOS, KEY_USAGE_KEY_CERT_SIGN_CELL } from '../state/trustAnchors.ts';
import type { CellId, TrustAnchorCell } from '../state/trustAnchors.ts';

export const STATUS_SUCCESS = 0;
export const STATUS_BAD_CERTIFICATE = 5;
export const STATUS_NO_TRUST_ANCHOR = 10;
export const STATUS_TRUST_ANCHOR_NOT_FOUND = 25;
export const STATUS_OTHER = 127;

/** The pending-action kind of a future-dated CS02b. */
export const PENDING_CS02B = 'cs02b';

interface Replacement {
  der: Uint8Array;
  cell: CellId;
}

interface Cs02bCommand {
  mode: number;
  /** [0] plaintextSymmetricKey: contingency mode only, the key that unwraps the root's contingency key. */
  plaintextSymmetricKey?: Uint8Array;
  authorisingCell?: CellId;
  seq: Uint8Array;
  floor?: Counter64;
  /** [5] specialist floors, as a SEQUENCE OF (echoed in the outcome's change for the replaced role). */
  specialist?: Uint8Array;
  otherFloors: { role: number; floor: Counter64; specialist?: Uint8Array }[];
  replacements: Replacement[];
  path: Uint8Array[];
  executionTime?: string;
}

function kids(b: Uint8Array, t: Tlv): Tlv[] | undefined {
  const c = readChildren(b, t);
  return c instanceof Array ? c : undefined;
}

function counterOf(b: Uint8Array, t: Tlv): Counter64 | undefined {
  const m = readUnsignedInteger(b, t);
  if (!(m instanceof Uint8Array) || m.length > 8) return undefined;
  const eight = new Uint8Array(8);
  eight.set(m, 8 - m.length);
  return counterFromBytes(eight, 0);
}

function readCellId(b: Uint8Array, t: Tlv): CellId | undefined {
  const p = kids(b, t);
  if (!p || p.length < 2 || p.length > 3) return undefined;
  const role = readSmallInteger(b, p[0]);
  const bits = readBitString(b, p[1]);
  if (typeof role !== 'number' || 'ok' in bits || bits.bytes.length !== 1) return undefined;
  let usage = 0;
  if (p.length === 3) {
    const u = readSmallInteger(b, p[2]);
    if (typeof u !== 'number') return undefined;
    usage = u;
  }
  return { role: role, keyUsage: bits.bytes[0], cellUsage: usage };
}

/** Parses the command content; undefined when it is not a well-formed CS02b body. */
export function readCs02b(b: Uint8Array): Cs02bCommand | undefined {
  const top = readTlv(b, 0, b.length);
  if (!top.ok || top.tag !== TAG_SEQUENCE || top.end !== b.length) return undefined;
  const parts = kids(b, top);
  if (!parts || parts.length < 3 || parts.length > 4) return undefined;
  const ctl = kids(b, parts[0]);
  if (!ctl || ctl.length < 2) return undefined;
  const mode = readSmallInteger(b, ctl[0]);
  if (typeof mode !== 'number') return undefined;
  const out: Cs02bCommand = { mode: mode, seq: new Uint8Array(0), otherFloors: [], replacements: [], path: [] };
  let seen = false;
  for (let i = 1; i < ctl.length; i++) {
    const t = ctl[i];
    if (t.tag === 0xa2) {
      const c = readCellId(b, t);
      if (!c) return undefined;
      out.authorisingCell = c;
    } else if (t.tag === 0x83) {
      const m = readUnsignedInteger(b, t);
      if (!(m instanceof Uint8Array)) return undefined;
      out.seq = m;
      seen = true;
    } else if (t.tag === 0x84) {
      const f = counterOf(b, t);
      if (!f) return undefined;
      out.floor = f;
    } else if (t.tag === 0xa6) {
      const changes = kids(b, t);
      if (!changes) return undefined;
      for (let j = 0; j < changes.length; j++) {
        const ch = kids(b, changes[j]);
        if (!ch || ch.length < 2) return undefined;
        const role = readSmallInteger(b, ch[0]);
        const floor = counterOf(b, ch[1]);
        if (typeof role !== 'number' || !floor || ch.length > 3 || (ch.length === 3 && ch[2].tag !== TAG_SEQUENCE)) return undefined;
        const f: { role: number; floor: Counter64; specialist?: Uint8Array } = { role: role, floor: floor };
        if (ch.length === 3) f.specialist = b.subarray(ch[2].start, ch[2].end);
        out.otherFloors.push(f);
      }
    } else if (t.tag === 0xa5) {
      if (!kids(b, t)) return undefined;
      out.specialist = derSequence([b.subarray(t.valueStart, t.end)]);
    } else if (t.tag === 0x80) {
      out.plaintextSymmetricKey = b.subarray(t.valueStart, t.end);
    } else if (t.tag !== 0x81) {
      return undefined;
    }
  }
  if (!seen) return undefined;
  const reps = kids(b, parts[1]);
  if (!reps || reps.length === 0) return undefined;
  for (let i = 0; i < reps.length; i++) {
    const r = kids(b, reps[i]);
    if (!r || r.length !== 2) return undefined;
    const cell = readCellId(b, r[1]);
    if (!cell) return undefined;
    out.replacements.push({ der: b.subarray(r[0].start, r[0].end), cell: cell });
  }
  const path = kids(b, parts[2]);
  if (!path) return undefined;
  for (let i = 0; i < path.length; i++) out.path.push(b.subarray(path[i].start, path[i].end));
  if (parts.length === 4) {
    if (parts[3].tag !== TAG_GENERALIZED_TIME) return undefined;
    const time = readTime(b, parts[3]);
    if (typeof time !== 'string') return undefined;
    out.executionTime = time;
  }
  return out;
}

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

function encodeCellId(c: CellId): Uint8Array {
  const parts = [derSmallInteger(c.role), keyUsageBitString(c.keyUsage)];
  if (c.cellUsage !== 0) parts.push(derSmallInteger(c.cellUsage));
  return derSequence(parts);
}

interface Outcome {
  cell: CellId;
  status: number;
  oldUid: Uint8Array;
  oldSki: Uint8Array;
  newUid: Uint8Array;
  newSki: Uint8Array;
}

const ZERO8 = new Uint8Array(8);
const ROOT_CELL: CellId = { role: ROLE_ROOT, keyUsage: KEY_USAGE_KEY_CERT_SIGN_CELL, cellUsage: 0 };

/**
 * Checks one replacement against `root` (the root cell its certification path must reach); the new cell
 * when it passes. A new Root OCA certificate (contingency only) must be self-signed.
 */
function checkReplacement(board: Board, env: Identity['environment'], cmd: Cs02bCommand, rep: Replacement, root: TrustAnchorCell | undefined): { status: number; cell?: TrustAnchorCell } {
  if (!findCell(rep.cell)) return { status: STATUS_TRUST_ANCHOR_NOT_FOUND };
  if (!mayReplace(cmd.mode, rep.cell.role)) return { status: STATUS_OTHER };
  const loaded = cellFromCertificate(rep.cell, rep.der, env);
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
  const outcomes: Outcome[] = [];
  const newCells: TrustAnchorCell[] = [];
  let allOk = true;
  for (let i = 0; i < cmd.replacements.length; i++) {
    const rep = cmd.replacements[i];
    const existing = readCell(tx, rep.cell);
    const c = checked[i] || checkReplacement(board, env, cmd, rep, root);
    outcomes.push({
      cell: rep.cell, status: c.status,
      oldUid: existing ? existing.subjectUniqueId : ZERO8, oldSki: existing ? existing.subjectKeyId : ZERO8,
      newUid: c.cell ? c.cell.subjectUniqueId : ZERO8, newSki: c.cell ? c.cell.subjectKeyId : ZERO8,
    });
    if (c.cell) newCells.push(c.cell);
    else allOk = false;
  }
  // Floors: [4] applies to the roles being replaced; a new party in a role starts at its floor.
  const changes: Uint8Array[] = [];
  const replacedRoles: number[] = [];
  for (let i = 0; i < newCells.length; i++) {
    const c = newCells[i];
    if (replacedRoles.indexOf(c.role) < 0) {
      replacedRoles.push(c.role);
      const existing = readCell(tx, c);
      const floor = cmd.floor || floorFromOthers(cmd, c.role) || COUNTER_ZERO;
      if (!existing || !bytesEqual(existing.subjectUniqueId, c.subjectUniqueId)) resetForNewParty(tx, c.role, floor);
      else if (cmd.floor) setFloor(tx, c.role, floor);
      if (cmd.floor) changes.push(seqNumberChange(c.role, floor, cmd.specialist));
    }
    writeCell(tx, c);
  }
  for (let i = 0; i < cmd.otherFloors.length; i++) {
    const f = cmd.otherFloors[i];
    if (replacedRoles.indexOf(f.role) < 0) setFloor(tx, f.role, f.floor);
    changes.push(seqNumberChange(f.role, f.floor, f.specialist));
  }
  const rows: Uint8Array[] = [];
  for (let i = 0; i < outcomes.length; i++) {
    const o = outcomes[i];
    rows.push(derSequence([encodeCellId(o.cell), derTlv(TAG_ENUMERATED, [new Uint8Array([o.status])]), derOctetString(o.oldUid), derOctetString(o.oldSki), derOctetString(o.newUid), derOctetString(o.newSki)]));
  }
  return { outcome: derSequence([derUnsignedInteger(cmd.seq), derSmallInteger(cmd.mode), derSequence(changes), derSequence(rows)]), allOk: allOk };
}

/**
 * One remotePartySeqNumberChange of the outcome: { role, new floor [, specialist floors] }, the specialist
 * floors echoed as the command gave them (RTDS 6.21 handover [4]+[5] and 6.23 [6] responses).
 */
function seqNumberChange(role: number, floor: Counter64, specialist?: Uint8Array): Uint8Array {
  const parts = [derSmallInteger(role), derUnsignedInteger(counterToBytes(floor))];
  if (specialist) parts.push(specialist);
  return derSequence(parts);
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
  const cmd = readCs02b(ctx.message.content);
  if (!cmd) return { ok: false, detail: 'CS02b content is not a well-formed UpdateSecurityCredentials' };
  if (cmd.mode !== gs.messageCode - 0x0100) return { ok: false, detail: 'mode ' + cmd.mode + ' does not match message code' };
  if ((cmd.mode === 9) !== !!cmd.plaintextSymmetricKey) return { ok: false, detail: 'plaintextSymmetricKey belongs to, and only to, contingency mode' };
  const seq = new Uint8Array(8);
  if (cmd.seq.length > 8) return { ok: false, detail: 'sequence number too long' };
  seq.set(cmd.seq, 8 - cmd.seq.length);
  if (!bytesEqual(seq, counterToBytes(gs.counter))) return { ok: false, detail: 'sequence number differs from the originator counter' };
  if (cmd.authorisingCell && !(cmd.mode === 9 ? isRootCell(cmd.authorisingCell) : authorisedBy(ctx, cmd.authorisingCell))) return { ok: false, detail: 'authorising cell does not hold the originator\'s DS key' };
  if (cmd.executionTime === CANCEL_TIME) {
    cancelPending(ctx.tx, PENDING_CS02B);
    return { ok: true, content: derSequence([derNull()]) };
  }
  if (cmd.executionTime && timeToSeconds(cmd.executionTime) > ctx.board.clock.nowSec()) {
    // Held until due: who authorised it (role, counter, originator for the alert) and the content.
    schedulePending(ctx.tx, PENDING_CS02B, timeToSeconds(cmd.executionTime), concatBytes([new Uint8Array([ctx.role]), counterToBytes(gs.counter), gs.originator, ctx.message.content]));
    return { ok: true, content: derSequence([derNull()]) };
  }
  return { ok: true, content: derSequence([derNull(), execute(ctx.board, ctx.tx, ctx.identity, cmd).outcome]) };
}

/** The future-dated CS02b waiting, if any: its authorising role, counter, originator, content and time. */
export function pendingCs02b(s: { read(k: string): Uint8Array | undefined }): { role: number; counter: Counter64; originator: Uint8Array; content: Uint8Array; executionTime: string } | undefined {
  const p = readPending(s, PENDING_CS02B);
  if (!p || p.data.length < 17) return undefined;
  const b = p.data;
  const content = b.subarray(17);
  const cmd = readCs02b(content);
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
  const cmd = readCs02b(p.content) as Cs02bCommand;
  const r = execute(ctx.board, ctx.tx, ctx.identity, cmd);
  return [{ messageCode: MESSAGE_CODE_FUTURE_DATED_CREDENTIALS_ALERT, recipient: new Uint8Array(p.originator), content: futureDatedCredentialsAlert(r.allOk, p.executionTime, r.outcome) }];
}
