/**
 * The reference devices of the RTDS replay behind the Communications Hub (Node only): the CHF
 * 00DB1234567890A2, the GPF …A3 and the HAN devices …A4 PPMID, …A5 IHD, …A6 HCALCS (HAN-FACTS; which of A4-A6
 * is which HAN device is ours, UNCONFIRMED), each a device of the one runtime with its kind's use-case table
 * (hub/chfUseCases.ts, hub/gpfUseCases.ts, device/han/hanUseCases.ts).
 * - Their private keys are not published (only their certificates). Each holds STAND-IN private keys, and its
 *   ECDH secrets are taken from the other side (HAN-FACTS: ECDH(party private, device public) =
 *   ECDH(device private, party public)), from its published KA certificate and every party KA private key
 *   in KEYDIR (`acbSideSecrets`). Critical responses are signed with the stand-in DS key (they will not
 *   verify against the published device certificate).
 * - Their trust anchors are the ESME reference device's (referenceDevice.ts); for the RTDS 6.21 handovers
 *   the device starts DCC-controlled (`dccControlled`).
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { p256 } from '@noble/curves/nist.js';
import { nodeBoard } from '../../boards/node/index.ts';
import { memoryMedium } from '../../boards/journaledStorage.ts';
import type { Board, Clock, Medium } from '../../boards/board.ts';
import { bytesEqual, fromHex } from '../../lib/bytes.ts';
import { readCertificate } from '../../gbcs/smki/certificate.ts';
import { KEY_USAGE_DIGITAL_SIGNATURE as DS } from '../../gbcs/smki/certificate.ts';
import { sharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import type { SharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import { carryHanKinds, manufactureDevice, openDevice, SmetsDevice } from '../../device/index.ts';
import type { ManufactureResult, UseCaseTable } from '../../device/index.ts';
import { chfUseCases, gpfUseCases } from '../../hub/index.ts';
import { pemToDer, privateScalar, ROOT_CELL } from './referenceDevice.ts';
import type { ReferenceKeys } from './referenceDevice.ts';
import type { ReferenceTarget } from './replay.ts';

export type HubKind = 'CHF' | 'GPF' | 'PPMID' | 'IHD' | 'HCALCS';

/** The reference devices behind the hub, by EUI-64, and the kind of each. */
export const REFERENCE_HUB_DEVICES: Array<{ eui: string; kind: HubKind }> = [
  { eui: '00db1234567890a2', kind: 'CHF' },
  { eui: '00db1234567890a3', kind: 'GPF' },
  { eui: '00db1234567890a4', kind: 'PPMID' },
  { eui: '00db1234567890a5', kind: 'IHD' },
  { eui: '00db1234567890a6', kind: 'HCALCS' },
];

/** A hub-side reference device's keys: stand-in private keys and its secrets from the parties' side. */
export interface HubDeviceKeys {
  eui: string;
  kind: HubKind;
  kaPrivate: Uint8Array;
  dsPrivate: Uint8Array;
  secrets: SharedSecrets;
  /** The parties whose KA private key KEYDIR holds (the secrets `secrets` can give). */
  parties: string[];
}

/**
 * The device's ECDH secrets computed from the other side: asked for (stand-in private, party public), it
 * answers ECDH(party private, device public) when KEYDIR holds that party's KA private key, and nothing
 * otherwise (the device then cannot check that party's MAC: a 'mac-mismatch', as a real device without
 * the key would). Asked for any other pair, it computes it (e.g. a key a CS02c generated on the device).
 */
export function acbSideSecrets(standIn: Uint8Array, devicePublic: Uint8Array, parties: Array<{ publicKey: Uint8Array; privateKey: Uint8Array }>, ecdh: (priv: Uint8Array, pub: Uint8Array) => Uint8Array | undefined): SharedSecrets {
  const cache = sharedSecrets(ecdh);
  return {
    agree(privateKey, publicKey) {
      if (!bytesEqual(privateKey, standIn)) return cache.agree(privateKey, publicKey);
      for (const p of parties) if (bytesEqual(p.publicKey, publicKey)) return cache.agree(p.privateKey, devicePublic);
      return undefined;
    },
  };
}

function standInKey(what: string, eui: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update('smets stand-in ' + what + ' key for ' + eui).digest());
}

function ecdh(priv: Uint8Array, pub: Uint8Array): Uint8Array | undefined {
  try {
    return p256.getSharedSecret(priv, pub, true).subarray(1);
  } catch {
    return undefined;
  }
}

