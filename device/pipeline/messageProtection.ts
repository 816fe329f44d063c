/**
 * The GBCS message protection the device applies and checks (GBCS §4.3.3 and GBCS-FACTS "Cryptography"):
 * the KDF that turns a static-static ECDH secret into a per-message AES key, and the 12-byte AES-GCM MAC
 * over the General Signing APDU carried in the DD wrapper.
 *
 * KDF (NIST SP 800-56A concatenation KDF, one round): key = first 16 bytes of SHA-256(00000001 || Z ||
 * OtherInfo), OtherInfo = 60857406080300 || originator || 09 || CRA || originator counter || recipient.
 * MAC: GCM over an empty plaintext, IV = originator system title || 00000000, AAD = 11 00000000 00 || APDU.
 * (Kept small and private to the pipeline; the crypto layer's shared version can replace it unchanged.)
 * @module
 */
import type { BoardCrypto } from '../../boards/board.ts';
import { bytesEqual, concatBytes } from '../bytes.ts';
import { writeCounter } from '../gbcs/counter64.ts';
import type { Counter64 } from '../gbcs/counter64.ts';
import { macAad, MAC_LENGTH } from '../gbcs/generalCiphering.ts';
import { gcmEncrypt } from '../security/gcm.ts';

const ALGORITHM_ID = new Uint8Array([0x60, 0x85, 0x74, 0x06, 0x08, 0x03, 0x00]);

/** The AES key for one message (GBCS §4.3.3.x KDF). */
export function messageKey(crypto: BoardCrypto, z: Uint8Array, originator: Uint8Array, cra: number, counter: Counter64, recipient: Uint8Array): Uint8Array {
  const tid = new Uint8Array(10);
  tid[0] = 0x09;
  tid[1] = cra;
  writeCounter(tid, 2, counter);
  const digest = crypto.sha256(concatBytes([new Uint8Array([0, 0, 0, 1]), z, ALGORITHM_ID, originator, tid, recipient]));
  return digest.subarray(0, 16);
}

/** The 12-byte MAC of a General Signing APDU. */
export function computeMac(crypto: BoardCrypto, key: Uint8Array, originator: Uint8Array, apdu: Uint8Array): Uint8Array {
  const iv = concatBytes([originator, new Uint8Array(4)]);
  return gcmEncrypt(crypto.aes128EncryptBlock, key, iv, new Uint8Array(0), macAad(apdu), MAC_LENGTH).tag;
}

/**
 * Checks a MAC: `privateKey` x `publicKey` (the device's KA key and the ACB's, for a command) with the KDF
 * inputs of the message. False for any failure, including a public key off the curve.
 */
export function macValid(
  crypto: BoardCrypto,
  privateKey: Uint8Array,
  publicKey: Uint8Array,
  originator: Uint8Array,
  cra: number,
  counter: Counter64,
  recipient: Uint8Array,
  apdu: Uint8Array,
  mac: Uint8Array,
): boolean {
  const z = crypto.ecdh(privateKey, publicKey);
  if (!z) return false;
  const key = messageKey(crypto, z, originator, cra, counter, recipient);
  return bytesEqual(computeMac(crypto, key, originator, apdu), mac);
}
