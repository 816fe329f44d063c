/**
 * The Issuing DCA certificates a device accepts as issuers of its own Device Certificates (CS02d; SMKI:
 * Root DCA -> Issuing DCA -> device certificates, kept apart from the organisation hierarchy, so no
 * trust-anchor cell covers them). Provisioned at manufacture: each is stored as its subject key id and
 * public key under `dca.<n>`; CS02d checks a certificate's authority key id and signature against them.
 * @module
 */
import { concatBytes } from '../../lib/bytes.ts';
import { KEY_USAGE_KEY_CERT_SIGN, readCertificate } from '../../gbcs/smki/certificate.ts';
import { certificateEnvironment } from '../../gbcs/smki/certificatePolicies.ts';
import type { Environment } from './identity.ts';
import type { StateTx } from './stateTx.ts';

export interface IssuingDca {
  subjectKeyId: Uint8Array;
  publicKey: Uint8Array;
}

const PREFIX = 'dca.';

export type DcaRejection = 'bad-dca-certificate' | 'dca-not-a-ca' | 'dca-wrong-environment';

/** Checks an Issuing DCA certificate and stages it (manufacture). */
export function addIssuingDca(tx: StateTx, der: Uint8Array, environment: Environment): { ok: true } | { ok: false; reason: DcaRejection } {
  const r = readCertificate(der);
  const ski = r.ok ? r.certificate.subjectKeyId : undefined;
  if (!r.ok || !ski) return { ok: false, reason: 'bad-dca-certificate' };
  const c = r.certificate;
  if ((c.keyUsage & KEY_USAGE_KEY_CERT_SIGN) === 0) return { ok: false, reason: 'dca-not-a-ca' };
  if (certificateEnvironment(c.policies) !== environment) return { ok: false, reason: 'dca-wrong-environment' };
  const n = readIssuingDcas(tx).length;
  tx.write(PREFIX + n, concatBytes([new Uint8Array([ski.length]), ski, c.publicKey]));
  return { ok: true };
}

export function readIssuingDcas(s: { read(k: string): Uint8Array | undefined }): IssuingDca[] {
  const out: IssuingDca[] = [];
  for (let i = 0; ; i++) {
    const b = s.read(PREFIX + i);
    if (!b || b.length < 1 + b[0] + 65) return out;
    out.push({ subjectKeyId: b.subarray(1, 1 + b[0]), publicKey: b.subarray(1 + b[0]) });
  }
}
