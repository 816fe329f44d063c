/**
 * The GSME's use cases (GBCS §7.2 GBZ; the GCS use cases of GBCS's use-case table, content as the RTDS
 * 4.5.0 GSME messages show it), run by the same command pipeline as the ESME's: the pipeline authenticates
 * and authorises (critical GCS commands signed by the Supplier and MAC'ed by the ACB; the response to a
 * critical one signed by the device), then the handler here says what the command does:
 *
 * - every GBZ command (GCS01b ... GCS60, CS10b): refused unless every component belongs to the use case of
 *   its message code (gsme/useCaseContents.ts); then each ZCL component through gsme/clusters.ts, in order; the
 *   response is a GBZ payload with one component per command component. Once a component fails, the ones
 *   after it are not carried out and answer { 0xFF, FAILURE } (RTDS ERROR responses); the components of
 *   sensitive data (GCS13b, GCS14) are encrypted to the command's originator. A payload that is
 *   not GBZ is refused ('execution-refused': nothing sent, nothing changed).
 * - GCS28 Set Clock (0x007F, ASN.1): SEQUENCE { validity start, validity end } (GeneralizedTime); the
 *   GSME takes its time from the HAN (the board's clock here) and answers SEQUENCE { its time, status }:
 *   0 when its time is within the validity interval, 2 when it is not (RTDS 6.11 ERROR).
 * - CS02b-CS02e: the device's credentials, and CS06 Activate Firmware (ASN.1, future-dated or not), as on
 *   the ESME (credentials/, firmwareUpdate/activateFirmware.ts); the image arrives by block transfer as on
 *   the ESME, its receipt is the GBZ 0x00CF (firmwareUpdate/imageReceiver.ts).
 * - CS01b Apply Prepayment Top Up to a GSME (0x0097, the Supplier's UTRN, queued on the GPF until the GSME
 *   wakes) and PCS01 / PCS02 from a PPMID joined by Method C: gsme/topUp.ts (the ESME's UTRN checks,
 *   prepayment/utrnTopUp.ts), gsme/ppmidCommands.ts (emergency credit).
 * - anything else: pipeline/useCases.ts `unsupported` (Default Responses UNSUP_*).
 * Future-dated components are run by `executeDueGbz` (gsme/clusters.ts), which gives their 0x00CD alert. Portable.
 * @module
 */
import { decodeGbz, encodeGbz, GBZ_ENCRYPTED } from '../../gbcs/gbz/components.ts';
import { counterToBytes } from '../../gbcs/counter64.ts';
import { encryptPayload } from '../../gbcs/protection/protection.ts';
import { KEY_USAGE_KEY_AGREEMENT } from '../../gbcs/smki/certificate.ts';
import { cellForParty } from '../state/trustAnchors.ts';
import type { GbzComponent } from '../../gbcs/gbz/components.ts';
import { derSequence, derSmallInteger, derTlv, readChildren, readTime, readTlv } from '../../gbcs/der.ts';
import { asciiBytes, toHex } from '../../lib/bytes.ts';
import { secondsToTime, timeToSeconds } from '../../gbcs/dateTime.ts';
import { executeDueCs02b, PENDING_CS02B, updateSecurityCredentials } from '../credentials/updateSecurityCredentials.ts';
import { activateFirmware, executeDueActivation, PENDING_CS06 } from '../firmwareUpdate/activateFirmware.ts';
import { issueSecurityCredentials, provideDeviceCertificate, updateDeviceCertificate } from '../credentials/deviceCredentials.ts';
import type { CommandContext, Execution, Handler } from '../pipeline/commandContext.ts';
import type { DueContext, DueExecutor } from '../pipeline/futureDated.ts';
import { unsupported } from '../pipeline/useCases.ts';
import type { UseCaseTable } from '../pipeline/useCases.ts';
import { executeDueGbz, MESSAGE_CODE_FUTURE_DATED_GBZ, notCarriedOut, runComponent } from './clusters.ts';
import type { AlertSpec } from '../alerts/alertSender.ts';
import { componentToken, mayCarry } from './useCaseContents.ts';
import { joinHandler, readJoinDetails, unjoinHandler } from '../pairing/joinDevice.ts';
import { DEVICE_GSME } from '../../gbcs/contents/join.ts';
import { ppmidEmergencyCredit, ppmidTopUp } from './ppmidCommands.ts';
import { MESSAGE_CODE_CS01B, supplierTopUp } from './topUp.ts';

