/**
 * Typed rejections shared by the GBCS codec modules. Every decoder answers any byte string with either
 * a value or a rejection that names what was wrong and the byte offset where it was found, so a device
 * can log `length-overrun at 37` and a test can assert both. Exceptions are kept for caller bugs only.
 * @module
 */

/** Why a byte string is not a well-formed GBCS structure. */
export type CodecReason =
  /** A fixed-size field runs past the end of the input. */
  | 'truncated'
  /** A declared length runs past the end of its enclosing structure. */
  | 'length-overrun'
  /** A length byte that is not `00..7F`, `81 xx` or `82 xx xx` (GBCS lengths are DLMS/BER style). */
  | 'bad-length-form'
  /** Bytes left over after a structure that must fill its container. */
  | 'trailing-bytes'
  /** The first byte is neither DD (general-ciphering) nor DF (general-signing). */
  | 'unknown-apdu-tag'
  /** The DD wrapper's empty fields (transaction id, titles, date-time, other-information, key-info) are not 00. */
  | 'bad-ciphering-header'
  /** The security header is not `11 00000000` (authentication only, invocation counter 0). */
  | 'bad-security-header'
  /** The transaction id is not 9 bytes long. */
  | 'bad-transaction-id-length'
  /** The CRA flag is not 01 (command), 02 (response) or 03 (alert). */
  | 'bad-cra-flag'
  /** A system title is not 8 bytes long. */
  | 'bad-system-title-length'
  /** The date-time is neither absent (00) nor a 12-byte DLMS date-time (0C). */
  | 'bad-date-time-length'
  /** Other-information is not one of the GBCS forms (message code and supplementary fields). */
  | 'bad-other-information'
  /** The signature field is neither absent, 00, nor 40 + 64 bytes. */
  | 'bad-signature-length'
  /** A DER structure is not well formed (tag, length or content rules). */
  | 'bad-der'
  /** A GBT frame's fixed fields are not what GBCS requires. */
  | 'bad-gbt-header'
  /** A DLMS A-XDR Data value with an unknown tag, or nested too deep. */
  | 'bad-dlms-data'
  /** A DLMS APDU (access-request/-response, data-notification) whose tag or fixed fields are not GBCS's. */
  | 'bad-dlms-apdu'
  /** Well-formed, but not the use case's content (other COSEM object, method, or Data shape). */
  | 'unexpected-content';

export interface Rejection {
  ok: false;
  reason: CodecReason;
  /** Offset, in the bytes given to the decoder, of the byte where the problem was found. */
  at: number;
}

export function reject(reason: CodecReason, at: number): Rejection {
  return { ok: false, reason: reason, at: at };
}

/** `length-overrun at 37`: the form logs and the CLI print. */
export function describeRejection(r: { reason: string; at: number }): string {
  return r.reason + ' at ' + r.at;
}
