/**
 * `smets conformance DIR --keys KEYDIR`: per file, the MAC, signature and payload-decryption checks
 * that KEYDIR's keys allow (gbcs/protection/protection.ts on the Node board), each named in the
 * file's results so a report says which ran. Which keys a message needs (GBCS §7.3, checked against
 * every row of the RTDS 4.5.0 manifest):
 * - MAC of a command: the ACB KA key pair with the recipient device's KA key (either private side);
 *   of a device-originated command (PPMID, a device certificate: empty subject), that device's KA key;
 *   of a response or alert: the header recipient's KA key with the originating device's KA key.
 * - Signature: the header originator's DS certificate.
 * - Sensitive payload: the recipient's KA private key (the supplementary remote party when present)
 *   with the originating device's KA public key, or the other way round.
 * A file whose keys KEYDIR lacks gets a `<check>: skipped (no key: ...)` result that passes (fails with
 * --strict), and the command's closing lines count what was checked and what was not, and why.
 * @module
 */
import { toHex } from '../../lib/bytes.ts';
import { CRA_COMMAND } from '../../gbcs/generalSigning.ts';
import { checkMac, checkSignature, decryptPayload, findSensitivePayloads, payloadFields } from '../../gbcs/protection/protection.ts';
import { sharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import { nodeCrypto } from '../../boards/node/nodeCrypto.ts';
import type { CheckResult, ConformanceCheck, FileUnderTest } from './checks.ts';
import { registerConformanceExtension } from './extensions.ts';
import { openKeyDir } from './keyDir.ts';
import type { KeyDir } from './keyDir.ts';

/** The Access Control Broker's entity id in the test PKI (ZAZ1; GBCS-FACTS "Roles and identities"). */
export const TEST_ACB = '90b3d51f30000002';

const crypto = nodeCrypto();
const secrets = sharedSecrets(crypto.ecdh, 256);

/** Own private + peer public for a pair of KA keys, from whichever side KEYDIR holds. */
function kaPair(keys: KeyDir, a: string, b: string): { own: Uint8Array; peer: Uint8Array } | string {
  const aPriv = keys.privateKey(a, 'ka');
  const bPub = keys.publicKey(b, 'ka');
  if (aPriv && bPub) return { own: aPriv, peer: bPub };
  const bPriv = keys.privateKey(b, 'ka');
  const aPub = keys.publicKey(a, 'ka');
  if (bPriv && aPub) return { own: bPriv, peer: aPub };
  return 'no KA private key of ' + a.toUpperCase() + ' or ' + b.toUpperCase() + ' with the other\'s public key';
}

function skipped(name: string, why: string): CheckResult {
  return { name, ok: true, detail: 'skipped (' + why + ')', skipped: true };
}

export function keyChecks(keys: KeyDir, acb: string): ConformanceCheck[] {
  const mac: ConformanceCheck = {
    name: 'mac',
    run(f: FileUnderTest) {
      const m = f.message;
      if (!m || m.wrapper !== 'ciphered') return [];
      const originator = toHex(m.gs.originator);
      const recipient = toHex(m.gs.recipient);
      // Device-originated commands (PPMID to meter) are MACed by the originating device, not the ACB.
      const macParty = m.gs.cra !== CRA_COMMAND ? originator : keys.isDevice(originator) ? originator : acb;
      const pair = kaPair(keys, macParty, recipient);
      if (typeof pair === 'string') return skipped('mac', pair);
      const v = checkMac(crypto, secrets, pair.own, pair.peer, m);
      return { name: 'mac', ok: v.ok, detail: v.ok ? 'valid' : v.reason };
    },
  };
  const signature: ConformanceCheck = {
    name: 'signature',
    run(f) {
      const m = f.message;
      if (!m || m.gs.signatureForm !== 'ecdsa') return [];
      const signer = toHex(m.gs.originator);
      const pub = keys.publicKey(signer, 'ds');
      if (!pub) return skipped('signature', 'no DS key of ' + signer.toUpperCase());
      const v = checkSignature(crypto, pub, m);
      return { name: 'signature', ok: v.ok, detail: v.ok ? 'valid (' + signer.toUpperCase() + '-ds)' : v.reason };
    },
  };
  const payload: ConformanceCheck = {
    name: 'decrypt',
    run(f) {
      const m = f.message;
      if (!m) return [];
      const payloads = findSensitivePayloads(m.content);
      if (payloads.length === 0) return [];
      const fields = payloadFields(m);
      const pair = kaPair(keys, toHex(fields.recipient), toHex(fields.originator));
      if (typeof pair === 'string') return skipped('decrypt', pair);
      return payloads.map((p, i) => {
        const d = decryptPayload(crypto, secrets, pair.own, pair.peer, fields, p);
        const which = payloads.length > 1 ? ' #' + (i + 1) : '';
        return { name: 'decrypt' + which, ok: d.ok, detail: d.ok ? 'decrypted ' + d.plaintext.length + ' bytes' : d.reason };
      });
    },
  };
  return [mac, signature, payload];
}

registerConformanceExtension({
  option: '--keys',
  valueName: 'KEYDIR',
  help: 'also check MACs, signatures and payload decryption with the keys in KEYDIR (rtds/keystore layout)',
  checks(value) {
    let keys: KeyDir;
    try {
      keys = openKeyDir(value);
      if (keys.entities().length === 0) return 'KEYDIR ' + value + ' holds no <eui>-ds/-ka keys';
    } catch (e) {
      return 'KEYDIR ' + value + ': ' + (e as Error).message;
    }
    return keyChecks(keys, TEST_ACB);
  },
});
