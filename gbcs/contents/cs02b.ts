/**
 * CS02b Update Security Credentials content (GBCS §12.2; ASN.1 DER, GBCS-FACTS "Device rules"), the
 * command the DCC and remote parties write and the device reads, and the response (and its
 * executionOutcome, which the 0x00CB alert carries too) the device writes and the DCC reads:
 * ```
 * command  SEQUENCE { authorisingRemotePartyControl SEQUENCE { credentialsReplacementMode INTEGER,
 *              [0] plaintextSymmetricKey OPTIONAL, [1] applyTimeBasedCPVChecks OPTIONAL,
 *              [2] authorisingRemotePartyTACellIdentifier OPTIONAL, [3] authorisingRemotePartySeqNumber,
 *              [4] newRemotePartyFloorSeqNumber OPTIONAL, [5] specialist floors OPTIONAL,
 *              [6] otherRemotePartySeqNumberChanges OPTIONAL },
 *            replacements SEQUENCE OF SEQUENCE { certificate, targetTACellIdentifier },
 *            certificationPathCertificates SEQUENCE OF Certificate,
 *            executionDateTime GeneralizedTime OPTIONAL }
 * TACellIdentifier = SEQUENCE { role INTEGER, keyUsage BIT STRING, cellUsage INTEGER OPTIONAL (0 absent) }
 * response SEQUENCE { commandAccepted NULL, executionOutcome OPTIONAL }   -- absent: future-dated, cancelled
 * executionOutcome SEQUENCE { seqNumber INTEGER, mode INTEGER,
 *            remotePartySeqNumberChanges SEQUENCE OF SEQUENCE { role, floor, specialist floors OPTIONAL },
 *            replacementOutcomes SEQUENCE OF SEQUENCE { cell, StatusCode ENUMERATED, existing subject
 *              unique id, existing subject key id, replacing subject unique id, replacing subject key id } }
 * ```
 * The command is read as strict DER; the response and outcome (what a device writes) with BER lengths
 * allowed (der.ts LengthRule; RTDS 6.15.1, 6.21, 6.23 responses use the long form), and written as DER.
 * credentialsReplacementMode = message code - 0x0100. Status codes: 0 success, 5 bad certificate, 10 no
 * trust anchor (the path does not reach the root), 25 trust anchor (cell) not found, 127 other. Portable.
 * @module
 */
import { counterFromBytes, counterToBytes } from '../counter64.ts';
import type { Counter64 } from '../counter64.ts';
import { derGeneralizedTime, derNull, derOctetString, derSequence, derSmallInteger, derTlv, derUnsignedInteger, readBitString, readChildren, readSmallInteger, readTime, readTlv, readUnsignedInteger, TAG_ENUMERATED, TAG_GENERALIZED_TIME, TAG_NULL, TAG_OCTET_STRING, TAG_SEQUENCE, valueOf } from '../der.ts';
import type { LengthRule, Tlv } from '../der.ts';
import { keyUsageBitString } from '../smki/certificate.ts';

/** credentialsReplacementMode (GBCS CS02b; message code 0x0100 + mode). */
export const MODE = {
  supplierBySupplier: 2,
  networkOperatorByNetworkOperator: 3,
  acbByAcb: 4,
  wanProviderByWanProvider: 5,
  transCoSByTransCoS: 6,
  supplierByTransCoS: 7,
  anyExceptAbnormalRootByRecovery: 8,
  anyByContingency: 9,
  /**
   * CS02g Update Load Controller Security Credentials (message code 0x0126) carries this same content with
   * mode 11: RTDS 4.5.0 6.15.1_CS02gLoadControllerBySupplier. The name is the RTDS folder's; modes 10 and
   * 12+ (and message codes 0x0125, 0x0127) are UNCONFIRMED.
   */
  loadControllerBySupplier: 11,
};

/** The credentialsReplacementMode a message code's content must carry, or undefined for other codes. */
export function replacementModeFor(messageCode: number): number | undefined {
  if (messageCode >= 0x0100 && messageCode <= 0x0109) return messageCode - 0x0100;
  if (messageCode === 0x0126) return MODE.loadControllerBySupplier;
  return undefined;
}

