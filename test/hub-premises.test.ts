/**
 * The Communications Hub on Node, with the CHF (00DB1234567890A2) and the GPF (…A3) as reference devices of
 * their kinds built from the RTDS keystore (their KA secrets taken from the parties' side): RTDS commands
 * through the one device pipeline, the CS14 alert MAC checked by the ACB with its own key, routing by the
 * header's recipient (not-on-log / not-joined refused, GBT on a small HAN frame and reassembled), the GSME's
 * queue with its wake flag pulled through the mailbox, the GPF answering from its copy, GCS59 and CCS08.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesEqual, fromHex, toHex } from '../lib/bytes.ts';
import { decodeMessage } from '../gbcs/message.ts';
import type { GbcsMessage } from '../gbcs/message.ts';
import { checkMac } from '../gbcs/protection/protection.ts';
import { sharedSecrets } from '../gbcs/protection/sharedSecrets.ts';
import { readCertificate } from '../gbcs/smki/certificate.ts';
import { GbtReassembler } from '../gbcs/gbt.ts';
import { encodeImageHead } from '../gbcs/ota/otaImage.ts';
import { decodeCs14Alert, MESSAGE_CODE_CS14 } from '../gbcs/contents/hub/chfDeviceLog.ts';
import { decodeFirmwareTransferAlert, encodeFirmwareTransferAlert, MESSAGE_CODE_CCS08 } from '../gbcs/contents/hub/firmwareTransferAlert.ts';
import { nodeBoard } from '../boards/node/index.ts';
import { loadReferenceKeys, pemToDer, privateScalar } from '../harness/referenceDevice/referenceDevice.ts';
import { loadHubDeviceKeys, referenceHubDevice } from '../harness/referenceDevice/referenceHub.ts';
import type { HubDeviceKeys } from '../harness/referenceDevice/referenceHub.ts';
import type { ReferenceKeys } from '../harness/referenceDevice/referenceDevice.ts';
import { findIssuingCa } from '../harness/referenceDevice/replay.ts';
import { addDevice, readDeviceLog, readHistoricLog, recordTcLinkKey, removeDevice } from '../hub/chf.ts';
import { chfUseCases } from '../hub/chfUseCases.ts';
import { SmetsDevice } from '../device/index.ts';
import { memoryMedium } from '../boards/journaledStorage.ts';
import type { Board } from '../boards/board.ts';
import { cutAtEveryWrite, mediumFrom } from './portable/powerCut.ts';
import { CommunicationsHub } from '../hub/communicationsHub.ts';
import { FLAG_MESSAGE_WAITING, readGpfLog } from '../hub/gpf.ts';
import { gpfMailbox } from '../hub/gsmeMailbox.ts';

const RTDS = new URL('../../shared/vectors/rtds/RTDS-4.5.0', import.meta.url).pathname;
const KEYS = new URL('../../shared/vectors/rtds/keystore', import.meta.url).pathname;
const root = findIssuingCa(RTDS);
const ACB = fromHex('90b3d51f30000002')!;
const keys = loadReferenceKeys(KEYS) as ReferenceKeys;
const chfKeys = loadHubDeviceKeys(KEYS, '00db1234567890a2', 'CHF') as HubDeviceKeys;
const gpfKeys = loadHubDeviceKeys(KEYS, '00db1234567890a3', 'GPF') as HubDeviceKeys;

function rtds(path: string): Uint8Array {
  return fromHex(readFileSync(join(RTDS, path), 'utf8').replace(/\s+/g, ''))!;
}

function message(b: Uint8Array): GbcsMessage {
  const m = decodeMessage(b);
  if (!m.ok) throw new Error('undecodable: ' + m.reason);
  return m;
}

function premises() {
  const chf = referenceHubDevice(chfKeys, keys, root);
  const gpf = referenceHubDevice(gpfKeys, keys, root);
  const sent: Record<string, Uint8Array[]> = { '00db1234567890a4': [] };
  const hub = new CommunicationsHub({
    chf: chf.device!,
    gpf: gpf.device!,
    gsme: fromHex('00db1234567890a1')!,
    han: { '00db1234567890a4': { send: (f) => sent['00db1234567890a4'].push(f) } },
    hanFrameSize: 80,
    alertRecipient: ACB,
  });
  return { hub, chf, gpf, sent };
}

test('the CHF is a kind of the one runtime: RTDS CCS01 through the pipeline, RTDS response content, CS14 alert whose MAC the ACB checks with its own key', () => {
  const { hub, chf } = premises();
  const r = hub.fromWan(rtds('8.11_CCS01/CCS01_8.11_SUCCESS_COMMAND_GBCS.HEX'));
  assert.ok(r.ok && r.to === 'CHF');
  if (!r.ok || r.to !== 'CHF') return;
  assert.ok(r.answer.outcome.ok, 'accepted');
  assert.equal(toHex(message(r.answer.response!).content), toHex(message(rtds('8.11_CCS01/CCS01_8.11_SUCCESS_RESPONSE_GBCS.HEX')).content), 'response content as RTDS');
  assert.is(r.answer.alerts.length, 1, 'one CS14');
  const alert = message(r.answer.alerts[0]);
  assert.is(alert.gs.messageCode, MESSAGE_CODE_CS14);
  assert.is(toHex(alert.gs.recipient), '90b3d51f30000002', 'to the command\'s originator, the ACB');
  const cs14 = decodeCs14Alert(alert.content);
  assert.ok(!('ok' in cs14) && cs14.entries.length === 1 && toHex(cs14.entries[0].deviceId) === '00db1234567890a0', 'the log in CS14');
  // The ACB checks the MAC with its published KA private key and the CHF's published KA certificate.
  const crypto = nodeBoard().crypto;
  const chfKa = readCertificate(pemToDer(readFileSync(join(KEYS, '00db1234567890a2-ka.pem'), 'utf8')));
  assert.ok(chfKa.ok);
  if (!chfKa.ok) return;
  const acbPrivate = privateScalar(readFileSync(join(KEYS, '90b3d51f30000002-ka.key'), 'utf8'));
  assert.ok(checkMac(crypto, sharedSecrets(crypto.ecdh), acbPrivate, chfKa.certificate.publicKey, alert).ok, 'CS14 MAC checks on the ACB side');
  assert.ok(checkMac(crypto, sharedSecrets(crypto.ecdh), acbPrivate, chfKa.certificate.publicKey, message(r.answer.response!)).ok, 'response MAC checks on the ACB side');
  assert.is(readDeviceLog(chf.board).length, 1);
  const again = hub.fromWan(rtds('8.11_CCS01/CCS01_8.11_SUCCESS_COMMAND_GBCS.HEX'));
  assert.ok(again.ok && again.to === 'CHF' && !again.answer.outcome.ok, 'replay refused');
});

test('routing by recipient (RTDS CS04AC to …A4): a HAN device not on the log, then on it without a key, is refused; once joined its messages go by GBT blocks that reassemble to the message', () => {
  const { hub, chf, sent } = premises();
  const cs08 = rtds('8.8.2_CS04ACNonCritical/CS04ACNonCritical_8.8.2_SUCCESS_COMMAND_GBCS.HEX');
  const a4 = fromHex('00db1234567890a4')!;
  const before = hub.fromWan(cs08);
  assert.equal(before, { ok: false, reason: 'not-on-log', device: '00db1234567890a4' });
  const now = chf.board.clock.nowSec();
  assert.ok(addDevice(chf.board, a4, fromHex('30313233343536373839414243444546')!, 60, now).ok);
  const unjoined = hub.fromWan(cs08);
  assert.ok(!unjoined.ok && unjoined.reason === 'not-joined');
  assert.ok(!hub.fromHan(a4, cs08).ok, 'an unjoined device is refused on the HAN');
  const stranger = hub.tcLinkKeyEstablished(fromHex('00db1234567890b0')!, new Uint8Array(16));
  assert.equal(stranger, { ok: false, reason: 'not-on-log' }, 'a join of a device not on the log refused, no alert');
  const joined = hub.tcLinkKeyEstablished(a4, new Uint8Array(16).fill(7));
  assert.ok(joined.ok, 'joined');
  if (!joined.ok) return;
  const cs14 = decodeCs14Alert(message(joined.alert).content);
  assert.ok(!('ok' in cs14) && cs14.entries.length === 1 && toHex(cs14.entries[0].hashedTcLinkKey) === toHex(nodeBoard().crypto.sha256(new Uint8Array(16).fill(7))), 'CS14 with the hash of the new TC link key');
  assert.is(message(joined.alert).gs.messageCode, MESSAGE_CODE_CS14);
  const r = hub.fromWan(cs08);
  assert.ok(r.ok && r.to === 'HAN', JSON.stringify(r));
  if (!r.ok || r.to !== 'HAN') return;
  assert.ok(cs08.length > 80 && r.frames > 1, cs08.length + ' bytes in ' + r.frames + ' blocks');
  const rx = new GbtReassembler({ maxBlockSize: 80 });
  let done: Uint8Array | undefined;
  for (const f of sent['00db1234567890a4']) {
    assert.ok(f.length <= 80, 'block frame of ' + f.length + ' bytes');
    const a = rx.accept(f);
    assert.ok(a.ok, JSON.stringify(a));
    if (a.ok && 'complete' in a && a.complete) done = a.apdu;
  }
  assert.ok(done && bytesEqual(done, cs08), 'reassembled');
  // The HAN device itself (…A4, a PPMID of the one runtime) reassembles the blocks and answers the message.
  const ppmid = referenceHubDevice(loadHubDeviceKeys(KEYS, '00db1234567890a4', 'PPMID') as HubDeviceKeys, keys, root).device!;
  const blocks = sent['00db1234567890a4'];
  for (let i = 0; i < blocks.length - 1; i++) assert.equal(ppmid.receiveBlock(blocks[i]), { complete: false });
  assert.ok(!ppmid.receiveBlock(blocks[1]).complete && 'refused' in ppmid.receiveBlock(blocks[1]), 'a duplicate block refused by name');
  const last = ppmid.receiveBlock(blocks[blocks.length - 1]);
  assert.ok(last.complete && last.answer.outcome.ok && !!last.answer.response, 'the PPMID answered the reassembled CS04AC');
  assert.ok(hub.fromHan(a4, new Uint8Array([1])).ok, 'a joined device is heard');
  assert.ok(removeDevice(chf.board, a4).ok);
  assert.ok(!hub.fromHan(a4, new Uint8Array([1])).ok && !hub.fromWan(cs08).ok, 'removed from the log: refused both ways');
});

test('the GSME sleeps: a command to it is queued on the GPF, the flag is up until it pulls and acknowledges; the GPF answers reads from its copy', () => {
  const { hub, chf, gpf } = premises();
  const a1 = fromHex('00db1234567890a1')!;
  const now = chf.board.clock.nowSec();
  addDevice(chf.board, a1, fromHex('30313233343536373839414243444546')!, 60, now);
  recordTcLinkKey(chf.board, a1, new Uint8Array(16).fill(1), now);
  const mailbox = gpfMailbox(gpf.board);
  assert.is(mailbox.notificationFlags(), 0);
  const cmd = rtds('4.3_GCS14/GCS14_4.3_SUCCESS_UNRELIABLE_COMMAND_GBCS.HEX');
  const q = hub.fromWan(cmd);
  assert.ok(q.ok && q.to === 'GSME-queue', JSON.stringify(q));
  assert.is(mailbox.notificationFlags(), FLAG_MESSAGE_WAITING);
  const m = mailbox.pull();
  assert.ok(m && bytesEqual(m.frame, cmd), 'pulled the frame');
  assert.is(mailbox.notificationFlags(), FLAG_MESSAGE_WAITING, 'still waiting until acknowledged');
  assert.equal(mailbox.acknowledge(m!.id), { ok: true });
  assert.equal(mailbox.acknowledge(m!.id), { ok: false, reason: 'not-waiting' }, 'not twice');
  assert.is(mailbox.notificationFlags(), 0);
  assert.is(mailbox.wakeInterval(), 1800);
  assert.equal(hub.setGsmeWakeInterval(900), { ok: true });
  assert.equal(hub.setGsmeWakeInterval(0), { ok: false, reason: 'wake-interval' });
  assert.is(mailbox.wakeInterval(), 900, 'the GSME sees the configured interval');
  // The GPF answers GCS13b from its copy once the GSME has published it.
  const gcs13b = rtds('4.1.4_GCS13b/GCS13b_4.1.4_SUCCESS_RELIABLE_GPF_COMMAND_GBCS.HEX');
  const copy = new Uint8Array([0x01, 0x09, 0x01, 0x07, 0x02, 0x00, 0x03, 0x18, 0x01, 0x01]);
  assert.equal(mailbox.publish([{ messageCode: 0x00b8, content: copy }]), { ok: true });
  const r = hub.fromWan(gcs13b);
  assert.ok(r.ok && r.to === 'GPF' && r.answer.outcome.ok);
  if (r.ok && r.to === 'GPF') assert.equal(toHex(message(r.answer.response!).content), toHex(copy), 'answered from the copy');
  // GCS59: RTDS command, response content byte for byte, the GPF Device Log restored.
  const g = hub.fromWan(rtds('8.12.2_GCS59/GCS59_8.12.2_SUCCESS_COMMAND_GBCS.HEX'));
  assert.ok(g.ok && g.to === 'GPF' && g.answer.outcome.ok);
  if (g.ok && g.to === 'GPF') assert.equal(toHex(message(g.answer.response!).content), toHex(message(rtds('8.12.2_GCS59/GCS59_8.12.2_SUCCESS_RESPONSE_GBCS.HEX')).content));
  assert.equal(readGpfLog(gpf.board.storage).map((e) => toHex(e.deviceId) + ':' + e.deviceType), ['0011223344556677:5', '8899aabbccddeeff:6']);
});

test('CCS08: the RTDS alert content decodes and re-encodes byte for byte; handing an image raises a signed CCS08 from the CHF with the outcome', () => {
  const sample = message(rtds('NA_CCS08/CCS08_NA_NA_ALERT_GBCS.HEX'));
  const a = decodeFirmwareTransferAlert(sample.content);
  assert.ok(!('ok' in a));
  if ('ok' in a) return;
  assert.equal([a.alertCode, a.time, toHex(a.device), toHex(a.version), a.outcome], [0x8f8a, '20150101000000Z', '00db1234567890a4', '0123abcd', 0]);
  assert.equal(toHex(encodeFirmwareTransferAlert(a)), toHex(sample.content));
  const { hub, chf, sent } = premises();
  const a4 = fromHex('00db1234567890a4')!;
  // An OTA Upgrade File (gbcs/ota/otaImage.ts) of file version 0x0123ABCD, 100 body bytes, its signature
  // left zero: the hub checks the OTA header; the HAN device checks the signature when it takes the image.
  const body = new Uint8Array(100).fill(0x5a);
  const head = encodeImageHead({ manufacturerCode: 0x1234, imageType: 0x0001, fileVersion: 0x0123abcd, headerString: 'PPMID TEST', bodyLength: body.length, bodyDigest: new Uint8Array(32) });
  const image = new Uint8Array(head.length + body.length + 70);
  image.set(head);
  image.set(body, head.length);
  image.set([0x00, 0xf0, 64, 0, 0, 0], head.length + body.length);
  const outcomeOf = (r: { alert?: Uint8Array }) => {
    const d = decodeFirmwareTransferAlert(message(r.alert!).content);
    if ('ok' in d) throw new Error(d.reason);
    return d.outcome + ' ' + toHex(d.version);
  };
  const discarded = hub.handImage(a4, new Uint8Array(100));
  assert.ok(!discarded.delivered && discarded.reason === 'image: short');
  assert.is(outcomeOf(discarded), '3 00000000', 'not an OTA image: discarded');
  const refused = hub.handImage(a4, image);
  assert.ok(!refused.delivered && refused.reason === 'not-on-log' && refused.alert);
  assert.is(outcomeOf(refused), '1 0123abcd', 'not on the log: failed, with the image\'s version');
  addDevice(chf.board, a4, fromHex('30313233343536373839414243444546')!, 60, chf.board.clock.nowSec());
  recordTcLinkKey(chf.board, a4, new Uint8Array(16).fill(7), chf.board.clock.nowSec());
  hub.config.han['00db1234567890a4'].hardware = { manufacturerCode: 0x1234, imageType: 0x0002 };
  const mismatch = hub.handImage(a4, image);
  assert.is(outcomeOf(mismatch), '2 0123abcd', 'another image type: hardware mismatch');
  assert.is(sent['00db1234567890a4'].length, 0, 'nothing sent');
  hub.config.han['00db1234567890a4'].hardware = { manufacturerCode: 0x1234, imageType: 0x0001 };
  const ok = hub.handImage(a4, image);
  assert.ok(ok.delivered && ok.alert);
  assert.is(sent['00db1234567890a4'].length, Math.ceil(image.length / 80), image.length + ' bytes in 80-byte HAN frames');
  const m = message(ok.alert!);
  assert.is(m.gs.messageCode, MESSAGE_CODE_CCS08);
  assert.is(m.gs.signatureForm, 'ecdsa', 'critical alert: signed');
  assert.ok(m.gs.counter.lo > message(refused.alert!).gs.counter.lo, 'the CHF\'s alert counter advanced');
  assert.is(outcomeOf(ok), '0 0123abcd', 'success, as RTDS NA_CCS08');
});

test('power cut at every write of RTDS CCS02 through the CHF runtime (log, historic log, counter and CS14 alert counter in one commit), 12 cut points: old state or new, never a mix', () => {
  const medium = memoryMedium();
  const clock = { nowSec: () => 1796342400 };
  const { board } = referenceHubDevice(chfKeys, keys, root, clock, medium);
  const a0 = fromHex('00db1234567890a0')!;
  assert.ok(addDevice(board, a0, fromHex('30313233343536373839414243444546')!, 60, clock.nowSec()).ok);
  assert.ok(recordTcLinkKey(board, a0, new Uint8Array(16).fill(9), clock.nowSec()).ok);
  const start = medium.snapshot();
  const ccs02 = rtds('8.11_CCS02/CCS02_8.11_SUCCESS_COMMAND_GBCS.HEX');
  const fingerprint = (b: Board) => b.storage.keys().map((k) => k + '=' + toHex(b.storage.read(k)!)).join(';');
  const old = fingerprint(nodeBoard({ medium: mediumFrom(start), clock }));
  let after = '';
  const cuts = cutAtEveryWrite(
    (m) => nodeBoard({ medium: m, clock }),
    start,
    (b) => {
      const a = new SmetsDevice(b, chfKeys.secrets, chfUseCases()).receive(ccs02);
      return a.outcome.ok && a.alerts.length === 1;
    },
    (b) => {
      after = fingerprint(b);
      assert.is(readDeviceLog(b).length, 0, 'removed');
      assert.is(readHistoricLog(b).entries.length, 1, 'its key in the historic log');
    },
    (b, where) => {
      const now = fingerprint(b);
      assert.ok(now === old || now === after, 'power cut at ' + where + ': neither the old state nor the new one');
    },
  );
  // Measured: 6 medium writes (the journal of one commit of 4 keys), each cut cleanly and torn.
  assert.is(cuts, 12, 'cut points');
});

test('power cut at every write of a HAN join (TC link key on the CHF log and its CS14 in one commit), 8 cut points: old state or new, never a mix', () => {
  const medium = memoryMedium();
  const clock = { nowSec: () => 1796342400 };
  const { board } = referenceHubDevice(chfKeys, keys, root, clock, medium);
  const a4 = fromHex('00db1234567890a4')!;
  assert.ok(addDevice(board, a4, fromHex('30313233343536373839414243444546')!, 600, clock.nowSec()).ok);
  const start = medium.snapshot();
  const fingerprint = (b: Board) => b.storage.keys().map((k) => k + '=' + toHex(b.storage.read(k)!)).join(';');
  const old = fingerprint(nodeBoard({ medium: mediumFrom(start), clock }));
  let after = '';
  const cuts = cutAtEveryWrite(
    (m) => nodeBoard({ medium: m, clock }),
    start,
    (b) => {
      const chf = new SmetsDevice(b, chfKeys.secrets, chfUseCases());
      // The router needs a GPF; this join never reaches it.
      return new CommunicationsHub({ chf, gpf: chf, han: {}, alertRecipient: ACB }).tcLinkKeyEstablished(a4, new Uint8Array(16).fill(3)).ok;
    },
    (b) => {
      after = fingerprint(b);
      assert.ok(!!readDeviceLog(b)[0].tcLinkKey, 'key stored');
    },
    (b, where) => {
      const now = fingerprint(b);
      assert.ok(now === old || now === after, 'power cut at ' + where + ': neither the old state nor the new one');
    },
  );
  // Measured: 4 medium writes (the journal of one commit: the log and the device counter), clean and torn.
  assert.is(cuts, 8, 'cut points');
});

test.run();