const TAG_GENERALIZED_TIME = 0x18;

/** Every component of a GBZ command, in order; refused when the content is not GBZ. */
export function gbzCommand(ctx: CommandContext): Execution {
  const comps = decodeGbz(ctx.message.content);
  if (typeof comps === 'string') return ctx.message.content.length > 0 && ctx.message.content[0] === 0x01 ? { ok: false, detail: 'GBZ: ' + comps } : unsupported(ctx);
  // Every component must belong to the use case the message code names, before any is carried out.
  for (let i = 0; i < comps.length; i++) {
    if (!mayCarry(ctx.message.gs.messageCode, comps[i])) return { ok: false, detail: 'component ' + i + ' (' + componentToken(comps[i]) + ') is not part of use case 0x' + ctx.message.gs.messageCode.toString(16) };
  }
  const out: GbzComponent[] = [];
  let failed = false;
  let encrypted = 0;
  const now = ctx.board.clock.nowSec();
  for (let i = 0; i < comps.length; i++) {
    if (failed) {
      out.push(notCarriedOut(comps[i]));
      continue;
    }
    const a = runComponent({ tx: ctx.tx, nowSec: now, messageCode: ctx.message.gs.messageCode, originator: ctx.message.gs.originator, counter: ctx.message.gs.counter, c: comps[i] });
    failed = a.failed;
    const answers = a.more ? [a.response].concat(a.more) : [a.response];
    for (let j = 0; j < answers.length; j++) {
      if (!isSensitive(ctx.message.gs.messageCode, answers[j].cluster)) {
        out.push(answers[j]);
        continue;
      }
      const e = encryptComponent(ctx, answers[j], encrypted++);
      if (!e) return { ok: false, detail: 'no KA key of ' + toHex(ctx.message.gs.originator) + ' to encrypt the response to' };
      out.push(e);
    }
  }
  if (out.length > 255) return { ok: false, detail: 'the answer would take more than 255 GBZ components' };
  return { ok: true, content: encodeGbz(out) };
}

/**
 * Components whose response carries sensitive data (GBCS §7.2.8, §7.3.3), by message code and cluster, as
 * the RTDS GSME responses encrypt them: GCS13b's Metering block counters, GCS14's Prepayment registers
 * (its Price component stays plain; GCS60's balance is plain).
 */
function isSensitive(code: number, cluster: number): boolean {
  return (code === 0x00b8 && cluster === 0x0702) || (code === 0x0075 && cluster === 0x0705);
}

/**
 * The encrypted form of a response component: extended header control bit 1, then additional header
 * control 00 and the component's number among the encrypted ones, the ZCL header in clear, the length of
 * the ciphered information and the ciphered ZCL payload `31 00000000 ciphertext tag` (AES-GCM with the
 * payload key of GBCS §7.3.3: device KA x recipient KA, KDF over this device, the response's counter and
 * recipient; gbcs/protection/protection.ts `encryptPayload`). The layout as RTDS's GCS13b / GCS14 show it.
 */
