/**
 * CS03 joins, CS04 unjoins and CS07 Read Device Join Details on a meter (GBCS §13.7; contents in
 * gbcs/contents/join.ts, which rules in joinRules.ts). The command has passed the pipeline (MAC, the
 * Supplier's signature for the critical CS03A1/A2/C and CS04AC, counter); what it does is staged in the
 * command's transaction, so the Device Log (state/joinedDevices.ts) changes with the originator counter in
 * one commit. A refusal is a response code the device answers with (RTDS 8.7.2_CS03B ERROR, 8.8.2_CS04B
 * ERROR: accepted commands whose response carries the code), with the Device Log as it was.
 *
 * Join checks, in order (each a typed reason and its GBCS response code):
 *   the content's method is the one its message code carries    'method-not-of-this-code' 1
 *   the other device's type is one GBCS defines (0..6)          'unknown-device-type' 2
 *   this device joins that device type by that method            'join-method-not-allowed' 2
 *   a certificate exactly when the method needs one (Method C), and it is the other device's KA
 *   certificate: reads as a P-256 certificate, key usage exactly keyAgreement, hwSerialNum = the
 *   entity identifier, the device's environment (test/live)    'bad-certificate' 11
 *   the device is not already in the Device Log                 'already-joined' 3
 *   the Device Log has room (JOINED_CAPACITY)                   'device-log-full' 4
 * The certificate's issuer signature is not checked: the critical command that carries it is signed by the
 * Supplier, which vouches for it, and the device holds no Device CA for other devices' certificates (our
 * reading; GBCS's own words on this check are not in our texts: UNCONFIRMED). An entry already present
 * answers 3 whether or not it is the same join (UNCONFIRMED: GBCS may treat a repeat as success).
 *
 * Unjoin: CS04AC removes an entry joined by Method A or C, CS04B one joined by Method B. Not in the log:
 * 'not-joined' 1 (RTDS 8.8.2_CS04B ERROR); joined by the other family: 'joined-by-other-method' 2,
 * other failure (UNCONFIRMED).
 * @module
 */
import { bytesEqual } from '../../lib/bytes.ts';
import {
  decodeJoinCommand, decodeUnjoinCommand, DEVICE_TYPE_NAMES, encodeReadJoinDetailsResponse, encodeResponseCode, isReadJoinDetailsCommand,
  JOIN_DEVICE_LOG_FULL, JOIN_INVALID_MESSAGE_CODE_FOR_METHOD, JOIN_INVALID_METHOD_AND_ROLE,
  JOIN_INCOMPATIBLE_WITH_EXISTING_ENTRY, JOIN_INVALID_OR_MISSING_CERTIFICATE, JOIN_SUCCESS, READ_JOIN_SUCCESS, UNJOIN_NOT_IN_DEVICE_LOG, UNJOIN_OTHER_FAILURE, UNJOIN_SUCCESS,
} from '../../gbcs/contents/join.ts';
import type { JoinCommand, JoinedDeviceSummary } from '../../gbcs/contents/join.ts';
import { KEY_USAGE_KEY_AGREEMENT, readCertificate } from '../../gbcs/smki/certificate.ts';
import { certificateEnvironment } from '../../gbcs/smki/certificatePolicies.ts';
import type { CommandContext, Execution, Handler } from '../pipeline/commandContext.ts';
import type { Environment } from '../state/identity.ts';
import { indexOfJoined, JOINED_CAPACITY, readJoined, writeJoined } from '../state/joinedDevices.ts';
import type { JoinedDevice } from '../state/joinedDevices.ts';
import type { StateTx } from '../state/stateTx.ts';
import { certificateRequired, joinAllowed, methodOfCode, unjoinCovers } from './joinRules.ts';

export type JoinRefusal = 'method-not-of-this-code' | 'unknown-device-type' | 'join-method-not-allowed' | 'bad-certificate' | 'already-joined' | 'device-log-full';
export type UnjoinRefusal = 'not-joined' | 'joined-by-other-method';

export type JoinOutcome = { ok: true; entry: JoinedDevice } | { ok: false; reason: JoinRefusal; code: number };
export type UnjoinOutcome = { ok: true; entry: JoinedDevice } | { ok: false; reason: UnjoinRefusal; code: number };

/** The device whose Device Log changes: its GBCS device type and SMKI environment. */
export interface JoinParty {
  deviceType: number;
  environment: Environment;
}

function refuse(reason: JoinRefusal, code: number): JoinOutcome {
  return { ok: false, reason: reason, code: code };
}

