/**
 * The use cases this device carries out, by message code (GBCS §8 and §12-§13 use-case definitions; DLMS
 * content as the RTDS 4.5.0 reference messages show it):
 * - ECS52 (0x0059) Read ESME/Comms Hub Firmware Version: get 0-0:0.2.1.255 attribute 2 -> octet-string,
 *   the version of the image the board runs (firmwareUpdate/bootSelector.ts).
 * - CS06 (0x0012) Activate Firmware: see firmwareUpdate/activateFirmware.ts.
 * - ECS42 (0x004F) Remotely Close the Load Switch (supply on), ECS43 (0x0050) Remotely Open it (supply
 *   off), ECS44 (0x0051) Arm it (on by the consumer), ECS45 (0x0052) Read Status of the Load Switch:
 *   get 0-0:96.3.10.255 (class 70) attribute 3 control_state -> enum (0 off, 1 on, 2 armed).
 * - ECS35b (0x0049) Read ESME Security Log: the log entries as an array of {time, event code}.
 * - CS02b (0x0102..0x0109) Update Security Credentials: see credentials/updateSecurityCredentials.ts.
 * - CS02c (0x000A), CS02d (0x000B), CS02e (0x000C) the device's own key pairs and certificates: see
 *   credentials/deviceCredentials.ts.
 * - CS03A1 (0x000D), CS03A2 (0x00AB), CS03B (0x000E), CS03C (0x00AF) joins, CS04AC (0x000F) and CS04B
 *   (0x0010) unjoins, CS07 (0x0013) Read Device Join Details, as an ESME: see pairing/joinDevice.ts.
 * - CS01a (0x0007) Apply Prepayment Top Up to an ESME: the Supplier's UTRN to the Token Gateway, see
 *   prepayment/esmeTopUp.ts.
 * Future-dated actions are run by kind (`executorFor`, pipeline/futureDated.ts): 'cs02b', 'cs06'.
 * Every other command gets the answer GBCS gives for an instruction the device cannot carry out: for
 * DLMS content, an access-response with result object-undefined (4) for each specification; for GBZ
 * content (profile 0x0109, GBCS §7.2.x GBZ payload) a GBZ response whose every component is a ZCL Default
 * Response (ZCL general command 0x0B: {command id, status}) with status UNSUP_CLUSTER_COMMAND (0x81) for a
 * cluster-specific command or UNSUP_GENERAL_COMMAND (0x82) for a general one (ZCL §2.5.12 Default Response,
 * §2.6.3 status codes); for other content (ASN.1) a response with empty content.
 * @module
 */
import { activateFirmware, executeDueActivation, PENDING_CS06 } from '../firmwareUpdate/activateFirmware.ts';
import { runningVersion } from '../firmwareUpdate/bootSelector.ts';
import { readLog } from '../state/securityLog.ts';
import { readSupply, supplyControlState, writeSupply } from '../state/supplyState.ts';
import type { SupplyState } from '../state/supplyState.ts';
import { executeDueCs02b, PENDING_CS02B, updateSecurityCredentials } from '../credentials/updateSecurityCredentials.ts';
import type { DueExecutor } from './futureDated.ts';
import { issueSecurityCredentials, provideDeviceCertificate, updateDeviceCertificate } from '../credentials/deviceCredentials.ts';
import type { CommandContext, Execution, Handler } from './commandContext.ts';
import { joinHandler, readJoinDetails, unjoinHandler } from '../pairing/joinDevice.ts';
import { DEVICE_ESME } from '../../gbcs/contents/join.ts';
import { accessResponse, readAccessRequest, RESULT_OBJECT_UNDEFINED, RESULT_SUCCESS } from '../../gbcs/dlms/access.ts';
import { arrayData, doubleLongUnsigned, enumData, longUnsigned, NULL_DATA, octetString, structureData } from '../../gbcs/dlms/data.ts';
import type { AccessResult } from '../../gbcs/dlms/access.ts';
import { esmeTopUp, MESSAGE_CODE_CS01A } from '../prepayment/esmeTopUp.ts';

/**
 * The GBZ answer to GBZ commands this device does not carry out, or undefined when `b` is not a GBZ payload
 * in the plain form { profile 0x0109, component count, components { extended header control, cluster id,
 * length, ZCL frame { frame control, sequence number, command id, payload } } }. Each component becomes a
 * Default Response: frame control server-to-client with default responses disabled (0x18), the command's
 * sequence number, command 0x0B, payload { the command's id, status }.
 */
