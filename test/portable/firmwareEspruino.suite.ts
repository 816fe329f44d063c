/**
 * Firmware updates on Espruino (device/firmwareUpdate/): the "image hash and signature checks over a
 * realistic image size for the board", through the device's own modules. An image is streamed into the
 * image store block by block (imageReceiver.ts, one commit per block, journaled into the board's flash),
 * then its size, Image Hash (the portable incremental SHA-256 reading the blocks back from flash) and
 * manufacturer signature (portable P-256) are checked (imageCheck.ts); a copy with one flipped byte is
 * refused: the device's hash of it differs from the image's, so the manufacturer's signature does not
 * verify over it.
 *
 * Image size. The firmware an Espruino board takes is its JavaScript application, kept as a Storage
 * file (the board runs it from flash): dist/espruino/firmware.js (the whole device: boot, runtime, pipeline, P-256) is 78 KB today, and the largest bundle
 * with the device core and its tests (selftest-device*.js) is 82 KB. The emulated flash of the host build
 * is 256 KiB and must hold the running bundle, two image slots, the journal and whatever is not yet
 * compacted, so images of 32-64 KiB are what such a board stores. This suite tests a 32 KiB body
 * (a 32,945-byte OTA file, 33 blocks): at 64 KiB the two receives alone would need about 280 KiB of
 * flash writes (each block goes to the journal and then to its file), forcing compactions, and the run
 * would still be bound by the two P-256 verifications below, not by the size.
 *
 * Time on the host build (2 shared cores, bundle evaluated from flash), measured 2026-11-24: the whole
 * run 191 s (flashing included); receiving the 33 blocks and hashing them about 12 s per copy (one
 * commit per block: journal, block and slot record written to flash, the journal sealed by the native
 * SHA-256; the Image Hash streamed through the portable SHA-256 at roughly 3 KiB/s); one P-256 verify
 * 79-88 s, so the two verifications are 85% of the time. A P-256 signature costs as much. (The same
 * verify takes 18.4 s evaluated from flash in a 14 KB bundle and 62 s in a 51 KB one, with half of it
 * system time: on the host build the interpreter's reads of code kept in the emulated flash file grow
 * with the bundle; this bundle is 51 KB because the receiver brings the alert sender and GBCS codec,
 * and from RAM it runs out of variables.) So the suite
 * spends its time where a board does (hash and verify), and avoids what would only repeat work:
 * - the test image's digests and signature are computed beforehand (constants below, checked against a
 *   fresh computation on Node), not signed on the board (a P-256 signature, ~80 s);
 * - the 00CE receipt alert's DS signature is made by a stand-in (64 zero bytes): the alert sender and
 *   its signature are tested on every engine by the device suites; here the alert's content (the
 *   device's own hash) is checked.
 * @module
 */
import type { Board, BoardCrypto } from '../../boards/board.ts';
import { fromHex, toHex } from '../../lib/bytes.ts';
import { ACK_COMPLETE, ACK_REFUSED } from '../../gbcs/ota/blockTransfer.ts';
import { readSlot, SLOT_REJECTED, SLOT_VERIFIED } from '../../device/firmwareUpdate/imageStore.ts';
import { decodeMessage } from '../../gbcs/message.ts';
import { equal, ok } from './assert.ts';
import { fresh, MFR_PRIVATE, transfer, wipe } from './firmware.suite.ts';
import { receiptHashHex, syntheticImage } from './firmwareImages.ts';
import type { KnownImage, SyntheticSpec } from './firmwareImages.ts';
import type { Suite } from './selftest.ts';

const BODY = 32 * 1024;
const SPEC: SyntheticSpec = { bodyLength: BODY, fileVersion: 0x00020000, seed: 7 };
/** SPEC's body digest, Image Hash and manufacturer signature (RFC 6979, so deterministic), made on Node. */
const KNOWN: KnownImage = {
  bodyDigest: fromHex('ae6c04e4491f4296a5cb01ad20cdc7cef23a0cc2ad0e33207110309b0c8e680e') as Uint8Array,
  hash: fromHex('489f43c8ee839f657e51fb3d35a5e26ca7fb3e145ed3f5874f2f41547c732b9d') as Uint8Array,
  signature: fromHex(
    'c0e2ff69d665556dac230ce8dce01371a1f61d953779a66bb9ea2f0e609e81ddbeb9df413c08980346c1d7a2a37ecbad9e496cbcc1f3453b5058d0a6cc3c77bc',
  ) as Uint8Array,
};

interface Watched {
  board: Board;
  /** The hashes the device asked the board to verify a signature over, in order. */
  verified: Uint8Array[];
  signs: number;
  /** Milliseconds each verification took. */
  verifyMs: number[];
}

