/**
 * GBCS protection against the reference data (shared/vectors): every MAC, signature and payload that
 * rtds/MANIFEST.tsv marks checkable with the published keys, the GBCS 18.4 ECS04b vector (derived key
 * and MAC), and gbcs-parser's KDF values; each with negative twins (wrong key, a flipped bit in the
 * header, the content, the MAC or the signature) that must fail.
 * @module
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { nodeCrypto } from '../boards/node/nodeCrypto.ts';
import { copyBytes, fromHex, toHex } from '../lib/bytes.ts';
import { decodeMessage } from '../gbcs/message.ts';
import type { GbcsMessage } from '../gbcs/message.ts';
import { gbcsKdf, KDF_ALERT, KDF_COMMAND, KDF_RESPONSE } from '../gbcs/protection/kdf.ts';
import { checkMac, checkSignature, decryptPayload, findSensitivePayloads, macKey, payloadFields, signPrecommand, wrapWithMac } from '../gbcs/protection/protection.ts';
import { sharedSecrets } from '../gbcs/protection/sharedSecrets.ts';
import { openKeyDir } from '../harness/conformance/keyDir.ts';

const V = new URL('../../shared/vectors/', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, V), 'utf8');
const crypto = nodeCrypto();
const secrets = sharedSecrets(crypto.ecdh, 64);
const keys = openKeyDir(new URL('rtds/keystore', V).pathname);
const rows = read('rtds/MANIFEST.tsv').trim().split('\n').slice(1).map((l) => l.split('\t'));
const hex = (h: string) => fromHex(h)!;

function message(bytes: Uint8Array): GbcsMessage {
  const m = decodeMessage(bytes);
  if (!m.ok) throw new Error('decode failed');
  return m;
}
function flip(bytes: Uint8Array, at: number): Uint8Array {
  const b = copyBytes(bytes);
  b[at] ^= 0x01;
  return b;
}
const first = (text: string, re: RegExp) => (re.exec(text) || [])[1];

const macRows = rows.filter((r) => r[14] === 'valid');
const sigRows = rows.filter((r) => r[15] === 'sig-valid');
const encRows = rows.filter((r) => r[16] === 'yes(decrypted)');

test('manifest sizes (the sample holds what the checks below cover)', () => {
  assert.ok(macRows.length >= 500 && sigRows.length >= 250 && encRows.length >= 30, `${macRows.length}/${sigRows.length}/${encRows.length}`);
});

test('every checkable MAC is valid with the keys the manifest names; twins fail', () => {
  let n = 0;
  for (const r of macRows) {
    const bytes = hex(read('rtds/RTDS-4.5.0/' + r[0]));
    const m = message(bytes);
    const own = keys.privateKey(first(r[17], /([0-9a-f]{16})-ka\.key/)!, 'ka')!;
    const peer = keys.publicKey(first(r[17], /([0-9a-f]{16})-ka\.pem/)!, 'ka')!;
    assert.ok(checkMac(crypto, secrets, own, peer, m).ok, 'MAC ' + r[0]);
    // The other side of the same pair (device private key is published for 00db1234567890a0 only).
    const gsAt = m.ciphering!.ranges.generalSigning.start;
    const twins: Array<[string, Uint8Array]> = [
      ['counter bit', flip(bytes, gsAt + 10)],
      ['recipient bit', flip(bytes, gsAt + 28)],
      ['content bit', flip(bytes, m.gs.ranges.content.start + (n % m.gs.content.length))],
      ['MAC bit', flip(bytes, bytes.length - 1 - (n % 12))],
    ];
    for (const [what, t] of twins) {
      const tm = decodeMessage(t);
      assert.ok(!tm.ok || !checkMac(crypto, secrets, own, peer, tm).ok, what + ' ' + r[0]);
    }
    const wrong = keys.publicKey(m.gs.cra === 1 ? '00db123456789001' : '90b3d51f30020000', 'ka')!;
    assert.not.ok(checkMac(crypto, secrets, own, wrong, m).ok, 'wrong key ' + r[0]);
    n++;
  }
  assert.is(n, macRows.length);
});

test('the device side of a command MAC (device KA private x ACB certificate) agrees', () => {
  const devicePriv = keys.privateKey('00db1234567890a0', 'ka')!;
  const acb = keys.publicKey('90b3d51f30000002', 'ka')!;
  let n = 0;
  for (const r of macRows.filter((x) => x[1] === 'COMMAND' && x[7] === '00db1234567890a0' && x[6] !== '00db1234567890a4')) {
    assert.ok(checkMac(crypto, secrets, devicePriv, acb, message(hex(read('rtds/RTDS-4.5.0/' + r[0])))).ok, r[0]);
    n++;
  }
  assert.ok(n > 50, 'device-side checks: ' + n);
});

test('every checkable signature is valid with the originator DS certificate; twins fail', () => {
  for (const r of sigRows) {
    const bytes = hex(read('rtds/RTDS-4.5.0/' + r[0]));
    const m = message(bytes);
    const pub = keys.publicKey(first(r[18], /([0-9a-f]{16})-ds\.pem/)!, 'ds')!;
    assert.ok(checkSignature(crypto, pub, m).ok, 'signature ' + r[0]);
    const sigAt = m.gs.ranges.signatureField.end - 64;
    for (const [what, at] of [['content bit', m.gs.ranges.content.start], ['header bit', m.gs.ranges.signed.start + 5], ['r bit', sigAt + 3], ['s bit', sigAt + 40]] as Array<[string, number]>) {
      const tm = decodeMessage(flip(bytes, at));
      assert.ok(!tm.ok || !checkSignature(crypto, pub, tm).ok, what + ' ' + r[0]);
    }
    const other = toHex(m.gs.originator) === '90b3d51f30000001' ? '90b3d51f30020000' : '90b3d51f30000001';
    assert.not.ok(checkSignature(crypto, keys.publicKey(other, 'ds')!, m).ok, 'wrong key ' + r[0]);
  }
});

test('every sensitive payload decrypts with the named key; a flipped bit or a wrong key fails', () => {
  for (const r of encRows) {
    const m = message(hex(read('rtds/RTDS-4.5.0/' + r[0])));
    const payloads = findSensitivePayloads(m.content);
    assert.ok(payloads.length > 0, 'payload found ' + r[0]);
    const own = keys.privateKey(first(r[19], /([0-9a-f]{16})-ka\.key/)!, 'ka')!;
    const peer = keys.publicKey(first(r[19], /([0-9a-f]{16})-ka\.pem/)!, 'ka')!;
    const fields = payloadFields(m);
    for (const p of payloads) {
      const d = decryptPayload(crypto, secrets, own, peer, fields, p);
      assert.ok(d.ok && d.plaintext.length === p.ciphertext.length, 'decrypts ' + r[0]);
      const bad = { ...p, ciphertext: flip(p.ciphertext, 0) };
      assert.not.ok(decryptPayload(crypto, secrets, own, peer, fields, bad).ok, 'flipped ciphertext ' + r[0]);
      assert.not.ok(decryptPayload(crypto, secrets, own, keys.publicKey('00db123456789001', 'ka')!, fields, p).ok, 'wrong key ' + r[0]);
    }
  }
});

test('GBCS 18.4 ECS04b: derived key, MAC and signature; twins fail', () => {
  const v = JSON.parse(read('gbcs-spec-18.4/gbcs-18.4-crypto-vectors.json'));
  const c = v.ecs04b_critical_command;
  const bytes = hex(c.hex);
  const m = message(bytes);
  const acb = hex(v.acb.ka_private);
  const device = hex('04' + v.deviceA.ka_public);
  assert.is(toHex(macKey(crypto, secrets, acb, device, m.apdu)!), c.expected.mac_key_derived_by_verifier.toLowerCase(), 'derived key');
  assert.is(toHex(m.mac!), c.expected.mac.toLowerCase(), 'MAC field');
  assert.ok(checkMac(crypto, secrets, acb, device, m).ok, 'MAC');
  assert.ok(checkSignature(crypto, hex('04' + v.supplierA.ds_public), m).ok, 'signature');
  // Re-MAC from the pre-command's signed APDU: the same DD message.
  assert.is(toHex(wrapWithMac(crypto, secrets, acb, device, m.apdu)!), toHex(bytes), 'wrapWithMac rebuilds the message');
  assert.not.ok(checkMac(crypto, secrets, acb, hex('04' + v.supplierA.ds_public), m).ok, 'wrong key');
  assert.not.ok(checkMac(crypto, secrets, acb, device, message(flip(bytes, bytes.length - 5))).ok, 'MAC bit');
  assert.not.ok(checkSignature(crypto, hex('04' + v.supplierA.ds_public), message(flip(bytes, m.gs.ranges.content.start))).ok, 'content bit');
});

test('gbcs-parser KDF values (command from both sides, response, alert)', () => {
  const inline = JSON.parse(read('gbcs-parser-inline/inline-vectors.json'));
  const devicePriv = keys.privateKey('00db1234567890a0', 'ka')!;
  const mode: Record<string, number> = { command: KDF_COMMAND, response: KDF_RESPONSE, alert: KDF_ALERT };
  for (const v of inline.kdf_vectors.vectors) {
    const privEui = first(v.priv, /([0-9a-f]{16})-ka\.key/);
    const priv = privEui ? keys.privateKey(privEui, 'ka')! : devicePriv;
    const pub = keys.publicKey(first(v.pub, /([0-9a-f]{16})-ka\.pem/)!, 'ka')!;
    const z = crypto.ecdh(priv, pub)!;
    const key = gbcsKdf(crypto.sha256, z, hex(v.origSysTitle), mode[v.mode], hex(v.origCounter), hex(v.recipSysTitle));
    assert.is(toHex(key), v.aesKey.toLowerCase(), v.name);
    const other = gbcsKdf(crypto.sha256, z, hex(v.origSysTitle), mode[v.mode] === 1 ? 2 : 1, hex(v.origCounter), hex(v.recipSysTitle));
    assert.is.not(toHex(other), v.aesKey.toLowerCase(), v.name + ' with another CRA byte');
  }
});

test('gbcs-parser inline messages: SME command/response MACs (18.4 keys) and the ECS01a critical command', () => {
  const inline = JSON.parse(read('gbcs-parser-inline/inline-vectors.json'));
  const acb184 = keys.privateKey('abababababababab', 'ka')!;
  const device184 = keys.publicKey('fffffffffffffffe', 'ka')!;
  assert.ok(checkMac(crypto, secrets, acb184, device184, message(hex(inline.gbcs_sme_c_nc_command.hex))).ok, 'SME command');
  // The response is MACed between the device and its recipient, supplier 123456789abcdef0.
  const supplier = keys.privateKey('123456789abcdef0', 'ka')!;
  assert.ok(checkMac(crypto, secrets, supplier, device184, message(hex(inline.gbcs_sme_c_nc_response.hex))).ok, 'SME response');
  const ecs01a = message(hex(inline.gfi_ecs01a_critical_command.hex));
  assert.ok(checkMac(crypto, secrets, keys.privateKey('90b3d51f30000002', 'ka')!, keys.publicKey('00db1234567890a0', 'ka')!, ecs01a).ok, 'ECS01a MAC');
  assert.ok(checkSignature(crypto, keys.publicKey('90b3d51f30010000', 'ds')!, ecs01a).ok, 'ECS01a signature');
});

test('signing a pre-command gives a message the supplier DS certificate verifies', () => {
  const inline = JSON.parse(read('gbcs-parser-inline/inline-vectors.json'));
  const pre = hex(inline.precommand_missing_signature.hex);
  const signed = signPrecommand(crypto, keys.privateKey('90b3d51f30010000', 'ds')!, pre);
  const m = message(signed);
  assert.is(m.gs.signatureForm, 'ecdsa');
  assert.ok(checkSignature(crypto, keys.publicKey('90b3d51f30010000', 'ds')!, m).ok, 'verifies');
  const out = message(new Uint8Array(Buffer.from(inline.readme_sign_precommand_output.base64, 'base64')));
  assert.ok(checkSignature(crypto, keys.publicKey('90b3d51f30010000', 'ds')!, out).ok, 'README signed example verifies');
});

test.run();
