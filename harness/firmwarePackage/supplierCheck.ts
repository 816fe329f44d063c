/**
 * The Supplier's check of a firmware package before it asks for "Update Firmware" (seed ¶296): the
 * package is an OTA Upgrade File whose sizes agree (device/firmwareUpdate/otaImage.ts), the manufacturer's
 * certificate chains to the Issuing OCA and is the manufacturer's (role 7F, the test lab's convention,
 * firmwarePackage.ts), the Manufacturer Signature verifies over the Image Hash, and — when a CPL is given —
 * the hash recomputed here is the one listed for that model and version. Each refusal names what failed.
 * @module
 */
import { subjectText } from '../smki/subjectText.ts';
import { createHash, X509Certificate } from 'node:crypto';
import type { BoardCrypto } from '../../boards/board.ts';
import { firmwareId, IMAGE_OFFSET, DESCRIPTOR_LENGTH, readImageHead, readSignatureElement, SIGNATURE_ELEMENT_LENGTH } from '../../gbcs/ota/otaImage.ts';
import type { CertifiedProductsList } from '../cpl/certifiedProductsList.ts';
import { MANUFACTURER_ROLE, modelName, versionName } from './firmwarePackage.ts';

export type PackageVerdict =
  | { ok: true; model: string; version: string; firmwareId: string; imageHash: string; size: number }
  | { ok: false; reason: string; imageHash?: string };

function publicKeyOf(cert: X509Certificate): Uint8Array {
  const jwk = cert.publicKey.export({ format: 'jwk' });
  return new Uint8Array(Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x as string, 'base64url'), Buffer.from(jwk.y as string, 'base64url')]));
}

export function checkPackage(crypto: BoardCrypto, bytes: Uint8Array, manufacturerCertPem: string, issuingOcaPem: string, cpl?: CertifiedProductsList): PackageVerdict {
  const head = readImageHead(bytes.subarray(0, Math.min(bytes.length, IMAGE_OFFSET + DESCRIPTOR_LENGTH)), bytes.length);
  if (!head.ok) return { ok: false, reason: 'malformed-package: ' + head.reason };
  const signedEnd = bytes.length - SIGNATURE_ELEMENT_LENGTH;
  const signature = readSignatureElement(bytes.subarray(signedEnd));
  if (!signature) return { ok: false, reason: 'malformed-package: no manufacturer signature sub-element (tag F000, 64 bytes) at the end' };
  const imageHash = createHash('sha256').update(bytes.subarray(0, signedEnd)).digest('hex');
  let cert: X509Certificate;
  let ca: X509Certificate;
  try {
    cert = new X509Certificate(manufacturerCertPem);
    ca = new X509Certificate(issuingOcaPem);
  } catch (e) {
    return { ok: false, reason: 'bad-certificate: ' + (e as Error).message, imageHash };
  }
  if (!cert.verify(ca.publicKey)) return { ok: false, reason: 'untrusted-manufacturer-certificate: not issued by the Issuing OCA', imageHash };
  if (!/OU=7F/.test(cert.subject)) return { ok: false, reason: 'not-a-manufacturer-certificate: subject OU is not ' + MANUFACTURER_ROLE + ' (' + subjectText(cert) + ')', imageHash };
  const hash = new Uint8Array(Buffer.from(imageHash, 'hex'));
  if (!crypto.p256Verify(publicKeyOf(cert), hash, signature)) return { ok: false, reason: 'bad-manufacturer-signature: the signature does not verify over image hash ' + imageHash, imageHash };
  const model = modelName(head.header.manufacturerCode, head.header.imageType);
  const version = versionName(head.header.fileVersion);
  const fwId = Buffer.from(firmwareId(head.header)).toString('hex');
  if (cpl) {
    const entry = cpl.get(model, version);
    if (!entry || entry.status === 'removed') return { ok: false, reason: 'not-on-cpl: no entry for model ' + model + ' version ' + version, imageHash };
    if (entry.imageHash !== imageHash) return { ok: false, reason: 'hash-not-on-cpl: image hash ' + imageHash + ' differs from the listed ' + entry.imageHash, imageHash };
    if (entry.status === 'expired') return { ok: false, reason: 'cpa-expired: the CPA certificate of ' + model + ' ' + version + ' expired ' + entry.cpaExpiry, imageHash };
  }
  return { ok: true, model, version, firmwareId: fwId, imageHash, size: bytes.length };
}
