/**
 * The GBCS codec's portable cases, run under uvu and on every engine: lengths, the 64-bit counter,
 * DER reading and writing on a real SMKI certificate (the KA certificate an RTDS ECS21b command
 * carries in its other-information), GBT split and reassembly, and a small seeded fuzz.
 * @module
 */
import { concatBytes, fromHex, toHex } from '../../lib/bytes.ts';
import { compareCounters, counterFromHex, counterToHex, incrementCounter } from '../../gbcs/counter64.ts';
import { derOid, derSmallInteger, expectTlv, readChildren, readOid, readSmallInteger, readTime, readTlv, readBitString, TAG_SEQUENCE } from '../../gbcs/der.ts';
import { GbtReassembler, splitIntoGbt } from '../../gbcs/gbt.ts';
import { decodeLength, encodeLength } from '../../gbcs/lengths.ts';
import { decodeMessage } from '../../gbcs/message.ts';
import { accessRequest, accessResponse, accessSpec, decodeAccessRequest, decodeAccessResponse, encodeAccessRequest, encodeAccessResponse, KIND_GET_WITH_SELECTION, readAccessRequest, readAccessResponse } from '../../gbcs/dlms/access.ts';
import { arrayData, decodeData, doubleLongUnsigned, encodeData, longUnsigned, NULL_DATA, readData, structureData, TAG_STRUCTURE } from '../../gbcs/dlms/data.ts';
import { alertNotification, decodeDataNotification, encodeDataNotification, readAlertNotification } from '../../gbcs/dlms/notification.ts';
import { bytesEqual, equal, ok } from './assert.ts';
import { gbtTotalityProblem, messageTotalityProblem } from './codecProperties.ts';
import { mutate } from './mutate.ts';
import { seededRng } from './seeded.ts';
import type { Suite } from './selftest.ts';

const URP = 'rtds/RTDS-4.5.0/4.14_ECS21b/ECS21b_4.14_URP_SUCCESS_COMMAND_GBCS.HEX';
const ALERT = 'rtds/RTDS-4.5.0/1.2.1_ECS01b/ECS01b_1.2.1_8F66_FUTURE_DATED_TOU_BLOCK_SUCCESS_ALERT_PRICE_MATRIX_GBCS.HEX';

function load(ctx: { vector(p: string): string }, path: string): Uint8Array {
  const b = fromHex(ctx.vector(path));
  if (!b) throw new Error('not hex: ' + path);
  return b;
}

