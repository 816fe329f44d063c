/**
 * GBCS message protection on top of the board's crypto: the command/response/alert MAC (GBCS §7.3.2),
 * ECDSA signatures over the signed range (GBCS §7.2.5), and the encryption of sensitive payloads
 * (GBCS §7.3.3). Portable: the device firmware, the hub and the harness share it.
 *
 * - MAC: AES-128-GCM over an empty plaintext, 12-byte tag, IV = originator system title || 00000000,
 *   AAD = `11 00 00 00 00 00` || the whole General Signing APDU; the key comes from the KDF (kdf.ts)
 *   with the APDU's originator, CRA flag, counter and recipient, over Z = ECDH(own KA private, peer KA
 *   public). For commands the MAC is computed by the ACB (ACB KA x device KA) while the KDF names the
 *   business originator; the device checks with its KA private key and the ACB KA certificate.
 * - Signature: ECDSA P-256/SHA-256 (r||s) over the APDU from offset 1 to the end of the content.
 * - Payload: ciphered content `31` || invocation counter || ciphertext || tag inside the content (a DLMS
 *   octet string or a GBZ component); AES-128-GCM with AAD `31`, IV = originator || invocation counter,
 *   KDF CRA byte 04 with the supplementary recipient and originator counter when present.
 * Expected failures are verdict values; thrown errors are caller bugs.
 * @module
 */
import { bytesEqual, concatBytes, copyBytes } from '../../lib/bytes.ts';
import { encodeGeneralCiphering, macAad, MAC_LENGTH } from '../generalCiphering.ts';
import type { GbcsMessage } from '../message.ts';
import { appendSignature } from '../message.ts';
import { counterToBytes } from '../counter64.ts';
import { gcmDecrypt, gcmEncrypt } from './gcm.ts';
import { gbcsKdf, KDF_PAYLOAD } from './kdf.ts';

/**
 * The primitives GBCS protection needs (GBCS §4.3, §4.4). A board's crypto satisfies it; the harness passes
 * Node's. Declared here so the wire layer knows no board.
 */
export interface GbcsCrypto {
  sha256(data: Uint8Array): Uint8Array;
  aes128EncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array;
  p256Sign(privateKey: Uint8Array, message: Uint8Array): Uint8Array;
  p256Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}
import type { SharedSecrets } from './sharedSecrets.ts';

export type ProtectionFailure =
  /** The peer's KA public key is not a P-256 point. */
  | 'bad-peer-key'
  /** A DF message where a MAC was expected. */
  | 'no-mac'
  | 'mac-mismatch'
  /** No ECDSA signature (absent or 00) where one was expected. */
  | 'no-signature'
  | 'bad-signature'
  /** No sensitive payload structure in the content. */
  | 'no-payload'
  /** The payload's tag does not match (wrong key or altered bytes). */
  | 'payload-tag-mismatch';

export type Verdict = { ok: true } | { ok: false; reason: ProtectionFailure };

const OK: Verdict = { ok: true };
function fail(reason: ProtectionFailure): Verdict {
  return { ok: false, reason: reason };
}

/** Fixed offsets in a General Signing APDU (GBCS §7.2.3): DF 09 CRA counter(8) 08 originator(8) 08 recipient(8). */
const AT_CRA = 2;
const AT_COUNTER = 3;
const AT_ORIGINATOR = 12;
const AT_RECIPIENT = 21;
const HEADER_END = 29;

/** The IV of every GBCS GCM use: the originator system title || a 4-byte invocation counter (00000000 in GBCS). */
function ivOf(originator: Uint8Array, invocation?: Uint8Array): Uint8Array {
  const iv = new Uint8Array(12);
  iv.set(originator, 0);
  if (invocation) iv.set(invocation, 8);
  return iv;
}

/** The MAC key of a General Signing APDU, from the header fields and the pair's Z (undefined: bad peer key). */
export function macKey(crypto: GbcsCrypto, secrets: SharedSecrets, ownPrivate: Uint8Array, peerPublic: Uint8Array, apdu: Uint8Array): Uint8Array | undefined {
  if (apdu.length < HEADER_END) throw new Error('macKey: a General Signing APDU has >= 29 bytes, got ' + apdu.length);
  const z = secrets.agree(ownPrivate, peerPublic);
  if (!z) return undefined;
  return gbcsKdf(
    crypto.sha256, z, apdu.subarray(AT_ORIGINATOR, AT_ORIGINATOR + 8), apdu[AT_CRA],
    apdu.subarray(AT_COUNTER, AT_COUNTER + 8), apdu.subarray(AT_RECIPIENT, AT_RECIPIENT + 8),
  );
}

