/**
 * CS01b on every engine (device/gsme/topUp.ts: the ESME's UTRN checks, prepayment/utrnTopUp.ts, into the
 * GSME's CreditRemaining): the reference GSME 00DB1234567890A1 with stand-in keys, each ECDH secret taken
 * from the other side (the ACB's KA key for the command MAC, the Supplier's for the response MAC, the
 * Supplier's prepayment KA key for the UTRN's own MAC: all published; HAN-FACTS), its clock at the RTDS time
 * and RTDS's starting balance for 2.2_CS01b (23,894,000: the SUCCESS RESPONSE's credit less its top-up).
 * RTDS's SUCCESS and ERROR commands are answered as the RESPONSE files byte for byte; the SUCCESS UTRN sent
 * again under a fresh counter answers 02 (duplicate) with the balance unchanged; a power cut at every write
 * of the SUCCESS command leaves balance, UTRN cache and counter all before or all after.
 * Its own small bundle (the GSME's bundles peak near JerryScript's 256 KiB heap).
 * @module
 */
import type { Board, Medium } from '../../boards/board.ts';
import { memoryMedium } from '../../boards/journaledStorage.ts';
import { fromHex, toHex } from '../../lib/bytes.ts';
import { decodeMessage, encodeMessage } from '../../gbcs/message.ts';
import { wrapWithMac } from '../../gbcs/protection/protection.ts';
import { sharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import type { SharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import { readCertificate } from '../../gbcs/smki/certificate.ts';
import { carryGsme, manufactureDevice, readAttribute, SmetsDevice } from '../../device/index.ts';
import { equal, ok } from './assert.ts';
import { cutAtEveryWrite } from './powerCut.ts';
import { CS02B, KEYSTORE, RTDS, ANCHORS, referenceAnchors, stateFingerprint, vectorBytes } from './deviceFixture.ts';
import { pemBytes, pemPrivateKey } from './pemKeys.ts';
import type { SelfTestContext, Suite } from './selftest.ts';

carryGsme();

const GSME_KA_CERT = KEYSTORE + '00db1234567890a1-ka.pem';
const ACB_KA_KEY = KEYSTORE + '90b3d51f30000002-ka.key';
const SUPPLIER_KA_KEY = KEYSTORE + '90b3d51f30010000-ka.key';
const PP_KA_KEY = KEYSTORE + '90b3d51f30010000-pp-ka.key';
const PP_KA_CERT = KEYSTORE + '90b3d51f30010000-pp-ka.pem';
const SUCCESS = RTDS + '2.2_CS01b/CS01b_2.2_SUCCESS_';
const ERROR = RTDS + '2.2_CS01b/CS01b_2.2_ERROR_';
const RTDS_TIME = 1420070400;
const STAND_IN_KA = fromHex('6d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a416b7a2d33') as Uint8Array;
const STAND_IN_DS = fromHex('7e3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a416b7a2d3c1e0f9a8b7c6d44') as Uint8Array;
/** RTDS's balance before its CS01b (CreditRemaining int32, 1,000 to the penny), and after the SUCCESS one. */
const START = 'f0976c01';
const AFTER = 'c0aa7f01';

let cache: SharedSecrets | undefined;
let gsmePublic: Uint8Array | undefined;

/** Z for the stand-in KA key and a party whose KA private key is declared, from the party's side (one cache). */
function secretsFor(ctx: SelfTestContext, board: Board): SharedSecrets {
  if (cache) return cache;
  const c = readCertificate(pemBytes(ctx.vector(GSME_KA_CERT)));
  if (!c.ok) throw new Error('GSME KA certificate: ' + c.reason);
  const pub = c.certificate.publicKey;
  gsmePublic = pub;
  const parties: Record<string, Uint8Array> = {};
  const keys = [ACB_KA_KEY, SUPPLIER_KA_KEY, PP_KA_KEY];
  for (let i = 0; i < keys.length; i++) {
    const priv = pemPrivateKey(ctx.vector(keys[i]));
    parties[toHex(board.crypto.p256PublicKey(priv))] = priv;
  }
  const inner = sharedSecrets(board.crypto.ecdh, 8);
  const mine = toHex(STAND_IN_KA);
  cache = {
    agree: function (privateKey: Uint8Array, publicKey: Uint8Array) {
      const party = parties[toHex(publicKey)];
      if (party && toHex(privateKey) === mine) return inner.agree(party, pub);
      return inner.agree(privateKey, publicKey);
    },
  };
  return cache;
}

function rtdsBoard(ctx: SelfTestContext, medium: Medium): Board {
  const b = ctx.newBoard(medium);
  return { name: b.name, crypto: b.crypto, storage: b.storage, link: b.link, log: b.log, memory: b.memory, clock: { nowSec: function () { return RTDS_TIME; } } };
}

/** The reference GSME at RTDS's starting balance, the Supplier's prepayment KA key in its cell. */
function rig(ctx: SelfTestContext, medium: Medium): { board: Board; device: SmetsDevice } {
  const board = rtdsBoard(ctx, medium);
  const made = manufactureDevice(board, {
    eui: fromHex('00db1234567890a1') as Uint8Array, environment: 'test', kind: 'GSME', dsPrivate: STAND_IN_DS, kaPrivate: STAND_IN_KA,
    anchors: referenceAnchors(ctx).concat([{ cell: { role: 2, keyUsage: 0x08, cellUsage: 1 }, certificate: pemBytes(ctx.vector(PP_KA_CERT)) }]),
    attributes: [{ cluster: 0x0705, attribute: 0x0001, type: 0x2b, value: fromHex(START) as Uint8Array }],
  });
  if (!made.ok) throw new Error('manufacture refused: ' + made.reason + ' ' + (made.cell || ''));
  return { board: board, device: new SmetsDevice(board, secretsFor(ctx, board)) };
}

function credit(board: Board): string {
  const a = readAttribute(board.storage, 0x0705, 0x0001);
  return a ? toHex(a.value) : 'none';
}

function contentOf(frame: Uint8Array | undefined): string {
  if (!frame) return 'no frame';
  const m = decodeMessage(frame);
  return m.ok ? toHex(m.content) : 'undecodable ' + m.reason;
}

function vectors(): string[] {
  const v = [CS02B, GSME_KA_CERT, ACB_KA_KEY, SUPPLIER_KA_KEY, PP_KA_KEY, PP_KA_CERT, SUCCESS + 'COMMAND_GBCS.HEX', SUCCESS + 'RESPONSE_GBCS.HEX', ERROR + 'COMMAND_GBCS.HEX', ERROR + 'RESPONSE_GBCS.HEX'];
  for (let i = 0; i < ANCHORS.length; i++) v.push(KEYSTORE + ANCHORS[i][0] + '.pem');
  return v;
}

export const gsmeTopUp: Suite = {
  name: 'gsme top-up',
  bundle: 'selftest-gsme-topup',
  vectors: vectors(),
  cases: [
    {
      name: 'CS01b: RTDS SUCCESS and ERROR answered as the RESPONSE files (1,250 pennies: credit 23,894,000 -> 25,144,000; ERROR: FFFFFFFF, credit unchanged); replay refused; the same UTRN under a fresh counter answers duplicate',
      run(ctx) {
        const r = rig(ctx, memoryMedium());
        const cmd = vectorBytes(ctx, SUCCESS + 'COMMAND_GBCS.HEX');
        const a = r.device.receive(cmd);
        ok(a.outcome.ok, 'SUCCESS accepted');
        equal(contentOf(a.response), contentOf(vectorBytes(ctx, SUCCESS + 'RESPONSE_GBCS.HEX')), 'SUCCESS response content');
        equal(credit(r.board), AFTER, 'credit 25,144,000');
        const done = stateFingerprint(r.board, true);
        const again = r.device.receive(cmd);
        equal(again.outcome.ok ? 'accepted' : again.outcome.reason, 'replay', 'the same frame again');
        // The SUCCESS content under a fresh counter, MAC'ed by the ACB: the pipeline accepts it, the UTRN is spent.
        const m = decodeMessage(cmd);
        if (!m.ok) throw new Error('SUCCESS command does not decode');
        const gs = { cra: 1, counter: { hi: 6, lo: 1 }, originator: m.gs.originator, recipient: m.gs.recipient, messageCode: m.gs.messageCode, content: m.content, signatureForm: 'null' as const };
        const fresh = wrapWithMac(r.board.crypto, secretsFor(ctx, r.board), pemPrivateKey(ctx.vector(ACB_KA_KEY)), gsmePublic as Uint8Array, encodeMessage({ wrapper: 'signed', gs: gs })) as Uint8Array;
        const dup = r.device.receive(fresh);
        ok(dup.outcome.ok, 'a fresh counter passes the pipeline');
        equal(contentOf(dup.response).substring(22, 32), '02ffffffff', 'result 02 (duplicate), no top-up value');
        equal(credit(r.board), AFTER, 'credit unchanged');
        ok(stateFingerprint(r.board, true) !== done, 'only the Supplier\'s counter moved');
        const e = rig(ctx, memoryMedium());
        const err = e.device.receive(vectorBytes(ctx, ERROR + 'COMMAND_GBCS.HEX'));
        ok(err.outcome.ok, 'ERROR accepted by the pipeline');
        equal(contentOf(err.response), contentOf(vectorBytes(ctx, ERROR + 'RESPONSE_GBCS.HEX')), 'ERROR response content');
        equal(credit(e.board), START, 'credit unchanged');
      },
    },
    {
      name: 'a power cut at every write of the RTDS CS01b: balance, UTRN cache and the Supplier\'s counter all before or all after',
      run(ctx) {
        const base = memoryMedium();
        const ref = rig(ctx, base);
        const before = stateFingerprint(ref.board);
        const frame = vectorBytes(ctx, SUCCESS + 'COMMAND_GBCS.HEX');
        let after = '';
        const n = cutAtEveryWrite(
          function (m: Medium) { return rtdsBoard(ctx, m); },
          base.snapshot(),
          function (board) { return new SmetsDevice(board, secretsFor(ctx, board)).receive(frame).outcome.ok; },
          function (done) {
            after = stateFingerprint(done);
            equal(credit(done), AFTER, 'topped up');
          },
          function (restarted, where) {
            const now = stateFingerprint(restarted);
            ok(now === before || now === after, 'state after a cut at ' + where + ' is wholly before or after');
            equal(credit(restarted), now === before ? START : AFTER, where + ': the balance with the rest');
          },
        );
        ok(n >= 4, 'cut points tried ' + n);
      },
    },
  ],
};
