/**
 * The Communications Hub: the CHF and the GPF (each a SmetsDevice of its kind, on its own board) and the
 * HAN behind them. What arrives from the WAN goes to the device its GBCS header names (GBCS §4.3 routing
 * header recipient; the hub reads only the header, the addressed device authenticates the rest):
 *   - the CHF or the GPF: through that device's own pipeline (the answer and alerts come back);
 *   - the GSME (sleepy, HAN-FACTS): queued on the GPF (hub/gpf.ts) until it wakes and pulls it
 *     (hub/gsmeMailbox.ts);
 *   - any other HAN device: sent on its HAN link; a message larger than a HAN frame travels as GBT blocks
 *     (GBCS §7.3.6, gbcs/gbt.ts), each at most `hanFrameSize` bytes;
 *   - a device not on the CHF Device Log is refused ('not-on-log'), and so is one on the log that has no TC
 *     link key yet ('not-joined'): it cannot talk on the HAN. So is a frame from such a device (`fromHan`).
 * What a HAN device sends another HAN device (`hanToHan`: a PPMID's PCS01 top-up to the GSME it is paired
 * with, GBCS §13.7; the GSME's answer back) goes the same way: to the GSME queued on the GPF, to another
 * device on its HAN link; the sender and the addressed device must both be admitted.
 * Joins on the HAN (`tcLinkKeyEstablished`, `historicKeyAdopted`) change a device's TC link key on the CHF
 * Device Log: the change and the CS14 alert it causes land in one commit of the CHF (GBCS CS14: "whenever a
 * Hashed TC Link Key changes").
 * A full medium (README "full-medium contract"): every state change here is one commit whose result is
 * checked; one the medium has no room for is refused 'storage-full' with nothing stored and nothing sent
 * (a GSME message not queued, a join not recorded and no CS14, a wake interval not set, a CCS08 not raised).
 * `onDeviceLogChange` lets the HAN's driver follow the CHF Device Log (e.g. a ZigBee trust centre taking a
 * CCS01's install code, removing a device on CCS02): it is told the whole log after each committed change.
 * `handImage` hands a firmware image (a ZigBee OTA Upgrade File, gbcs/ota/otaImage.ts) to a HAN device and
 * raises the CHF's CCS08 Firmware Transfer Alert (gbcs/contents/hub/firmwareTransferAlert.ts) with the
 * outcome GBCS names: image discarded (not an OTA image), hardware version mismatch (the OTA header's
 * manufacturer code / image type are not the target's), transfer failed, transfer successful.
 * @module
 */
import type { DeviceAnswer, SmetsDevice } from '../device/index.ts';
// Directly, not through device/index.ts: that would pull the whole device runtime into the hub's engine
// bundles (Espruino keeps code in its variable pool; the cut bundle then ran out of 12,000 variables).
import { StateTx } from '../device/state/stateTx.ts';
import { ALERT_CODE_CCS08, encodeFirmwareTransferAlert, generalizedTimeOf, MESSAGE_CODE_CCS08, OUTCOME_DISCARDED, OUTCOME_FAILED, OUTCOME_HARDWARE_MISMATCH, OUTCOME_SUCCESS } from '../gbcs/contents/hub/firmwareTransferAlert.ts';
import { readImageHead, versionBytes } from '../gbcs/ota/otaImage.ts';
import { encodeGbtFrame, splitIntoGbt } from '../gbcs/gbt.ts';
import { decodeMessage } from '../gbcs/message.ts';
import { bytesEqual, toHex } from '../lib/bytes.ts';
import { cs14AlertContent, joinRuleFor, readDeviceLog, stageHistoricKey, stageTcLinkKey } from './chf.ts';
import type { HistoricKeyRefusal, HubStore, TcLinkKeyRefusal } from './chf.ts';
import type { AlertRejection } from '../device/alerts/alertSender.ts';
import { MESSAGE_CODE_CS14 } from '../gbcs/contents/hub/chfDeviceLog.ts';
import type { Counter64 } from '../gbcs/counter64.ts';
import type { LinkStats } from './chf.ts';
import { DEVICE_LOG_KEY, indexOfDevice } from './deviceLog.ts';
import type { DeviceLogEntry } from './deviceLog.ts';
import { stageEnqueue, stageWakeInterval } from './gpf.ts';
import type { QueueRefusal } from './gpf.ts';

/** One HAN device's link (ZigBee tunnel, HAN-FACTS): whole frames out. */
export interface HanLink {
  send(frame: Uint8Array): void;
  /** What images the device takes (its OTA manufacturer code and image type), when the hub knows it. */
  hardware?: { manufacturerCode: number; imageType: number };
}