/** The other device's KA public key from its certificate, or undefined when it is not that certificate. */
function kaKeyOf(der: Uint8Array, other: Uint8Array, environment: Environment): Uint8Array | undefined {
  const r = readCertificate(der);
  if (!r.ok) return undefined;
  const c = r.certificate;
  if (c.keyUsage !== KEY_USAGE_KEY_AGREEMENT) return undefined;
  if (!c.entityId || !bytesEqual(c.entityId, other)) return undefined;
  if (certificateEnvironment(c.policies) !== environment) return undefined;
  return c.publicKey;
}

/** A join (checks in the module header); on success the new Device Log is staged in `tx`. */
export function joinDevice(tx: StateTx, party: JoinParty, messageCode: number, cmd: JoinCommand): JoinOutcome {
  if (cmd.method !== methodOfCode(messageCode)) return refuse('method-not-of-this-code', JOIN_INVALID_MESSAGE_CODE_FOR_METHOD);
  if (cmd.otherType >= DEVICE_TYPE_NAMES.length) return refuse('unknown-device-type', JOIN_INVALID_METHOD_AND_ROLE);
  if (!joinAllowed(party.deviceType, cmd.method, cmd.otherType)) return refuse('join-method-not-allowed', JOIN_INVALID_METHOD_AND_ROLE);
  const entry: JoinedDevice = { eui: cmd.other, deviceType: cmd.otherType, method: cmd.method };
  if (certificateRequired(cmd.method)) {
    const key = cmd.certificate ? kaKeyOf(cmd.certificate, cmd.other, party.environment) : undefined;
    if (!key) return refuse('bad-certificate', JOIN_INVALID_OR_MISSING_CERTIFICATE);
    entry.kaPublicKey = key;
  } else if (cmd.certificate) return refuse('bad-certificate', JOIN_INVALID_OR_MISSING_CERTIFICATE);
  const log = readJoined(tx);
  if (indexOfJoined(log, cmd.other) >= 0) return refuse('already-joined', JOIN_INCOMPATIBLE_WITH_EXISTING_ENTRY);
  if (log.length >= JOINED_CAPACITY) return refuse('device-log-full', JOIN_DEVICE_LOG_FULL);
  log.push(entry);
  writeJoined(tx, log);
  return { ok: true, entry: entry };
}

/** An unjoin by CS04AC or CS04B; on success the Device Log without that device is staged in `tx`. */
export function unjoinDevice(tx: StateTx, messageCode: number, other: Uint8Array): UnjoinOutcome {
  const log = readJoined(tx);
  const i = indexOfJoined(log, other);
  if (i < 0) return { ok: false, reason: 'not-joined', code: UNJOIN_NOT_IN_DEVICE_LOG };
  const entry = log[i];
  if (!unjoinCovers(messageCode, entry.method)) return { ok: false, reason: 'joined-by-other-method', code: UNJOIN_OTHER_FAILURE };
  log.splice(i, 1);
  writeJoined(tx, log);
  return { ok: true, entry: entry };
}

/** The Device Log as CS07 reports it: entity identifier and device type of each entry. */
export function joinDetails(s: { read(k: string): Uint8Array | undefined }): JoinedDeviceSummary[] {
  const log = readJoined(s);
  const out: JoinedDeviceSummary[] = [];
  for (let i = 0; i < log.length; i++) out.push({ eui: log[i].eui, deviceType: log[i].deviceType });
  return out;
}

/** The CS03 handler of a device of GBCS type `deviceType` (CS03A1, CS03A2, CS03B, CS03C). */
export function joinHandler(deviceType: number): Handler {
  return function (ctx: CommandContext): Execution {
    const cmd = decodeJoinCommand(ctx.message.content);
    if (typeof cmd === 'string') return { ok: false, detail: 'join command: ' + cmd };
    const r = joinDevice(ctx.tx, { deviceType: deviceType, environment: ctx.identity.environment }, ctx.message.gs.messageCode, cmd);
    return { ok: true, content: encodeResponseCode(r.ok ? JOIN_SUCCESS : r.code) };
  };
}

/** The CS04AC / CS04B handler. */
export function unjoinHandler(ctx: CommandContext): Execution {
  const other = decodeUnjoinCommand(ctx.message.content);
  if (typeof other === 'string') return { ok: false, detail: 'unjoin command: ' + other };
  const r = unjoinDevice(ctx.tx, ctx.message.gs.messageCode, other);
  return { ok: true, content: encodeResponseCode(r.ok ? UNJOIN_SUCCESS : r.code) };
}

/** CS07 Read Device Join Details. */
export function readJoinDetails(ctx: CommandContext): Execution {
  if (!isReadJoinDetailsCommand(ctx.message.content)) return { ok: false, detail: 'read device join details: the command is NULL' };
  return { ok: true, content: encodeReadJoinDetailsResponse(READ_JOIN_SUCCESS, joinDetails(ctx.tx)) };
}
