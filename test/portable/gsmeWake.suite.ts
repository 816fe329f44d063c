/**
 * The GSME's wake (device/gsme/wake.ts) against its GPF (hub/gsmeMailbox.ts), on every engine: what it
 * publishes to the GPF's copy (GCS60 from its ZCL store: RTDS's GCS60 SUCCESS response content byte for
 * byte, given RTDS's attribute values), the pull / run / acknowledge protocol (flag down afterwards, answers
 * up in order), and a power cut at every write of a wake on the GPF (the publish, the acknowledgement):
 * old copy or new, the message still queued or gone, never half; the next wake finishes the work and the
 * GSME sees the message again only if it was still queued; a wake on a full GPF (publish and acknowledgement
 * refused 'storage-full', the wake stopped, nothing stored). The GSME here is a stand-in that answers each
 * frame (no P-256: its pipeline is test/portable/gsme.suite.ts's), so the bundle stays small.
 * @module
 */
import { memoryMedium } from '../../boards/journaledStorage.ts';
import type { Board } from '../../boards/board.ts';
import { StateTx } from '../../device/state/stateTx.ts';
import { writeAttribute } from '../../device/gsme/zclStore.ts';
import { FLAG_MESSAGE_WAITING, gsmeWake, meterBalanceContent, MESSAGE_CODE_GCS60 } from '../../device/gsme/wake.ts';
import type { WakingDevice } from '../../device/gsme/wake.ts';
import type { DeviceAnswer } from '../../device/runtime.ts';
import { gpfMailbox } from '../../hub/gsmeMailbox.ts';
import { mirroredData, stageEnqueue, waiting } from '../../hub/gpf.ts';
import { toHex } from '../../lib/bytes.ts';
import { equal, ok } from './assert.ts';
import { copyWithRoom, picture } from './fullMedium.ts';
import { key16, RTDS, rtdsContent, stoppedClock, storageFingerprint } from './hubFixture.ts';
import { cutAtEveryWrite, mediumFrom } from './powerCut.ts';
import type { SelfTestContext, Suite } from './selftest.ts';

const NOW = 1796342400;

/** Cut points of a wake that publishes and delivers one message (twice the GPF's medium writes), measured. */
export const CUTS_WAKE = 12;

/** A GSME board holding RTDS's GCS60 values (Metering 0x0A00 3,500,000; Prepayment 0x0001 2,500,000). */
function gsmeBoard(ctx: SelfTestContext): Board {
  const b = stoppedClock(ctx.newBoard(memoryMedium()), NOW);
  const tx = new StateTx(b.storage);
  writeAttribute(tx, { cluster: 0x0702, attribute: 0x0a00, type: 0x23, value: new Uint8Array([0xe0, 0x67, 0x35, 0x00]) });
  writeAttribute(tx, { cluster: 0x0705, attribute: 0x0001, type: 0x2b, value: new Uint8Array([0xa0, 0x25, 0x26, 0x00]) });
  tx.commit();
  return b;
}

/** A stand-in GSME: answers frame F with response [0xAA, F...] and one alert [0xEE, F[0]]; records what it ran. */
function standIn(board: Board, ran: string[]): WakingDevice {
  return {
    board: board,
    receive: function (frame: Uint8Array): DeviceAnswer {
      ran.push(toHex(frame));
      const response = new Uint8Array(frame.length + 1);
      response[0] = 0xaa;
      response.set(frame, 1);
      return { outcome: { ok: true } as unknown as DeviceAnswer['outcome'], alerts: [new Uint8Array([0xee, frame[0]])], response: response };
    },
  };
}

function gpfWith(ctx: SelfTestContext, frames: Uint8Array[]): Board {
  const b = stoppedClock(ctx.newBoard(memoryMedium()), NOW);
  const tx = new StateTx(b.storage);
  for (let i = 0; i < frames.length; i++) stageEnqueue(tx, frames[i], NOW);
  tx.commit();
  return b;
}

