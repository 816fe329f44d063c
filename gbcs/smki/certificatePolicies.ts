/**
 * Which SMKI environment a certificate belongs to, read from its certificatePolicies extension.
 *
 * GBCS (Device Certificate requirements) says a Device Certificate "shall contain a single
 * policyIdentifier in the certificatePolicies extension that refers to the OID applicable to the
 * environment the Device Certificate has been issued in"; Organisation Certificates likewise carry
 * their environment's Organisation Certificate Policy OID. So the policy OID is how a device tells a
 * TEST certificate from a LIVE one, and a device configured for live operation must refuse any
 * certificate (or chain) that is not classified 'live' (GBCS-FACTS "Test vs live").
 *
 * Portable: plain constants and loops only (runs on Espruino/JerryScript firmware).
 * @module
 */

/** DCC's ZAZ1 test PKI (DCC Boxed / RTDS): the organisation policy OID carried by every organisation
 *  certificate in shared/vectors (rtds/keystore, dccboxed-keystore). Observed, not from a document. */
export const ZAZ1_TEST_ORGANISATION_POLICY = '1.2.826.0.1.8641679.1.2.1.4';
/** DCC's ZAZ1 test PKI: the policy OID carried by every device certificate in shared/vectors/rtds/keystore. */
export const ZAZ1_TEST_DEVICE_POLICY = '1.2.826.0.1.1800000.1.2.1.4';

/** RFC 7229 "Object Identifiers for Test Certificate Policies": id-TEST = 1.3.6.1.5.5.7.13; its
 *  certPolicyOne..Eight "are to be used for testing only". Any OID under this arc is test-only. */
export const RFC7229_TEST_ARC = '1.3.6.1.5.5.7.13';
/** The policy this toolkit's test SMKI puts in organisation and OCA certificates (id-TEST-certPolicyOne). */
export const TOOLKIT_TEST_ORGANISATION_POLICY = '1.3.6.1.5.5.7.13.1';
/** The policy this toolkit's test SMKI puts in device and DCA certificates (id-TEST-certPolicyTwo). */
export const TOOLKIT_TEST_DEVICE_POLICY = '1.3.6.1.5.5.7.13.2';

/** Exact test policy OIDs (besides anything under RFC7229_TEST_ARC). */
export const TEST_POLICY_OIDS: string[] = [ZAZ1_TEST_ORGANISATION_POLICY, ZAZ1_TEST_DEVICE_POLICY];

/**
 * Live SMKI policy OIDs. (unconfirmed) No live certificate is among the vectors; this is the SMKI
 * arc's environment-1 sibling of the observed test OID (…1.2.1.4 -> …1.2.1.1). A device built for
 * live use should be given the OIDs from the SMKI Certificate Policies (SEC Appendix A/B) through
 * `certificateEnvironment`'s second argument; with the wrong list it refuses live certificates
 * (fails safe), it never accepts a test one.
 */
export const LIVE_POLICY_OIDS: string[] = ['1.2.826.0.1.8641679.1.2.1.1'];

export type CertificateEnvironment = 'test' | 'live' | 'unknown';

function contains(list: string[], oid: string): boolean {
  for (let i = 0; i < list.length; i++) if (list[i] === oid) return true;
  return false;
}

/** True if `oid` is a known test policy OID or lies under the RFC 7229 test arc. */
export function isTestPolicy(oid: string): boolean {
  if (contains(TEST_POLICY_OIDS, oid)) return true;
  const arc = RFC7229_TEST_ARC + '.';
  return oid.length > arc.length && oid.indexOf(arc) === 0;
}

/**
 * 'test' if any policy OID marks testing (a test marker anywhere wins: a certificate that says it is
 * for testing is never live); 'live' if there is at least one OID and every OID is a live one;
 * 'unknown' otherwise (no policies, or policies from neither list).
 */
export function certificateEnvironment(policyOids: string[], liveOids?: string[]): CertificateEnvironment {
  const live = liveOids === undefined ? LIVE_POLICY_OIDS : liveOids;
  if (policyOids.length === 0) return 'unknown';
  for (let i = 0; i < policyOids.length; i++) if (isTestPolicy(policyOids[i]!)) return 'test';
  for (let i = 0; i < policyOids.length; i++) if (!contains(live, policyOids[i]!)) return 'unknown';
  return 'live';
}

/** A device's acceptance rule: a certificate is usable only if its environment equals the device's. */
export function acceptableFor(deviceEnvironment: 'test' | 'live', policyOids: string[], liveOids?: string[]): boolean {
  return certificateEnvironment(policyOids, liveOids) === deviceEnvironment;
}
