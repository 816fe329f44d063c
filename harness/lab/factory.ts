/**
 * The factory: makes a simulated SMETS2 ESME as a manufacturer would, on a board of its own.
 *
 * 1. Key pairs are generated on the device board, from its random source (`generatePrivateKey(board)`).
 * 2. For each key a certificate request is built the device's way (GBCS CS02c shape: empty subject,
 *    keyUsage + subjectAltName hardwareModuleName = the EUI-64) and signed with that key (proof of
 *    possession). CS02c — the device producing the request itself — has not landed in device/ yet; when
 *    it does, the factory should send CS02c to the device and read the request from its response.
 * 3. The Issuing DCA of the test SMKI issues the device certificates (the manufacturer is a registered
 *    SMKI subscriber for the device type).
 * 4. `manufactureDevice` writes identity, keys, certificates, the DCC's initial trust anchors and the
 *    firmware store (the manufacturer's image-signing key, the slot capacity) in one commit: Root OCA
 *    (root cell), Recovery, ACB DS and KA, WAN Provider, Transitional CoS, and the Network Operator. The
 *    supplier cells start empty: the device is DCC-controlled until the DCC hands it to a Supplier by
 *    CS02b (DUIS 6.21, supplierBySupplier originated by the ACB).
 * The factory stops there, with the device's state in the board's storage: the device itself starts
 * when the board is powered on (device/boot.ts), as it would on hardware.
 * @module
 */
import { createPrivateKey } from 'node:crypto';
import type { Board } from '../../boards/board.ts';
import { fromHex } from '../../lib/bytes.ts';
import { KEY_USAGE_DIGITAL_SIGNATURE as DS, KEY_USAGE_KEY_AGREEMENT as KA, KEY_USAGE_KEY_CERT_SIGN } from '../../gbcs/smki/certificate.ts';
import { carryGsme, carryHanKinds, certificateTypeOf, generatePrivateKey, manufactureDevice } from '../../device/index.ts';
import type { AnchorSpec, FirmwareConfig, ZclAttributeValue } from '../../device/index.ts';
// The factory makes every kind it is ordered: the CHF and GPF (registered by the hub's entry), the GSME and
// the HAN devices (registered below): device/pipeline/useCaseTables.ts.
import '../../hub/index.ts';
import { buildDeviceCsr } from '../smki/csr.ts';
import { toPem } from '../smki/der.ts';
import type { TestSmki } from '../smki/testSmki.ts';
import type { Party } from '../dcc/users.ts';

// The harness's factory makes every kind the firmware has: the GSME's and the HAN devices' use cases are carried here.
carryGsme();
carryHanKinds();

export const FACTORY_SUBSCRIBER = 'f0f0f0f000000001';
/** The Communications Hub maker, a DCC subscriber: CHF and GPF certificates are the DCC's to ask for (SMKI RAPP). */
export const HUB_FACTORY_SUBSCRIBER = 'f0f0f0f000000002';

export interface FactoryOrder {
  eui: string;
  /** The device kind to make (device/kinds.ts); its SMKI Device Certificate type is the kind's (`certificateTypeOf`). */
  deviceType: 'ESME' | 'GSME' | 'CHF' | 'GPF' | 'PPMID';
  /** A ZigBee device's factory data (the GSME's ZCL attributes: device/gsme/zclStore.ts). */
  attributes?: ZclAttributeValue[];
  board: Board;
  smki: TestSmki;
  /** Parties whose certificates go into the device's cells at manufacture. */
  anchors: { recovery: Party; acb: Party; wanProvider: Party; transCoS: Party; networkOperator: Party };
  /** The Root OCA certificate for the root cell, when not the SMKI's own (one carrying a contingency key). */
  rootCertificate?: Uint8Array;
  /** The manufacturer's image-signing key and the image slot capacity. */
  firmware?: FirmwareConfig;
}

export interface DeviceCredentials {
  der: Uint8Array;
  pem: string;
  privateKeyPem: string;
  publicKey: Uint8Array;
}

export type FactoryResult =
  | { ok: true; ds: DeviceCredentials; ka: DeviceCredentials }
  | { ok: false; step: string; reason: string };

