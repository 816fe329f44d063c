/**
 * The device's own credentials (GBCS §12.2 CS02c, CS02d, CS02e; ASN.1 facts checked against the DCC GBCS
 * message parser's CS02c/d/e decoders):
 *
 * - CS02c Issue Security Credentials (0x000A): command SEQUENCE { keyUsage KeyUsage }. The device generates
 *   a new P-256 key pair for that usage, holds the private key as *pending* (the key in use stays until a
 *   certificate arrives) and answers with a PKCS#10 CertificationRequest (RFC 2986): empty subject, the new
 *   public key, extensionRequest (PKCS#9) with keyUsage (critical, exactly digitalSignature or keyAgreement)
 *   and subjectAltName (critical) = otherName hardwareModuleName { hwType, hwSerialNum = own EUI-64 }
 *   (RFC 4108 §5; the SMKI device certificate profile), signed with the NEW key: proof of possession.
 *   Failure answers are an INTEGER: 1 invalid key usage, 2 key pair generation failed, 3 CR production failed.
 * - CS02d Update Device Certificate on Device (0x000B): command = a Certificate. Response INTEGER: 0 success,
 *   1 invalid certificate, 2 wrong device identity, 3 invalid key usage, 4 no corresponding key pair
 *   generated, 5 wrong public key, 6 certificate storage failed, 7 private key change failed. Checked here:
 *   the certificate reads (P-256, ecdsa-with-SHA256), its environment is the device's (test/live, else 1),
 *   it is issued by one of the Issuing DCAs the device was provisioned with (signature and authority key id;
 *   else 1 — GBCS gives no separate code for an unknown issuer; (unconfirmed) how a device learns of a new
 *   Issuing DCA is not in our sources, so a device built with none refuses every certificate), its subject
 *   is empty and its hwSerialNum is this device's EUI (else 2), its key usage is exactly DS or KA (else 3),
 *   a pending key for that usage exists (else 4) and the certificate's key is that key's public key (else 5).
 *   On success the pending key becomes the device key with its certificate, in the command's one commit.
 * - CS02e Provide Device Certificate from Device (0x000C): command SEQUENCE { keyUsage }; response the
 *   Certificate, or INTEGER 1 invalid key usage, 2 no certificate held.
 * @module
 */
import type { Board } from '../../boards/board.ts';
import { bytesEqual, concatBytes } from '../../lib/bytes.ts';
import {
  derBitString, derOctetString, derOid, derSequence, derSmallInteger, derTlv, derUnsignedInteger, readBitString, readChildren, readTlv,
  TAG_BIT_STRING, TAG_SEQUENCE, TAG_SET,
} from '../../gbcs/der.ts';
import type { CommandContext, Execution } from '../pipeline/commandContext.ts';
import { issuedBy, keyUsageBitString, KEY_USAGE_DIGITAL_SIGNATURE, KEY_USAGE_KEY_AGREEMENT, OID_ECDSA_SHA256, OID_EC_PUBLIC_KEY, OID_HARDWARE_MODULE_NAME, OID_KEY_USAGE, OID_P256, OID_SAN, readCertificate } from '../../gbcs/smki/certificate.ts';
import { certificateEnvironment } from '../../gbcs/smki/certificatePolicies.ts';
import { installDeviceCertificate, readDeviceCertificate, readPendingKey, stagePendingKey } from '../state/identity.ts';
import type { KeyUse } from '../state/identity.ts';
import { readIssuingDcas } from '../state/issuingDcas.ts';

export const CS02C_INVALID_KEY_USAGE = 1;
export const CS02D_SUCCESS = 0;
export const CS02D_INVALID_CERTIFICATE = 1;
export const CS02D_WRONG_DEVICE_IDENTITY = 2;
export const CS02D_INVALID_KEY_USAGE = 3;
export const CS02D_NO_KEY_PAIR = 4;
export const CS02D_WRONG_PUBLIC_KEY = 5;
export const CS02E_INVALID_KEY_USAGE = 1;
export const CS02E_NO_CERTIFICATE = 2;

const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
/** hwType of the SMKI device certificates among the vectors (observed in rtds/keystore). */
export const SMKI_DEVICE_HW_TYPE = '1.2.826.0.1.8641679.1.2.2.1';

/**
 * Generates a P-256 private key from the board's random source (rejection sampling below the order);
 * undefined when the source gives no bytes (its state does not fit the medium: 'storage-full').
 */
export function generatePrivateKey(board: Board): Uint8Array | undefined {
  for (;;) {
    const k = board.crypto.randomBytes(32);
    if (!k) return undefined;
    // n = FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551: accept k with a top word below FFFFFFFF and k != 0
    if (k[0] === 0xff && k[1] === 0xff && k[2] === 0xff && k[3] === 0xff) continue;
    let zero = true;
    for (let i = 0; i < 32; i++) if (k[i] !== 0) zero = false;
    if (!zero) return k;
  }
}


function useOf(keyUsage: number): KeyUse | undefined {
  if (keyUsage === KEY_USAGE_DIGITAL_SIGNATURE) return 'ds';
  if (keyUsage === KEY_USAGE_KEY_AGREEMENT) return 'ka';
  return undefined;
}

