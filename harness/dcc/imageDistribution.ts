/**
 * Distributing a firmware image to a device (DUIS 11.1 Update Firmware; GBCS §11: distribution apart from
 * activation). Before anything is sent the DCC recomputes the Image Hash (SHA-256 over the OTA header and
 * Manufacturer Image, device/firmwareUpdate/otaImage.ts) and refuses unless the Certified Products List lists
 * exactly that hash for the package's model and version, certified (seed ¶297). Then the image goes in
 * blocks (device/firmwareUpdate/blockTransfer.ts: begin, one block per frame, the device acknowledging each
 * with the offset it wants next), so any bearer that carries frames can carry it. The device's 00CE
 * receipt alert must come back signed by the device with the same hash.
 * @module
 */
import { createHash } from 'node:crypto';
import type { BoardCrypto } from '../../boards/board.ts';
import { MESSAGE_CODE_FDRA_DLMS, readFirmwareReceipt } from '../../gbcs/contents/firmwareReceipt.ts';
import { ACK_COMPLETE, ACK_CONTINUE, BLOCK_SIZE, beginFrame, blockFrame, decodeAck, FRAME_ACK } from '../../gbcs/ota/blockTransfer.ts';
import { DESCRIPTOR_LENGTH, IMAGE_OFFSET, readImageHead, SIGNATURE_ELEMENT_LENGTH } from '../../gbcs/ota/otaImage.ts';
import { CRA_ALERT } from '../../gbcs/generalSigning.ts';
import { decodeMessage } from '../../gbcs/message.ts';
import type { CertifiedProductsList } from '../cpl/certifiedProductsList.ts';
import { modelName, versionName } from '../firmwarePackage/firmwarePackage.ts';
import type { Inbox, Transport } from '../transport/transport.ts';
import type { Check } from './responseCheck.ts';

export interface DistributionOrder {
  crypto: BoardCrypto;
  transport: Transport;
  inbox: Inbox;
  pkg: Uint8Array;
  cpl?: CertifiedProductsList;
  deviceModel?: string;
  device: Uint8Array;
  deviceDsPublic: Uint8Array;
  /** Who the device sends its receipt alert to. */
  notify: Uint8Array;
  /** Called after each acknowledged block (progress on long transfers). */
  progress?: (sent: number, total: number) => void;
  /** Each block as it is sent (offset in the package, length): the evidence lists them. */
  onBlock?(offset: number, length: number): void;
}

export interface DistributionResult {
  verdict: 'accepted' | 'refused-by-dcc' | 'no-response' | 'bad-response';
  reason?: string;
  imageHash?: string;
  receiptHash?: string;
  alert?: Uint8Array;
  checks: Check[];
  blocks: number;
}

const isAck = (f: Uint8Array) => f.length > 0 && f[0] === FRAME_ACK;

export async function distributeImage(o: DistributionOrder): Promise<DistributionResult> {
  const checks: Check[] = [];
  const pkg = o.pkg;
  const head = readImageHead(pkg.subarray(0, Math.min(pkg.length, IMAGE_OFFSET + DESCRIPTOR_LENGTH)), pkg.length);
  if (!head.ok) return { verdict: 'refused-by-dcc', reason: 'malformed-package: ' + head.reason, checks, blocks: 0 };
  const imageHash = createHash('sha256').update(pkg.subarray(0, pkg.length - SIGNATURE_ELEMENT_LENGTH)).digest('hex');
  const model = modelName(head.header.manufacturerCode, head.header.imageType);
  const version = versionName(head.header.fileVersion);
  if (!o.cpl) return { verdict: 'refused-by-dcc', reason: 'no-cpl: the DCC has no Certified Products List', imageHash, checks, blocks: 0 };
  if (o.deviceModel && model !== o.deviceModel) return { verdict: 'refused-by-dcc', reason: 'wrong-model: the package is for ' + model + ', the device is ' + o.deviceModel, imageHash, checks, blocks: 0 };
  const entry = o.cpl.get(model, version);
  if (!entry || entry.status === 'removed') return { verdict: 'refused-by-dcc', reason: 'not-on-cpl: no entry for ' + model + ' version ' + version, imageHash, checks, blocks: 0 };
  if (entry.imageHash !== imageHash) return { verdict: 'refused-by-dcc', reason: 'hash-not-on-cpl: recomputed image hash ' + imageHash + ' is not the listed ' + entry.imageHash + ' for ' + model + ' ' + version, imageHash, checks, blocks: 0 };
  if (entry.status === 'expired') return { verdict: 'refused-by-dcc', reason: 'cpa-expired: ' + model + ' ' + version + ' expired ' + entry.cpaExpiry, imageHash, checks, blocks: 0 };
  checks.push({ name: 'image hash on the CPL', ok: true, detail: model + ' ' + version + ' ' + imageHash });
  const window = o.transport.answerWindowMs;
  let waiting = o.inbox.next(isAck, window);
  await o.transport.send(beginFrame(pkg.length, o.notify));
  let frame = await waiting;
  let blocks = 0;
  const total = Math.ceil(pkg.length / BLOCK_SIZE);
  for (;;) {
    if (!frame) return { verdict: 'no-response', reason: 'the device did not acknowledge within ' + window + ' ms', imageHash, checks, blocks };
    const ack = decodeAck(frame);
    if (!ack) return { verdict: 'bad-response', reason: 'undecodable acknowledgement', imageHash, checks, blocks };
    if (ack.status === ACK_COMPLETE) break;
    if (ack.status !== ACK_CONTINUE) return { verdict: 'bad-response', reason: 'the device refused the image: ' + ack.reason, imageHash, checks, blocks };
    const data = pkg.subarray(ack.next, Math.min(pkg.length, ack.next + BLOCK_SIZE));
    waiting = o.inbox.next(isAck, window);
    await o.transport.send(blockFrame(ack.next, data));
    o.onBlock?.(ack.next, data.length);
    frame = await waiting;
    blocks++;
    o.progress?.(blocks, total);
  }
  const alert = await o.inbox.next((f) => {
    const m = decodeMessage(f);
    return m.ok && m.gs.cra === CRA_ALERT && m.gs.messageCode === MESSAGE_CODE_FDRA_DLMS;
  }, window);
  if (!alert) return { verdict: 'no-response', reason: 'no receipt alert (00CE) within ' + window + ' ms', imageHash, checks, blocks };
  const m = decodeMessage(alert);
  if (!m.ok) return { verdict: 'bad-response', reason: 'undecodable alert', imageHash, checks, blocks };
  const signed = !!m.signature && o.crypto.p256Verify(o.deviceDsPublic, m.signed, m.signature);
  checks.push({ name: 'receipt alert signature (device DS)', ok: signed, detail: signed ? 'valid' : 'invalid' });
  const got = readFirmwareReceipt(m.gs.messageCode, m.gs.content);
  const receiptHash = typeof got === 'string' ? undefined : Buffer.from(got.hash).toString('hex');
  const same = receiptHash === imageHash;
  checks.push({ name: "device's own image hash (00CE, alert 8F72)", ok: same, detail: typeof got === 'string' ? 'unreadable: ' + got : receiptHash + (same ? '' : ' (expected ' + imageHash + ')') });
  if (!signed || !same) return { verdict: 'bad-response', reason: checks.filter((c) => !c.ok).map((c) => c.name + ': ' + c.detail).join('; '), imageHash, receiptHash, alert, checks, blocks };
  return { verdict: 'accepted', reason: blocks + ' blocks of ' + BLOCK_SIZE + ' bytes', imageHash, receiptHash, alert, checks, blocks };
}
