/**
 * The DUIS response codes this DCC answers with (the `sr:ResponseCode` enumeration of DUIS Schema 5.4),
 * one per refusal, so a user's system sees what the DCC would send.
 *
 * Meanings I0, I99, E1-E5, E11-E13, E19-E21: DUIS "DCC Systems response codes" as quoted by a public
 * SMETS2 reference page. The codes for a request that fails XML/schema checks, its signature or its
 * RequestID counter could not be confirmed from the material at hand: the choice below is ours and is
 * marked UNCONFIRMED; change it here only.
 * @module
 */
export const RESPONSE_CODES = {
  /** Success: a synchronous answer with content. */
  success: 'I0',
  /** Acknowledgement: received for sending to the device, passed access control. */
  acknowledged: 'I99',
  /** User / User Role combination is not a valid SEC party / role (unknown originator). */
  invalidUser: 'E1',
  /** User Role not permitted to send this Service Reference. */
  roleNotAllowed: 'E2',
  /** Device SMI status incompatible with the Service Reference (e.g. a command to a decommissioned device). */
  invalidDeviceStatus: 'E5',
  /** User Role not authorised for the device. */
  notAuthorisedForDevice: 'E4',
  /** Service Reference not compatible with the device type. */
  wrongDeviceType: 'E11',
  /** Command Variant not applicable to the request. */
  wrongCommandVariant: 'E12',
  /** Request type not valid for the URL (e.g. a non-device request to serviceT). */
  wrongUrl: 'E13',
  /** Device does not exist (not in the DCC's inventory). */
  unknownDevice: 'E19',
  /** DCC cannot establish communications with the device. */
  noCommunication: 'E20',
  /** No response received from the device. */
  noResponse: 'E21',
  /** UNCONFIRMED: not well-formed, DOCTYPE/entities (XXE), or fails the DUIS schema. */
  invalidXml: 'E40',
  /** UNCONFIRMED: the XML signature is missing, unknown signer, or does not verify. */
  badSignature: 'E41',
  /** UNCONFIRMED: the RequestID is malformed, or its counter does not rise for the originator. */
  badRequestId: 'E42',
  /** UNCONFIRMED: the request passed every check but the DCC cannot build a command for it (not implemented here). */
  notSupported: 'E100',
} as const;

export type ResponseCode = (typeof RESPONSE_CODES)[keyof typeof RESPONSE_CODES];
