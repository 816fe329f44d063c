/**
 * The full-medium contract (README "full medium") for what a device stores outside a command: manufacture
 * (directly and through the management port's keygen and provision), the DRBG's state, the firmware store's
 * configuration, an image's rejection verdict and the boot selector's record. Each case fills the medium
 * (fullMedium.ts) so the commit does not fit, checks the typed 'storage-full' refusal and every stored byte
 * unchanged, then makes room and checks the operation goes through. No P-256 signature on the board except
 * the management keygen's two CSRs (images carry made-up digests and signatures: the refusals come before
 * or instead of a verification), so the bundle runs on every engine.
 * @module
 */
import type { Board } from '../../boards/board.ts';
import { journaledStorage, memoryMedium } from '../../boards/journaledStorage.ts';
import { provisionRandomSeed, seededRandomBytes } from '../../boards/portable/drbg.ts';
import { Sha256Stream } from '../../boards/portable/sha256.ts';
import { asciiBytes, fromHex, toHex } from '../../lib/bytes.ts';
import { cborDecode, cborEncode } from '../../lib/cbor.ts';
import type { CborValue } from '../../lib/cbor.ts';
import { ACK_CONTINUE, ACK_REFUSED, BLOCK_SIZE, beginFrame, blockFrame, decodeAck } from '../../gbcs/ota/blockTransfer.ts';
import type { Ack } from '../../gbcs/ota/blockTransfer.ts';
import { DESCRIPTOR_LENGTH, IMAGE_OFFSET, versionBytes } from '../../gbcs/ota/otaImage.ts';
import { bootFirmware, runningVersion } from '../../device/firmwareUpdate/bootSelector.ts';
import { blockKey, FACTORY, provisionFirmwareStore, readBoot, readConfig, readSlot, SLOT_RECEIVING, SLOT_REJECTED, SLOT_VERIFIED, writeBoot, writeSlot } from '../../device/firmwareUpdate/imageStore.ts';
import { receiveTransferFrame } from '../../device/firmwareUpdate/imageReceiver.ts';
import { FIRMWARE_VERSION } from '../../device/firmwareVersion.ts';
import { serveManagement } from '../../device/management.ts';
import { manufactureDevice } from '../../device/manufacture.ts';
import { readIdentity } from '../../device/state/identity.ts';
import type { Identity } from '../../device/state/identity.ts';
import { StateTx } from '../../device/state/stateTx.ts';
import { equal, ok } from './assert.ts';
import { ANCHORS, deviceOn, fixtureVectors, KEYSTORE, referenceAnchors, referenceBoard } from './deviceFixture.ts';
import { copyWithRoom, fill, picture } from './fullMedium.ts';
import type { Capped } from './fullMedium.ts';
import { syntheticImage } from './firmwareImages.ts';
import type { StreamedImage } from './firmwareImages.ts';
import { pemBytes } from './pemKeys.ts';
import type { SelfTestContext, Suite } from './selftest.ts';

// The test manufacturer's public key (firmware.suite.ts: RFC 6979 A.2.5); nothing here is signed with it.
const MFR_PUBLIC = fromHex('0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb67903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299') as Uint8Array;
const EUI = fromHex('00db1234567890a0') as Uint8Array;
const SUPPLIER = fromHex('90b3d51f30010000') as Uint8Array;
const DEVICE: Identity = {
  eui: EUI,
  environment: 'test',
  kind: 'ESME',
  dsPrivate: fromHex('1111111111111111111111111111111111111111111111111111111111111111') as Uint8Array,
  kaPrivate: fromHex('2222222222222222222222222222222222222222222222222222222222222222') as Uint8Array,
};
const ZERO = new Uint8Array(64);

function reasonOf(r: { ok: boolean; reason?: string }): string {
  return r.ok ? 'ok' : String(r.reason);
}

/**
 * An image whose start-up self-check passes (its body digest is the real one; `failSelfCheck` declares a
 * wrong one), with a made-up Image Hash and signature: the boot selector checks only the body digest.
 */