export interface HubConfig {
  chf: SmetsDevice;
  gpf: SmetsDevice;
  /** The GSME this GPF stands in for: WAN messages to it are queued, not sent. */
  gsme?: Uint8Array;
  /** HAN links by device EUI-64 (hex, lower case). */
  han: Record<string, HanLink>;
  /** The largest GBCS frame one HAN frame carries; larger messages go by GBT (ours: 1,000 bytes, UNCONFIRMED). */
  hanFrameSize?: number;
  /** The CHF's link figures per device (CCS05/CCS06), shared with its kind (hub/chfUseCases.ts). */
  stats?: LinkStats;
  /** Who gets CCS08 alerts (RTDS NA_CCS08: the ACB 90B3D51F30000002). */
  alertRecipient: Uint8Array;
}

/** 'storage-full': the GPF's medium had no room to queue a GSME message (nothing queued). */
export type RouteRefusal = 'malformed' | 'not-on-log' | 'not-joined' | 'no-han-link' | QueueRefusal | 'storage-full';

/** A change the hub refused: by the rule the change breaks, or 'storage-full' (nothing stored). */
export type HubRefusal<R extends string> = { ok: false; reason: R | 'storage-full' };

/**
 * Why a HAN join's CS14 change is refused: the CHF's own refusal (R), the alert that could not be built
 * (alerts/alertSender.ts), or 'storage-full' (the log as it was, no CS14 sent).
 */
export type JoinRefusal<R extends string> = { ok: false; reason: R | AlertRejection | 'storage-full' };

export type Routed =
  | { ok: true; to: 'CHF' | 'GPF'; answer: DeviceAnswer }
  | { ok: true; to: 'HAN'; device: string; frames: number }
  | { ok: true; to: 'GSME-queue'; device: string; id: number }
  | { ok: false; reason: RouteRefusal; device?: string };

/** What `handImage` did: the image delivered or not, the CCS08 outcome, and the alert (or why none was raised). */
export interface ImageHanded {
  delivered: boolean;
  outcome: number;
  alert?: Uint8Array;
  reason?: string;
  alertRefused?: AlertRejection | 'storage-full';
}

export const DEFAULT_HAN_FRAME = 1000;
/** GBT routing header + APDU header around each block (measured on an empty block, plus 2 for the length). */
const GBT_OVERHEAD = encodeGbtFrame({ cra: 1, counter: { hi: 0, lo: 0 }, originator: new Uint8Array(8), recipient: new Uint8Array(8), messageCode: 0, lastBlock: true, streaming: false, window: 1, blockNumber: 1, blockNumberAck: 0, blockData: new Uint8Array(0) }).length + 2;

export class CommunicationsHub {
  readonly config: HubConfig;
  private readonly logWatchers: Array<(log: DeviceLogEntry[]) => void>;

  constructor(config: HubConfig) {
    if (config.hanFrameSize !== undefined && !(config.hanFrameSize > GBT_OVERHEAD)) throw new Error('CommunicationsHub: hanFrameSize must exceed the GBT overhead of ' + GBT_OVERHEAD + ' bytes');
    this.config = config;
    this.logWatchers = [];
  }

  /**
   * Calls `watcher` with the whole CHF Device Log after every committed change of it: a CCS01/CCS02/CCS03
   * the CHF ran (from the WAN) and a join recorded from the HAN. The HAN's own driver (a ZigBee trust
   * centre) follows the log through this; the hub knows nothing of it.
   */
  onDeviceLogChange(watcher: (log: DeviceLogEntry[]) => void): void {
    this.logWatchers.push(watcher);
  }

  private storedLog(): Uint8Array | undefined {
    return this.config.chf.board.storage.read(DEVICE_LOG_KEY);
  }

  /** Tells the watchers when the stored log is no longer `before`. */
  private logMaybeChanged(before: Uint8Array | undefined): void {
    if (this.logWatchers.length === 0) return;
    const after = this.storedLog();
    if (before === undefined ? after === undefined : after !== undefined && bytesEqual(before, after)) return;
    const log = readDeviceLog(this.config.chf.board);
    for (let i = 0; i < this.logWatchers.length; i++) this.logWatchers[i](log);
  }

  private frameSize(): number {
    return this.config.hanFrameSize || DEFAULT_HAN_FRAME;
  }

