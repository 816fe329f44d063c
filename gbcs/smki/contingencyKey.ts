/**
 * The Contingency Public Key of the Root OCA certificate (SEC Section L10 "Contingency Key Pair": a key
 * pair the DCC holds to replace Root OCA certificates on Devices after a compromise; its public key is
 * stored, wrapped, in the WrappedApexContingencyKey field of the Root OCA certificate). The field is the
 * RFC 5934 §2.2.4.1 extension
 *   id-pe-wrappedApexContinKey (1.3.6.1.5.5.7.1.20)
 *   ApexContingencyKey ::= SEQUENCE { wrapAlgorithm AlgorithmIdentifier, wrappedContinPubKey OCTET STRING }
 * and the symmetric key that unwraps it travels in the CS02b anyByContingency command itself
 * ([0] plaintextSymmetricKey), to be disclosed only on the day it is needed.
 *
 * Accepted here (UNCONFIRMED against a real Root OCA certificate: none is among the vectors): the wrap
 * algorithms AES-128 Key Wrap with Padding (RFC 5649, id-aes128-wrap-pad 2.16.840.1.101.3.4.1.8) and AES-128
 * Key Wrap (RFC 3394, id-aes128-wrap 2.16.840.1.101.3.4.1.5) with a 16-byte key, and, wrapped, the P-256
 * SubjectPublicKeyInfo (RFC 5934: the wrapped value is the public key as a SubjectPublicKeyInfo).
 * @module
 */
import { readChildren, readOid, readTlv, valueOf, TAG_OCTET_STRING, TAG_SEQUENCE } from '../der.ts';
import type { Tlv } from '../der.ts';
import { aesKeyUnwrap, aesKeyUnwrapPadded } from '../protection/keyWrap.ts';
import type { BlockDecrypt } from '../protection/keyWrap.ts';
import { p256KeyFromSpki } from './certificate.ts';
import type { Certificate } from './certificate.ts';

export const OID_WRAPPED_APEX_CONTIN_KEY = '1.3.6.1.5.5.7.1.20';
export const OID_AES128_WRAP = '2.16.840.1.101.3.4.1.5';
export const OID_AES128_WRAP_PAD = '2.16.840.1.101.3.4.1.8';

export type ContingencyKeyRejection =
  /** The ApexContingencyKey is not the SEQUENCE RFC 5934 gives. */
  | 'malformed-apex-key'
  /** A wrap algorithm the device does not implement. */
  | 'unsupported-wrap-algorithm'
  /** The symmetric key is not 16 bytes, or the unwrap's integrity check failed (wrong key, altered bytes). */
  | 'unwrap-failed'
  /** The unwrapped value is not a P-256 SubjectPublicKeyInfo. */
  | 'not-a-p256-key';

/** The ApexContingencyKey DER a certificate carries, or undefined when it has none. */
export function apexContingencyKeyOf(c: Certificate): Uint8Array | undefined {
  for (let i = 0; i < c.extensions.length; i++) if (c.extensions[i].oid === OID_WRAPPED_APEX_CONTIN_KEY) return c.extensions[i].value;
  return undefined;
}

function kids(b: Uint8Array, t: Tlv): Tlv[] | undefined {
  const c = readChildren(b, t);
  return c instanceof Array ? c : undefined;
}

/** Unwraps the contingency public key (65-byte uncompressed point) with the command's symmetric key. */
export function unwrapContingencyKey(
  decrypt: BlockDecrypt,
  apex: Uint8Array,
  symmetricKey: Uint8Array,
): { ok: true; publicKey: Uint8Array } | { ok: false; reason: ContingencyKeyRejection } {
  const top = readTlv(apex, 0, apex.length);
  if (!top.ok || top.tag !== TAG_SEQUENCE || top.end !== apex.length) return { ok: false, reason: 'malformed-apex-key' };
  const parts = kids(apex, top);
  if (!parts || parts.length !== 2 || parts[0].tag !== TAG_SEQUENCE || parts[1].tag !== TAG_OCTET_STRING) return { ok: false, reason: 'malformed-apex-key' };
  const alg = kids(apex, parts[0]);
  if (!alg || alg.length < 1 || alg.length > 2) return { ok: false, reason: 'malformed-apex-key' };
  const oid = readOid(apex, alg[0]);
  if (typeof oid !== 'string') return { ok: false, reason: 'malformed-apex-key' };
  // RFC 3394/5649 AlgorithmIdentifiers have absent parameters.
  if (alg.length === 2 || (oid !== OID_AES128_WRAP_PAD && oid !== OID_AES128_WRAP)) return { ok: false, reason: 'unsupported-wrap-algorithm' };
  if (symmetricKey.length !== 16) return { ok: false, reason: 'unwrap-failed' };
  const wrapped = valueOf(apex, parts[1]);
  const spki = oid === OID_AES128_WRAP_PAD ? aesKeyUnwrapPadded(decrypt, symmetricKey, wrapped) : aesKeyUnwrap(decrypt, symmetricKey, wrapped);
  if (!spki) return { ok: false, reason: 'unwrap-failed' };
  const publicKey = p256KeyFromSpki(spki);
  if (!publicKey) return { ok: false, reason: 'not-a-p256-key' };
  return { ok: true, publicKey: publicKey };
}
