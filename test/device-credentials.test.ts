/**
 * CS02c / CS02d / CS02e on the reference device (GBCS §12.2; device/credentials/deviceCredentials.ts):
 * the supplier asks for a new key pair, the CSR the device answers with verifies under openssl
 * (`openssl req -verify`: proof of possession) and passes the test SMKI's device-CSR rules, the SMKI issues
 * the certificate, CS02d installs it (the device then signs with the new key), CS02e reads it back; and
 * each CS02d refusal code for a certificate that does not fit.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryMedium } from '../boards/journaledStorage.ts';
import { nodeBoard } from '../boards/node/index.ts';
import { fromHex, toHex } from '../lib/bytes.ts';
import { counterFromNumber } from '../gbcs/counter64.ts';
import { derBitString, derSequence } from '../gbcs/der.ts';
import { signedBytesOf } from '../gbcs/generalSigning.ts';
import type { GeneralSigningFields } from '../gbcs/generalSigning.ts';
import { decodeMessage, encodeMessage } from '../gbcs/message.ts';
import { deviceCertificationRequest } from '../device/credentials/deviceCredentials.ts';
import { wrapWithMac } from '../gbcs/protection/protection.ts';
import { sharedSecrets } from '../gbcs/protection/sharedSecrets.ts';
import { readCertificate } from '../gbcs/smki/certificate.ts';
import { manufactureDevice, SmetsDevice } from '../device/index.ts';
import { readPendingKey } from '../device/state/identity.ts';
import { provisionRandomSeed, seededRandomBytes } from '../boards/portable/drbg.ts';
import { copyWithRoom, picture } from './portable/fullMedium.ts';
import { loadReferenceKeys, pemToDer, privateScalar, ROOT_CELL } from '../harness/referenceDevice/referenceDevice.ts';
import type { ReferenceKeys } from '../harness/referenceDevice/referenceDevice.ts';
import { findIssuingCa } from '../harness/referenceDevice/replay.ts';
import { checkDeviceCsr } from '../harness/smki/csr.ts';
import { createTestSmki } from '../harness/smki/testSmki.ts';

const RTDS = new URL('../../shared/vectors/rtds/RTDS-4.5.0', import.meta.url).pathname;
const KEYS = new URL('../../shared/vectors/rtds/keystore', import.meta.url).pathname;
const keys = loadReferenceKeys(KEYS) as ReferenceKeys;
const root = findIssuingCa(RTDS)!;
const supplierDs = privateScalar(readFileSync(join(KEYS, '90b3d51f30010000-ds.key'), 'utf8'));
const acbKa = privateScalar(readFileSync(join(KEYS, '90b3d51f30000002-ka.key'), 'utf8'));
const deviceKaPub = (readCertificate(pemToDer(readFileSync(join(KEYS, '00db1234567890a0-ka.pem'), 'utf8'))) as { ok: true; certificate: { publicKey: Uint8Array } }).certificate.publicKey;
const SUPPLIER = fromHex('90b3d51f30010000')!;
const DEVICE = fromHex('00db1234567890a0')!;
const SUPPLIER_HEX = '90b3d51f30010000';
const DS_USAGE = derSequence([derBitString(new Uint8Array([0x80]), 7)]);
const KA_USAGE = derSequence([derBitString(new Uint8Array([0x08]), 3)]);

const smki = createTestSmki({ dir: mkdtempSync(join(tmpdir(), 'smets-cs02d-')), workers: 1, policy: 'zaz1' });
smki.registerSubscriber(SUPPLIER_HEX, 'electricity-supplier');

let counter = 9000;
/** A supplier command (critical: signed by the supplier DS key, MAC'ed by the ACB). */
function command(code: number, body: Uint8Array): Uint8Array {
  const board = nodeBoard({ medium: memoryMedium() });
  const f: GeneralSigningFields = { cra: 1, counter: counterFromNumber(++counter), originator: SUPPLIER, recipient: DEVICE, messageCode: code, content: body, signatureForm: 'ecdsa' };
  f.signature = board.crypto.p256Sign(supplierDs, signedBytesOf(f));
  return wrapWithMac(board.crypto, sharedSecrets(board.crypto.ecdh), acbKa, deviceKaPub, encodeMessage({ wrapper: 'signed', gs: f }))!;
}

