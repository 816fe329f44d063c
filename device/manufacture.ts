/**
 * Manufacture: what the factory writes into a new device's storage before it ever boots — identity, key
 * pairs (generated on the board when not given), device certificates, the DCC's initial trust anchors,
 * the Issuing DCAs CS02d accepts and the firmware store's configuration — in ONE commit, every input
 * checked first, so a device is either wholly manufactured or not at all: a medium with no room for that
 * commit refuses 'storage-full' with the storage as it was. The device then boots through boot.ts like
 * any other.
 * @module
 */
import type { Board } from '../boards/board.ts';
import { generatePrivateKey } from './credentials/deviceCredentials.ts';
import { writeConfig } from './firmwareUpdate/imageStore.ts';
import type { FirmwareConfig } from './firmwareUpdate/imageStore.ts';
import { readIdentity, writeIdentity } from './state/identity.ts';
import { addIssuingDca } from './state/issuingDcas.ts';
import type { DcaRejection } from './state/issuingDcas.ts';
import type { Environment, Identity } from './state/identity.ts';
import { StateTx } from './state/stateTx.ts';
import { isDeviceKind } from './kinds.ts';
import type { DeviceKind } from './kinds.ts';
import { useCasesFor } from './pipeline/useCaseTables.ts';
import { writeAttribute } from './gsme/zclStore.ts';
import type { ZclAttributeValue } from './gsme/zclStore.ts';
import { cellFromCertificate, describeCell, writeCell } from './state/trustAnchors.ts';
import type { CellId, CellRejection } from './state/trustAnchors.ts';

export interface AnchorSpec {
  cell: CellId;
  /** The organisation (or root) certificate, DER. */
  certificate: Uint8Array;
  /**
   * Root cell only: accept an Issuing OCA certificate (OU 07) in the root cell as a stand-in trust anchor
   * when the Root OCA certificate is not available (reference replay). Certification paths are then
   * checked up to that CA. Manufacture-time only: no command can set it.
   */
  standIn?: boolean;
}

export interface ManufactureSpec {
  eui: Uint8Array;
  environment: Environment;
  /** Which device to make (kinds.ts); an ESME when absent. A kind whose use cases are not carried is refused. */
  kind?: DeviceKind;
  /**
   * A ZigBee device's (GSME's) factory data: the ZCL attributes it reports and starts from (gsme/zclStore.ts),
   * e.g. Basic manufacturer name and model, Metering battery life, Prepayment emergency credit limits.
   */
  attributes?: ZclAttributeValue[];
  /** Private keys; generated on the board when absent. */
  dsPrivate?: Uint8Array;
  kaPrivate?: Uint8Array;
  dsCertificate?: Uint8Array;
  kaCertificate?: Uint8Array;
  anchors: AnchorSpec[];
  /** Issuing DCA certificates whose device certificates CS02d accepts (state/issuingDcas.ts). */
  issuingDcas?: Uint8Array[];
  /** The manufacturer's image-signing key and the image slot capacity (firmwareUpdate/imageStore.ts). */
  firmware?: FirmwareConfig;
}

export type ManufactureRefusal = CellRejection | DcaRejection | 'bad-eui' | 'bad-manufacturer-key' | 'already-manufactured' | 'kind-not-carried' | 'bad-attribute' | 'storage-full';

export type ManufactureResult = { ok: true; identity: Identity } | { ok: false; reason: ManufactureRefusal; cell?: string };

export { generatePrivateKey };

/** Writes a new device's identity, trust anchors and firmware store in one commit. Every input is checked first. */
export function manufactureDevice(board: Board, spec: ManufactureSpec): ManufactureResult {
  if (readIdentity(board.storage)) return { ok: false, reason: 'already-manufactured' };
  if (spec.eui.length !== 8) return { ok: false, reason: 'bad-eui' };
  if (spec.firmware && spec.firmware.manufacturerKey.length !== 65) return { ok: false, reason: 'bad-manufacturer-key' };
  const kind: DeviceKind = spec.kind || 'ESME';
  if (!isDeviceKind(kind) || !useCasesFor(kind)) return { ok: false, reason: 'kind-not-carried' };
  const tx = new StateTx(board.storage);
  for (let i = 0; i < spec.anchors.length; i++) {
    const a = spec.anchors[i];
    const r = cellFromCertificate(a.cell, a.certificate, spec.environment, a.standIn === true);
    if (!r.ok) return { ok: false, reason: r.reason, cell: describeCell(a.cell) };
    writeCell(tx, r.cell);
  }
  const dcas = spec.issuingDcas || [];
  for (let i = 0; i < dcas.length; i++) {
    const d = addIssuingDca(tx, dcas[i], spec.environment);
    if (!d.ok) return { ok: false, reason: d.reason };
  }
  const attrs = spec.attributes || [];
  for (let i = 0; i < attrs.length; i++) if (!writeAttribute(tx, attrs[i])) return { ok: false, reason: 'bad-attribute' };
  // Keys generated here advance the board's random source (its own commit, drbg.ts): no bytes when that
  // state does not fit, and the device is not made.
  const dsPrivate = spec.dsPrivate || generatePrivateKey(board);
  const kaPrivate = spec.kaPrivate || generatePrivateKey(board);
  if (!dsPrivate || !kaPrivate) return { ok: false, reason: 'storage-full' };
  const id: Identity = { eui: spec.eui, environment: spec.environment, kind: kind, dsPrivate: dsPrivate, kaPrivate: kaPrivate };
  if (spec.dsCertificate) id.dsCertificate = spec.dsCertificate;
  if (spec.kaCertificate) id.kaCertificate = spec.kaCertificate;
  writeIdentity(tx, id);
  if (spec.firmware) writeConfig(tx, spec.firmware);
  // No room for the device: not made at all, the storage as it was (a later manufacture may fit).
  if (!tx.commit().ok) return { ok: false, reason: 'storage-full' };
  return { ok: true, identity: id };
}
