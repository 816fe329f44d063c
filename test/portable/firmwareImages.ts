/**
 * Synthetic firmware images for the portable suites and benches, produced block by block so that an
 * image larger than an engine's memory never sits whole in RAM: the body is a deterministic byte pattern,
 * the OTA head and the signature are computed by streaming passes (otaImage.ts definitions).
 * @module
 */
import { readFirmwareReceipt } from '../../gbcs/contents/firmwareReceipt.ts';
import { toHex } from '../../lib/bytes.ts';
import type { BoardCrypto } from '../../boards/board.ts';
import { Sha256Stream } from '../../boards/portable/sha256.ts';
import { BLOCK_SIZE } from '../../gbcs/ota/blockTransfer.ts';
import { encodeImageHead, signatureElement, SIGNATURE_ELEMENT_LENGTH } from '../../gbcs/ota/otaImage.ts';

export interface StreamedImage {
  size: number;
  hash: Uint8Array;
  blocks: number;
  /** The bytes of block n (BLOCK_SIZE, the last shorter). */
  block(n: number): Uint8Array;
}

export interface SyntheticSpec {
  bodyLength: number;
  fileVersion: number;
  seed: number;
  /** Declare a wrong body digest: the image fails its start-up self-check. */
  failSelfCheck?: boolean;
  /**
   * The image's digests and signature, computed beforehand (on Node) for an engine where computing them
   * again would cost most of its time budget (Espruino: two streamed passes and a P-256 signature).
   * Nothing is checked here: a wrong value shows as a refused image.
   */
  known?: KnownImage;
}

export interface KnownImage {
  bodyDigest: Uint8Array;
  hash: Uint8Array;
  /** r || s (64 bytes). */
  signature: Uint8Array;
}

function bodyByte(seed: number, i: number): number {
  return (i * 31 + (i >>> 8) * 7 + seed) & 255;
}

/** Builds the image's head, hashes it and signs it with `manufacturerPrivate`; blocks are made on demand. */
export function syntheticImage(crypto: BoardCrypto, manufacturerPrivate: Uint8Array, s: SyntheticSpec): StreamedImage {
  const chunk = new Uint8Array(BLOCK_SIZE);
  const fillBody = (from: number, n: number) => {
    for (let i = 0; i < n; i++) chunk[i] = bodyByte(s.seed, from + i);
    return chunk.subarray(0, n);
  };
  let digest: Uint8Array;
  if (s.known) digest = new Uint8Array(s.known.bodyDigest);
  else {
    const bodySha = new Sha256Stream();
    for (let at = 0; at < s.bodyLength; at += BLOCK_SIZE) bodySha.update(fillBody(at, s.bodyLength - at < BLOCK_SIZE ? s.bodyLength - at : BLOCK_SIZE));
    digest = bodySha.digest();
  }
  if (s.failSelfCheck) digest[0] ^= 0xff;
  const head = encodeImageHead({ manufacturerCode: 0x1234, imageType: 0x0001, fileVersion: s.fileVersion, headerString: 'SMETS ESME TEST', bodyLength: s.bodyLength, bodyDigest: digest });
  const signedEnd = head.length + s.bodyLength;
  const size = signedEnd + SIGNATURE_ELEMENT_LENGTH;
  let sig: Uint8Array = new Uint8Array(SIGNATURE_ELEMENT_LENGTH);
  const bytes = (from: number, to: number): Uint8Array => {
    const out = new Uint8Array(to - from);
    for (let p = from; p < to; p++) {
      out[p - from] = p < head.length ? head[p] : p < signedEnd ? bodyByte(s.seed, p - head.length) : sig[p - signedEnd];
    }
    return out;
  };
  let hash: Uint8Array;
  if (s.known) {
    hash = s.known.hash;
    sig = signatureElement(s.known.signature);
  } else {
    const sha = new Sha256Stream();
    sha.update(head);
    for (let at = 0; at < s.bodyLength; at += BLOCK_SIZE) sha.update(fillBody(at, s.bodyLength - at < BLOCK_SIZE ? s.bodyLength - at : BLOCK_SIZE));
    hash = sha.digest();
    sig = signatureElement(crypto.p256Sign(manufacturerPrivate, hash));
  }
  const blocks = Math.floor((size + BLOCK_SIZE - 1) / BLOCK_SIZE);
  return {
    size: size, hash: hash, blocks: blocks,
    block(n: number): Uint8Array {
      const from = n * BLOCK_SIZE;
      return bytes(from, from + BLOCK_SIZE < size ? from + BLOCK_SIZE : size);
    },
  };
}

/** The hash a firmware receipt alert (00CE / 00CF) carries, as hex, or why it cannot be read. */
export function receiptHashHex(messageCode: number, content: Uint8Array): string {
  const r = readFirmwareReceipt(messageCode, content);
  return typeof r === 'string' ? 'unreadable: ' + r : toHex(r.hash);
}
