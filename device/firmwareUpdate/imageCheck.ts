/**
 * Checking an image in the store before anything else is done with it (GBCS §11: the device checks the
 * image; seed ¶296-297): its size and structure (otaImage.ts), its Image Hash, streamed block by block
 * through an incremental SHA-256 (the board's sha256 takes one buffer and an image does not fit in RAM),
 * and the Manufacturer Signature over that hash with the manufacturer key provisioned at manufacture.
 * Also the start-up self-check the image declares (its body digest), which the boot selector runs.
 * Rejections are values, each naming what failed.
 * @module
 */
import type { Board } from '../../boards/board.ts';
import { Sha256Stream } from '../../boards/portable/sha256.ts';
import { bytesEqual } from '../../lib/bytes.ts';
import { BLOCK_SIZE } from '../../gbcs/ota/blockTransfer.ts';
import { blockCount, readBlock, readConfig, readSlot, SLOT_RECEIVING, SLOT_VERIFIED } from './imageStore.ts';
import { DESCRIPTOR_LENGTH, IMAGE_OFFSET, firmwareId, readImageHead, readSignatureElement, SELF_CHECK_BODY_DIGEST, SIGNATURE_ELEMENT_LENGTH, versionBytes } from '../../gbcs/ota/otaImage.ts';
import type { HeaderProblem } from '../../gbcs/ota/otaImage.ts';

type Readable = { read(k: string): Uint8Array | undefined };

export type CheckProblem = HeaderProblem | 'incomplete' | 'missing-block' | 'bad-signature-element' | 'bad-signature' | 'no-manufacturer-key' | 'version-mismatch';

export type ImageVerdict =
  | { ok: true; hash: Uint8Array; version: Uint8Array; firmwareId: Uint8Array }
  | { ok: false; reason: CheckProblem };

/**
 * Feeds bytes [from, to) of a slot's file to `sink`, block by block. False when a block is missing or short.
 */
export function streamSlot(s: Readable, slot: number, from: number, to: number, sink: (bytes: Uint8Array) => void): boolean {
  let n = Math.floor(from / BLOCK_SIZE);
  for (let at = n * BLOCK_SIZE; at < to; at += BLOCK_SIZE, n++) {
    const b = readBlock(s, slot, n);
    if (!b) return false;
    // A short block before the end means the slot is not what its record says.
    if (b.length < BLOCK_SIZE && at + b.length < to) return false;
    const start = from > at ? from - at : 0;
    const end = to - at < b.length ? to - at : b.length;
    if (end > start) sink(b.subarray(start, end));
  }
  return true;
}

/** The Image Hash and structure of a fully received slot, and the manufacturer's signature over the hash. */
export function checkSlot(board: Board, s: Readable, slot: number): ImageVerdict {
  const rec = readSlot(s, slot);
  if (rec.state !== SLOT_RECEIVING && rec.state !== SLOT_VERIFIED) return { ok: false, reason: 'incomplete' };
  if (rec.received !== rec.size || blockCount(rec.size) === 0) return { ok: false, reason: 'incomplete' };
  const cfg = readConfig(s);
  if (!cfg) return { ok: false, reason: 'no-manufacturer-key' };
  const first = readBlock(s, slot, 0);
  if (!first) return { ok: false, reason: 'missing-block' };
  // Size and structure first: nothing is hashed for a file whose header does not add up.
  const head = readImageHead(first.subarray(0, first.length < IMAGE_OFFSET + DESCRIPTOR_LENGTH ? first.length : IMAGE_OFFSET + DESCRIPTOR_LENGTH), rec.size);
  if (!head.ok) return head;
  if (!bytesEqual(head.descriptor.version, versionBytes(head.header.fileVersion))) return { ok: false, reason: 'version-mismatch' };
  const signedEnd = rec.size - SIGNATURE_ELEMENT_LENGTH;
  const sha = new Sha256Stream();
  if (!streamSlot(s, slot, 0, signedEnd, function (b) { sha.update(b); })) return { ok: false, reason: 'missing-block' };
  const hash = sha.digest();
  const tail = new Uint8Array(SIGNATURE_ELEMENT_LENGTH);
  let at = 0;
  if (!streamSlot(s, slot, signedEnd, rec.size, function (b) { tail.set(b, at); at += b.length; })) return { ok: false, reason: 'missing-block' };
  const signature = readSignatureElement(tail);
  if (!signature) return { ok: false, reason: 'bad-signature-element' };
  if (!board.crypto.p256Verify(cfg.manufacturerKey, hash, signature)) return { ok: false, reason: 'bad-signature' };
  return { ok: true, hash: hash, version: head.descriptor.version, firmwareId: firmwareId(head.header) };
}

/**
 * The start-up self-check a verified image declares: its body must digest to the value in its descriptor.
 * (A real image would run its own power-on tests; this models one whose outcome the image decides.)
 */
export function selfCheck(s: Readable, slot: number): boolean {
  const rec = readSlot(s, slot);
  if (rec.state !== SLOT_VERIFIED) return false;
  const first = readBlock(s, slot, 0);
  if (!first) return false;
  const head = readImageHead(first.subarray(0, first.length < IMAGE_OFFSET + DESCRIPTOR_LENGTH ? first.length : IMAGE_OFFSET + DESCRIPTOR_LENGTH), rec.size);
  if (!head.ok || head.descriptor.selfCheck !== SELF_CHECK_BODY_DIGEST) return false;
  const from = IMAGE_OFFSET + DESCRIPTOR_LENGTH;
  const sha = new Sha256Stream();
  if (!streamSlot(s, slot, from, from + head.descriptor.bodyLength, function (b) { sha.update(b); })) return false;
  return bytesEqual(sha.digest(), head.descriptor.bodyDigest);
}