function device(issuingDcas: Uint8Array[]) {
  const board = nodeBoard({ medium: memoryMedium() });
  const made = manufactureDevice(board, {
    eui: DEVICE, environment: 'test', dsPrivate: keys.dsPrivate, kaPrivate: keys.kaPrivate,
    anchors: keys.anchors.concat([{ cell: ROOT_CELL, certificate: root, standIn: true }]), issuingDcas,
  });
  assert.ok(made.ok, JSON.stringify(made));
  return { board, device: new SmetsDevice(board) };
}

function answer(d: SmetsDevice, frame: Uint8Array): { content: Uint8Array; signer?: Uint8Array; signed: Uint8Array; signature?: Uint8Array } {
  const a = d.receive(frame);
  assert.ok(a.outcome.ok, JSON.stringify(a.outcome));
  const m = decodeMessage(a.response!);
  assert.ok(m.ok && m.wrapper === 'signed' && m.gs.signatureForm === 'ecdsa', 'critical response: DF, signed');
  if (!m.ok) throw new Error('unreachable');
  return { content: new Uint8Array(m.content), signed: m.signed, signature: m.signature };
}

/** openssl's stdout and stderr together (OpenSSL 3.0 `req -verify` reports a failure on stderr, exit 0). */
function openssl(args: string[]): string {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return r.stdout + r.stderr;
}

const pem = (der: Uint8Array, label: string) => `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END ${label}-----\n`;

test('CS02c -> SMKI -> CS02d -> CS02e: the device proves possession, installs its new DS certificate and signs with the new key', () => {
  const { board, device: d } = device([smki.issuingDca().der]);
  const csr = answer(d, command(0x000a, DS_USAGE)).content;
  // openssl: the request's signature verifies with the key it carries (proof of possession).
  const dir = mkdtempSync(join(tmpdir(), 'smets-csr-'));
  writeFileSync(join(dir, 'req.pem'), pem(csr, 'CERTIFICATE REQUEST'));
  const text = openssl(['req', '-in', join(dir, 'req.pem'), '-verify', '-noout', '-text']);
  assert.match(text, /self-signature verify OK/, 'openssl req -verify');
  assert.match(text, /Subject:\s*\n/, 'empty subject');
  assert.match(text, /Key Usage: critical\s*\n\s*Digital Signature\s*\n/, 'keyUsage critical, digitalSignature only');
  assert.match(text, /Subject Alternative Name: critical/, 'subjectAltName critical');
  const checked = checkDeviceCsr(csr);
  assert.ok(checked.ok, 'SMKI device-CSR rules: ' + JSON.stringify(checked));
  if (checked.ok) assert.is(toHex(checked.value.eui), '00db1234567890a0', 'hwSerialNum = device EUI');
  const pending = readPendingKey(board.storage, 'ds')!;
  assert.ok(pending, 'new key held pending');
  const issued = smki.requestDeviceCertificate({ subscriber: SUPPLIER_HEX, deviceType: 'ESME', csr });
  assert.ok(issued.ok, JSON.stringify(issued));
  if (!issued.ok) return;
  const installed = answer(d, command(0x000b, issued.der)).content;
  assert.is(toHex(installed), '020100', 'CS02d success (0)');
  assert.is(readPendingKey(board.storage, 'ds'), undefined, 'pending key consumed');
  const newPub = board.crypto.p256PublicKey(pending);
  const read = answer(d, command(0x000c, DS_USAGE));
  assert.is(toHex(read.content), toHex(issued.der), 'CS02e returns the installed certificate');
  assert.ok(board.crypto.p256Verify(newPub, read.signed, read.signature!), 'responses are now signed with the new DS key');
  assert.is(toHex(answer(d, command(0x000c, KA_USAGE)).content), '020102', 'CS02e KA: no certificate held (2)');
  assert.is(toHex(answer(d, command(0x000c, derSequence([derBitString(new Uint8Array([0x04]), 2)]))).content), '020101', 'CS02e invalid key usage (1)');
});

