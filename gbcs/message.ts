/**
 * Any GBCS message, decoded: a General Ciphering wrapper (DD, carries a MAC) around a General Signing
 * APDU, or a General Signing APDU alone (DF: pre-commands, critical responses and alerts, CS02b by
 * Recovery). The result puts the fields and the byte ranges the crypto layer needs in one place:
 * `gs` (the fields), `apdu` (the GS APDU bytes), `signed`, `content`, `signature`, `mac`.
 * Total: any byte string gets a message or a typed rejection with its offset.
 * @module
 */
import { concatBytes } from '../lib/bytes.ts';
import { encodeGeneralCiphering, decodeGeneralCiphering, GENERAL_CIPHERING_TAG } from './generalCiphering.ts';
import type { DecodedGeneralCiphering } from './generalCiphering.ts';
import { decodeGeneralSigning, encodeGeneralSigning, GENERAL_SIGNING_TAG } from './generalSigning.ts';
import type { DecodedGeneralSigning, GeneralSigningFields } from './generalSigning.ts';
import { reject } from './reject.ts';
import type { Rejection } from './reject.ts';

/** `ciphered`: the DD wrapper with a MAC; `signed`: the DF APDU alone. */
export type WrapperKind = 'ciphered' | 'signed';

export interface GbcsMessage {
  ok: true;
  wrapper: WrapperKind;
  /** The General Signing APDU's fields and ranges (ranges are offsets into `bytes`). */
  gs: DecodedGeneralSigning;
  /** The DD wrapper, when `wrapper` is 'ciphered'. */
  ciphering?: DecodedGeneralCiphering;
  /** The whole message as decoded. */
  bytes: Uint8Array;
  /** The General Signing APDU bytes, DF .. signature (a view). */
  apdu: Uint8Array;
  /** The bytes the signature covers: GS APDU offset 1 (09) to the end of the content (a view). */
  signed: Uint8Array;
  content: Uint8Array;
  /** r||s when the signature form is 'ecdsa'. */
  signature?: Uint8Array;
  /** The 12-byte MAC of a 'ciphered' message. */
  mac?: Uint8Array;
}

/** Decodes a whole GBCS message (DD or DF). Views share `bytes`; copy before changing them. */
export function decodeMessage(bytes: Uint8Array): GbcsMessage | Rejection {
  if (bytes.length === 0) return reject('truncated', 0);
  if (bytes[0] === GENERAL_CIPHERING_TAG) {
    const dd = decodeGeneralCiphering(bytes);
    if (!dd.ok) return dd;
    const gs = dd.generalSigning;
    const m: GbcsMessage = { ok: true, wrapper: 'ciphered', gs: gs, ciphering: dd, bytes: bytes, apdu: gs.apdu, signed: gs.signed, content: gs.content, mac: dd.mac };
    if (gs.signature) m.signature = gs.signature;
    return m;
  }
  if (bytes[0] === GENERAL_SIGNING_TAG) {
    const gs = decodeGeneralSigning(bytes);
    if (!gs.ok) return gs;
    const m: GbcsMessage = { ok: true, wrapper: 'signed', gs: gs, bytes: bytes, apdu: gs.apdu, signed: gs.signed, content: gs.content };
    if (gs.signature) m.signature = gs.signature;
    return m;
  }
  return reject('unknown-apdu-tag', 0);
}

/** What encodeMessage needs: the GS fields and, for a DD message, the MAC. */
export interface MessageFields {
  wrapper: WrapperKind;
  gs: GeneralSigningFields;
  mac?: Uint8Array;
  /** Width of the DD ciphered-content length (default: shortest). */
  cipheringLengthWidth?: number;
}

/** Encodes a message from its fields (a decoded GbcsMessage is accepted as-is: it re-encodes exactly). */
export function encodeMessage(m: MessageFields | GbcsMessage): Uint8Array {
  const apdu = encodeGeneralSigning(m.gs);
  if (m.wrapper === 'signed') return apdu;
  if (!m.mac) throw new Error('encodeMessage: a ciphered (DD) message needs a 12-byte MAC');
  const width = 'ciphering' in m && m.ciphering ? m.ciphering.lengthWidth : (m as MessageFields).cipheringLengthWidth;
  return encodeGeneralCiphering(apdu, m.mac, width);
}

/** A DF APDU's bytes with a signature appended to a pre-command (absent form), for the signing side. */
export function appendSignature(precommandApdu: Uint8Array, signature: Uint8Array): Uint8Array {
  if (signature.length !== 64) throw new Error('appendSignature: signature must be 64 bytes r||s, got ' + signature.length);
  return concatBytes([precommandApdu, new Uint8Array([0x40]), signature]);
}
