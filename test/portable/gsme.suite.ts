/**
 * The GSME on every engine (device/kinds.ts kind 'GSME', device/gsme/): the reference GSME 00DB1234567890A1
 * made from the declared vectors, answering RTDS GSME commands through the same pipeline as the ESME:
 * GCS38 (MAC'ed read) and GCS32 (critical: Supplier-signed, ACB-MAC'ed, signed response) with the response
 * content of the RTDS RESPONSE file, GCS33 reading the valve, GCS28 outside its validity (status 2 at the
 * RTDS time), GCS14 with its encrypted component, a forged command refused with state unchanged and the GBZ
 * Generic Critical Alert, a power cut at every write of GCS32, and the GBZ codec over GCS05's date-time
 * components.
 *
 * The GSME's private keys are not published: it gets stand-in keys and takes each ECDH secret from the
 * other side (ACB and Supplier KA private keys, published; HAN-FACTS), as harness/referenceDevice/
 * referenceGsme.ts does on Node. Its clock is the RTDS time (2015-01-01T00:00:00Z), its factory data the
 * attributes these commands read (values as RTDS shows the reference GSME reporting them).
 * @module
 */
import type { Board, Medium } from '../../boards/board.ts';
import { memoryMedium } from '../../boards/journaledStorage.ts';
import { fromHex, toHex } from '../../lib/bytes.ts';
import { decodeMessage } from '../../gbcs/message.ts';
import { decodeGbz, encodeGbz } from '../../gbcs/gbz/components.ts';
import { sharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import type { SharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import { readCertificate } from '../../gbcs/smki/certificate.ts';
import { carryGsme, manufactureDevice, readAttribute, SmetsDevice } from '../../device/index.ts';
import { logCount } from '../../device/state/securityLog.ts';
import { equal, ok } from './assert.ts';
import { cutAtEveryWrite } from './powerCut.ts';
import { CS02B, KEYSTORE, RTDS, ANCHORS, referenceAnchors, stateFingerprint, vectorBytes } from './deviceFixture.ts';
import { pemBytes, pemPrivateKey } from './pemKeys.ts';
import type { SelfTestContext, Suite } from './selftest.ts';

// This bundle runs gas meters: carry the GSME's use cases (device/gsme/index.ts).
carryGsme();

const GSME_KA_CERT = KEYSTORE + '00db1234567890a1-ka.pem';
const ACB_KA_KEY = KEYSTORE + '90b3d51f30000002-ka.key';
const SUPPLIER_KA_KEY = KEYSTORE + '90b3d51f30010000-ka.key';
const GCS38 = RTDS + '11.2_GCS38/GCS38_11.2_SUCCESS_';
const GCS32 = RTDS + '7.2_GCS32/GCS32_7.2_SUCCESS_';
const GCS33 = RTDS + '7.4_GCS33/GCS33_7.4_SUCCESS_';
const GCS28_ERROR = RTDS + '6.11_GCS28/GCS28_6.11_ERROR_';
const GCS14 = RTDS + '4.3_GCS14/GCS14_4.3_SUCCESS_UNRELIABLE_';
const GCS05 = RTDS + '2.1_GCS05/GCS05_2.1_FUTURE_DATED_SUCCESS_COMMAND_GBCS.HEX';
const GCA = RTDS + 'NA_GCA-ZigBee/GCA-ZigBee_NA_8F30_ALERT_GBCS.HEX';
const COMMAND = 'COMMAND_GBCS.HEX';
const RESPONSE = 'RESPONSE_GBCS.HEX';

/** 2015-01-01T00:00:00Z, the time RTDS's responses and its GBZ Generic Critical Alert carry. */
const RTDS_TIME = 1420070400;

const STAND_IN_KA = fromHex('3c1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a416b7a2d11') as Uint8Array;
const STAND_IN_DS = fromHex('4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a416b7a2d3c1e0f9a8b7c6d22') as Uint8Array;

/** The keys and anchors every case needs, and the command / response pairs and files of `extra`. */
function vectors(pairs: string[], extra: string[]): string[] {
  const v = [GSME_KA_CERT, ACB_KA_KEY, SUPPLIER_KA_KEY, CS02B];
  for (let i = 0; i < extra.length; i++) v.push(extra[i]);
  for (let i = 0; i < pairs.length; i++) v.push(pairs[i] + COMMAND, pairs[i] + RESPONSE);
  for (let i = 0; i < ANCHORS.length; i++) v.push(KEYSTORE + ANCHORS[i][0] + '.pem');
  return v;
}

let cache: SharedSecrets | undefined;

/**
 * Z for the GSME's stand-in KA key and a party whose KA private key is declared: computed from the party's
 * side. One cache for the suite (each ECDH costs seconds on Espruino without native P-256).
 */
function gsmeSecrets(ctx: SelfTestContext, board: Board): SharedSecrets {
  if (cache) return cache;
  const c = readCertificate(pemBytes(ctx.vector(GSME_KA_CERT)));
  if (!c.ok) throw new Error('GSME KA certificate: ' + c.reason);
  const gsmePublic = c.certificate.publicKey;
  const parties: Record<string, Uint8Array> = {};
  const partyKeys = [ACB_KA_KEY, SUPPLIER_KA_KEY];
  for (let i = 0; i < partyKeys.length; i++) {
    const priv = pemPrivateKey(ctx.vector(partyKeys[i]));
    parties[toHex(board.crypto.p256PublicKey(priv))] = priv;
  }
  const inner = sharedSecrets(board.crypto.ecdh, 8);
  const mine = toHex(STAND_IN_KA);
  cache = {
    agree: function (privateKey: Uint8Array, publicKey: Uint8Array) {
      const party = parties[toHex(publicKey)];
      if (party && toHex(privateKey) === mine) return inner.agree(party, gsmePublic);
      return inner.agree(privateKey, publicKey);
    },
  };
  return cache;
}

/** The engine's board with its clock at the RTDS time. */
function rtdsBoard(ctx: SelfTestContext, medium: Medium): Board {
  const b = ctx.newBoard(medium);
  return { name: b.name, crypto: b.crypto, storage: b.storage, link: b.link, log: b.log, memory: b.memory, clock: { nowSec: function () { return RTDS_TIME; } } };
}

/** What 4.3_GCS14 reads: two Price attributes (plain) and six Prepayment registers (encrypted in RTDS). */
const GCS14_ATTRIBUTES = [
  { cluster: 0x0700, attribute: 0x0616, type: 0x21, value: fromHex('3a03') as Uint8Array },
  { cluster: 0x0700, attribute: 0x0617, type: 0x18, value: fromHex('50') as Uint8Array },
  { cluster: 0x0705, attribute: 0x0001, type: 0x2b, value: fromHex('a0252600') as Uint8Array },
  { cluster: 0x0705, attribute: 0x0002, type: 0x2b, value: fromHex('20a10700') as Uint8Array },
  { cluster: 0x0705, attribute: 0x0005, type: 0x2b, value: fromHex('a0252600') as Uint8Array },
  { cluster: 0x0705, attribute: 0x0211, type: 0x23, value: fromHex('88130000') as Uint8Array },
  { cluster: 0x0705, attribute: 0x0221, type: 0x23, value: fromHex('88130000') as Uint8Array },
  { cluster: 0x0705, attribute: 0x0231, type: 0x23, value: fromHex('88130000') as Uint8Array },
];

function referenceGsme(ctx: SelfTestContext, medium?: Medium): { board: Board; device: SmetsDevice } {
  const board = rtdsBoard(ctx, medium || memoryMedium());
  const made = manufactureDevice(board, {
    eui: fromHex('00db1234567890a1') as Uint8Array,
    environment: 'test',
    kind: 'GSME',
    dsPrivate: STAND_IN_DS,
    kaPrivate: STAND_IN_KA,
    anchors: referenceAnchors(ctx),
    attributes: [
      { cluster: 0x0702, attribute: 0x0014, type: 0x30, value: new Uint8Array([0x02]) }, // 7.4_GCS33 SupplyStatus: open
      { cluster: 0x0702, attribute: 0x0205, type: 0x21, value: new Uint8Array([0x64, 0x00]) }, // 7.4_GCS33
      { cluster: 0x0702, attribute: 0x0206, type: 0x41, value: fromHex('040123abcd') as Uint8Array }, // 11.2_GCS38 firmware version
    ].concat(GCS14_ATTRIBUTES),
  });
  if (!made.ok) throw new Error('manufacture refused: ' + made.reason + ' ' + (made.cell || ''));
  return { board: board, device: new SmetsDevice(board, gsmeSecrets(ctx, board)) };
}

function contentOf(frame: Uint8Array | undefined): string {
  if (!frame) return 'no frame';
  const m = decodeMessage(frame);
  return m.ok ? toHex(m.content) : 'undecodable ' + m.reason;
}

export const gsme: Suite = {
  name: 'gsme',
  bundle: 'selftest-gsme',
  vectors: vectors([GCS38, GCS32, GCS33, GCS28_ERROR], [GCA]),
  cases: [
    {
      name: 'a GSME is a kind of the one runtime: manufactured as GSME, unknown attributes refused',
      run(ctx) {
        const d = referenceGsme(ctx);
        equal(d.device.identity().kind, 'GSME', 'kind');
        equal(toHex(readAttribute(d.board.storage, 0x0702, 0x0206)!.value), '040123abcd', 'factory attribute');
        const other = ctx.newBoard(memoryMedium());
        // A kind this firmware does not know (the CHF without hub/: test/device-kinds.test.ts, in a process of its own).
        const r = manufactureDevice(other, { eui: fromHex('00db1234567890a2') as Uint8Array, environment: 'test', kind: 'XCHF' as 'CHF', anchors: [] });
        ok(!r.ok && r.reason === 'kind-not-carried', 'a kind not carried is refused');
        equal(other.storage.keys().length, 0, 'nothing stored');
      },
    },
    {
      name: 'GCS38 (MACed read of the firmware version): the RTDS response content; its replay refused',
      run(ctx) {
        const d = referenceGsme(ctx);
        const cmd = vectorBytes(ctx, GCS38 + COMMAND);
        const a = d.device.receive(cmd);
        ok(a.outcome.ok, 'accepted: ' + (a.outcome.ok ? '' : a.outcome.reason));
        equal(contentOf(a.response), contentOf(vectorBytes(ctx, GCS38 + RESPONSE)), 'response content as RTDS');
        const again = d.device.receive(cmd);
        ok(!again.outcome.ok && again.outcome.reason === 'replay', 'replay refused');
      },
    },
    {
      name: 'GCS33 reads the valve open; GCS32 (critical) closes it with a signed response as RTDS; GCS33 after reads it closed',
      run(ctx) {
        const d = referenceGsme(ctx);
        const read = d.device.receive(vectorBytes(ctx, GCS33 + COMMAND));
        equal(contentOf(read.response), contentOf(vectorBytes(ctx, GCS33 + RESPONSE)), 'GCS33 as RTDS (open)');
        const d2 = referenceGsme(ctx);
        const a = d2.device.receive(vectorBytes(ctx, GCS32 + COMMAND));
        ok(a.outcome.ok, 'GCS32 accepted: ' + (a.outcome.ok ? '' : a.outcome.reason + ' ' + (a.outcome.detail || '')));
        const m = decodeMessage(a.response as Uint8Array);
        ok(m.ok && m.wrapper === 'signed' && m.gs.signatureForm === 'ecdsa', 'signed response');
        equal(contentOf(a.response), contentOf(vectorBytes(ctx, GCS32 + RESPONSE)), 'GCS32 response as RTDS');
        equal(readAttribute(d2.board.storage, 0x0702, 0x0014)!.value[0], 0, 'SupplyStatus closed');
      },
    },
    {
      name: 'a GCS32 with one byte altered is refused (MAC), state unchanged, and the GSME sends its GBZ Generic Critical Alert',
      run(ctx) {
        const d = referenceGsme(ctx);
        const forged = vectorBytes(ctx, GCS32 + COMMAND);
        forged[forged.length - 20] ^= 0x01;
        const before = stateFingerprint(d.board, true);
        const a = d.device.receive(forged);
        ok(!a.outcome.ok && a.outcome.reason === 'mac-mismatch', 'refused: ' + (a.outcome.ok ? 'accepted' : a.outcome.reason));
        equal(stateFingerprint(d.board, true), before, 'state unchanged');
        equal(logCount(d.board.storage), 1, 'one security-log entry');
        equal(a.alerts.length, 1, 'one alert');
        // RTDS NA_GCA-ZigBee is 0x8F30 from this GSME at the RTDS time; a MAC failure is 0x8F3D, same layout.
        equal(contentOf(a.alerts[0]), contentOf(vectorBytes(ctx, GCA)).replace('8f30', '8f3d'), 'GBZ alert: no components, 8F3D, RTDS time');
      },
    },
    {
      name: 'GCS28 outside its validity interval: status 2 and the GSME\'s time, as RTDS',
      run(ctx) {
        const d = referenceGsme(ctx);
        const a = d.device.receive(vectorBytes(ctx, GCS28_ERROR + COMMAND));
        ok(a.outcome.ok, 'accepted');
        equal(contentOf(a.response), contentOf(vectorBytes(ctx, GCS28_ERROR + RESPONSE)), 'response as RTDS');
      },
    },
  ],
};

/**
 * The GSME's power cut, encrypted response and GBZ codec cases, in a bundle of their own: with every case in
 * one bundle JerryScript peaked at 245,608 bytes of its 256 KiB heap, split at about 237,000 each (the
 * firmware's code is most of it).
 */
export const gsmeMore: Suite = {
  name: 'gsme (cuts, encryption, codec)',
  bundle: 'selftest-gsme-b',
  vectors: vectors([GCS32, GCS14], [GCS05]),
  cases: [
    {
      name: 'power cut at every write of a GCS32 (valve and counter in one commit): wholly before or after',
      run(ctx) {
        const base = memoryMedium();
        const ref = referenceGsme(ctx, base);
        const before = stateFingerprint(ref.board);
        const frame = vectorBytes(ctx, GCS32 + COMMAND);
        let after = '';
        const n = cutAtEveryWrite(
          function (m: Medium) { return rtdsBoard(ctx, m); },
          base.snapshot(),
          function (board) { return new SmetsDevice(board, gsmeSecrets(ctx, board)).receive(frame).outcome.ok; },
          function (done) {
            after = stateFingerprint(done);
            ok(after !== before, 'the command changes state');
          },
          function (restarted, where) {
            const now = stateFingerprint(restarted);
            ok(now === before || now === after, 'state after a cut at ' + where + ' is wholly before or after');
          },
        );
        ok(n >= 4, 'cut points tried ' + n);
      },
    },
    {
      name: 'GCS14: the Prepayment registers encrypted to the Supplier (GBCS 7.3.3), the response content as RTDS, ciphertext and tag',
      run(ctx) {
        const d = referenceGsme(ctx);
        const a = d.device.receive(vectorBytes(ctx, GCS14 + COMMAND));
        ok(a.outcome.ok, 'accepted');
        equal(contentOf(a.response), contentOf(vectorBytes(ctx, GCS14 + RESPONSE)), 'response as RTDS');
      },
    },
    {
      name: 'GBZ codec: GCS05\'s twelve components (date-time ones among them) decode and re-encode to the same bytes',
      run(ctx) {
        const m = decodeMessage(vectorBytes(ctx, GCS05));
        ok(m.ok, 'decodes');
        const content = (m as { content: Uint8Array }).content;
        const c = decodeGbz(content);
        ok(typeof c !== 'string', 'GBZ: ' + c);
        const comps = c as ReturnType<typeof decodeGbz> & unknown[];
        equal(comps.length, 12, 'components');
        let dated = 0;
        for (let i = 0; i < comps.length; i++) if ((comps[i] as { fromDateTime?: number }).fromDateTime !== undefined) dated++;
        equal(dated, 1, 'one with a from date-time');
        equal(toHex(encodeGbz(comps as never)), toHex(content), 're-encoded');
      },
    },
  ],
};