export function gbzUnsupported(b: Uint8Array): Uint8Array | undefined {
  if (b.length < 3 || b[0] !== 0x01 || b[1] !== 0x09) return undefined;
  const count = b[2];
  if (count === 0) return undefined;
  const out = new Uint8Array(3 + count * 10);
  out[0] = 0x01;
  out[1] = 0x09;
  out[2] = count;
  let at = 3;
  for (let i = 0; i < count; i++) {
    if (at + 5 > b.length) return undefined;
    const len = (b[at + 3] << 8) | b[at + 4];
    if (len < 3 || at + 5 + len > b.length) return undefined;
    const fc = b[at + 5];
    // Manufacturer-specific frames carry a 2-byte code before the sequence number (ZCL §2.4.1.1).
    const z = at + 5 + ((fc & 0x04) !== 0 ? 2 : 0);
    if (z + 3 > at + 5 + len) return undefined;
    const o = 3 + i * 10;
    out[o] = b[at];
    out[o + 1] = b[at + 1];
    out[o + 2] = b[at + 2];
    out[o + 3] = 0;
    out[o + 4] = 5;
    out[o + 5] = 0x18;
    out[o + 6] = b[z + 1];
    out[o + 7] = 0x0b;
    out[o + 8] = b[z + 2];
    out[o + 9] = (fc & 0x03) === 0x01 ? 0x81 : 0x82;
    at += 5 + len;
  }
  return at === b.length ? out : undefined;
}

function each(ctx: CommandContext, answer: (i: number) => AccessResult): Execution {
  const req = readAccessRequest(ctx.message.content);
  if (!req) return { ok: true, content: new Uint8Array(0) };
  const results: AccessResult[] = [];
  for (let i = 0; i < req.specs.length; i++) results.push(answer(i));
  return { ok: true, content: accessResponse(req, results) };
}

/** The answer to a command this device does not carry out. */
export function unsupported(ctx: CommandContext): Execution {
  const gbz = gbzUnsupported(ctx.message.content);
  if (gbz) return { ok: true, content: gbz };
  return each(ctx, function () {
    return { data: NULL_DATA, result: RESULT_OBJECT_UNDEFINED };
  });
}

/**
 * The use cases every kind of device carries out the same way (GBCS §12-§13 for every device type that
 * holds trust anchors and key pairs): CS02b, CS02c/d/e, CS06, ECS52 (the version of the running image).
 * Undefined for any other code: the kind decides.
 */
export function commonHandlerFor(code: number): Handler | undefined {
  if (code === 0x0059) return readFirmwareVersion;
  if (code === 0x0012) return activateFirmware;
  if (code >= 0x0102 && code <= 0x0109) return updateSecurityCredentials;
  if (code === 0x000a) return issueSecurityCredentials;
  if (code === 0x000b) return updateDeviceCertificate;
  if (code === 0x000c) return provideDeviceCertificate;
  return undefined;
}

/** ECS35b-style read of the device's own Security Log (ECS35b on an ESME, ECS35d on a CHF). */
export { readSecurityLog };

/** ECS52: the version of the image the board runs (the factory image's until an activation; bootSelector.ts). */
function readFirmwareVersion(ctx: CommandContext): Execution {
  const version = runningVersion(ctx.tx);
  return each(ctx, function () {
    return { data: octetString(version), result: RESULT_SUCCESS };
  });
}

function setSupply(state: SupplyState): Handler {
  return function (ctx: CommandContext): Execution {
    writeSupply(ctx.tx, state);
    return each(ctx, function () {
      return { data: NULL_DATA, result: RESULT_SUCCESS };
    });
  };
}

function readSupplyStatus(ctx: CommandContext): Execution {
  const state = readSupply(ctx.tx);
  return each(ctx, function () {
    return { data: enumData(supplyControlState(state)), result: RESULT_SUCCESS };
  });
}

function readSecurityLog(ctx: CommandContext): Execution {
  const entries = readLog(ctx.tx);
  const rows: Uint8Array[] = [];
  for (let i = 0; i < entries.length; i++) rows.push(structureData([doubleLongUnsigned(entries[i].timeSec), longUnsigned(entries[i].eventCode)]));
  return each(ctx, function () {
    return { data: arrayData(rows), result: RESULT_SUCCESS };
  });
}

/** The joins of this device, an ESME (pairing/joinRules.ts says which methods and partners). */
const joinEsme = joinHandler(DEVICE_ESME);

/** What one kind of device carries out: its handler per message code and its future-dated executors. */
export interface UseCaseTable {
  handlerFor: (code: number) => Handler;
  executorFor: (kind: string) => DueExecutor | undefined;
}

/** The ESME's table. */
export function handlerFor(code: number): Handler {
  const common = commonHandlerFor(code);
  if (common) return common;
  if (code === 0x004f) return setSupply('on');
  if (code === 0x0050) return setSupply('off');
  if (code === 0x0051) return setSupply('armed');
  if (code === 0x0052) return readSupplyStatus;
  if (code === 0x0049) return readSecurityLog;
  if (code === 0x000d || code === 0x000e || code === 0x00ab || code === 0x00af) return joinEsme;
  if (code === 0x000f || code === 0x0010) return unjoinHandler;
  if (code === 0x0013) return readJoinDetails;
  if (code === MESSAGE_CODE_CS01A) return esmeTopUp;
  return unsupported;
}

/** The executor of each kind of future-dated action this device schedules (pipeline/futureDated.ts). */
export function executorFor(kind: string): DueExecutor | undefined {
  if (kind === PENDING_CS02B) return executeDueCs02b;
  if (kind === PENDING_CS06) return executeDueActivation;
  return undefined;
}

export const ESME_USE_CASES: UseCaseTable = { handlerFor: handlerFor, executorFor: executorFor };