/** The board with its P-256 verify watched (and still done) and its signing replaced by a stand-in. */
function watched(board: Board): Watched {
  const w: Watched = { board: board, verified: [], signs: 0, verifyMs: [] };
  const c = board.crypto;
  const crypto: BoardCrypto = {
    sha256: c.sha256,
    aes128EncryptBlock: c.aes128EncryptBlock,
    aes128DecryptBlock: c.aes128DecryptBlock,
    p256Sign: function () {
      w.signs++;
      return new Uint8Array(64);
    },
    p256Verify: function (key, message, signature) {
      w.verified.push(new Uint8Array(message));
      const t = Date.now();
      const r = c.p256Verify(key, message, signature);
      w.verifyMs.push(Date.now() - t);
      return r;
    },
    p256PublicKey: c.p256PublicKey,
    ecdh: c.ecdh,
    randomBytes: c.randomBytes,
  };
  w.board = {
    name: board.name, crypto: crypto, storage: board.storage, clock: board.clock, link: board.link,
    log: function (line) { board.log(line); },
    memory: function () { return board.memory(); },
  };
  return w;
}

export const suite: Suite = {
  name: 'firmware (Espruino)',
  bundle: 'selftest-firmware-espruino',
  boards: ['espruino'],
  cases: [
    {
      name: 'a 32 KiB image is received block by block, its size, hash and signature checked; a copy with a flipped byte is refused',
      run(ctx) {
        const base = fresh(ctx, 40 * 1024);
        if (base.name === 'node') {
          // The constants are what the image is: computed afresh where that is cheap.
          const made = syntheticImage(base.crypto, MFR_PRIVATE, SPEC);
          equal(toHex(made.hash), toHex(KNOWN.hash), 'known Image Hash');
        }
        const img = syntheticImage(base.crypto, MFR_PRIVATE, { bodyLength: SPEC.bodyLength, fileVersion: SPEC.fileVersion, seed: SPEC.seed, known: KNOWN });
        const w = watched(base);
        const board = w.board;

        let t = Date.now();
        const good = transfer(board, img);
        const tGood = Date.now() - t;
        equal(good.ack.status, ACK_COMPLETE, 'transfer complete (' + good.ack.reason + ')');
        equal(w.verified.length, 1, 'one signature verification');
        equal(toHex(w.verified[0]), toHex(img.hash), "the device's hash of the image is the Image Hash");
        equal(toHex(good.ack.hash as Uint8Array), toHex(img.hash), 'ack hash = image hash');
        equal(readSlot(board.storage, 0).state, SLOT_VERIFIED, 'slot 0 verified');
        equal(good.alerts.length, 1, 'one receipt alert');
        const m = decodeMessage(good.alerts[0]);
        ok(m.ok, 'alert decodes');
        if (m.ok) {
          equal(m.gs.messageCode, 0x00ce, 'message code 00CE');
          equal(receiptHashHex(m.gs.messageCode, m.gs.content), toHex(img.hash), "alert carries the device's own SHA-256");
        }
        equal(w.signs, 1, 'nothing signed but the alert');

        const tooBig = syntheticImage(board.crypto, MFR_PRIVATE, { bodyLength: 40 * 1024, fileVersion: SPEC.fileVersion, seed: SPEC.seed, known: KNOWN });
        const big = transfer(board, tooBig);
        equal(big.ack.status, ACK_REFUSED, 'a file over the slot capacity is refused');
        equal(big.ack.reason, 'too-large', 'size checked before any block');
        equal(readSlot(board.storage, 0).state, SLOT_VERIFIED, 'the verified image is kept');

        t = Date.now();
        const bad = transfer(board, img, function (n, b) { if (n === 20) b[100] ^= 0x01; });
        const tBad = Date.now() - t;
        equal(bad.ack.status, ACK_REFUSED, 'tampered copy refused');
        equal(bad.ack.reason, 'bad-signature', 'refused by the signature check');
        equal(w.verified.length, 2, 'one more verification');
        ok(toHex(w.verified[1]) !== toHex(img.hash), "the device's hash of the tampered copy is not the Image Hash");
        equal(readSlot(board.storage, 0).state, SLOT_REJECTED, 'slot rejected');
        equal(bad.alerts.length, 0, 'no receipt alert');
        board.log('firmware on ' + board.name + ': ' + img.size + '-byte image (' + img.blocks + ' blocks) received and verified in ' + tGood +
          ' ms (P-256 verify ' + w.verifyMs[0] + ' ms); tampered copy refused in ' + tBad + ' ms (verify ' + w.verifyMs[1] + ' ms)');
        wipe(board);
      },
    },
  ],
};
