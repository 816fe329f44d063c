/**
 * The CHF and the GPF as kinds of the one device runtime, on every engine: each manufactured as its kind,
 * its table registered with the runtime (device/pipeline/useCaseTables.ts), RTDS commands through the full
 * GBCS pipeline of a SmetsDevice opened without a table (the registered one runs). Two bundles
 * (selftest-hub-device, selftest-hub-device-gpf). Their private keys are not
 * published: each device holds a stand-in KA key and its ECDH secret is computed from the other side on the
 * board (HAN-FACTS: ECDH(ACB private, device public) = ECDH(device private, ACB public)), from the
 * published ACB and Supplier KA keys and the device's published KA certificate.
 * @module
 */
import type { Board } from '../../boards/board.ts';
import { memoryMedium } from '../../boards/journaledStorage.ts';
import { bytesEqual as same, fromHex, toHex } from '../../lib/bytes.ts';
import { decodeMessage } from '../../gbcs/message.ts';
import type { GbcsMessage } from '../../gbcs/message.ts';
import { readCertificate } from '../../gbcs/smki/certificate.ts';
import type { SharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import { decodeCs14Alert, MESSAGE_CODE_CS14 } from '../../gbcs/contents/hub/chfDeviceLog.ts';
import { manufactureDevice, registerUseCases, SmetsDevice } from '../../device/index.ts';
import type { UseCaseTable } from '../../device/index.ts';
import { readDeviceLog } from '../../hub/chf.ts';
import { chfUseCases } from '../../hub/chfUseCases.ts';
import { gpfUseCases } from '../../hub/gpfUseCases.ts';
import { gpfMailbox } from '../../hub/gsmeMailbox.ts';
import { readGpfLog } from '../../hub/gpf.ts';
import { bytesEqual, equal, ok } from './assert.ts';
import { KEYSTORE, RTDS, referenceAnchors, stateFingerprint, vectorBytes } from './deviceFixture.ts';
import { CS02B } from './deviceFixture.ts';
import { ANCHORS } from './deviceFixture.ts';
import { pemBytes, pemPrivateKey } from './pemKeys.ts';
import type { SelfTestContext, Suite } from './selftest.ts';

const CCS01 = RTDS + '8.11_CCS01/CCS01_8.11_SUCCESS_COMMAND_GBCS.HEX';
const CCS01_RESPONSE = RTDS + '8.11_CCS01/CCS01_8.11_SUCCESS_RESPONSE_GBCS.HEX';
const GCS59 = RTDS + '8.12.2_GCS59/GCS59_8.12.2_SUCCESS_COMMAND_GBCS.HEX';
const GCS59_RESPONSE = RTDS + '8.12.2_GCS59/GCS59_8.12.2_SUCCESS_RESPONSE_GBCS.HEX';
const GCS13B = RTDS + '4.1.4_GCS13b/GCS13b_4.1.4_SUCCESS_RELIABLE_GPF_COMMAND_GBCS.HEX';
const ACB_KA = KEYSTORE + '90b3d51f30000002-ka.key';
const SUPPLIER_KA = KEYSTORE + '90b3d51f30010000-ka.key';

/** Each bundle embeds only its own device's files: the JerryScript heap holds the bundle's source. */
function vectors(own: string[]): string[] {
  const v = own.concat([ACB_KA, SUPPLIER_KA, CS02B]);
  for (let i = 0; i < ANCHORS.length; i++) v.push(KEYSTORE + ANCHORS[i][0] + '.pem');
  return v;
}

/** Fixed stand-in private keys (the devices' own are not published). */
const STAND_IN_KA = fromHex('3c1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a416b7a2d') as Uint8Array;
const STAND_IN_DS = fromHex('1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a416b7a2d3c') as Uint8Array;

/** Secrets of the stand-in key with each party, taken from the party's side; any other pair is refused. */
function partySideSecrets(board: Board, devicePublic: Uint8Array, parties: Uint8Array[]): SharedSecrets {
  const known: { publicKey: Uint8Array; z: Uint8Array }[] = [];
  for (let i = 0; i < parties.length; i++) {
    const z = board.crypto.ecdh(parties[i], devicePublic);
    if (!z) throw new Error('device KA certificate key is not a P-256 point');
    known.push({ publicKey: board.crypto.p256PublicKey(parties[i]), z: z });
  }
  return {
    agree(privateKey, publicKey) {
      if (!same(privateKey, STAND_IN_KA)) return undefined;
      for (let i = 0; i < known.length; i++) if (same(known[i].publicKey, publicKey)) return known[i].z;
      return undefined;
    },
  };
}

const secretsCache: Record<string, SharedSecrets> = {};

/**
 * A CHF or GPF manufactured as its own kind: its table registered with the runtime first (what hub/index.ts
 * does when loaded; here directly, to keep the bundle small), then the device opens with it (no table given).
 */
function hubDevice(ctx: SelfTestContext, eui: string, kind: 'CHF' | 'GPF', table: UseCaseTable): { board: Board; device: SmetsDevice } {
  registerUseCases(kind, table);
  const board = ctx.newBoard(memoryMedium());
  const made = manufactureDevice(board, { eui: fromHex(eui) as Uint8Array, environment: 'test', kind: kind, dsPrivate: STAND_IN_DS, kaPrivate: STAND_IN_KA, anchors: referenceAnchors(ctx) });
  if (!made.ok) throw new Error('manufacture refused: ' + made.reason);
  equal(made.identity.kind, kind, 'manufactured as its kind');
  if (!secretsCache[eui]) {
    const cert = readCertificate(pemBytes(ctx.vector(KEYSTORE + eui + '-ka.pem')));
    if (!cert.ok) throw new Error(eui + ' KA certificate');
    // One ECDH per party per device for the whole suite (on Espruino's portable P-256 one takes ~18 s).
    secretsCache[eui] = partySideSecrets(board, cert.certificate.publicKey, [pemPrivateKey(ctx.vector(ACB_KA)), pemPrivateKey(ctx.vector(SUPPLIER_KA))]);
  }
  return { board: board, device: new SmetsDevice(board, secretsCache[eui]) };
}

function message(b: Uint8Array): GbcsMessage {
  const m = decodeMessage(b);
  if (!m.ok) throw new Error('does not decode: ' + m.reason);
  return m;
}

export const hubDevices: Suite = {
  name: 'hub CHF device (the one runtime)',
  bundle: 'selftest-hub-device',
  vectors: vectors([CCS01, CCS01_RESPONSE, KEYSTORE + '00db1234567890a2-ka.pem']),
  cases: [
    {
      name: 'CHF: RTDS CCS01 accepted through the pipeline, response content as RTDS, CS14 raised with it (MAC to the ACB); replay and a mutated MAC refused, state unchanged',
      run(ctx) {
        const d = hubDevice(ctx, '00db1234567890a2', 'CHF', chfUseCases());
        const cmd = vectorBytes(ctx, CCS01);
        const bad = new Uint8Array(cmd);
        bad[bad.length - 1] ^= 0xff;
        const before = stateFingerprint(d.board, true);
        const r0 = d.device.receive(bad);
        ok(!r0.outcome.ok && r0.outcome.reason === 'mac-mismatch', 'mutated MAC: ' + (r0.outcome.ok ? 'accepted' : r0.outcome.reason));
        equal(stateFingerprint(d.board, true), before, 'refused: state unchanged');
        const a = d.device.receive(cmd);
        ok(a.outcome.ok, 'accepted: ' + (a.outcome.ok ? '' : a.outcome.reason + ' ' + (a.outcome.detail || '')));
        ok(!!a.response, 'response: ' + (a.responseProblem || ''));
        bytesEqual(message(a.response as Uint8Array).content, message(vectorBytes(ctx, CCS01_RESPONSE)).content, 'response content');
        equal(a.alerts.length, 1, 'CS14');
        const alert = message(a.alerts[0]);
        equal(alert.gs.messageCode, MESSAGE_CODE_CS14, 'alert code');
        equal(alert.wrapper, 'ciphered', 'non-critical alert: MAC');
        const cs14 = decodeCs14Alert(alert.content);
        ok(!('ok' in cs14) && cs14.entries.length === 1 && toHex(cs14.entries[0].deviceId) === '00db1234567890a0', 'the log in CS14');
        equal(readDeviceLog(d.board).length, 1, 'stored');
        const again = d.device.receive(cmd);
        ok(!again.outcome.ok && again.outcome.reason === 'replay', 'replay refused');
      },
    },
  ],
};

// Apart from the CHF: one bundle held both and came within 1 KB of JerryScript's 256 KiB heap.
export const hubGpfDevice: Suite = {
  name: 'hub GPF device (the one runtime)',
  bundle: 'selftest-hub-device-gpf',
  vectors: vectors([GCS59, GCS59_RESPONSE, GCS13B, KEYSTORE + '00db1234567890a3-ka.pem']),
  cases: [
    {
      name: 'GPF: RTDS GCS59 accepted, response content as RTDS byte for byte, GPF Device Log restored; GCS13b answered from the copy the GSME published',
      run(ctx) {
        const d = hubDevice(ctx, '00db1234567890a3', 'GPF', gpfUseCases());
        const a = d.device.receive(vectorBytes(ctx, GCS59));
        ok(a.outcome.ok && !!a.response, 'GCS59 accepted: ' + (a.outcome.ok ? a.responseProblem || '' : a.outcome.reason));
        bytesEqual(message(a.response as Uint8Array).content, message(vectorBytes(ctx, GCS59_RESPONSE)).content, 'GCS59 response');
        equal(readGpfLog(d.board.storage).length, 2, 'GPF log');
        const copy = new Uint8Array([0x01, 0x09, 0x01, 0x07, 0x02, 0x00, 0x03, 0x18, 0x01, 0x01]);
        gpfMailbox(d.board).publish([{ messageCode: 0x00b8, content: copy }]);
        const r = d.device.receive(vectorBytes(ctx, GCS13B));
        ok(r.outcome.ok && !!r.response, 'GCS13b accepted');
        bytesEqual(message(r.response as Uint8Array).content, copy, 'answered from the copy');
      },
    },
  ],
};