function selfCheckedImage(ctx: SelfTestContext, fileVersion: number, failSelfCheck: boolean): StreamedImage {
  const crypto = ctx.newBoard(memoryMedium()).crypto;
  const spec = { bodyLength: 1500, fileVersion: fileVersion, seed: 9 };
  const draft = syntheticImage(crypto, ZERO, { bodyLength: spec.bodyLength, fileVersion: fileVersion, seed: spec.seed, known: { bodyDigest: ZERO.subarray(0, 32), hash: ZERO.subarray(0, 32), signature: ZERO } });
  // The body follows the head; its bytes do not depend on the digest the head declares.
  const from = IMAGE_OFFSET + DESCRIPTOR_LENGTH;
  const to = from + spec.bodyLength;
  const sha = new Sha256Stream();
  for (let n = 0; n < draft.blocks; n++) {
    const at = n * BLOCK_SIZE;
    const b = draft.block(n);
    const start = from > at ? from - at : 0;
    const end = to - at < b.length ? to - at : b.length;
    if (end > start) sha.update(b.subarray(start, end));
  }
  const digest = sha.digest();
  if (failSelfCheck) digest[0] ^= 0xff;
  return syntheticImage(crypto, ZERO, { bodyLength: spec.bodyLength, fileVersion: fileVersion, seed: spec.seed, known: { bodyDigest: digest, hash: ZERO.subarray(0, 32), signature: ZERO } });
}

/** Stores `img` as verified slot 0 and names it the trial image (as an accepted CS06 leaves the store). */
function storeTrial(board: Board, img: StreamedImage, fileVersion: number): void {
  ok(provisionFirmwareStore(board.storage, { manufacturerKey: MFR_PUBLIC, capacity: 16 * 1024 }).ok, 'firmware store provisioned');
  const tx = new StateTx(board.storage);
  for (let n = 0; n < img.blocks; n++) tx.write(blockKey(0, n), img.block(n));
  writeSlot(tx, 0, { state: SLOT_VERIFIED, size: img.size, received: img.size, hash: img.hash, version: versionBytes(fileVersion), firmwareId: new Uint8Array(8) });
  writeBoot(tx, { active: 0, previous: FACTORY, trial: true });
  ok(tx.commit().ok, 'trial stored');
}

/** A medium holding `build`'s state, with no room left (the filler's removal makes room). */
function fullCopy(build: (board: Board) => void, ctx: SelfTestContext): Capped {
  const base = memoryMedium();
  build(ctx.newBoard(base));
  return copyWithRoom(base, 4096, 0);
}

/** `b` with its random bytes from the DRBG over its own storage (as the Espruino and JerryScript boards have). */
function drbgBoard(b: Board): Board {
  const c = b.crypto;
  return {
    name: b.name,
    crypto: {
      sha256: c.sha256, aes128EncryptBlock: c.aes128EncryptBlock, aes128DecryptBlock: c.aes128DecryptBlock, p256Sign: c.p256Sign,
      p256Verify: c.p256Verify, p256PublicKey: c.p256PublicKey, ecdh: c.ecdh, native: c.native,
      randomBytes: seededRandomBytes('test', function () { return b.storage; }, c.sha256),
    },
    storage: b.storage, clock: b.clock, link: b.link, log: b.log, memory: b.memory,
  };
}

function transferAck(board: Board, frame: Uint8Array): Ack {
  return decodeAck(receiveTransferFrame(board, DEVICE, frame).frames[0]) as Ack;
}