export const gsmeWakeSuite: Suite = {
  name: 'GSME wake and GPF mailbox',
  bundle: 'selftest-gsme-wake',
  vectors: [RTDS + '4.18_GCS60/'],
  cases: [
    {
      name: 'what the GSME publishes for GCS60 is RTDS\'s GCS60 SUCCESS response content, from its own ZCL attributes',
      run(ctx) {
        const expected = rtdsContent(ctx, '4.18_GCS60', 'GCS60_4.18_SUCCESS_RESPONSE_GBCS.HEX');
        equal(expected.messageCode, MESSAGE_CODE_GCS60, 'message code');
        equal(toHex(meterBalanceContent(gsmeBoard(ctx))), toHex(expected.content), 'content byte for byte');
      },
    },
    {
      name: 'a wake publishes, then pulls, runs and acknowledges every waiting message in order; answers go up; the flag goes down',
      run(ctx) {
        const gpf = gpfWith(ctx, [key16(1), key16(2)]);
        const mailbox = gpfMailbox(gpf);
        equal(mailbox.notificationFlags(), FLAG_MESSAGE_WAITING, 'flag up');
        const gsme = gsmeBoard(ctx);
        const ran: string[] = [];
        const up: string[] = [];
        const r = gsmeWake(standIn(gsme, ran), mailbox, function (f) {
          up.push(toHex(f));
        });
        equal(r.delivered + '/' + r.answered, '2/2', 'two delivered and answered');
        equal(ran.join(','), toHex(key16(1)) + ',' + toHex(key16(2)), 'oldest first');
        equal(up.join(','), 'aa' + toHex(key16(1)) + ',ee01,aa' + toHex(key16(2)) + ',ee02', 'each response then its alerts');
        equal(mailbox.notificationFlags(), 0, 'flag down');
        equal(waiting(gpf.storage, NOW).length, 0, 'queue empty');
        equal(toHex(mirroredData(gpf.storage, MESSAGE_CODE_GCS60) as Uint8Array), toHex(meterBalanceContent(gsme)), 'the GPF\'s copy is what the GSME published');
        const again = gsmeWake(standIn(gsme, ran), mailbox, function () {
          ok(false, 'nothing goes up from an empty queue');
        });
        equal(again.delivered, 0, 'nothing more');
      },
    },
    {
      name: 'power cut at every write of a wake on the GPF (' + CUTS_WAKE + ' cut points): old copy or new, message queued or acknowledged, never a mix; the next wake completes it',
      run(ctx) {
        const medium = memoryMedium();
        const tx = new StateTx(ctx.newBoard(medium).storage);
        stageEnqueue(tx, key16(7), NOW);
        tx.commit();
        const startBlobs = medium.snapshot();
        const before = storageFingerprint(ctx.newBoard(mediumFrom(startBlobs)));
        const gsme = gsmeBoard(ctx);
        const copy = toHex(meterBalanceContent(gsme));
        let afterAll = '';
        const cuts = cutAtEveryWrite(
          function (m) {
            return stoppedClock(ctx.newBoard(m), NOW);
          },
          startBlobs,
          function (board) {
            const r = gsmeWake(standIn(gsme, []), gpfMailbox(board), function () {
              return undefined;
            });
            return r.delivered === 1;
          },
          function (after) {
            afterAll = storageFingerprint(after);
            equal(waiting(after.storage, NOW).length, 0, 'reference: acknowledged');
          },
          function (restarted, where) {
            const fp = storageFingerprint(restarted);
            const queued = waiting(restarted.storage, NOW).length;
            const mirror = mirroredData(restarted.storage, MESSAGE_CODE_GCS60);
            const published = !!mirror && toHex(mirror) === copy;
            ok(fp === before || (published && queued === 1) || fp === afterAll, where + ': old state, published only, or done');
            ok(!!mirror === published, where + ': the copy is whole or absent');
            const ran: string[] = [];
            gsmeWake(standIn(gsme, ran), gpfMailbox(restarted), function () {
              return undefined;
            });
            equal(ran.length, queued, where + ': the next wake runs the message again only if it was still queued');
            equal(storageFingerprint(restarted), afterAll, where + ': and ends where an uncut wake ends');
          },
        );
        equal(cuts, CUTS_WAKE, 'cut points');
      },
    },
    {
      name: 'a wake on a full GPF: the publish refused storage-full (copy as it was), the first message run and answered but its acknowledgement refused, so the wake stops there, every GPF blob as it was; once room is made the next wake publishes and delivers both',
      run(ctx) {
        const start = memoryMedium();
        const tx = new StateTx(stoppedClock(ctx.newBoard(start), NOW).storage);
        stageEnqueue(tx, key16(1), NOW);
        stageEnqueue(tx, key16(2), NOW);
        ok(tx.commit().ok, 'two queued');
        const m = copyWithRoom(start, 4096, 0);
        const gpf = stoppedClock(ctx.newBoard(m), NOW);
        const gsme = gsmeBoard(ctx);
        const before = picture(m);
        const ran: string[] = [];
        const up: string[] = [];
        const r = gsmeWake(standIn(gsme, ran), gpfMailbox(gpf), function (f) {
          up.push(toHex(f));
        });
        equal(r.refused, 'storage-full', 'refused');
        equal(r.published.length + ' ' + r.delivered + '/' + r.answered, '0 1/1', 'nothing published; one run and answered, then stopped');
        equal(up.join(','), 'aa' + toHex(key16(1)) + ',ee01', 'the GSME\'s own answer goes up');
        equal(picture(m), before, 'every GPF blob as it was');
        equal(waiting(gpf.storage, NOW).length, 2, 'both still waiting');
        ok(mirroredData(gpf.storage, MESSAGE_CODE_GCS60) === undefined, 'no copy');
        m.remove('filler');
        const next = gsmeWake(standIn(gsme, ran), gpfMailbox(gpf), function () {
          return undefined;
        });
        equal(next.refused, undefined, 'nothing refused');
        equal(next.published.length + ' ' + next.delivered, '1 2', 'published and both delivered (the first again: a real GSME\'s counter check refuses it)');
        equal(waiting(gpf.storage, NOW).length, 0, 'queue empty');
        equal(toHex(mirroredData(gpf.storage, MESSAGE_CODE_GCS60) as Uint8Array), toHex(meterBalanceContent(gsme)), 'the copy');
      },
    },
  ],
};