export const STATUS_SUCCESS = 0;
export const STATUS_BAD_CERTIFICATE = 5;
export const STATUS_NO_TRUST_ANCHOR = 10;
export const STATUS_TRUST_ANCHOR_NOT_FOUND = 25;
export const STATUS_OTHER = 127;

/** A trust-anchor cell identifier: role (0 root, 1 recovery, 2 supplier, ...), key usage bits, cell usage. */
export interface TaCellId {
  role: number;
  /** The KeyUsage bits as in the certificate: 0x80 digitalSignature, 0x08 keyAgreement, 0x04 keyCertSign. */
  keyUsage: number;
  /** 0 management, 1 prepayment. */
  cellUsage: number;
}

/** One remotePartySeqNumberChange: a role's new floor and, when given, its specialist floors (DER SEQUENCE). */
export interface SeqNumberChange {
  role: number;
  floor: Counter64;
  specialist?: Uint8Array;
}

export interface Cs02bCommand {
  mode: number;
  /** [0]: contingency mode only, the key that unwraps the Root OCA's contingency public key. */
  plaintextSymmetricKey?: Uint8Array;
  /** [1] applyTimeBasedCPVChecks, its value bytes as carried. */
  timeBasedChecks?: Uint8Array;
  authorisingCell?: TaCellId;
  /** [3] the authorising party's sequence number (GBCS: equal to the header's originator counter). */
  seq: Counter64;
  /** [4] the new floor for the roles being replaced. */
  floor?: Counter64;
  /** [5] specialist floors, as a DER SEQUENCE OF (echoed in the outcome's change for the replaced role). */
  specialist?: Uint8Array;
  /** [6] other remote parties' floor changes. */
  otherFloors: SeqNumberChange[];
  replacements: Array<{ certificate: Uint8Array; cell: TaCellId }>;
  /** certificationPathCertificates, DER each. */
  path: Uint8Array[];
  /** YYYYMMDDHHMMSSZ when future-dated (CANCEL_TIME cancels). */
  executionTime?: string;
}

export interface ReplacementOutcome {
  cell: TaCellId;
  status: number;
  existingUid: Uint8Array;
  existingSki: Uint8Array;
  replacingUid: Uint8Array;
  replacingSki: Uint8Array;
}

export interface ExecutionOutcome {
  seq: Counter64;
  mode: number;
  changes: SeqNumberChange[];
  replacements: ReplacementOutcome[];
}

function taCellParts(c: TaCellId): Uint8Array[] {
  const parts = [derSmallInteger(c.role), keyUsageBitString(c.keyUsage)];
  if (c.cellUsage !== 0) parts.push(derSmallInteger(c.cellUsage));
  return parts;
}

export function encodeTaCellId(c: TaCellId): Uint8Array {
  return derSequence(taCellParts(c));
}

/** The value bytes of a DER TLV we built (a programming error if it is not one). */
function contentOf(der: Uint8Array): Uint8Array {
  const t = readTlv(der, 0, der.length);
  if (!t.ok) throw new Error('contentOf: not DER');
  return valueOf(der, t);
}

function kids(b: Uint8Array, t: Tlv, lengths?: LengthRule): Tlv[] | undefined {
  const c = readChildren(b, t, lengths);
  return c instanceof Array ? c : undefined;
}

/** An unsigned INTEGER of at most 8 bytes as a counter. */
function counterOf(b: Uint8Array, t: Tlv): Counter64 | undefined {
  const m = readUnsignedInteger(b, t);
  if (!(m instanceof Uint8Array) || m.length > 8) return undefined;
  const eight = new Uint8Array(8);
  eight.set(m, 8 - m.length);
  return counterFromBytes(eight, 0);
}

