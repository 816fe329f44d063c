/**
 * The device's Remote Party trust-anchor cells (GBCS §4.3.1 / GBCS-FACTS "Device rules"): root, recovery,
 * supplier DS / KA / prepayment KA, network operator DS / KA, ACB DS / KA, WAN provider, TransCoS DS and
 * load controller. Each cell holds, read from the certificate placed in it: the remote party's role, the
 * key usage, the cell usage (management or prepayment top-up, GBCS CellUsage), the subject unique id (the
 * organisation's EUI-64, the id its messages carry as originator), the subject key id and the public key.
 *
 * A cell is named in GBCS ASN.1 by TrustAnchorCellIdentifier { remotePartyRole, keyUsage, cellUsage
 * DEFAULT management }; `CellId` is that triple. Stored one key per cell: `ta.<role>.<ds|ka|cs>[.pp]`.
 * Loading checks what the cell requires — role (OU), key usage and the device's SMKI environment — so a
 * cell can never hold a certificate for another purpose.
 * @module
 */
import { bytesEqual, concatBytes } from '../../lib/bytes.ts';
import { readCertificate, KEY_USAGE_DIGITAL_SIGNATURE, KEY_USAGE_KEY_AGREEMENT, KEY_USAGE_KEY_CERT_SIGN } from '../../gbcs/smki/certificate.ts';
import type { Certificate } from '../../gbcs/smki/certificate.ts';
import { certificateEnvironment } from '../../gbcs/smki/certificatePolicies.ts';
import { apexContingencyKeyOf } from '../../gbcs/smki/contingencyKey.ts';
import type { Environment } from './identity.ts';
import type { StateTx } from './stateTx.ts';

/** Remote party role numbers (certificate OU; GBCS RemotePartyRole). */
export const ROLE_ROOT = 0;
export const ROLE_RECOVERY = 1;
export const ROLE_SUPPLIER = 2;
export const ROLE_NETWORK_OPERATOR = 3;
export const ROLE_ACB = 4;
export const ROLE_TRANSCOS = 5;
export const ROLE_WAN_PROVIDER = 6;
export const ROLE_ISSUING_AUTHORITY = 7;
export const ROLE_LOAD_CONTROLLER = 8;

/** CellUsage ::= INTEGER { management (0), prePaymentTopUp (1) } */
/** Key usage of the root cell (the Root OCA's keyCertSign). */
export const KEY_USAGE_KEY_CERT_SIGN_CELL = KEY_USAGE_KEY_CERT_SIGN;

export const CELL_MANAGEMENT = 0;
export const CELL_PREPAYMENT = 1;

export interface CellId {
  role: number;
  /** The cell's key usage: one of the KEY_USAGE_* bits. */
  keyUsage: number;
  cellUsage: number;
}

export interface TrustAnchorCell extends CellId {
  subjectUniqueId: Uint8Array;
  subjectKeyId: Uint8Array;
  publicKey: Uint8Array;
  /**
   * Root cell only: the Root OCA certificate's wrapped Contingency Public Key (ApexContingencyKey DER,
   * smki/contingencyKey.ts), kept to authenticate a CS02b anyByContingency; absent when the certificate
   * has none.
   */
  contingencyKey?: Uint8Array;
}

const DS = KEY_USAGE_DIGITAL_SIGNATURE;
const KA = KEY_USAGE_KEY_AGREEMENT;

/** Every cell a device has (GBCS-FACTS list). */
export const CELLS: CellId[] = [
  { role: ROLE_ROOT, keyUsage: KEY_USAGE_KEY_CERT_SIGN, cellUsage: 0 },
  { role: ROLE_RECOVERY, keyUsage: DS, cellUsage: 0 },
  { role: ROLE_SUPPLIER, keyUsage: DS, cellUsage: 0 },
  { role: ROLE_SUPPLIER, keyUsage: KA, cellUsage: 0 },
  { role: ROLE_SUPPLIER, keyUsage: KA, cellUsage: CELL_PREPAYMENT },
  { role: ROLE_NETWORK_OPERATOR, keyUsage: DS, cellUsage: 0 },
  { role: ROLE_NETWORK_OPERATOR, keyUsage: KA, cellUsage: 0 },
  { role: ROLE_ACB, keyUsage: DS, cellUsage: 0 },
  { role: ROLE_ACB, keyUsage: KA, cellUsage: 0 },
  { role: ROLE_WAN_PROVIDER, keyUsage: DS, cellUsage: 0 },
  { role: ROLE_TRANSCOS, keyUsage: DS, cellUsage: 0 },
  { role: ROLE_LOAD_CONTROLLER, keyUsage: DS, cellUsage: 0 },
];

/** The cell `id` names, or undefined when the device has no such cell. */
export function findCell(id: CellId): CellId | undefined {
  for (let i = 0; i < CELLS.length; i++) {
    const c = CELLS[i];
    if (c.role === id.role && c.keyUsage === id.keyUsage && c.cellUsage === id.cellUsage) return c;
  }
  return undefined;
}

export function cellKey(id: CellId): string {
  const use = id.keyUsage === DS ? 'ds' : id.keyUsage === KA ? 'ka' : 'cs';
  return 'ta.' + id.role + '.' + use + (id.cellUsage === CELL_PREPAYMENT ? '.pp' : '');
}

export function describeCell(id: CellId): string {
  return cellKey(id).substring(3);
}

/** Format 1: the cell; format 2: the cell followed by the root's wrapped contingency key. */
function encodeCell(c: TrustAnchorCell): Uint8Array {
  const parts = [
    new Uint8Array([c.contingencyKey ? 2 : 1, c.role, c.keyUsage, c.cellUsage, c.subjectUniqueId.length]),
    c.subjectUniqueId,
    new Uint8Array([c.subjectKeyId.length]),
    c.subjectKeyId,
    c.publicKey,
  ];
  if (c.contingencyKey) parts.push(c.contingencyKey);
  return concatBytes(parts);
}