function encryptComponent(ctx: CommandContext, r: GbzComponent, frame: number): GbzComponent | undefined {
  const cmd = ctx.message.gs;
  const recipient = cmd.supplementary ? cmd.supplementary.remoteParty : cmd.originator;
  const counter = cmd.supplementary && cmd.supplementary.originatorCounter ? cmd.supplementary.originatorCounter : cmd.counter;
  const ka = cellForParty(ctx.board.storage, recipient, KEY_USAGE_KEY_AGREEMENT);
  if (!ka) return undefined;
  const fields = { originator: ctx.identity.eui, counter: counterToBytes(counter), recipient: recipient };
  const ciphered = encryptPayload(ctx.board.crypto, ctx.secrets, ctx.identity.kaPrivate, ka.publicKey, fields, r.payload);
  if (!ciphered) return undefined;
  const body = new Uint8Array(7 + ciphered.length);
  body[0] = 0x00;
  body[1] = frame & 0xff;
  body[2] = r.frameControl;
  body[3] = r.sequence;
  body[4] = r.command;
  body[5] = (ciphered.length >> 8) & 0xff;
  body[6] = ciphered.length & 0xff;
  body.set(ciphered, 7);
  return { control: GBZ_ENCRYPTED, cluster: r.cluster, frameControl: r.frameControl, sequence: r.sequence, command: r.command, payload: new Uint8Array(0), encrypted: body };
}

/** GCS28: whether the GSME's time is within the command's validity interval; answers its time and the status. */
function setClock(ctx: CommandContext): Execution {
  const b = ctx.message.content;
  const seq = readTlv(b, 0);
  if (!seq.ok || seq.tag !== 0x30 || seq.end !== b.length) return { ok: false, detail: 'GCS28: not a SEQUENCE' };
  const kids = readChildren(b, seq);
  if (!Array.isArray(kids) || kids.length !== 2 || kids[0].tag !== TAG_GENERALIZED_TIME || kids[1].tag !== TAG_GENERALIZED_TIME) return { ok: false, detail: 'GCS28: not { GeneralizedTime, GeneralizedTime }' };
  const from = readTime(b, kids[0]);
  const to = readTime(b, kids[1]);
  if (typeof from !== 'string' || typeof to !== 'string') return { ok: false, detail: 'GCS28: bad time' };
  const now = ctx.board.clock.nowSec();
  const inside = now >= timeToSeconds(from) && now <= timeToSeconds(to);
  return { ok: true, content: derSequence([derTlv(TAG_GENERALIZED_TIME, [asciiBytes(secondsToTime(now))]), derSmallInteger(inside ? 0 : 2)]) };
}

/** The joins of a GSME (pairing/joinRules.ts: Method B with the GPF and Type 2 devices, Method C with a PPMID). */
const joinGsme = joinHandler(DEVICE_GSME);

export function gsmeHandlerFor(code: number): Handler {
  if (code === 0x0012) return activateFirmware;
  if (code === 0x000d || code === 0x000e || code === 0x00ab || code === 0x00af) return joinGsme;
  if (code === 0x000f || code === 0x0010) return unjoinHandler;
  if (code === 0x0013) return readJoinDetails;
  if (code >= 0x0102 && code <= 0x0109) return updateSecurityCredentials;
  if (code === 0x000a) return issueSecurityCredentials;
  if (code === 0x000b) return updateDeviceCertificate;
  if (code === 0x000c) return provideDeviceCertificate;
  if (code === 0x007f) return setClock;
  if (code === MESSAGE_CODE_CS01B) return supplierTopUp;
  if (code === 0x009b) return ppmidTopUp;
  if (code === 0x0090) return ppmidEmergencyCredit;
  return gbzCommand;
}

function dueGbz(ctx: DueContext): AlertSpec[] {
  const a = executeDueGbz(ctx.tx, ctx.action.kind, ctx.action.data, ctx.action.dueSec);
  return a ? [{ messageCode: MESSAGE_CODE_FUTURE_DATED_GBZ, recipient: a.recipient, content: a.content }] : [];
}

export function gsmeExecutorFor(kind: string): DueExecutor | undefined {
  if (kind === PENDING_CS02B) return executeDueCs02b;
  if (kind === PENDING_CS06) return executeDueActivation;
  if (kind.length > 1 && kind.charAt(0) === 'g') return dueGbz;
  return undefined;
}

export const GSME_USE_CASES: UseCaseTable = { handlerFor: gsmeHandlerFor, executorFor: gsmeExecutorFor };