/** A node:crypto KeyObject for a raw P-256 scalar (the CSR builder signs with KeyObjects). */
export function keyObject(scalar: Uint8Array, publicKey: Uint8Array) {
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
  return createPrivateKey({ key: { kty: 'EC', crv: 'P-256', d: b64(scalar), x: b64(publicKey.subarray(1, 33)), y: b64(publicKey.subarray(33, 65)) }, format: 'jwk' });
}

export function manufactureEsme(order: FactoryOrder): FactoryResult {
  const { board, smki } = order;
  const certType = certificateTypeOf(order.deviceType) as string;
  const hub = certType === 'CHF' || certType === 'GPF';
  const subscriber = hub ? HUB_FACTORY_SUBSCRIBER : FACTORY_SUBSCRIBER;
  const reg = smki.registerSubscriber(subscriber, hub ? 'dcc' : 'manufacturer', [certType]);
  if (!reg.ok) return { ok: false, step: 'register manufacturer with the SMKI', reason: reg.reason };
  const credentials: Partial<Record<'ds' | 'ka', DeviceCredentials & { scalar: Uint8Array }>> = {};
  for (const use of ['ds', 'ka'] as const) {
    const scalar = generatePrivateKey(board);
    if (!scalar) return { ok: false, step: 'device ' + use.toUpperCase() + ' key pair', reason: 'storage-full' };
    const pub = board.crypto.p256PublicKey(scalar);
    const key = keyObject(scalar, pub);
    const csr = buildDeviceCsr(order.eui, use === 'ds' ? 'digitalSignature' : 'keyAgreement', key);
    const cert = smki.requestDeviceCertificate({ subscriber, deviceType: certType, csr });
    if (!cert.ok) return { ok: false, step: 'device ' + use.toUpperCase() + ' certificate from the Issuing DCA', reason: cert.reason };
    credentials[use] = { der: new Uint8Array(cert.der), pem: cert.pem, privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }) as string, publicKey: pub, scalar };
  }
  const ds = credentials.ds!;
  const ka = credentials.ka!;
  const anchors = initialAnchors(order.anchors, order.rootCertificate ?? new Uint8Array(smki.rootOca().der));
  const made = manufactureDevice(board, {
    eui: fromHex(order.eui)!, environment: 'test', kind: order.deviceType, dsPrivate: ds.scalar, kaPrivate: ka.scalar, dsCertificate: ds.der, kaCertificate: ka.der, anchors,
    firmware: order.firmware, attributes: order.attributes,
  });
  if (!made.ok) return { ok: false, step: 'manufacture' + (made.cell ? ' (' + made.cell + ')' : ''), reason: made.reason };
  const strip = (c: DeviceCredentials & { scalar: Uint8Array }): DeviceCredentials => ({ der: c.der, pem: c.pem || toPem(Buffer.from(c.der), 'CERTIFICATE'), privateKeyPem: c.privateKeyPem, publicKey: c.publicKey });
  return { ok: true, ds: strip(ds), ka: strip(ka) };
}

/** The DCC's initial trust anchors the factory installs (the supplier cells stay empty until CS02b). */
export function initialAnchors(a: FactoryOrder['anchors'], rootCertificate: Uint8Array): AnchorSpec[] {
  return [
    { cell: { role: 0, keyUsage: KEY_USAGE_KEY_CERT_SIGN, cellUsage: 0 }, certificate: rootCertificate },
    { cell: { role: 1, keyUsage: DS, cellUsage: 0 }, certificate: a.recovery.ds.certificate },
    { cell: { role: 3, keyUsage: DS, cellUsage: 0 }, certificate: a.networkOperator.ds.certificate },
    { cell: { role: 3, keyUsage: KA, cellUsage: 0 }, certificate: a.networkOperator.ka.certificate },
    { cell: { role: 4, keyUsage: DS, cellUsage: 0 }, certificate: a.acb.ds.certificate },
    { cell: { role: 4, keyUsage: KA, cellUsage: 0 }, certificate: a.acb.ka.certificate },
    { cell: { role: 5, keyUsage: DS, cellUsage: 0 }, certificate: a.transCoS.ds.certificate },
    { cell: { role: 6, keyUsage: DS, cellUsage: 0 }, certificate: a.wanProvider.ds.certificate },
  ];
}