/** The 12-byte GBCS MAC of a General Signing APDU under `key`. */
export function macWithKey(crypto: GbcsCrypto, key: Uint8Array, apdu: Uint8Array): Uint8Array {
  const iv = ivOf(apdu.subarray(AT_ORIGINATOR, AT_ORIGINATOR + 8));
  return gcmEncrypt(crypto.aes128EncryptBlock, key, iv, new Uint8Array(0), macAad(apdu), MAC_LENGTH).tag;
}

/** The MAC of an APDU between own and peer KA keys; undefined when the peer key is not a point. */
export function computeMac(crypto: GbcsCrypto, secrets: SharedSecrets, ownPrivate: Uint8Array, peerPublic: Uint8Array, apdu: Uint8Array): Uint8Array | undefined {
  const key = macKey(crypto, secrets, ownPrivate, peerPublic, apdu);
  return key ? macWithKey(crypto, key, apdu) : undefined;
}

/** The DD message carrying `apdu` and its MAC (what the ACB sends, or a device's non-critical response). */
export function wrapWithMac(crypto: GbcsCrypto, secrets: SharedSecrets, ownPrivate: Uint8Array, peerPublic: Uint8Array, apdu: Uint8Array): Uint8Array | undefined {
  const mac = computeMac(crypto, secrets, ownPrivate, peerPublic, apdu);
  return mac ? encodeGeneralCiphering(apdu, mac) : undefined;
}

/** Checks the MAC of a decoded DD message (full-length comparison). */
export function checkMac(crypto: GbcsCrypto, secrets: SharedSecrets, ownPrivate: Uint8Array, peerPublic: Uint8Array, m: GbcsMessage): Verdict {
  if (!m.mac) return fail('no-mac');
  const mac = computeMac(crypto, secrets, ownPrivate, peerPublic, m.apdu);
  if (!mac) return fail('bad-peer-key');
  return bytesEqual(mac, m.mac) ? OK : fail('mac-mismatch');
}

/** Checks the ECDSA signature of a decoded message against the signer's DS public key. */
export function checkSignature(crypto: GbcsCrypto, signerPublic: Uint8Array, m: GbcsMessage): Verdict {
  if (!m.signature) return fail('no-signature');
  return crypto.p256Verify(signerPublic, m.signed, m.signature) ? OK : fail('bad-signature');
}

/** Signs a pre-command (a DF APDU without a signature field): the APDU with `40 r s` appended. */
export function signPrecommand(crypto: GbcsCrypto, privateKey: Uint8Array, precommandApdu: Uint8Array): Uint8Array {
  return appendSignature(precommandApdu, crypto.p256Sign(privateKey, precommandApdu.subarray(1)));
}

/** The signature a device puts on its own response or alert: over `signed` (APDU offset 1 .. content end). */
export function signRange(crypto: GbcsCrypto, privateKey: Uint8Array, signed: Uint8Array): Uint8Array {
  return crypto.p256Sign(privateKey, signed);
}

/** A sensitive payload found in a message's content (views into the content). */
export interface SensitivePayload {
  /** `31` || invocation counter (4). */
  securityHeader: Uint8Array;
  ciphertext: Uint8Array;
  tag: Uint8Array;
  /** Where the ciphered content (security header .. tag) sits in the content. */
  start: number;
  end: number;
}

/** Security control byte of an encrypted and authenticated payload (GBCS §7.3.3). */
const PAYLOAD_SECURITY_CONTROL = 0x31;

function cipheredAt(content: Uint8Array, start: number, length: number): SensitivePayload | undefined {
  const end = start + length;
  if (length < 5 + MAC_LENGTH || end > content.length || content[start] !== PAYLOAD_SECURITY_CONTROL) return undefined;
  if (content[start + 1] | content[start + 2] | content[start + 3] | content[start + 4]) return undefined;
  return {
    securityHeader: content.subarray(start, start + 5),
    ciphertext: content.subarray(start + 5, end - MAC_LENGTH),
    tag: content.subarray(end - MAC_LENGTH, end),
    start: start,
    end: end,
  };
}

/**
 * The sensitive payloads of a message's content: ciphered content `31 00000000 ciphertext tag(12)`
 * carried as a DLMS octet string (`09 LEN`, LEN in BER form) in DLMS content, or after a 2-byte length
 * in a GBZ component (ZigBee content, GBCS §7.2.8). Found by their framing, in order.
 */