function decodeCell(b: Uint8Array): TrustAnchorCell | undefined {
  if (b.length < 6 || (b[0] !== 1 && b[0] !== 2)) return undefined;
  const uidLen = b[4];
  const skAt = 5 + uidLen;
  if (skAt >= b.length) return undefined;
  const skLen = b[skAt];
  const pubAt = skAt + 1 + skLen;
  if (b[0] === 1 ? pubAt + 65 !== b.length : pubAt + 65 >= b.length) return undefined;
  const cell: TrustAnchorCell = {
    role: b[1],
    keyUsage: b[2],
    cellUsage: b[3],
    subjectUniqueId: b.subarray(5, skAt),
    subjectKeyId: b.subarray(skAt + 1, pubAt),
    publicKey: b.subarray(pubAt, pubAt + 65),
  };
  if (b[0] === 2) cell.contingencyKey = b.subarray(pubAt + 65);
  return cell;
}

export function readCell(s: { read(k: string): Uint8Array | undefined }, id: CellId): TrustAnchorCell | undefined {
  const b = s.read(cellKey(id));
  return b ? decodeCell(b) : undefined;
}

export function writeCell(tx: StateTx, cell: TrustAnchorCell): void {
  tx.write(cellKey(cell), encodeCell(cell));
}

/** The cell whose subject unique id is `eui` and whose key usage is `keyUsage` (management cells only). */
/**
 * Every management cell of `keyUsage` naming `eui`, in cell order: more than one only in the DCC-controlled
 * state, where the ACB is named by its own cells and by the Supplier / Network Operator DS cells.
 */
export function cellsForParty(s: { read(k: string): Uint8Array | undefined }, eui: Uint8Array, keyUsage: number): TrustAnchorCell[] {
  const out: TrustAnchorCell[] = [];
  for (let i = 0; i < CELLS.length; i++) {
    const c = CELLS[i];
    if (c.keyUsage !== keyUsage || c.cellUsage !== CELL_MANAGEMENT || c.role === ROLE_ROOT) continue;
    const cell = readCell(s, c);
    if (cell && bytesEqual(cell.subjectUniqueId, eui)) out.push(cell);
  }
  return out;
}

export function cellForParty(s: { read(k: string): Uint8Array | undefined }, eui: Uint8Array, keyUsage: number): TrustAnchorCell | undefined {
  for (let i = 0; i < CELLS.length; i++) {
    const c = CELLS[i];
    if (c.keyUsage !== keyUsage || c.cellUsage !== CELL_MANAGEMENT || c.role === ROLE_ROOT) continue;
    const cell = readCell(s, c);
    if (cell && bytesEqual(cell.subjectUniqueId, eui)) return cell;
  }
  return undefined;
}

export type CellRejection =
  | 'bad-certificate'
  | 'no-such-cell'
  | 'wrong-role'
  | 'wrong-key-usage'
  | 'wrong-environment'
  | 'no-subject-key-id'
  | 'no-subject-unique-id';

/**
 * The cell content a certificate gives `id`, checked against what the cell requires. The root cell's
 * subject unique id is eight zero bytes (the Root OCA has no entity id; RTDS CS02b responses show so).
 * `standIn` (manufacture only, never a command): the root cell may hold an Issuing OCA certificate (the
 * reference replay without the Root OCA), and a Supplier or Network Operator DS cell may hold the ACB's
 * DS certificate: the DCC-controlled state a device is in until the DCC hands it over by CS02b (RTDS 6.21:
 * the handover names that cell as authorising, and its response's existing subject is the ACB).
 */
export function cellFromCertificate(id: CellId, der: Uint8Array, environment: Environment, issuingCaAsRoot?: boolean): { ok: true; cell: TrustAnchorCell; certificate: Certificate } | { ok: false; reason: CellRejection } {
  const cellId = findCell(id);
  if (!cellId) return { ok: false, reason: 'no-such-cell' };
  const r = readCertificate(der);
  if (!r.ok) return { ok: false, reason: 'bad-certificate' };
  const c = r.certificate;
  const dccControlled = issuingCaAsRoot === true && (id.role === ROLE_SUPPLIER || id.role === ROLE_NETWORK_OPERATOR) && c.role === ROLE_ACB;
  const standIn = (issuingCaAsRoot === true && id.role === ROLE_ROOT && c.role === ROLE_ISSUING_AUTHORITY) || dccControlled;
  if (c.role !== id.role && !standIn) return { ok: false, reason: 'wrong-role' };
  if ((c.keyUsage & id.keyUsage) === 0) return { ok: false, reason: 'wrong-key-usage' };
  if (certificateEnvironment(c.policies) !== environment) return { ok: false, reason: 'wrong-environment' };
  if (!c.subjectKeyId) return { ok: false, reason: 'no-subject-key-id' };
  let uid = c.entityId;
  if (id.role === ROLE_ROOT) uid = new Uint8Array(8);
  if (!uid || uid.length !== 8) return { ok: false, reason: 'no-subject-unique-id' };
  const cell: TrustAnchorCell = { role: id.role, keyUsage: id.keyUsage, cellUsage: id.cellUsage, subjectUniqueId: uid, subjectKeyId: c.subjectKeyId, publicKey: c.publicKey };
  const contingency = id.role === ROLE_ROOT ? apexContingencyKeyOf(c) : undefined;
  if (contingency) cell.contingencyKey = contingency;
  return { ok: true, certificate: c, cell: cell };
}
