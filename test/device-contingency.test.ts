/**
 * CS02b anyByContingency (0x0109) end to end: a factory-made ESME whose root cell holds a Root OCA
 * certificate carrying the DCC's wrapped contingency key (harness/smki/contingency.ts); the DCC discloses
 * the symmetric key in the command and signs it with the contingency private key. The device replaces its
 * root with a new hierarchy's Root OCA and a Supplier certificate issued under it in one command; wrong
 * symmetric keys, foreign signatures, a missing key, a root without a contingency key, a replay and every
 * single-byte mutation are refused with state unchanged; each replacement stands on its own.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeBoard } from '../boards/node/index.ts';
import { nodeCrypto } from '../boards/node/nodeCrypto.ts';
import { memoryMedium } from '../boards/journaledStorage.ts';
import { fromHex, toHex } from '../lib/bytes.ts';
import { counterFromNumber } from '../gbcs/counter64.ts';
import { decodeMessage } from '../gbcs/message.ts';
import { readCertificate } from '../gbcs/smki/certificate.ts';
import { readCell } from '../device/state/trustAnchors.ts';
import { openDevice } from '../device/index.ts';
import type { SmetsDevice } from '../device/index.ts';
import { encodeCs02bCommand, MODE, readCs02bResponse } from '../gbcs/contents/cs02b.ts';
import type { TaCellId } from '../gbcs/contents/cs02b.ts';
import { buildPrecommand, signCritical } from '../harness/dcc/preCommand.ts';
import { issueParty, scalarOfPem, TEST_ENTITIES } from '../harness/dcc/users.ts';
import type { Party } from '../harness/dcc/users.ts';
import { manufactureEsme } from '../harness/lab/factory.ts';
import { createTestSmki } from '../harness/smki/testSmki.ts';
import { generateContingencyKey, reissueRootWithContingency } from '../harness/smki/contingency.ts';
import { loadReferenceKeys, REFERENCE_EUI } from '../harness/referenceDevice/referenceDevice.ts';
import { replayFolder } from '../harness/referenceDevice/replay.ts';
import { toPem } from '../harness/smki/der.ts';
import { stateFingerprint } from './portable/deviceFixture.ts';

const RTDS = new URL('../../shared/vectors/rtds/RTDS-4.5.0', import.meta.url).pathname;
const KEYS = new URL('../../shared/vectors/rtds/keystore', import.meta.url).pathname;

const crypto = nodeCrypto();
const EUI = '00DB0000000C0001';
const DCC_CONTINGENCY_ORIGINATOR = fromHex('70B3D51F300017FF')!; // the RTDS contingency responses' recipient
const ROOT: TaCellId = { role: 0, keyUsage: 0x04, cellUsage: 0 };
const SUPPLIER_DS: TaCellId = { role: 2, keyUsage: 0x80, cellUsage: 0 };

const oldSmki = createTestSmki({ dir: mkdtempSync(join(tmpdir(), 'smets-contingency-old-')), workers: 1 });
const newSmki = createTestSmki({ dir: mkdtempSync(join(tmpdir(), 'smets-contingency-new-')), workers: 1, labels: { rootOca: 'TR9', issuingOca: 'TO9' } });
const parties: Record<string, Party> = {};
for (const id of Object.keys(TEST_ENTITIES)) parties[id] = issueParty(oldSmki, crypto, TEST_ENTITIES[id]);
const newSupplier = issueParty(newSmki, crypto, TEST_ENTITIES.supplier);
const contingency = generateContingencyKey();
const contingencyScalar = scalarOfPem(contingency.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
const rootWithKey = reissueRootWithContingency(oldSmki.rootOca(), contingency, oldSmki.policy.organisation, new Date());

function device(root?: Uint8Array): SmetsDevice {
  const board = nodeBoard({ medium: memoryMedium(), log: () => undefined });
  const made = manufactureEsme({
    eui: EUI, deviceType: 'ESME', board, smki: oldSmki,
    anchors: { recovery: parties.recovery, acb: parties.acb, wanProvider: parties.wanProvider, transCoS: parties.transCoS, networkOperator: parties.networkOperator },
    ...(root ? { rootCertificate: root } : {}),
  });
  if (!made.ok) throw new Error(made.step + ': ' + made.reason);
  return openDevice(board)!;
}

interface Order {
  counter?: number;
  symmetricKey?: Uint8Array | null;
  signer?: Uint8Array;
  replacements?: Array<{ certificate: Uint8Array; cell: TaCellId }>;
  path?: Uint8Array[];
  messageCode?: number;
  originator?: Uint8Array;
  recipient?: Uint8Array;
}

function command(o: Order = {}): Uint8Array {
  const counter = counterFromNumber(o.counter ?? 5000);
  const key = o.symmetricKey === null ? undefined : o.symmetricKey ?? new Uint8Array(contingency.symmetricKey);
  const content = encodeCs02bCommand({
    mode: MODE.anyByContingency, seq: counter, otherFloors: [],
    ...(key ? { plaintextSymmetricKey: key } : {}),
    replacements: o.replacements ?? [
      { certificate: new Uint8Array(newSmki.rootOca().der), cell: ROOT },
      { certificate: newSupplier.ds.certificate, cell: SUPPLIER_DS },
    ],
    path: o.path ?? [new Uint8Array(newSmki.issuingOca().der)],
  });
  const pre = buildPrecommand({ counter, originator: o.originator ?? DCC_CONTINGENCY_ORIGINATOR, recipient: o.recipient ?? fromHex(EUI)!, messageCode: o.messageCode ?? 0x0109, content });
  return signCritical(crypto, o.signer ?? contingencyScalar, pre);
}

function statuses(content: Uint8Array): number[] | string {
  const r = readCs02bResponse(content);
  return typeof r === 'string' ? r : (r.outcome?.replacements ?? []).map((x) => x.status);
}

function publicKeyOf(der: Uint8Array): string {
  const c = readCertificate(der);
  if (!c.ok) throw new Error('certificate');
  return toHex(c.certificate.publicKey);
}

function refusedUnchanged(d: SmetsDevice, frame: Uint8Array, reason: string, detail?: RegExp): void {
  const before = stateFingerprint(d.board, true);
  const a = d.receive(frame);
  assert.ok(!a.outcome.ok, 'accepted');
  if (!a.outcome.ok) {
    assert.is(a.outcome.reason, reason, a.outcome.detail);
    if (detail) assert.match(a.outcome.detail ?? '', detail);
  }
  assert.is(a.response, undefined, 'no response to a refused command');
  assert.is(stateFingerprint(d.board, true), before, 'state unchanged');
}

test('the root cell keeps the Root OCA\'s wrapped contingency key', () => {
  const d = device(rootWithKey);
  const root = readCell(d.board.storage, { role: 0, keyUsage: 0x04, cellUsage: 0 });
  assert.ok(root && root.contingencyKey && root.contingencyKey.length > 91, 'stored');
  assert.is(toHex(root!.publicKey), publicKeyOf(new Uint8Array(oldSmki.rootOca().der)), 'same Root OCA key as the one that issued the parties');
  const plain = device();
  assert.is(readCell(plain.board.storage, { role: 0, keyUsage: 0x04, cellUsage: 0 })!.contingencyKey, undefined);
});

test('contingency replaces the root and a Supplier certificate issued under the new root; a replay is refused', () => {
  const d = device(rootWithKey);
  const frame = command();
  const a = d.receive(frame);
  assert.ok(a.outcome.ok, a.outcome.ok ? '' : a.outcome.reason + ' ' + a.outcome.detail);
  const r = decodeMessage(a.response!);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.is(r.gs.messageCode, 0x0109);
  assert.is(toHex(r.gs.recipient), toHex(DCC_CONTINGENCY_ORIGINATOR), 'the response goes to the command\'s originator');
  assert.is(r.gs.counter.hi * 2 ** 32 + r.gs.counter.lo, 5000, 'echoes the counter');
  assert.ok(r.signature && crypto.p256Verify(crypto.p256PublicKey(d.identity().dsPrivate), r.signed, r.signature), 'signed by the device DS key');
  assert.equal(statuses(r.content), [0, 0]);
  const root = readCell(d.board.storage, { role: 0, keyUsage: 0x04, cellUsage: 0 })!;
  assert.is(toHex(root.publicKey), publicKeyOf(new Uint8Array(newSmki.rootOca().der)), 'the new root');
  assert.is(root.contingencyKey, undefined, 'the new root carries no contingency key');
  const sup = readCell(d.board.storage, { role: 2, keyUsage: 0x80, cellUsage: 0 })!;
  assert.is(toHex(sup.publicKey), toHex(newSupplier.ds.publicKey));
  // The same command again: the root's counter is at 5000 now.
  refusedUnchanged(d, frame, 'replay');
  // A fresh counter does not help either: the new root has no contingency key to unwrap.
  refusedUnchanged(d, command({ counter: 5001 }), 'bad-signature', /no-contingency-key/);
});

test('refused with state unchanged: wrong symmetric key, foreign signer, no symmetric key, no contingency key at the root', () => {
  const d = device(rootWithKey);
  const wrongKey = new Uint8Array(contingency.symmetricKey);
  wrongKey[0] ^= 1;
  refusedUnchanged(d, command({ symmetricKey: wrongKey }), 'bad-signature', /unwrap-failed/);
  refusedUnchanged(d, command({ symmetricKey: new Uint8Array(15) }), 'bad-signature', /unwrap-failed/);
  refusedUnchanged(d, command({ signer: parties.recovery.ds.privateKey }), 'bad-signature');
  refusedUnchanged(d, command({ symmetricKey: null }), 'bad-signature', /no-symmetric-key/);
  refusedUnchanged(device(), command(), 'bad-signature', /no-contingency-key/);
  // The symmetric key belongs to contingency only: the Recovery party cannot send it under 0x0108.
  const recoveryFrame = command({ messageCode: 0x0108, signer: parties.recovery.ds.privateKey, originator: parties.recovery.euiBytes });
  refusedUnchanged(d, recoveryFrame, 'execution-refused', /mode/);
  // After all that, the genuine command still goes through (nothing consumed its counter).
  assert.ok(d.receive(command()).outcome.ok);
});

test('each replacement stands on its own: a Supplier certificate whose path does not reach the new root is refused (10), the root replaced (0)', () => {
  const d = device(rootWithKey);
  const before = readCell(d.board.storage, { role: 2, keyUsage: 0x80, cellUsage: 0 });
  const a = d.receive(command({
    replacements: [
      { certificate: new Uint8Array(newSmki.rootOca().der), cell: ROOT },
      { certificate: parties.supplier.ds.certificate, cell: SUPPLIER_DS }, // issued under the OLD root
      { certificate: new Uint8Array(newSmki.issuingOca().der), cell: ROOT }, // not a Root OCA: OU 07
    ],
    path: [new Uint8Array(oldSmki.issuingOca().der)],
  }));
  assert.ok(a.outcome.ok);
  const r = decodeMessage(a.response!);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(statuses(r.content), [0, 10, 5]);
  assert.is(toHex(readCell(d.board.storage, { role: 0, keyUsage: 0x04, cellUsage: 0 })!.publicKey), publicKeyOf(new Uint8Array(newSmki.rootOca().der)));
  const after = readCell(d.board.storage, { role: 2, keyUsage: 0x80, cellUsage: 0 });
  assert.is(after ? toHex(after.publicKey) : 'empty', before ? toHex(before.publicKey) : 'empty', 'the Supplier cell kept what it had');
});

test('every single-byte mutation of the contingency command is refused with state unchanged', () => {
  const d = device(rootWithKey);
  const frame = command();
  const before = stateFingerprint(d.board, true);
  let accepted = 0;
  for (let i = 0; i < frame.length; i++) {
    const m = new Uint8Array(frame);
    m[i] ^= 0x5a;
    const a = d.receive(m);
    if (a.outcome.ok) accepted++;
    assert.is(stateFingerprint(d.board, true), before, 'state after mutation at ' + i);
  }
  assert.is(accepted, 0, 'mutations accepted');
  assert.ok(d.receive(frame).outcome.ok, 'the genuine command after ' + frame.length + ' mutations');
});

test('smets conformance --device: a contingency command is replayed when KEYDIR has the Root OCA with its contingency key, skipped when not', () => {
  // A use-case folder as RTDS lays it out: our COMMAND (counter 0x1388, as the RTDS contingency RESPONSE)
  // beside the RTDS SUCCESS RESPONSE, whose header the device's response must match.
  const rtds = mkdtempSync(join(tmpdir(), 'smets-contingency-rtds-'));
  const folder = join(rtds, 'NA_CS02bAnyByContingency');
  mkdirSync(folder);
  const frame = command({ counter: 0x1388, recipient: fromHex(REFERENCE_EUI)!, replacements: [{ certificate: new Uint8Array(newSmki.rootOca().der), cell: ROOT }], path: [] });
  writeFileSync(join(folder, 'CS02bAnyByContingency_NA_SUCCESS_COMMAND_GBCS.HEX'), toHex(frame).toUpperCase());
  copyFileSync(join(RTDS, 'NA_CS02bAnyByContingency', 'CS02bAnyByContingency_NA_SUCCESS_RESPONSE_GBCS.HEX'), join(folder, 'CS02bAnyByContingency_NA_SUCCESS_RESPONSE_GBCS.HEX'));

  const plainKeys = loadReferenceKeys(KEYS);
  if (typeof plainKeys === 'string') throw new Error(plainKeys);
  const skipped = replayFolder(rtds, 'NA_CS02bAnyByContingency', plainKeys, new Uint8Array(oldSmki.issuingOca().der), false);
  assert.is(skipped.length, 1);
  assert.match(skipped[0].skipped ?? '', /no contingency key/);

  const keyDir = mkdtempSync(join(tmpdir(), 'smets-contingency-keys-'));
  for (const f of readdirSync(KEYS)) copyFileSync(join(KEYS, f), join(keyDir, f));
  writeFileSync(join(keyDir, 'root-oca.pem'), toPem(rootWithKey, 'CERTIFICATE'));
  const keys = loadReferenceKeys(keyDir);
  if (typeof keys === 'string') throw new Error(keys);
  const [r] = replayFolder(rtds, 'NA_CS02bAnyByContingency', keys, undefined, true);
  assert.is(r.skipped, undefined);
  assert.ok(r.accepted, r.rejection);
  assert.ok(r.responseMatches, r.responseDetail);
  assert.ok(r.replayRefused, 'replay refused');
  assert.is(r.mutationsAccepted, 0);
  assert.is(r.mutationsChangedState, 0);
  assert.ok(r.mutationsTried === frame.length, 'every byte mutated');
});

test.after(async () => {
  await oldSmki.close();
  await newSmki.close();
});

test.run();