  /** Whether `eui` may talk on the HAN now: on the CHF Device Log with a TC link key. */
  admitted(eui: Uint8Array): 'ok' | 'not-on-log' | 'not-joined' {
    const board = this.config.chf.board;
    if (indexOfDevice(readDeviceLog(board), eui) < 0) return 'not-on-log';
    return joinRuleFor(board, eui, board.clock.nowSec()) === 'tc-link-key' ? 'ok' : 'not-joined';
  }

  /** One frame from the WAN, to the device its header names. */
  fromWan(frame: Uint8Array): Routed {
    const m = decodeMessage(frame);
    if (!m.ok) return { ok: false, reason: 'malformed' };
    const to = m.gs.recipient;
    if (bytesEqual(to, this.config.chf.identity().eui)) {
      const before = this.storedLog();
      const answer = this.config.chf.receive(frame);
      this.logMaybeChanged(before);
      return { ok: true, to: 'CHF', answer: answer };
    }
    if (bytesEqual(to, this.config.gpf.identity().eui)) return { ok: true, to: 'GPF', answer: this.config.gpf.receive(frame) };
    const device = toHex(to);
    const admitted = this.admitted(to);
    if (admitted !== 'ok') return { ok: false, reason: admitted, device: device };
    if (this.config.gsme && bytesEqual(to, this.config.gsme)) {
      const board = this.config.gpf.board;
      const tx = new StateTx(board.storage);
      const q = stageEnqueue(tx, frame, board.clock.nowSec());
      if (!q.ok) return { ok: false, reason: q.reason, device: device };
      if (!tx.commit().ok) return { ok: false, reason: 'storage-full', device: device };
      return { ok: true, to: 'GSME-queue', device: device, id: q.id };
    }
    const link = this.config.han[device];
    if (!link) return { ok: false, reason: 'no-han-link', device: device };
    const size = this.frameSize();
    if (frame.length <= size) {
      link.send(frame);
      return { ok: true, to: 'HAN', device: device, frames: 1 };
    }
    const g = m.gs;
    const blocks = splitIntoGbt(frame, { cra: g.cra, counter: g.counter, originator: g.originator, recipient: g.recipient, messageCode: g.messageCode }, { blockSize: size - GBT_OVERHEAD });
    for (let i = 0; i < blocks.length; i++) link.send(blocks[i]);
    return { ok: true, to: 'HAN', device: device, frames: blocks.length };
  }

  /**
   * Configures how often the GSME wakes to look at its flag and pull (1 s .. 1 day), on the GPF: one commit.
   * Refused 'wake-interval' out of bounds, 'storage-full' when the GPF's medium has no room (interval as it was).
   */
  setGsmeWakeInterval(seconds: number): { ok: true } | HubRefusal<'wake-interval'> {
    const tx = new StateTx(this.config.gpf.board.storage);
    if (!stageWakeInterval(tx, seconds)) return { ok: false, reason: 'wake-interval' };
    if (!tx.commit().ok) return { ok: false, reason: 'storage-full' };
    return { ok: true };
  }

  /** A device completed install-code joining with `tcLinkKey` (its join window's install-code half): CS14. */
  tcLinkKeyEstablished(eui: Uint8Array, tcLinkKey: Uint8Array): { ok: true; alert: Uint8Array } | JoinRefusal<TcLinkKeyRefusal> {
    const now = this.config.chf.board.clock.nowSec();
    return this.logChange(function (tx) {
      return stageTcLinkKey(tx, eui, tcLinkKey, now);
    });
  }

  /** A returning device began talking with its historic TC link key in the first half of its window: CS14. */
  historicKeyAdopted(eui: Uint8Array): { ok: true; alert: Uint8Array } | JoinRefusal<HistoricKeyRefusal> {
    const now = this.config.chf.board.clock.nowSec();
    return this.logChange(function (tx) {
      return stageHistoricKey(tx, eui, now);
    });
  }

  /**
   * A change of the CHF Device Log from the HAN side and its CS14, in one commit of the CHF: refused
   * 'storage-full' (SmetsDevice.raise) when the CHF's medium has no room, the log as it was and no CS14 sent.
   */
  private logChange<R extends string>(change: (tx: HubStore) => { ok: true } | { ok: false; reason: R }): { ok: true; alert: Uint8Array } | JoinRefusal<R> {
    const chf = this.config.chf;
    const sha256 = chf.board.crypto.sha256;
    const now = chf.board.clock.nowSec();
    const before = this.storedLog();
    let staged: HubStore | undefined;
    const a = chf.raise<R>(
      {
        messageCode: MESSAGE_CODE_CS14,
        recipient: this.config.alertRecipient,
        content: function (counter: Counter64) {
          return cs14AlertContent(staged as HubStore, sha256, counter, now);
        },
      },
      function (tx) {
        staged = tx;
        const r = change(tx);
        return r.ok ? undefined : r.reason;
      },
    );
    this.logMaybeChanged(before);
    return a.ok ? { ok: true, alert: a.frame } : a;
  }

