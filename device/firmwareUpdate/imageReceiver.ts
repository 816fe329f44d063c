/**
 * Receiving an image into the store (GBCS §11: distribution first, activation later by CS06). Each frame
 * of the block transfer (blockTransfer.ts) is one commit:
 * - begin: the declared size must fit the slot capacity and be at least a minimal OTA file; the target
 *   slot (the one not running) is reset, its old blocks dropped, and a fallback that pointed at it
 *   forgotten (a slot being overwritten is never booted);
 * - block: in order only (a repeat or a gap is answered with the offset wanted); block 0 must already
 *   carry an OTA header whose sizes agree with the declared size, before anything more is stored;
 * - last block: the whole image is checked (imageCheck.ts: structure, streamed Image Hash, manufacturer
 *   signature); verified -> the slot is marked verified with its hash and the Firmware Distribution
 *   Receipt Alert (0x00CE, alert 0x8F72 with the device's own SHA-256 of the image, in GBCS's layout; a
 *   GSME's is the GBZ form 0x00CF:
 *   gbcs/contents/firmwareReceipt.ts) is staged in the same commit; else the slot is marked rejected.
 * A frame whose commit the medium has no room for (a verdict of rejection too) is refused 'storage-full'
 * and changes nothing; the sender may retry after space is freed or abandon with a new begin, which drops
 * the slot's blocks.
 * A power cut between frames loses at most the frame in flight: the next begin or block resumes from the
 * slot record.
 * @module
 */
import type { Board } from '../../boards/board.ts';
import type { Identity } from '../state/identity.ts';
import { StateTx } from '../state/stateTx.ts';
import { ACK_COMPLETE, ACK_CONTINUE, ACK_REFUSED, ackFrame, BLOCK_SIZE, decodeBegin, decodeBlock, FRAME_BEGIN } from '../../gbcs/ota/blockTransfer.ts';
import { fdraDlms, fdraGbz, MESSAGE_CODE_FDRA_DLMS, MESSAGE_CODE_FDRA_GBZ } from '../../gbcs/contents/firmwareReceipt.ts';
import { stageAlert } from '../alerts/alertSender.ts';
import { checkSlot } from './imageCheck.ts';
import { blockCount, blockKey, NONE, readBoot, readConfig, readSlot, SLOT_RECEIVING, SLOT_REJECTED, SLOT_VERIFIED, targetSlot, writeBoot, writeSlot } from './imageStore.ts';
import { DESCRIPTOR_LENGTH, IMAGE_OFFSET, MIN_FILE_SIZE, readImageHead } from '../../gbcs/ota/otaImage.ts';

const RECIPIENT_KEY = 'fw.to';

export interface TransferAnswer {
  /** Frames to send back, in order: the ack, then any alert. */
  frames: Uint8Array[];
  /** What happened, for logs and tests. */
  event: string;
}

function refuse(reason: string, next: number): TransferAnswer {
  return { frames: [ackFrame(ACK_REFUSED, next, reason)], event: 'refused: ' + reason };
}