export function readTaCellId(b: Uint8Array, t: Tlv, lengths?: LengthRule): TaCellId | undefined {
  const p = kids(b, t, lengths);
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

function encodeChange(c: SeqNumberChange): Uint8Array {
  const parts = [derSmallInteger(c.role), derUnsignedInteger(counterToBytes(c.floor))];
  if (c.specialist) parts.push(c.specialist);
  return derSequence(parts);
}

function readChange(b: Uint8Array, t: Tlv, lengths?: LengthRule): SeqNumberChange | undefined {
  const ch = kids(b, t, lengths);
  if (!ch || ch.length < 2 || ch.length > 3) return undefined;
  const role = readSmallInteger(b, ch[0]);
  const floor = counterOf(b, ch[1]);
  if (typeof role !== 'number' || !floor || (ch.length === 3 && ch[2].tag !== TAG_SEQUENCE)) return undefined;
  const out: SeqNumberChange = { role: role, floor: floor };
  if (ch.length === 3) out.specialist = b.subarray(ch[2].start, ch[2].end);
  return out;
}

export function encodeCs02bCommand(c: Cs02bCommand): Uint8Array {
  const control = [derSmallInteger(c.mode)];
  if (c.plaintextSymmetricKey) control.push(derTlv(0x80, [c.plaintextSymmetricKey]));
  if (c.timeBasedChecks) control.push(derTlv(0x81, [c.timeBasedChecks]));
  if (c.authorisingCell) control.push(derTlv(0xa2, taCellParts(c.authorisingCell)));
  control.push(derUnsignedInteger(counterToBytes(c.seq), 0x83));
  if (c.floor) control.push(derUnsignedInteger(counterToBytes(c.floor), 0x84));
  if (c.specialist) control.push(derTlv(0xa5, [contentOf(c.specialist)]));
  if (c.otherFloors.length) control.push(derTlv(0xa6, c.otherFloors.map(encodeChange)));
  const parts = [
    derSequence(control),
    derSequence(c.replacements.map((r) => derSequence([r.certificate, encodeTaCellId(r.cell)]))),
    derSequence(c.path),
  ];
  if (c.executionTime) parts.push(derGeneralizedTime(c.executionTime));
  return derSequence(parts);
}

/** Parses a CS02b command's content; undefined when it is not a well-formed UpdateSecurityCredentials. */
export function readCs02bCommand(b: Uint8Array): Cs02bCommand | undefined {
  const top = readTlv(b, 0, b.length);
  if (!top.ok || top.tag !== TAG_SEQUENCE || top.end !== b.length) return undefined;
  const parts = kids(b, top);
  if (!parts || parts.length < 3 || parts.length > 4) return undefined;
  const ctl = kids(b, parts[0]);
  if (!ctl || ctl.length < 2) return undefined;
  const mode = readSmallInteger(b, ctl[0]);
  if (typeof mode !== 'number') return undefined;
  const out: Cs02bCommand = { mode: mode, seq: { hi: 0, lo: 0 }, otherFloors: [], replacements: [], path: [] };
  let seen = false;
  for (let i = 1; i < ctl.length; i++) {
    const t = ctl[i];
    if (t.tag === 0x80) {
      out.plaintextSymmetricKey = b.subarray(t.valueStart, t.end);
    } else if (t.tag === 0x81) {
      out.timeBasedChecks = b.subarray(t.valueStart, t.end);
    } else if (t.tag === 0xa2) {
      const c = readTaCellId(b, t);
      if (!c) return undefined;
      out.authorisingCell = c;
    } else if (t.tag === 0x83) {
      const s = counterOf(b, t);
      if (!s) return undefined;
      out.seq = s;
      seen = true;
    } else if (t.tag === 0x84) {
      const f = counterOf(b, t);
      if (!f) return undefined;
      out.floor = f;
    } else if (t.tag === 0xa5) {
      if (!kids(b, t)) return undefined;
      out.specialist = derSequence([b.subarray(t.valueStart, t.end)]);
    } else if (t.tag === 0xa6) {
      const changes = kids(b, t);
      if (!changes) return undefined;
      for (let j = 0; j < changes.length; j++) {
        const ch = readChange(b, changes[j]);
        if (!ch) return undefined;
        out.otherFloors.push(ch);
      }
    } else {
      return undefined;
    }
  }
  if (!seen) return undefined;
  const reps = kids(b, parts[1]);
  if (!reps || reps.length === 0) return undefined;
  for (let i = 0; i < reps.length; i++) {
    const r = kids(b, reps[i]);
    if (!r || r.length !== 2) return undefined;
    const cell = readTaCellId(b, r[1]);
    if (!cell) return undefined;
    out.replacements.push({ certificate: b.subarray(r[0].start, r[0].end), cell: cell });
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

export function encodeExecutionOutcome(o: ExecutionOutcome): Uint8Array {
  const rows: Uint8Array[] = [];
  for (let i = 0; i < o.replacements.length; i++) {
    const r = o.replacements[i];
    rows.push(derSequence([encodeTaCellId(r.cell), derTlv(TAG_ENUMERATED, [new Uint8Array([r.status])]), derOctetString(r.existingUid), derOctetString(r.existingSki), derOctetString(r.replacingUid), derOctetString(r.replacingSki)]));
  }
  return derSequence([derUnsignedInteger(counterToBytes(o.seq)), derSmallInteger(o.mode), derSequence(o.changes.map(encodeChange)), derSequence(rows)]);
}

/** The response: commandAccepted, and the executionOutcome (DER, encodeExecutionOutcome) of an immediate one. */
export function encodeCs02bResponse(outcome?: Uint8Array): Uint8Array {
  return derSequence(outcome ? [derNull(), outcome] : [derNull()]);
}

// What the device sends is read with BER lengths (der.ts LengthRule): real devices write the long form.
function readOutcome(b: Uint8Array, t: Tlv): ExecutionOutcome | string {
  const f = kids(b, t, 'ber');
  if (!f || f.length !== 4) return 'executionOutcome is not a SEQUENCE of 4';
  const seq = counterOf(b, f[0]);
  const mode = readSmallInteger(b, f[1]);
  const changes = kids(b, f[2], 'ber');
  const rows = kids(b, f[3], 'ber');
  if (!seq || typeof mode !== 'number' || !changes || !rows) return 'executionOutcome malformed';
  const out: ExecutionOutcome = { seq: seq, mode: mode, changes: [], replacements: [] };
  for (let i = 0; i < changes.length; i++) {
    const c = readChange(b, changes[i], 'ber');
    if (!c) return 'remotePartySeqNumberChange ' + i + ' malformed';
    out.changes.push(c);
  }
  for (let i = 0; i < rows.length; i++) {
    const r = kids(b, rows[i], 'ber');
    const cell = r && r.length === 6 ? readTaCellId(b, r[0], 'ber') : undefined;
    if (!r || !cell || r[1].tag !== TAG_ENUMERATED || r[1].end - r[1].valueStart !== 1) return 'replacement outcome ' + i + ' malformed';
    for (let j = 2; j < 6; j++) if (r[j].tag !== TAG_OCTET_STRING) return 'replacement outcome ' + i + ' malformed';
    out.replacements.push({ cell: cell, status: b[r[1].valueStart], existingUid: valueOf(b, r[2]), existingSki: valueOf(b, r[3]), replacingUid: valueOf(b, r[4]), replacingSki: valueOf(b, r[5]) });
  }
  return out;
}

/** Reads an executionOutcome on its own (as the 0x00CB alert carries it). */
export function readExecutionOutcome(b: Uint8Array): ExecutionOutcome | string {
  const top = readTlv(b, 0, b.length, 'ber');
  if (!top.ok || top.end !== b.length) return 'executionOutcome is not DER (BER lengths allowed)';
  return readOutcome(b, top);
}

/** Reads a CS02b response: the outcome of an immediate one, none for a future-dated or cancelled one. */
export function readCs02bResponse(b: Uint8Array): { outcome?: ExecutionOutcome } | string {
  const top = readTlv(b, 0, b.length, 'ber');
  if (!top.ok || top.tag !== TAG_SEQUENCE || top.end !== b.length) return 'response content is not a DER SEQUENCE (BER lengths allowed)';
  const k = kids(b, top, 'ber');
  if (!k || k.length < 1 || k.length > 2 || k[0].tag !== TAG_NULL) return 'response is not SEQUENCE { NULL, executionOutcome OPTIONAL }';
  if (k.length === 1) return {};
  const o = readOutcome(b, k[1]);
  return typeof o === 'string' ? o : { outcome: o };
}
