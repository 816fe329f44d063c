/**
 * The firmware image package: a ZigBee OTA Upgrade File (ZigBee Cluster Library, OTA Upgrade cluster,
 * "OTA Upgrade File Format": OTA header then tag-length-value sub-elements, all little-endian), which is
 * what GBCS §11 distributes ("the Upgrade Image and the ZigBee OTA Header are provided when requesting
 * distribution of an image"; the Manufacturer Image is the payload). Shared by the device (parsing, streamed
 * from its image store) and the harness (building, checking); portable.
 *
 * Layout we implement (offsets in the file):
 *   0   OTA header, 56 bytes, no optional fields (field control 0):
 *       file identifier u32 0x0BEEF11E, header version u16 0x0100, header length u16 56, field control u16,
 *       manufacturer code u16, image type u16, file version u32, ZigBee stack version u16 (2 = PRO),
 *       header string 32 bytes (ASCII model, zero padded), total image size u32 (the whole file)
 *   56  sub-element tag 0x0000 "Upgrade Image", length u32, the Manufacturer Image
 *   ..  sub-element tag 0xF000 (the manufacturer-specific tag range), length 64: the Manufacturer
 *       Signature r||s, always the last 70 bytes of the file
 *
 * Definitions (ours where GBCS leaves the mechanism to the manufacturer, GBCS §11 introduction):
 * - Firmware ID = manufacturer code | image type | file version (8 bytes, big-endian here): the OTA header's
 *   own identification of the image.
 * - Image Hash = SHA-256 over every byte before the signature sub-element, i.e. over the OTA header (which
 *   carries the Firmware ID) and the Manufacturer Image: the "SHA-256 hash of the firmware image and
 *   firmware ID" the manufacturer lodges in the Certified Products List (SEC F2; seed ¶288, ¶295), the hash
 *   CS06 carries, and the device's own hash in the receipt alert 00CE. One definition, three uses.
 * - Manufacturer Signature = ECDSA P-256/SHA-256 (r||s) over the 32-byte Image Hash, so that a device can
 *   stream the image through SHA-256 and check the signature over 32 bytes (the board verifies messages).
 * - The Manufacturer Image starts with a descriptor the start-up self-check reads:
 *     "SMFI" | version (4, what ECS52 and CS06 report) | self-check kind u8 (1: body digest)
 *     | expected SHA-256 of the body (32) | body length u32 BE | body
 * @module
 */
import { bytesEqual, readU32be } from '../../lib/bytes.ts';

export const OTA_FILE_IDENTIFIER = 0x0beef11e;
export const OTA_HEADER_LENGTH = 56;
export const TAG_UPGRADE_IMAGE = 0x0000;
export const TAG_MANUFACTURER_SIGNATURE = 0xf000;
export const SIGNATURE_ELEMENT_LENGTH = 6 + 64;
export const DESCRIPTOR_LENGTH = 4 + 4 + 1 + 32 + 4;
/** Where the Manufacturer Image (its descriptor) starts in the file. */
export const IMAGE_OFFSET = OTA_HEADER_LENGTH + 6;
/** The smallest file: header, one sub-element with a descriptor, the signature. */
export const MIN_FILE_SIZE = IMAGE_OFFSET + DESCRIPTOR_LENGTH + SIGNATURE_ELEMENT_LENGTH;
export const SELF_CHECK_BODY_DIGEST = 1;
const MAGIC = [0x53, 0x4d, 0x46, 0x49]; // "SMFI"

export interface OtaHeader {
  manufacturerCode: number;
  imageType: number;
  /** The OTA file version (u32). */
  fileVersion: number;
  /** ASCII, at most 32 characters. */
  headerString: string;
  totalSize: number;
}

export interface ImageDescriptor {
  version: Uint8Array;
  selfCheck: number;
  bodyDigest: Uint8Array;
  bodyLength: number;
}

