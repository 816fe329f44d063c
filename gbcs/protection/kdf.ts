/**
 * The GBCS key derivation (GBCS §4.3.3.2, NIST SP 800-56A Rev. 2 §5.8.1 concatenation KDF with SHA-256,
 * one round): key = first 16 bytes of SHA-256(00000001 || Z || OtherInfo), where
 * OtherInfo (33 bytes) = AlgorithmID `60 85 74 06 08 03 00` || originator system title (8) ||
 * `09` || CRA byte || originator counter (8) || recipient system title (8).
 * The CRA byte is the message's CRA flag for MACs (01 command, 02 response, 03 alert) and 04 for the
 * encryption of sensitive payloads (GBCS §4.3.3.2), whose counter and recipient are the payload's own.
 * The originator is the business originator (e.g. the supplier, not the ACB that computes a command MAC).
 * @module
 */

type Hash = (data: Uint8Array) => Uint8Array;

/** GBCS §4.3.3.2 AlgorithmID for ECDH-derived AES-128-GCM keys. */
const ALGORITHM_ID = new Uint8Array([0x60, 0x85, 0x74, 0x06, 0x08, 0x03, 0x00]);

export const KDF_COMMAND = 1;
export const KDF_RESPONSE = 2;
export const KDF_ALERT = 3;
/** CRA byte for payload encryption (sensitive data). */
export const KDF_PAYLOAD = 4;

function expect(what: string, bytes: Uint8Array, length: number): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new TypeError('gbcsKdf: "' + what + '" expected Uint8Array of length ' + length + ', got length=' + (bytes ? bytes.length : bytes));
  }
}

/** The 16-byte AES key for one message (or payload) from the static-static ECDH secret Z. */
export function gbcsKdf(sha256: Hash, z: Uint8Array, originator: Uint8Array, cra: number, counter: Uint8Array, recipient: Uint8Array): Uint8Array {
  expect('z', z, 32);
  expect('originator', originator, 8);
  expect('counter', counter, 8);
  expect('recipient', recipient, 8);
  const input = new Uint8Array(4 + 32 + 33);
  input[3] = 1;
  input.set(z, 4);
  let at = 36;
  input.set(ALGORITHM_ID, at); // one native copy rather than a byte loop (interpreted on Espruino)
  at += 7;
  input.set(originator, at);
  at += 8;
  input[at++] = 0x09;
  input[at++] = cra;
  input.set(counter, at);
  at += 8;
  input.set(recipient, at);
  return new Uint8Array(sha256(input).subarray(0, 16));
}
