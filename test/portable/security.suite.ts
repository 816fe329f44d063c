/**
 * GBCS protection inside each engine, on the board's own crypto: the GBCS 18.4 ECS04b vector (derived
 * key, MAC, signature), twenty RTDS command MACs between the ACB and device 00db1234567890a0 (one
 * ECDH, cached), and one whole critical command (decode, MAC, signature). Their own bundles: each ECDH
 * or verification takes seconds on Espruino, and the embedded vectors take room in its variable pool.
 * @module
 */
import { copyBytes, fromHex, toHex } from '../../lib/bytes.ts';
import { decodeMessage } from '../../gbcs/message.ts';
import type { GbcsMessage } from '../../gbcs/message.ts';
import { checkMac, checkSignature, macKey } from '../../gbcs/protection/protection.ts';
import { sharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import { equal, ok } from './assert.ts';
import { pemPrivateKey, pemPublicKey } from './pemKeys.ts';
import type { Suite } from './selftest.ts';

const V184 = 'gbcs-spec-18.4/gbcs-18.4-crypto-vectors.json';
const KS = 'rtds/keystore/';
const ACB_KA_KEY = KS + '90b3d51f30000002-ka.key';
const DEVICE_KA_PEM = KS + '00db1234567890a0-ka.pem';
const SUPPLIER_DS_PEM = KS + '90b3d51f30010000-ds.pem';
const R = 'rtds/RTDS-4.5.0/';
/** The twenty shortest RTDS commands MACed by the ACB for device 00db1234567890a0 (rtds/MANIFEST.tsv). */
export const MAC_FILES = [
  '6.24.1_CS02fMAC/CS02fMAC_6.24.1_ERROR_COMMAND_GBCS.HEX', '11.2_ECS52/ECS52_11.2_ERROR_COMMAND_GBCS.HEX',
  '11.2_ECS52/ECS52_11.2_SUCCESS_COMMAND_GBCS.HEX', '4.16_ECS17c/ECS17c_4.16_ERROR_COMMAND_GBCS.HEX',
  '4.16_ECS17c/ECS17c_4.16_SUCCESS_COMMAND_GBCS.HEX', '6.2.3_ECS26d/ECS26d_6.2.3_ERROR_COMMAND_GBCS.HEX',
  '6.2.3_ECS26d/ECS26d_6.2.3_SUCCESS_COMMAND_GBCS.HEX', '6.2.3_ECS26l/ECS26l_6.2.3_ERROR_COMMAND_GBCS.HEX',
  '6.2.3_ECS26l/ECS26l_6.2.3_SUCCESS_COMMAND_GBCS.HEX', '6.2.9_ECS26j/ECS26j_6.2.9_ERROR_COMMAND_GBCS.HEX',
  '6.2.9_ECS26j/ECS26j_6.2.9_SUCCESS_COMMAND_GBCS.HEX', '6.24.1_CS02aMAC/CS02aMAC_6.24.1_SUCCESS_COMMAND_GBCS.HEX',
  '6.24.1_CS02fMAC/CS02fMAC_6.24.1_SUCCESS_COMMAND_GBCS.HEX', '7.4_ECS45/ECS45_7.4_ERROR_COMMAND_GBCS.HEX',
  '7.4_ECS45/ECS45_7.4_SUCCESS_COMMAND_GBCS.HEX', '2.5_ECS09/ECS09_2.5_ERROR_COMMAND_GBCS.HEX',
  '3.3_ECS15a/ECS15a_3.3_ERROR_COMMAND_GBCS.HEX', '3.3_ECS15a/ECS15a_3.3_SUCCESS_COMMAND_GBCS.HEX',
  '3.3_ECS15c/ECS15c_3.3_ERROR_COMMAND_GBCS.HEX', '3.3_ECS15c/ECS15c_3.3_SUCCESS_COMMAND_GBCS.HEX',
];
/** A critical command (ECS09, signed by supplier 90b3d51f30010000). */
export const CRITICAL_FILE = '2.5_ECS09/ECS09_2.5_SUCCESS_COMMAND_GBCS.HEX';

const hex = (h: string): Uint8Array => fromHex(h) as Uint8Array;

export function decoded(bytes: Uint8Array): GbcsMessage {
  const m = decodeMessage(bytes);
  if (!m.ok) throw new Error('decode failed: ' + m.reason);
  return m;
}

export const securitySuite: Suite = {
  name: 'gbcs protection',
  bundle: 'selftest-security',
  vectors: [V184, ACB_KA_KEY, DEVICE_KA_PEM, SUPPLIER_DS_PEM, R + CRITICAL_FILE],
  cases: [
    {
      name: 'GBCS 18.4 ECS04b: derived key, MAC and signature',
      run(ctx) {
        const v = JSON.parse(ctx.vector(V184));
        const c = ctx.newBoard().crypto;
        const secrets = sharedSecrets(c.ecdh);
        const bytes = hex(v.ecs04b_critical_command.hex);
        const m = decoded(bytes);
        const acb = hex(v.acb.ka_private);
        const device = hex('04' + v.deviceA.ka_public);
        equal(toHex(macKey(c, secrets, acb, device, m.apdu) as Uint8Array), v.ecs04b_critical_command.expected.mac_key_derived_by_verifier.toLowerCase(), 'derived key');
        ok(checkMac(c, secrets, acb, device, m).ok, 'MAC');
        const t = copyBytes(bytes);
        t[t.length - 1] ^= 1;
        ok(!checkMac(c, secrets, acb, device, decoded(t)).ok, 'flipped MAC bit fails');
        ok(checkSignature(c, hex('04' + v.supplierA.ds_public), m).ok, 'signature');
      },
    },
    {
      name: 'a whole critical command: decode, MAC, supplier signature',
      run(ctx) {
        const c = ctx.newBoard().crypto;
        const secrets = sharedSecrets(c.ecdh);
        const m = decoded(hex(ctx.vector(R + CRITICAL_FILE)));
        equal(m.gs.signatureForm, 'ecdsa', 'signature form');
        ok(checkMac(c, secrets, pemPrivateKey(ctx.vector(ACB_KA_KEY)), pemPublicKey(ctx.vector(DEVICE_KA_PEM)), m).ok, 'MAC');
        ok(checkSignature(c, pemPublicKey(ctx.vector(SUPPLIER_DS_PEM)), m).ok, 'signature');
      },
    },
  ],
};

/** The twenty MAC checks in their own bundle: with the critical command they overflow Espruino's pool. */
export const securityMacSuite: Suite = {
  name: 'gbcs protection macs',
  bundle: 'selftest-security-macs',
  vectors: [ACB_KA_KEY, DEVICE_KA_PEM].concat(MAC_FILES.map((f) => R + f)),
  cases: [
    {
      name: 'twenty RTDS command MACs (ACB KA x device KA), and their tampered twins',
      run(ctx) {
        const c = ctx.newBoard().crypto;
        const secrets = sharedSecrets(c.ecdh);
        const acb = pemPrivateKey(ctx.vector(ACB_KA_KEY));
        const device = pemPublicKey(ctx.vector(DEVICE_KA_PEM));
        for (let i = 0; i < MAC_FILES.length; i++) {
          const bytes = hex(ctx.vector(R + MAC_FILES[i]));
          ok(checkMac(c, secrets, acb, device, decoded(bytes)).ok, 'MAC ' + MAC_FILES[i]);
          const t = copyBytes(bytes);
          t[40] ^= 0x10; // inside the header or content of the General Signing APDU
          const tm = decodeMessage(t);
          ok(!tm.ok || !checkMac(c, secrets, acb, device, tm).ok, 'tampered ' + MAC_FILES[i]);
        }
      },
    },
  ],
};
