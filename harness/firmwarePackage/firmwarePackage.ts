/**
 * The manufacturer's tool: builds a firmware image package as device/firmwareUpdate/otaImage.ts defines it
 * (ZigBee OTA Upgrade File: OTA header, Upgrade Image sub-element with the Manufacturer Image, Manufacturer
 * Signature sub-element), signs it with the manufacturer's image-signing key, and reports what goes on the
 * Certified Products List (model, version, Firmware ID, Image Hash = SHA-256 over the OTA header and the
 * Manufacturer Image; seed ¶288, ¶295).
 *
 * The manufacturer's key in the test lab: the SMKI has no manufacturer role, so the test SMKI issues the
 * manufacturer an organisation certificate with role 7F ("other") under the Issuing OCA, for entity id
 * MANUFACTURER_EUI, key usage digitalSignature (harness/lab/factory.ts). The Supplier checks package
 * signatures against that certificate (supplierCheck.ts) and the factory provisions its public key into
 * each device's image store (the device trusts images only from its own manufacturer).
 * @module
 */
import { createHash } from 'node:crypto';
import type { BoardCrypto } from '../../boards/board.ts';
import { encodeUnsignedImage, firmwareId, withSignature } from '../../gbcs/ota/otaImage.ts';

export const MANUFACTURER_EUI = 'F0F0F0F000000001';
export const MANUFACTURER_ROLE = '7F';

export interface PackageSpec {
  manufacturerCode: number;
  imageType: number;
  fileVersion: number;
  model: string;
  /** The firmware's code. */
  body: Uint8Array;
  /** Build an image whose start-up self-check fails (a faulty build: signed and listed, but it cannot start). */
  failSelfCheck?: boolean;
}

export interface FirmwarePackage {
  bytes: Uint8Array;
  /** CPL fields. */
  model: string;
  version: string;
  firmwareId: string;
  imageHash: string;
}

const sha256 = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export function modelName(manufacturerCode: number, imageType: number): string {
  return manufacturerCode.toString(16).padStart(4, '0') + '-' + imageType.toString(16).padStart(4, '0');
}

export function versionName(fileVersion: number): string {
  return (fileVersion >>> 0).toString(16).padStart(8, '0');
}

export function buildPackage(crypto: BoardCrypto, manufacturerPrivate: Uint8Array, s: PackageSpec): FirmwarePackage {
  const digest = sha256(s.body);
  if (s.failSelfCheck) digest[0] ^= 0xff;
  const unsigned = encodeUnsignedImage({ manufacturerCode: s.manufacturerCode, imageType: s.imageType, fileVersion: s.fileVersion, headerString: s.model, bodyLength: s.body.length, body: s.body, bodyDigest: digest });
  const hash = sha256(unsigned);
  const bytes = withSignature(unsigned, crypto.p256Sign(manufacturerPrivate, hash));
  return { bytes, model: modelName(s.manufacturerCode, s.imageType), version: versionName(s.fileVersion), firmwareId: hex(firmwareId(s)), imageHash: hex(hash) };
}

/** A deterministic stand-in for a firmware build of `length` bytes (the lab has no real firmware to ship). */
export function sampleBody(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