export type HeaderProblem = 'short' | 'not-an-ota-file' | 'header-version' | 'header-length' | 'not-an-upgrade-image' | 'size-mismatch' | 'bad-descriptor';

function u16le(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}
function u32le(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 16777216;
}
function put16le(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
}
function put32le(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
}

/** The 8-byte Firmware ID. */
export function firmwareId(h: { manufacturerCode: number; imageType: number; fileVersion: number }): Uint8Array {
  const v = h.fileVersion;
  return new Uint8Array([h.manufacturerCode >>> 8, h.manufacturerCode & 0xff, h.imageType >>> 8, h.imageType & 0xff, (v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
}

/** The 4-byte version a device reports for an OTA file version. */
export function versionBytes(fileVersion: number): Uint8Array {
  return new Uint8Array([(fileVersion >>> 24) & 0xff, (fileVersion >>> 16) & 0xff, (fileVersion >>> 8) & 0xff, fileVersion & 0xff]);
}

/**
 * Reads the OTA header, the Upgrade Image sub-element header and the descriptor from the first bytes of
 * a file (at least IMAGE_OFFSET + DESCRIPTOR_LENGTH of them), and checks that the sizes agree: the header's
 * total size, the Upgrade Image length and the signature sub-element must fill exactly `fileSize` bytes.
 */
export function readImageHead(first: Uint8Array, fileSize: number): { ok: true; header: OtaHeader; descriptor: ImageDescriptor; imageLength: number } | { ok: false; reason: HeaderProblem } {
  if (first.length < IMAGE_OFFSET + DESCRIPTOR_LENGTH || fileSize < MIN_FILE_SIZE) return { ok: false, reason: 'short' };
  if (u32le(first, 0) !== OTA_FILE_IDENTIFIER) return { ok: false, reason: 'not-an-ota-file' };
  if (u16le(first, 4) !== 0x0100) return { ok: false, reason: 'header-version' };
  if (u16le(first, 6) !== OTA_HEADER_LENGTH || u16le(first, 8) !== 0) return { ok: false, reason: 'header-length' };
  let headerString = '';
  for (let i = 0; i < 32 && first[20 + i] !== 0; i++) headerString += String.fromCharCode(first[20 + i]);
  const header: OtaHeader = {
    manufacturerCode: u16le(first, 10), imageType: u16le(first, 12), fileVersion: u32le(first, 14), headerString: headerString, totalSize: u32le(first, 52),
  };
  if (u16le(first, OTA_HEADER_LENGTH) !== TAG_UPGRADE_IMAGE) return { ok: false, reason: 'not-an-upgrade-image' };
  const imageLength = u32le(first, OTA_HEADER_LENGTH + 2);
  if (header.totalSize !== fileSize || IMAGE_OFFSET + imageLength + SIGNATURE_ELEMENT_LENGTH !== fileSize) return { ok: false, reason: 'size-mismatch' };
  const d = IMAGE_OFFSET;
  for (let i = 0; i < 4; i++) if (first[d + i] !== MAGIC[i]) return { ok: false, reason: 'bad-descriptor' };
  const descriptor: ImageDescriptor = {
    version: new Uint8Array(first.subarray(d + 4, d + 8)),
    selfCheck: first[d + 8],
    bodyDigest: new Uint8Array(first.subarray(d + 9, d + 41)),
    bodyLength: readU32be(first, d + 41),
  };
  if (DESCRIPTOR_LENGTH + descriptor.bodyLength !== imageLength) return { ok: false, reason: 'bad-descriptor' };
  return { ok: true, header: header, descriptor: descriptor, imageLength: imageLength };
}

/** Checks the signature sub-element's tag and length (the last 70 bytes) and returns r||s. */
export function readSignatureElement(last70: Uint8Array): Uint8Array | undefined {
  if (last70.length !== SIGNATURE_ELEMENT_LENGTH) return undefined;
  if (u16le(last70, 0) !== TAG_MANUFACTURER_SIGNATURE || u32le(last70, 2) !== 64) return undefined;
  return new Uint8Array(last70.subarray(6));
}

export interface ImageHeadSpec {
  manufacturerCode: number;
  imageType: number;
  fileVersion: number;
  headerString: string;
  bodyLength: number;
  /** SHA-256 of the body, as the self-check expects it (a deliberately wrong one makes an image that fails start-up). */
  bodyDigest: Uint8Array;
}

export interface ImageSpec extends ImageHeadSpec {
  body: Uint8Array;
}

/** The first IMAGE_OFFSET + DESCRIPTOR_LENGTH bytes of a file: OTA header, sub-element header, descriptor. */
export function encodeImageHead(s: ImageHeadSpec): Uint8Array {
  const imageLength = DESCRIPTOR_LENGTH + s.bodyLength;
  const total = IMAGE_OFFSET + imageLength + SIGNATURE_ELEMENT_LENGTH;
  const out = new Uint8Array(IMAGE_OFFSET + DESCRIPTOR_LENGTH);
  put32le(out, 0, OTA_FILE_IDENTIFIER);
  put16le(out, 4, 0x0100);
  put16le(out, 6, OTA_HEADER_LENGTH);
  put16le(out, 8, 0);
  put16le(out, 10, s.manufacturerCode);
  put16le(out, 12, s.imageType);
  put32le(out, 14, s.fileVersion);
  put16le(out, 18, 2);
  for (let i = 0; i < 32 && i < s.headerString.length; i++) out[20 + i] = s.headerString.charCodeAt(i) & 0x7f;
  put32le(out, 52, total);
  put16le(out, OTA_HEADER_LENGTH, TAG_UPGRADE_IMAGE);
  put32le(out, OTA_HEADER_LENGTH + 2, imageLength);
  const d = IMAGE_OFFSET;
  out.set(MAGIC, d);
  out.set(versionBytes(s.fileVersion), d + 4);
  out[d + 8] = SELF_CHECK_BODY_DIGEST;
  out.set(s.bodyDigest, d + 9);
  const n = s.bodyLength;
  out[d + 41] = (n >>> 24) & 0xff;
  out[d + 42] = (n >>> 16) & 0xff;
  out[d + 43] = (n >>> 8) & 0xff;
  out[d + 44] = n & 0xff;
  return out;
}

/** The file without its signature sub-element: the bytes the Image Hash covers. */
export function encodeUnsignedImage(s: ImageSpec): Uint8Array {
  const head = encodeImageHead(s);
  const out = new Uint8Array(head.length + s.body.length);
  out.set(head, 0);
  out.set(s.body, head.length);
  return out;
}

/** The signature sub-element (the file's last 70 bytes). */
export function signatureElement(signature: Uint8Array): Uint8Array {
  if (signature.length !== 64) throw new Error('signatureElement: expected a 64-byte r||s signature, got ' + signature.length);
  const out = new Uint8Array(SIGNATURE_ELEMENT_LENGTH);
  put16le(out, 0, TAG_MANUFACTURER_SIGNATURE);
  put32le(out, 2, 64);
  out.set(signature, 6);
  return out;
}

/** Appends the signature sub-element to an unsigned file. */
export function withSignature(unsigned: Uint8Array, signature: Uint8Array): Uint8Array {
  if (signature.length !== 64) throw new Error('withSignature: expected a 64-byte r||s signature, got ' + signature.length);
  const out = new Uint8Array(unsigned.length + SIGNATURE_ELEMENT_LENGTH);
  out.set(unsigned, 0);
  put16le(out, unsigned.length, TAG_MANUFACTURER_SIGNATURE);
  put32le(out, unsigned.length + 2, 64);
  out.set(signature, unsigned.length + 6);
  return out;
}

/** Whether two 32-byte hashes are equal (constant time). */
export function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === 32 && b.length === 32 && bytesEqual(a, b);
}
