/**
 * CS02b Update Security Credentials content (GBCS §12.2; ASN.1 DER, GBCS-FACTS "Device rules"), built as
 * the DCC RTDS 4.5.0 CS02b commands are shaped (6.21 supplierBySupplier handover, 6.23 supplierByTransCoS):
 * ```
 * SEQUENCE {
 *   authorisingRemotePartyControl SEQUENCE { credentialsReplacementMode INTEGER,
 *     [2] authorisingRemotePartyTACellIdentifier (the originator's DS cell), [3] seq number (= header counter),
 *     [4] newRemotePartyFloorSeqNumber },
 *   replacements SEQUENCE OF SEQUENCE { certificate, targetTACellIdentifier SEQUENCE { role, keyUsage BIT STRING [, cellUsage] } },
 *   certificationPathCertificates SEQUENCE OF Certificate }       -- the Issuing OCA certificate
 * ```
 * and reads the response: SEQUENCE { NULL, executionOutcome SEQUENCE { seq, mode, floor changes,
 * SEQUENCE OF { cell, StatusCode ENUMERATED, ... } } } (0 success, 5 bad certificate, 10 no trust anchor,
 * 25 trust anchor not found, 127 other).
 * @module
 */
import { counterToBytes } from '../../gbcs/counter64.ts';
import type { Counter64 } from '../../gbcs/counter64.ts';
import { derBitString, derSequence, derSmallInteger, derTlv, derUnsignedInteger, readChildren, readTlv } from '../../gbcs/der.ts';
import type { Tlv } from '../../gbcs/der.ts';

/** credentialsReplacementMode = message code - 0x0100 (GBCS CS02b). */
export const MODE = { supplierBySupplier: 2, networkOperatorByNetworkOperator: 3, acbByAcb: 4, supplierByTransCoS: 7, anyByRecovery: 8, anyByContingency: 9 } as const;

export interface TargetCell {
  /** Remote party role number (02 supplier..., 00 root). */
  role: number;
  /** 'cs' (keyCertSign) is the root cell's. */
  keyUsage: 'ds' | 'ka' | 'cs';
  /** 0 management, 1 prepayment. */
  cellUsage?: number;
}

function cellId(c: TargetCell): Uint8Array {
  // keyUsage as the certificate's KeyUsage BIT STRING: digitalSignature = bit 0 (80, 7 unused), keyAgreement = bit 4 (08, 3 unused)
  // keyCertSign = bit 5 (04, 2 unused)
  const usage = c.keyUsage === 'ds' ? derBitString(new Uint8Array([0x80]), 7) : c.keyUsage === 'ka' ? derBitString(new Uint8Array([0x08]), 3) : derBitString(new Uint8Array([0x04]), 2);
  const parts = [derSmallInteger(c.role), usage];
  if (c.cellUsage) parts.push(derSmallInteger(c.cellUsage));
  return derSequence(parts);
}

export interface Cs02bRequest {
  mode: number;
  counter: Counter64;
  /** The originator's own DS cell (GBCS: the authorising party's trust anchor); contingency names none. */
  authorisingCell?: TargetCell;
  /** Contingency only: [0] the key that unwraps the Root OCA's contingency public key. */
  plaintextSymmetricKey?: Uint8Array;
  floor?: Counter64;
  replacements: Array<{ certificate: Uint8Array; cell: TargetCell }>;
  /** Issuing CA certificates, DER. */
  path: Uint8Array[];
}

export function cs02bContent(r: Cs02bRequest): Uint8Array {
  const control = [derSmallInteger(r.mode)];
  if (r.plaintextSymmetricKey) control.push(derTlv(0x80, [r.plaintextSymmetricKey]));
  if (r.authorisingCell) control.push(derTlv(0xa2, [cellId(r.authorisingCell).subarray(2)]));
  control.push(derUnsignedInteger(counterToBytes(r.counter), 0x83));
  if (r.floor) control.push(derUnsignedInteger(counterToBytes(r.floor), 0x84));
  return derSequence([
    derSequence(control),
    derSequence(r.replacements.map((x) => derSequence([x.certificate, cellId(x.cell)]))),
    derSequence(r.path),
  ]);
}

/** The status code of each replaced cell in a CS02b response, or a reason it could not be read. */
export function cs02bStatuses(content: Uint8Array): number[] | string {
  const top = readTlv(content, 0, content.length);
  if (!top.ok) return 'response content is not DER';
  const kids = readChildren(content, top);
  if (!Array.isArray(kids) || kids.length < 1) return 'response is not a SEQUENCE';
  if (kids.length === 1) return []; // future-dated or cancelled: commandAccepted only
  const outcome = readChildren(content, kids[1]);
  if (!Array.isArray(outcome) || outcome.length < 4) return 'executionOutcome malformed';
  const rows = readChildren(content, outcome[3]);
  if (!Array.isArray(rows)) return 'replacementOutcomes malformed';
  const out: number[] = [];
  for (const row of rows as Tlv[]) {
    const f = readChildren(content, row);
    if (!Array.isArray(f) || f.length < 2 || f[1].tag !== 0x0a) return 'replacement outcome malformed';
    out.push(content[f[1].valueStart]);
  }
  return out;
}