export function receiveTransferFrame(board: Board, identity: Identity, frame: Uint8Array): TransferAnswer {
  const cfg = readConfig(board.storage);
  if (!cfg) return refuse('not-manufactured', 0);
  const boot = readBoot(board.storage);
  const slot = targetSlot(boot);
  if (frame[0] === FRAME_BEGIN) {
    const b = decodeBegin(frame);
    if (!b) return refuse('malformed', 0);
    if (b.size > cfg.capacity) return refuse('too-large', 0);
    if (b.size < MIN_FILE_SIZE) return refuse('too-small', 0);
    const tx = new StateTx(board.storage);
    const prefix = 'fw.s' + slot + '.';
    const keys = board.storage.keys();
    for (let i = 0; i < keys.length; i++) if (keys[i].indexOf(prefix) === 0 && keys[i].length > prefix.length) tx.remove(keys[i]);
    writeSlot(tx, slot, { state: SLOT_RECEIVING, size: b.size, received: 0, hash: new Uint8Array(32), version: new Uint8Array(4), firmwareId: new Uint8Array(8) });
    if (boot.previous === slot) writeBoot(tx, { active: boot.active, previous: NONE, trial: boot.trial });
    tx.write(RECIPIENT_KEY, b.recipient);
    if (!tx.commit().ok) return refuse('storage-full', 0);
    return { frames: [ackFrame(ACK_CONTINUE, 0, 'none')], event: 'begin slot ' + slot + ', ' + b.size + ' bytes' };
  }
  const blk = decodeBlock(frame);
  if (!blk) return refuse('malformed', 0);
  const rec = readSlot(board.storage, slot);
  if (rec.state !== SLOT_RECEIVING) return refuse('no-transfer', 0);
  if (blk.offset !== rec.received) return { frames: [ackFrame(ACK_CONTINUE, rec.received, 'none')], event: 'out of order: want ' + rec.received };
  const remaining = rec.size - rec.received;
  const want = remaining < BLOCK_SIZE ? remaining : BLOCK_SIZE;
  if (blk.data.length !== want) return refuse('bad-block-size', rec.received);
  const tx = new StateTx(board.storage);
  if (blk.offset === 0) {
    // Size and structure before anything else is stored.
    const head = readImageHead(blk.data.subarray(0, want < IMAGE_OFFSET + DESCRIPTOR_LENGTH ? want : IMAGE_OFFSET + DESCRIPTOR_LENGTH), rec.size);
    if (!head.ok) {
      rec.state = SLOT_REJECTED;
      writeSlot(tx, slot, rec);
      // No room to mark the slot rejected: the frame refused, the slot still receiving at offset 0.
      if (!tx.commit().ok) return refuse('storage-full', 0);
      return refuse(head.reason, 0);
    }
  }
  const n = Math.floor(blk.offset / BLOCK_SIZE);
  const had = rec.received;
  tx.write(blockKey(slot, n), new Uint8Array(blk.data));
  rec.received += want;
  writeSlot(tx, slot, rec);
  if (rec.received < rec.size) {
    // No room for the block: refused, the slot as it was (a begin abandons it and frees its blocks).
    if (!tx.commit().ok) return refuse('storage-full', had);
    return { frames: [ackFrame(ACK_CONTINUE, rec.received, 'none')], event: 'block ' + n + '/' + blockCount(rec.size) };
  }
  // Complete: check the whole image against what is staged (the last block is in tx, not yet in storage).
  const v = checkSlot(board, tx, slot);
  if (!v.ok) {
    rec.state = SLOT_REJECTED;
    writeSlot(tx, slot, rec);
    // No room for the last block and the verdict: the frame refused, the slot still receiving it.
    if (!tx.commit().ok) return refuse('storage-full', had);
    return refuse(v.reason, rec.received);
  }
  rec.state = SLOT_VERIFIED;
  rec.hash = v.hash;
  rec.version = v.version;
  rec.firmwareId = v.firmwareId;
  writeSlot(tx, slot, rec);
  const to = board.storage.read(RECIPIENT_KEY);
  // A ZigBee device (the GSME) sends the GBZ form 0x00CF (RTDS NA_FDRA-ZigBee), a DLMS device 0x00CE.
  const gbz = identity.kind === 'GSME';
  const alert = to ? stageAlert(board, undefined, tx, identity, { messageCode: gbz ? MESSAGE_CODE_FDRA_GBZ : MESSAGE_CODE_FDRA_DLMS, recipient: to, content: (counter) => gbz ? fdraGbz(board.clock.nowSec(), v.hash) : fdraDlms(counter, board.clock.nowSec(), v.hash) }) : undefined;
  // The last block, the verdict and the receipt alert's counter land together or not at all.
  if (!tx.commit().ok) return refuse('storage-full', had);
  const frames = [ackFrame(ACK_COMPLETE, rec.received, 'none', v.hash)];
  if (alert && alert.ok) frames.push(alert.frame);
  return { frames: frames, event: 'image verified in slot ' + slot };
}