  /**
   * One frame from a HAN device, for the WAN: refused unless the sender is admitted; otherwise its last
   * communication time is recorded (RAM, CCS05/CCS06) and the frame is handed back to go up.
   */
  fromHan(sender: Uint8Array, frame: Uint8Array): { ok: true; frame: Uint8Array } | { ok: false; reason: 'not-on-log' | 'not-joined' } {
    const admitted = this.admitted(sender);
    if (admitted !== 'ok') return { ok: false, reason: admitted };
    if (this.config.stats) {
      const s = this.config.stats[toHex(sender)] || (this.config.stats[toHex(sender)] = {});
      s.transmissionSuccesses = (s.transmissionSuccesses || 0) + 1;
    }
    return { ok: true, frame: frame };
  }

  /**
   * One frame from a HAN device to another device on the HAN (the header's recipient on the CHF Device Log):
   * both admitted, else refused by the one that is not ('not-on-log' | 'not-joined', `device` naming it);
   * to the GSME it is queued on the GPF (as from the WAN: the GSME pulls it when it wakes), to another
   * device sent on its HAN link. A frame whose recipient is not on the CHF Device Log is for the WAN:
   * `to: 'WAN'`, as `fromHan` hands it back.
   */
  hanToHan(sender: Uint8Array, frame: Uint8Array): { ok: true; to: 'WAN'; frame: Uint8Array } | Routed {
    const from = this.fromHan(sender, frame);
    if (!from.ok) return { ok: false, reason: from.reason, device: toHex(sender) };
    const m = decodeMessage(frame);
    if (!m.ok) return { ok: false, reason: 'malformed' };
    const to = m.gs.recipient;
    if (indexOfDevice(readDeviceLog(this.config.chf.board), to) < 0) return { ok: true, to: 'WAN', frame: frame };
    return this.fromWan(frame);
  }

  /**
   * Hands a firmware image to a HAN device in HAN frames, then raises CCS08 with the outcome: discarded
   * (not an OTA image), hardware mismatch, failed (the device is not admitted, has no link, or its link
   * fails mid-transfer) or success. The alert carries the image's version (its OTA file version). An alert
   * the CHF could not raise (its counter not stored: 'storage-full') is not sent: `alertRefused` says why.
   */
  handImage(target: Uint8Array, image: Uint8Array): ImageHanded {
    let delivered = false;
    let reason: string | undefined;
    let outcome = OUTCOME_FAILED;
    const head = readImageHead(image, image.length);
    const version = head.ok ? versionBytes(head.header.fileVersion) : new Uint8Array(4);
    const admitted = this.admitted(target);
    const link = this.config.han[toHex(target)];
    const hw = link && link.hardware;
    if (!head.ok) {
      reason = 'image: ' + head.reason;
      outcome = OUTCOME_DISCARDED;
    } else if (hw && (hw.manufacturerCode !== head.header.manufacturerCode || hw.imageType !== head.header.imageType)) {
      reason = 'hardware-mismatch';
      outcome = OUTCOME_HARDWARE_MISMATCH;
    } else if (admitted !== 'ok') reason = admitted;
    else if (!link) reason = 'no-han-link';
    else {
      try {
        const size = this.frameSize();
        for (let at = 0; at < image.length; at += size) link.send(image.subarray(at, Math.min(image.length, at + size)));
        delivered = true;
        outcome = OUTCOME_SUCCESS;
      } catch (e) {
        reason = 'link: ' + (e as Error).message;
      }
    }
    const chf = this.config.chf;
    const content = encodeFirmwareTransferAlert({ alertCode: ALERT_CODE_CCS08, time: generalizedTimeOf(chf.board.clock.nowSec()), device: target, version: version, outcome: outcome });
    const a = chf.raise<never>({ messageCode: MESSAGE_CODE_CCS08, recipient: this.config.alertRecipient, content: content });
    const out: ImageHanded = { delivered: delivered, outcome: outcome };
    if (a.ok) out.alert = a.frame;
    else out.alertRefused = a.reason;
    if (reason) out.reason = reason;
    return out;
  }
}
