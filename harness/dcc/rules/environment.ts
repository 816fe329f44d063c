/**
 * Test and live kept apart at the DCC, both ways (SEC H4: test certificates are for testing and never
 * used in live operation; live ones are not used in tests). The DCC runs in one mode; a service request
 * is refused when the originator's DS or KA organisation certificate belongs to the other environment,
 * read from its certificate policy (gbcs/smki/certificatePolicies.ts: RFC 7229 and ZAZ1 test OIDs;
 * the live OID list there is unconfirmed). A certificate of neither known environment is refused in both
 * modes. Devices apply the same rule to their trust anchors on their own (device/smki): a device
 * manufactured for live operation refuses test anchors (test/dcc-rules.test.ts shows it).
 * @module
 */
import { readCertificate } from '../../../gbcs/smki/certificate.ts';
import { certificateEnvironment } from '../../../gbcs/smki/certificatePolicies.ts';
import type { CertificateEnvironment } from '../../../gbcs/smki/certificatePolicies.ts';
import type { DccRule } from './types.ts';

export type DccMode = 'test' | 'live';

export function environmentOf(der: Uint8Array, liveOids?: string[]): CertificateEnvironment {
  const c = readCertificate(der);
  return c.ok ? certificateEnvironment(c.certificate.policies, liveOids) : 'unknown';
}

export function environmentRule(mode: DccMode, liveOids?: string[]): DccRule {
  return {
    name: 'test-live-apart',
    section: 'SEC H4',
    check(f) {
      for (const [use, cred] of [['DS', f.party.ds], ['KA', f.party.ka]] as const) {
        const env = environmentOf(cred.certificate, liveOids);
        if (env === mode) continue;
        if (env === 'unknown') return 'certificate-environment-unknown: ' + f.party.name + "'s " + use + ' certificate names no known test or live policy';
        return mode === 'live'
          ? 'test-certificate-in-live-operation: ' + f.party.name + "'s " + use + ' key belongs to a test certificate'
          : 'live-certificate-in-test: ' + f.party.name + "'s " + use + ' key belongs to a live certificate';
      }
      return undefined;
    },
  };
}