test('openssl req -verify accepts the CS02c request and refuses it with one signature byte changed', () => {
  const { device: d } = device([]);
  const csr = answer(d, command(0x000a, KA_USAGE)).content;
  const dir = mkdtempSync(join(tmpdir(), 'smets-csr-'));
  writeFileSync(join(dir, 'good.pem'), pem(csr, 'CERTIFICATE REQUEST'));
  const bad = new Uint8Array(csr);
  bad[bad.length - 5] ^= 1;
  writeFileSync(join(dir, 'bad.pem'), pem(bad, 'CERTIFICATE REQUEST'));
  assert.match(openssl(['req', '-in', join(dir, 'good.pem'), '-verify', '-noout']), /self-signature verify OK/);
  assert.match(openssl(['req', '-in', join(dir, 'bad.pem'), '-verify', '-noout']), /self-signature verify failure/);
});

test('CS02d refusals: wrong issuer (1), another device (2), no pending key (4), another key (5); nothing installed', () => {
  const { board, device: d } = device([smki.issuingDca().der]);
  // No pending key yet: a valid certificate for this device is refused with 4.
  const other = nodeBoard({ medium: memoryMedium() });
  const foreignKey = board.crypto.randomBytes(32) as Uint8Array;
  const forThisDevice = smki.requestDeviceCertificate({ subscriber: SUPPLIER_HEX, deviceType: 'ESME', csr: deviceCertificationRequest(other, DEVICE, 0x80, foreignKey) });
  assert.ok(forThisDevice.ok);
  if (!forThisDevice.ok) return;
  assert.is(toHex(answer(d, command(0x000b, forThisDevice.der)).content), '020104', 'no corresponding key pair (4)');
  answer(d, command(0x000a, DS_USAGE));
  assert.is(toHex(answer(d, command(0x000b, forThisDevice.der)).content), '020105', 'wrong public key (5)');
  const otherEui = smki.requestDeviceCertificate({ subscriber: SUPPLIER_HEX, deviceType: 'ESME', csr: deviceCertificationRequest(other, fromHex('00db1234567890a1')!, 0x80, foreignKey) });
  assert.ok(otherEui.ok);
  if (otherEui.ok) assert.is(toHex(answer(d, command(0x000b, otherEui.der)).content), '020102', 'wrong device identity (2)');
  // A device provisioned with no Issuing DCA trusts no device certificate.
  const { device: untrusting } = device([]);
  answer(untrusting, command(0x000a, DS_USAGE));
  assert.is(toHex(answer(untrusting, command(0x000b, forThisDevice.der)).content), '020101', 'unknown issuer: invalid certificate (1)');
  assert.is(toHex(answer(d, command(0x000b, new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]))).content), '020101', 'not a certificate (1)');
  assert.ok(readPendingKey(board.storage, 'ds'), 'pending key kept after refusals');
});

test('CS02c on a board whose random source keeps its state in storage (drbg.ts), the medium full: refused storage-full, every stored byte as it was; accepted once room is made', () => {
  const base = memoryMedium();
  const b0 = nodeBoard({ medium: base });
  const made = manufactureDevice(b0, {
    eui: DEVICE, environment: 'test', dsPrivate: keys.dsPrivate, kaPrivate: keys.kaPrivate,
    anchors: keys.anchors.concat([{ cell: ROOT_CELL, certificate: root, standIn: true }]),
  });
  assert.ok(made.ok, JSON.stringify(made));
  assert.ok(provisionRandomSeed(b0.storage, b0.crypto.sha256, new Uint8Array(32).fill(5)).ok);
  const m = copyWithRoom(base, 4096, 0);
  const plain = nodeBoard({ medium: m });
  const board = { ...plain, crypto: { ...plain.crypto, randomBytes: seededRandomBytes('test', () => plain.storage, plain.crypto.sha256) } };
  const d = new SmetsDevice(board);
  const before = picture(m);
  const a = d.receive(command(0x000a, DS_USAGE));
  assert.is(a.outcome.ok ? 'accepted' : a.outcome.reason, 'storage-full');
  assert.is(a.response, undefined, 'no response');
  assert.is(picture(m), before, 'every stored byte as it was');
  m.remove('filler');
  const b = d.receive(command(0x000a, DS_USAGE));
  assert.ok(b.outcome.ok && b.response, 'accepted once room is made: ' + JSON.stringify(b.outcome));
  assert.ok(readPendingKey(board.storage, 'ds'), 'pending key stored');
});

test.after(() => smki.close());
test.run();