export function findSensitivePayloads(content: Uint8Array): SensitivePayload[] {
  const out: SensitivePayload[] = [];
  const gbz = content.length > 1 && content[0] === 0x01 && content[1] === 0x09;
  for (let i = 2; i + 5 <= content.length; i++) {
    if (content[i] !== PAYLOAD_SECURITY_CONTROL) continue;
    let p: SensitivePayload | undefined;
    if (gbz) {
      p = cipheredAt(content, i, (content[i - 2] << 8) | content[i - 1]);
    } else if (content[i - 2] === 0x09 && content[i - 1] < 0x80) {
      p = cipheredAt(content, i, content[i - 1]);
    } else if (i >= 3 && content[i - 3] === 0x09 && content[i - 2] === 0x81) {
      p = cipheredAt(content, i, content[i - 1]);
    } else if (i >= 4 && content[i - 4] === 0x09 && content[i - 3] === 0x82) {
      p = cipheredAt(content, i, (content[i - 2] << 8) | content[i - 1]);
    }
    if (p) {
      out.push(p);
      i = p.end - 1;
    }
  }
  return out;
}

/** The KDF inputs of a message's payload encryption. */
export interface PayloadFields {
  originator: Uint8Array;
  counter: Uint8Array;
  recipient: Uint8Array;
}

/**
 * Payload KDF fields of a decoded message (GBCS §7.3.3): the originator, and the recipient and counter,
 * replaced by the supplementary remote party and supplementary originator counter when the header
 * carries them (checked against RTDS 4.5.0: an ACB-addressed response is encrypted to the supplier).
 */
export function payloadFields(m: GbcsMessage): PayloadFields {
  const supp = m.gs.supplementary;
  return {
    originator: m.gs.originator,
    counter: supp && supp.originatorCounter ? counterToBytes(supp.originatorCounter) : m.apdu.subarray(AT_COUNTER, AT_COUNTER + 8),
    recipient: supp ? supp.remoteParty : m.gs.recipient,
  };
}

function payloadKey(crypto: GbcsCrypto, secrets: SharedSecrets, ownPrivate: Uint8Array, peerPublic: Uint8Array, p: PayloadFields): Uint8Array | undefined {
  const z = secrets.agree(ownPrivate, peerPublic);
  return z ? gbcsKdf(crypto.sha256, z, p.originator, KDF_PAYLOAD, p.counter, p.recipient) : undefined;
}

export type Decrypted = { ok: true; plaintext: Uint8Array } | { ok: false; reason: ProtectionFailure };

/** Decrypts a sensitive payload (own KA private x peer KA public: recipient or originator side alike). */
export function decryptPayload(
  crypto: GbcsCrypto, secrets: SharedSecrets, ownPrivate: Uint8Array, peerPublic: Uint8Array, fields: PayloadFields, p: SensitivePayload,
): Decrypted {
  const key = payloadKey(crypto, secrets, ownPrivate, peerPublic, fields);
  if (!key) return { ok: false, reason: 'bad-peer-key' };
  const iv = ivOf(fields.originator, p.securityHeader.subarray(1, 5));
  const plain = gcmDecrypt(crypto.aes128EncryptBlock, key, iv, p.ciphertext, new Uint8Array([PAYLOAD_SECURITY_CONTROL]), p.tag);
  return plain ? { ok: true, plaintext: plain } : { ok: false, reason: 'payload-tag-mismatch' };
}

/** Encrypts a payload: the ciphered content `31 00000000 ciphertext tag` for the given header fields. */
export function encryptPayload(
  crypto: GbcsCrypto, secrets: SharedSecrets, ownPrivate: Uint8Array, peerPublic: Uint8Array,
  fields: PayloadFields, plaintext: Uint8Array,
): Uint8Array | undefined {
  const key = payloadKey(crypto, secrets, ownPrivate, peerPublic, fields);
  if (!key) return undefined;
  const header = new Uint8Array([PAYLOAD_SECURITY_CONTROL, 0, 0, 0, 0]);
  const sealed = gcmEncrypt(crypto.aes128EncryptBlock, key, ivOf(copyBytes(fields.originator)), plaintext, new Uint8Array([PAYLOAD_SECURITY_CONTROL]), MAC_LENGTH);
  return concatBytes([header, sealed.ciphertext, sealed.tag]);
}