export const codecSuite: Suite = {
  name: 'gbcs codec',
  bundle: 'selftest-codec',
  vectors: [URP, ALERT],
  cases: [
    {
      name: 'lengths: every form decodes, encodes shortest, bad forms rejected',
      run() {
        const l = decodeLength(fromHex('82037b')!, 0);
        ok(l.ok && l.value === 0x37b && l.width === 3 && l.next === 3, '82 037B');
        const s = decodeLength(fromHex('8180')!, 0);
        ok(s.ok && s.value === 0x80 && s.width === 2, '81 80');
        equal(toHex(encodeLength(0x7f)), '7f', '7F');
        equal(toHex(encodeLength(0x80)), '8180', '80');
        equal(toHex(encodeLength(0x100)), '820100', '100');
        equal(toHex(encodeLength(5, 3)), '820005', 'kept width');
        const bad = decodeLength(fromHex('83000001')!, 0);
        ok(!bad.ok && bad.reason === 'bad-length-form' && bad.at === 0, '83');
        const cut = decodeLength(fromHex('0082')!, 1);
        ok(!cut.ok && cut.reason === 'truncated' && cut.at === 1, 'cut 82');
      },
    },
    {
      name: 'DLMS: a get-with-selection request and its response decode and re-encode byte for byte; long counts; alert',
      run() {
        const counter = counterFromHex('00000000000007d0');
        if (!counter) throw new Error('counter');
        const range = structureData([doubleLongUnsigned(1), doubleLongUnsigned(2)]);
        const req = accessRequest(counter, concatBytes([accessSpec(KIND_GET_WITH_SELECTION, 7, '0-0:99.98.1.255', 2, 1), range]), NULL_DATA);
        const r = decodeAccessRequest(req);
        if ('ok' in r) throw new Error('request: ' + r.reason + ' at ' + r.at);
        equal(r.specs[0].kind, KIND_GET_WITH_SELECTION, 'kind');
        equal(r.specs[0].selector, 1, 'selector');
        equal(r.specs[0].parameters && r.specs[0].parameters.tag, TAG_STRUCTURE, 'selector parameters');
        equal(toHex(r.invokeId), '200007d0', 'invoke-id');
        bytesEqual(encodeAccessRequest(r), req, 'request re-encoded');
        const asked = readAccessRequest(req);
        if (!asked) throw new Error('readAccessRequest');
        const rows: Uint8Array[] = [];
        for (let i = 0; i < 130; i++) rows.push(structureData([doubleLongUnsigned(i), longUnsigned(0x8f53)]));
        const resp = accessResponse(asked, [{ data: arrayData(rows), result: 0 }]);
        const d = decodeAccessResponse(resp);
        if ('ok' in d) throw new Error('response: ' + d.reason + ' at ' + d.at);
        equal(d.data[0].lengthWidth, 2, '130 entries: the 81 n count');
        equal(d.results[0].kind, 1, 'with-selection get answered as a get');
        bytesEqual(encodeAccessResponse(d), resp, 'response re-encoded');
        const v = readAccessResponse(resp);
        if (typeof v === 'string') throw new Error(v);
        const list = v.data[0] as Array<Array<number>>;
        equal(list.length, 130, 'plain entries');
        equal(list[129][0], 129, 'plain entry value');
        const wide = fromHex('09820003010203')!;
        const w = decodeData(wide, 0, wide.length);
        if (!w.ok) throw new Error('wide');
        bytesEqual(encodeData(w.value), wide, 'an octet-string in the 82 form re-encodes as read');
        equal(readData(wide, 0) ? readData(wide, 0)!.next : -1, 7, 'readData over the same decode');
        const alert = alertNotification(counter, 0x8f66, 0, []);
        const a = readAlertNotification(alert);
        if (typeof a === 'string') throw new Error(a);
        equal(a.alertCode, 0x8f66, 'alert code');
        const n = decodeDataNotification(alert);
        if ('ok' in n) throw new Error('notification');
        bytesEqual(encodeDataNotification(n), alert, 'notification re-encoded');
      },
    },
    {
      name: 'counter64: order, increment across 32 bits, hex',
      run() {
        const a = counterFromHex('00000000ffffffff')!;
        const b = incrementCounter(a)!;
        equal(counterToHex(b), '0000000100000000', 'carry');
        equal(compareCounters(a, b), -1, 'a < b');
        equal(compareCounters(b, a), 1, 'b > a');
        equal(incrementCounter(counterFromHex('ffffffffffffffff')!), undefined, 'no wrap');
        equal(counterFromHex('xyz'), undefined, 'not hex');
      },
    },
    {
      name: 'DER: the KA certificate in an ECS21b header reads as X.509 with a P-256 key',
      run(ctx) {
        const m = decodeMessage(load(ctx, URP));
        ok(m.ok && m.gs.supplementary !== undefined && m.gs.supplementary.kaCertificate !== undefined, 'certificate in other-information');
        if (!m.ok || !m.gs.supplementary || !m.gs.supplementary.kaCertificate) return;
        const cert = m.gs.supplementary.kaCertificate;
        const top = expectTlv(cert, 0, cert.length, TAG_SEQUENCE);
        ok(top.ok && top.end === cert.length, 'certificate SEQUENCE fills it');
        if (!top.ok) return;
        const parts = readChildren(cert, top);
        ok(Array.isArray(parts) && parts.length === 3, 'tbs, algorithm, signature');
        if (!Array.isArray(parts)) return;
        const tbs = readChildren(cert, parts[0]);
        if (!Array.isArray(tbs)) throw new Error('tbs children');
        // [0] version, serial, signature alg, issuer, validity, subject, spki, [3] extensions
        equal(tbs[0].tag, 0xa0, 'version tag');
        const alg = readChildren(cert, tbs[2]);
        if (!Array.isArray(alg)) throw new Error('alg');
        equal(readOid(cert, alg[0]), '1.2.840.10045.4.3.2', 'ecdsa-with-SHA256');
        const validity = readChildren(cert, tbs[4]);
        if (!Array.isArray(validity)) throw new Error('validity');
        equal(readTime(cert, validity[0]), '20151030000000Z', 'notBefore (UTCTime)');
        const spki = readChildren(cert, tbs[6]);
        if (!Array.isArray(spki)) throw new Error('spki');
        const spkiAlg = readChildren(cert, spki[0]);
        if (!Array.isArray(spkiAlg)) throw new Error('spki alg');
        equal(readOid(cert, spkiAlg[1]), '1.2.840.10045.3.1.7', 'prime256v1');
        const key = readBitString(cert, spki[1]);
        ok(!('reason' in key) && key.bytes.length === 65 && key.bytes[0] === 4, 'uncompressed point');
        // writer agrees with reader
        const oid = derOid('1.2.840.10045.3.1.7');
        const back = readTlv(oid, 0);
        ok(back.ok && readOid(oid, back as never) === '1.2.840.10045.3.1.7', 'OID round trip');
        const big = derSmallInteger(0x8000);
        equal(toHex(big), '0203008000', 'INTEGER sign byte');
        const bt = readTlv(big, 0);
        ok(bt.ok && readSmallInteger(big, bt as never) === 0x8000, 'INTEGER round trip');
        const indefinite = readTlv(fromHex('3080')!, 0);
        ok(!indefinite.ok && indefinite.reason === 'bad-der', 'indefinite length rejected');
        const nonMinimal = readTlv(fromHex('04810100')!, 0);
        ok(!nonMinimal.ok && nonMinimal.reason === 'bad-der', 'non-minimal length rejected');
      },
    },
    {
      name: 'GBT: split at 40 bytes, reassemble, duplicate rejected',
      run(ctx) {
        const msg = load(ctx, ALERT);
        const m = decodeMessage(msg);
        if (!m.ok) throw new Error('alert does not decode');
        const frames = splitIntoGbt(msg, { cra: m.gs.cra, counter: m.gs.counter, originator: m.gs.originator, recipient: m.gs.recipient, messageCode: m.gs.messageCode }, { blockSize: 40 });
        equal(frames.length, Math.ceil(msg.length / 40), 'block count');
        const r = new GbtReassembler({ maxBlockSize: 40 });
        let out: Uint8Array | undefined;
        for (let i = 0; i < frames.length; i++) {
          const a = r.accept(frames[i]);
          if (!a.ok) throw new Error('block ' + (i + 1) + ' rejected');
          if (a.complete) out = a.apdu;
          if (i === 0) {
            const d = r.accept(frames[0]);
            ok(!d.ok && d.reason === 'gbt-duplicate-block', 'duplicate');
          }
        }
        bytesEqual(out, msg, 'reassembled');
      },
    },
    {
      name: 'seeded fuzz: 200 mutated messages and GBT frames, no exception',
      run(ctx) {
        const msgs = [load(ctx, URP), load(ctx, ALERT)];
        const m = decodeMessage(msgs[1]);
        if (!m.ok) throw new Error('alert');
        const frames = splitIntoGbt(msgs[1], { cra: 3, counter: m.gs.counter, originator: m.gs.originator, recipient: m.gs.recipient, messageCode: m.gs.messageCode }, { blockSize: 64 });
        const rng = seededRng(4242);
        for (let i = 0; i < 200; i++) {
          const p = i % 2 ? gbtTotalityProblem(mutate(frames[rng.below(frames.length)], rng)) : messageTotalityProblem(mutate(msgs[rng.below(2)], rng));
          if (p) throw new Error('case ' + i + ': ' + p);
        }
      },
    },
  ],
};