export const suite: Suite = {
  name: 'storage full: manufacture, firmware store and boot',
  bundle: 'selftest-storage-full-firmware',
  vectors: fixtureVectors(),
  cases: [
    {
      name: 'manufacture that does not fit is refused storage-full, nothing stored; made once room is made',
      run(ctx) {
        const m = copyWithRoom(memoryMedium(), 4096, 0);
        const before = picture(m);
        const all = referenceAnchors(ctx);
        const anchors = [all[0], all[1]];
        const spec = { eui: EUI, environment: 'test' as const, dsPrivate: DEVICE.dsPrivate, kaPrivate: DEVICE.kaPrivate, anchors: anchors, firmware: { manufacturerKey: MFR_PUBLIC, capacity: 16 * 1024 } };
        const r = manufactureDevice(ctx.newBoard(m), spec);
        equal(reasonOf(r), 'storage-full', 'refused');
        equal(picture(m), before, 'every stored byte as it was');
        equal(readIdentity(ctx.newBoard(m).storage), undefined, 'not manufactured');
        m.remove('filler');
        const again = manufactureDevice(ctx.newBoard(m), spec);
        equal(reasonOf(again), 'ok', 'made once room is made');
        ok(readIdentity(ctx.newBoard(m).storage) !== undefined, 'identity stored');
        ok(readConfig(ctx.newBoard(m).storage) !== undefined, 'firmware store configured in the same commit');
        // Keys generated on the board: its DRBG's next state does not fit either.
        const base = memoryMedium();
        ok(provisionRandomSeed(ctx.newBoard(base).storage, ctx.newBoard(base).crypto.sha256, new Uint8Array(32)).ok, 'seeded');
        const m2 = copyWithRoom(base, 4096, 0);
        const before2 = picture(m2);
        const spec2 = { eui: EUI, environment: 'test' as const, anchors: anchors };
        equal(reasonOf(manufactureDevice(drbgBoard(ctx.newBoard(m2)), spec2)), 'storage-full', 'keys not generated: refused');
        equal(picture(m2), before2, 'keys: every stored byte as it was');
        m2.remove('filler');
        equal(reasonOf(manufactureDevice(drbgBoard(ctx.newBoard(m2)), spec2)), 'ok', 'keys generated and made once room is made');
      },
    },
    {
      name: 'management keygen and provision on a full medium answer storage-full, nothing stored; done once room is made',
      run(ctx) {
        const m = copyWithRoom(memoryMedium(), 4096, 0);
        const board = ctx.newBoard(m);
        let handler: ((message: Uint8Array) => void) | undefined;
        const answers: Array<{ [key: string]: CborValue }> = [];
        serveManagement({
          board: board,
          channel: {
            send: function (bytes: Uint8Array) {
              const d = cborDecode(bytes);
              if (d.ok && d.value && typeof d.value === 'object' && !(d.value instanceof Uint8Array) && !Array.isArray(d.value) && d.value.id !== undefined) answers.push(d.value);
            },
            onMessage: function (h: (message: Uint8Array) => void) {
              handler = h;
            },
          },
        });
        let id = 0;
        function ask(request: { [key: string]: CborValue }): { [key: string]: CborValue } {
          request.id = ++id;
          (handler as (message: Uint8Array) => void)(cborEncode(request) as Uint8Array);
          const a = answers[answers.length - 1];
          ok(a !== undefined && a.id === id, 'answered');
          return a;
        }
        const seed = new Uint8Array(48);
        for (let i = 0; i < seed.length; i++) seed[i] = i + 1;
        const before = picture(m);
        const k = ask({ op: 'keygen', eui: EUI, seed: seed });
        equal(k.ok, false, 'keygen refused');
        equal(k.reason, 'storage-full', 'keygen names storage-full');
        equal(picture(m), before, 'keygen: every stored byte as it was');
        m.remove('filler');
        const k2 = ask({ op: 'keygen', eui: EUI, seed: seed });
        equal(k2.ok, true, 'keygen once room is made: ' + String(k2.reason));
        const anchors: CborValue[] = [];
        for (let i = 0; i < 2; i++) anchors.push({ role: ANCHORS[i][1], keyUsage: ANCHORS[i][2], cellUsage: ANCHORS[i][3], certificate: pemBytes(ctx.vector(KEYSTORE + ANCHORS[i][0] + '.pem')) });
        const provision = { op: 'provision', eui: EUI, environment: 'test', anchors: anchors, manufacturerKey: MFR_PUBLIC, capacity: 16 * 1024 };
        fill(m, 4096);
        const before2 = picture(m);
        const p = ask(provision);
        equal(p.ok, false, 'provision refused');
        equal(p.reason, 'storage-full', 'provision names storage-full');
        equal(picture(m), before2, 'provision: every stored byte as it was');
        equal(readIdentity(board.storage), undefined, 'not manufactured');
        m.remove('filler');
        const p2 = ask(provision);
        equal(p2.ok, true, 'the same provision once room is made: ' + String(p2.reason));
        ok(readIdentity(board.storage) !== undefined, 'manufactured');
      },
    },
    {
      name: "the DRBG withholds bytes whose next state does not fit, its state as it was; gives them once room is made",
      run(ctx) {
        const sha = ctx.newBoard(memoryMedium()).crypto.sha256;
        const base = memoryMedium();
        ok(provisionRandomSeed(journaledStorage(base, sha), sha, new Uint8Array(32)).ok, 'seed stored');
        const m = copyWithRoom(base, 1024, 0);
        const before = picture(m);
        const seed = new Uint8Array(32);
        seed[0] = 1;
        equal(reasonOf(provisionRandomSeed(journaledStorage(m, sha), sha, seed)), 'storage-full', 'a new seed refused');
        equal(picture(m), before, 'seed: every stored byte as it was');
        const rng = seededRandomBytes('test', function () { return journaledStorage(m, sha); }, sha);
        equal(rng(32), undefined, 'no bytes');
        equal(picture(m), before, 'bytes: every stored byte as it was');
        m.remove('filler');
        const a = rng(32);
        ok(a !== undefined && a.length === 32, 'bytes once room is made');
        ok(picture(m) !== before, 'and the state advanced');
      },
    },
    {
      name: 'a firmware store configuration that does not fit is refused storage-full; stored once room is made',
      run(ctx) {
        const m = copyWithRoom(memoryMedium(), 4096, 0);
        const before = picture(m);
        const board = ctx.newBoard(m);
        equal(reasonOf(provisionFirmwareStore(board.storage, { manufacturerKey: MFR_PUBLIC, capacity: 8192 })), 'storage-full', 'refused');
        equal(picture(m), before, 'every stored byte as it was');
        m.remove('filler');
        equal(reasonOf(provisionFirmwareStore(board.storage, { manufacturerKey: MFR_PUBLIC, capacity: 8192 })), 'ok', 'stored once room is made');
        equal((readConfig(board.storage) as { capacity: number }).capacity, 8192, 'capacity stored');
      },
    },
    {
      name: 'an image rejected at block 0 or at its verdict on a full medium: the frame refused storage-full, the slot as it was',
      run(ctx) {
        const img = syntheticImage(ctx.newBoard(memoryMedium()).crypto, ZERO, { bodyLength: 1500, fileVersion: 0x00020000, seed: 4, known: { bodyDigest: ZERO.subarray(0, 32), hash: ZERO.subarray(0, 32), signature: ZERO } });
        // Block 0 with a header that is not an OTA file: rejecting the slot is a commit too.
        const m = fullCopy(function (b) {
          ok(provisionFirmwareStore(b.storage, { manufacturerKey: MFR_PUBLIC, capacity: 16 * 1024 }).ok, 'store');
          equal(transferAck(b, beginFrame(img.size, SUPPLIER)).status, ACK_CONTINUE, 'begin');
        }, ctx);
        const board = ctx.newBoard(m);
        const bad = img.block(0);
        bad[0] ^= 1;
        const before = picture(m);
        const a = transferAck(board, blockFrame(0, bad));
        equal(a.status, ACK_REFUSED, 'block 0 refused');
        equal(a.reason, 'storage-full', 'refused storage-full (the rejection was not stored)');
        equal(a.next, 0, 'offset 0 still wanted');
        equal(picture(m), before, 'block 0: every stored byte as it was');
        equal(readSlot(board.storage, 0).state, SLOT_RECEIVING, 'slot still receiving');
        m.remove('filler');
        equal(transferAck(board, blockFrame(0, bad)).reason, 'not-an-ota-file', 'once room is made the header is refused');
        equal(readSlot(board.storage, 0).state, SLOT_REJECTED, 'and the slot rejected');
        // The last block of an image whose signature does not check: the verdict does not fit.
        const m2 = fullCopy(function (b) {
          ok(provisionFirmwareStore(b.storage, { manufacturerKey: MFR_PUBLIC, capacity: 16 * 1024 }).ok, 'store');
          let ack = transferAck(b, beginFrame(img.size, SUPPLIER));
          for (let n = 0; n < img.blocks - 1; n++) ack = transferAck(b, blockFrame(n * BLOCK_SIZE, img.block(n)));
          equal(ack.status, ACK_CONTINUE, 'all but the last block stored');
        }, ctx);
        const board2 = ctx.newBoard(m2);
        const lastAt = (img.blocks - 1) * BLOCK_SIZE;
        const before2 = picture(m2);
        const v = transferAck(board2, blockFrame(lastAt, img.block(img.blocks - 1)));
        equal(v.status, ACK_REFUSED, 'last block refused');
        equal(v.reason, 'storage-full', 'refused storage-full (the verdict was not stored)');
        equal(v.next, lastAt, 'the last block still wanted');
        equal(picture(m2), before2, 'verdict: every stored byte as it was');
        m2.remove('filler');
        const v2 = transferAck(board2, blockFrame(lastAt, img.block(img.blocks - 1)));
        ok(v2.status === ACK_REFUSED && v2.reason !== 'storage-full', 'once room is made the image itself is refused: ' + v2.reason);
        equal(readSlot(board2.storage, 0).state, SLOT_REJECTED, 'and the slot rejected');
      },
    },
    {
      name: 'a trial image whose boot record does not fit: the activation refused, the old image runs, the record as it was; boots it once room is made',
      run(ctx) {
        const v2 = selfCheckedImage(ctx, 0x00020000, false);
        const m = fullCopy(function (b) {
          storeTrial(b, v2, 0x00020000);
        }, ctx);
        const board = ctx.newBoard(m);
        const before = picture(m);
        const r = bootFirmware(board);
        equal(r.refused, 'storage-full', 'refused storage-full');
        equal(r.slot, FACTORY, 'the factory image runs');
        equal(toHex(r.version), toHex(asciiBytes(FIRMWARE_VERSION)), 'its version');
        equal(toHex(runningVersion(board.storage)), toHex(asciiBytes(FIRMWARE_VERSION)), 'reported version: the old image');
        equal(picture(m), before, 'every stored byte as it was');
        equal(readBoot(board.storage).trial, true, 'the trial still pending');
        m.remove('filler');
        const r2 = bootFirmware(board);
        equal(r2.refused, undefined, 'not refused once room is made');
        equal(r2.slot, 0, 'slot 0 runs');
        equal(toHex(runningVersion(board.storage)), toHex(versionBytes(0x00020000)), 'reports v2');
        equal(readBoot(board.storage).trial, false, 'trial passed');
      },
    },
    {
      name: 'a failed trial whose roll-back does not fit: the old image runs, the record as it was; rolled back once room is made',
      run(ctx) {
        const bad = selfCheckedImage(ctx, 0x00030000, true);
        const m = fullCopy(function (b) {
          storeTrial(b, bad, 0x00030000);
        }, ctx);
        const board = ctx.newBoard(m);
        const before = picture(m);
        const r = bootFirmware(board);
        equal(r.refused, 'storage-full', 'refused storage-full');
        equal(r.rolledBackFrom, 0, 'slot 0 failed its self-check');
        equal(r.slot, FACTORY, 'the factory image runs');
        equal(toHex(runningVersion(board.storage)), toHex(asciiBytes(FIRMWARE_VERSION)), 'reported version: the old image');
        equal(picture(m), before, 'every stored byte as it was');
        m.remove('filler');
        const r2 = bootFirmware(board);
        equal(r2.refused, undefined, 'not refused once room is made');
        equal(r2.rolledBackFrom, 0, 'rolled back');
        equal(readSlot(board.storage, 0).state, SLOT_REJECTED, 'slot 0 rejected');
        equal(readBoot(board.storage).active, FACTORY, 'the record names the factory image');
      },
    },
    {
      name: 'the device powered on with a trial that does not fit: refused once, not retried at every frame; boots it at the next power-on once room is made',
      run(ctx) {
        const v2 = selfCheckedImage(ctx, 0x00020000, false);
        // The reference device, its firmware store and the trial, on a medium then filled.
        const base = memoryMedium();
        storeTrial(referenceBoard(ctx, base).board, v2, 0x00020000);
        const full = copyWithRoom(base, 4096, 0);
        const device = deviceOn(ctx.newBoard(full));
        const before = picture(full);
        const first = device.powerOn();
        equal(first.refused, 'storage-full', 'the start-up refused storage-full');
        equal(first.slot, FACTORY, 'the factory image runs');
        device.tick();
        ok(device.lastBoot === first, 'not restarted again by the next wake-up');
        equal(picture(full), before, 'every stored byte as it was');
        full.remove('filler');
        const next = device.powerOn();
        equal(next.refused, undefined, 'the next power-on, with room: not refused');
        equal(next.slot, 0, 'slot 0 runs');
      },
    },
  ],
};