export function loadHubDeviceKeys(keyDir: string, eui: string, kind: HubKind): HubDeviceKeys | string {
  const certFile = join(keyDir, eui + '-ka.pem');
  if (!existsSync(certFile)) return 'KEYDIR has no ' + eui + '-ka.pem (its KA certificate, to take the secrets from the parties\' side)';
  const cert = readCertificate(pemToDer(readFileSync(certFile, 'utf8')));
  if (!cert.ok) return eui + '-ka.pem: not a device certificate (' + cert.reason + ')';
  const kaPrivate = standInKey('KA', eui);
  const keys: Array<{ publicKey: Uint8Array; privateKey: Uint8Array }> = [];
  const parties: string[] = [];
  for (const name of readdirSync(keyDir).sort()) {
    if (!/^[0-9a-f]{16}(-pp)?-ka\.key$/.test(name) || name.startsWith('00db')) continue;
    const privateKey = privateScalar(readFileSync(join(keyDir, name), 'utf8'));
    keys.push({ privateKey, publicKey: p256.getPublicKey(privateKey, false) });
    parties.push(name.replace(/\.key$/, ''));
  }
  return { eui, kind, kaPrivate, dsPrivate: standInKey('DS', eui), secrets: acbSideSecrets(kaPrivate, cert.certificate.publicKey, keys, ecdh), parties };
}

/**
 * The starting state of a DCC-controlled device (RTDS 6.21 handovers): before the DCC hands the device to
 * its Supplier and Network Operator, their DS cells hold the ACB's DS certificate, which then authorises
 * the handover CS02b (device/credentials/updateSecurityCredentials.ts `authorisedBy`; a manufacture-time
 * stand-in, device/state/trustAnchors.ts `cellFromCertificate`).
 */
export function dccControlled(keys: ReferenceKeys): ReferenceKeys {
  const acbDs = keys.anchors.find((a) => a.cell.role === 4 && a.cell.keyUsage === DS);
  if (!acbDs) return keys;
  const anchors = keys.anchors.map((a) => ((a.cell.role === 2 || a.cell.role === 3) && a.cell.keyUsage === DS ? { cell: a.cell, certificate: acbDs.certificate, standIn: true } : a));
  return { ...keys, anchors };
}

// The replay makes PPMIDs, IHDs and HCALCSs as their kinds (the CHF and GPF: hub/index.ts above).
carryHanKinds();

/** A fresh board carrying a manufactured hub-side reference device, powered on with its kind's use cases. */
export function referenceHubDevice(device: HubDeviceKeys, keys: ReferenceKeys, rootStandIn: Uint8Array | undefined, clock?: Clock, medium?: Medium): { board: Board; device: SmetsDevice | undefined; made: ManufactureResult } {
  const m = medium ?? memoryMedium();
  const board = nodeBoard(clock ? { medium: m, clock } : { medium: m });
  const anchors = keys.anchors.slice();
  const root = keys.root ?? rootStandIn;
  if (root) anchors.push({ cell: ROOT_CELL, certificate: root, standIn: !keys.root });
  // Manufactured as its own kind: it opens with its kind's table (the CHF's and GPF's registered by hub/index.ts).
  const made = manufactureDevice(board, { eui: fromHex(device.eui)!, environment: 'test', kind: device.kind, dsPrivate: device.dsPrivate, kaPrivate: device.kaPrivate, anchors });
  return { board, device: made.ok ? openDevice(board, device.secrets) : undefined, made };
}

/** The replay targets behind the hub (replay.ts), one per device whose KA certificate KEYDIR holds. */
export function hubTargets(keyDir: string, keys: ReferenceKeys, rootStandIn: Uint8Array | undefined, say: (line: string) => void): ReferenceTarget[] {
  const out: ReferenceTarget[] = [];
  for (const d of REFERENCE_HUB_DEVICES) {
    const k = loadHubDeviceKeys(keyDir, d.eui, d.kind);
    if (typeof k === 'string') {
      say('device: no reference ' + d.kind + ': ' + k);
      continue;
    }
    say('device: reference ' + d.kind + ' ' + d.eui + ': private keys not published: STAND-INs, ECDH secrets taken from the parties\' side (' + k.parties.join(', ') + ')');
    out.push({ eui: d.eui, label: d.kind, make: (useCase?: string) => referenceHubDevice(k, useCase && /Handover$/.test(useCase) ? dccControlled(keys) : keys, rootStandIn) });
  }
  return out;
}