/** The key usage byte of a `SEQUENCE { keyUsage BIT STRING }` command body, or -1. */
function requestedUsage(b: Uint8Array): number {
  const top = readTlv(b, 0, b.length);
  if (!top.ok || top.tag !== TAG_SEQUENCE || top.end !== b.length) return -1;
  const kids = readChildren(b, top);
  if (!(kids instanceof Array) || kids.length !== 1 || kids[0].tag !== TAG_BIT_STRING) return -1;
  const bits = readBitString(b, kids[0]);
  if ('ok' in bits || bits.bytes.length !== 1) return -1;
  return bits.bytes[0];
}

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? derSequence([derOid(oid), new Uint8Array([0x01, 0x01, 0xff]), derOctetString(value)]) : derSequence([derOid(oid), derOctetString(value)]);
}

/** SubjectPublicKeyInfo of an uncompressed P-256 point. */
export function p256Spki(publicKey: Uint8Array): Uint8Array {
  return derSequence([derSequence([derOid(OID_EC_PUBLIC_KEY), derOid(OID_P256)]), derBitString(publicKey)]);
}

/** ECDSA-Sig-Value (RFC 5480 §2.2... RFC 3279 §2.2.3) of an r||s signature. */
export function signatureToDer(rs: Uint8Array): Uint8Array {
  return derSequence([derUnsignedInteger(rs.subarray(0, 32)), derUnsignedInteger(rs.subarray(32, 64))]);
}

/**
 * The PKCS#10 request a device sends for a new key (RFC 2986 §4): CertificationRequestInfo { version 0,
 * empty subject, SPKI, [0] { extensionRequest { keyUsage, subjectAltName } } } signed with `privateKey`.
 */
export function deviceCertificationRequest(board: Board, eui: Uint8Array, keyUsage: number, privateKey: Uint8Array): Uint8Array {
  const san = derSequence([derTlv(0xa0, [derOid(OID_HARDWARE_MODULE_NAME), derTlv(0xa0, [derSequence([derOid(SMKI_DEVICE_HW_TYPE), derOctetString(eui)])])])]);
  const extensions = derSequence([extension(OID_KEY_USAGE, true, keyUsageBitString(keyUsage)), extension(OID_SAN, true, san)]);
  const attributes = derTlv(0xa0, [derSequence([derOid(OID_EXTENSION_REQUEST), derTlv(TAG_SET, [extensions])])]);
  const info = derSequence([derSmallInteger(0), derSequence([]), p256Spki(board.crypto.p256PublicKey(privateKey)), attributes]);
  const signature = board.crypto.p256Sign(privateKey, info);
  return derSequence([info, derSequence([derOid(OID_ECDSA_SHA256)]), derBitString(signatureToDer(signature))]);
}

function code(n: number): Execution {
  return { ok: true, content: derSmallInteger(n) };
}

/** CS02c: a new key pair for the requested usage, held pending; the CSR as the response. */
export function issueSecurityCredentials(ctx: CommandContext): Execution {
  const usage = requestedUsage(ctx.message.content);
  const use = useOf(usage);
  if (!use) return code(CS02C_INVALID_KEY_USAGE);
  const key = generatePrivateKey(ctx.board);
  // The random source's state did not fit: refused like a command whose effect does not fit.
  if (!key) return { ok: false, detail: 'CS02c: no room for the random source state', reason: 'storage-full' };
  stagePendingKey(ctx.tx, use, key);
  return { ok: true, content: deviceCertificationRequest(ctx.board, ctx.identity.eui, usage, key) };
}

/** CS02d: install a certificate for the pending key (checks in the module header). */
export function updateDeviceCertificate(ctx: CommandContext): Execution {
  const der = ctx.message.content;
  const r = readCertificate(der);
  if (!r.ok) return code(CS02D_INVALID_CERTIFICATE);
  const cert = r.certificate;
  if (certificateEnvironment(cert.policies) !== ctx.identity.environment) return code(CS02D_INVALID_CERTIFICATE);
  const dcas = readIssuingDcas(ctx.tx);
  let trusted = false;
  for (let i = 0; i < dcas.length && !trusted; i++) {
    if (cert.authorityKeyId && bytesEqual(cert.authorityKeyId, dcas[i].subjectKeyId)) trusted = issuedBy(ctx.board.crypto.p256Verify, cert, dcas[i].publicKey, dcas[i].subjectKeyId);
  }
  if (!trusted) return code(CS02D_INVALID_CERTIFICATE);
  if (!cert.emptySubject || !cert.entityId || !bytesEqual(cert.entityId, ctx.identity.eui)) return code(CS02D_WRONG_DEVICE_IDENTITY);
  const use = useOf(cert.keyUsage);
  if (!use) return code(CS02D_INVALID_KEY_USAGE);
  const pending = readPendingKey(ctx.tx, use);
  if (!pending) return code(CS02D_NO_KEY_PAIR);
  if (!bytesEqual(ctx.board.crypto.p256PublicKey(pending), cert.publicKey)) return code(CS02D_WRONG_PUBLIC_KEY);
  installDeviceCertificate(ctx.tx, use, pending, concatBytes([der]));
  return code(CS02D_SUCCESS);
}

/** CS02e: the device certificate for the requested usage. */
export function provideDeviceCertificate(ctx: CommandContext): Execution {
  const use = useOf(requestedUsage(ctx.message.content));
  if (!use) return code(CS02E_INVALID_KEY_USAGE);
  const cert = readDeviceCertificate(ctx.tx, use);
  return cert ? { ok: true, content: cert } : code(CS02E_NO_CERTIFICATE);
}
