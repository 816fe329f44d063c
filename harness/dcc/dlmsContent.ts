/**
 * The DLMS COSEM content of the commands the lab's DCC sends (IEC 62056-5-3 ACCESS service as GBCS §8
 * carries it), built in the shape the DCC RTDS 4.5.0 reference commands show for each use case. Nothing
 * here is copied from the reference files; the structure is the public DLMS one:
 * ```
 * access-request = D9 long-invoke-id(4) date-time(00) count {spec}* count {Data}*
 * spec           = kind(1) class(2) OBIS(6) attribute|method(1) [access-selector(1) parameters(Data)]
 * ```
 * long-invoke-id: 0x20 (the flag byte the RTDS commands carry) then the low 24 bits of the originator
 * counter, so the device's response (which echoes it) names its command.
 *
 * | use case | what | RTDS shape |
 * |---|---|---|
 * | ECS52 firmware version | get class 1, 0-0:0.2.1.255 attr 2 | 11.2_ECS52 |
 * | ECS45 load-switch status | get class 70, 0-0:96.3.10.255 attr 3 (control_state) | 7.4_ECS45 |
 * | ECS42 close (supply on) | action class 9 (script table) 0-0:10.0.106.255 method 1, script 0x0033 | 7.1_ECS42 |
 * | ECS43 open (supply off) | action class 70 0-0:96.3.10.255 method 1 remote_disconnect | none in the sample: UNCONFIRMED |
 * | ECS44 arm | action class 70 0-0:96.3.10.255 method 2 remote_reconnect (armed: ready_for_reconnection) | none in the sample: UNCONFIRMED |
 * | ECS35b security log | get-with-selection class 7, 0-0:99.98.1.255 attr 2, range by UTC seconds since 2000 | shape of 6.13_ECS35a/d; the ESME security-log OBIS is UNCONFIRMED |
 * @module
 */
import { concatBytes } from '../../lib/bytes.ts';
import type { Counter64 } from '../../gbcs/counter64.ts';

const ACCESS_REQUEST = 0xd9;
const GET = 1;
const ACTION = 3;
const GET_WITH_SELECTION = 4;

/** Seconds from 1970-01-01 to 2000-01-01: GBCS log ranges count UTC seconds from 2000. */
const GBCS_EPOCH_UNIX = 946684800;

function obisBytes(obis: string): Uint8Array {
  const parts = obis.split(/[-:.]/).map((p) => parseInt(p, 10));
  if (parts.length !== 6 || parts.some((p) => !(p >= 0 && p <= 255))) throw new Error('obisBytes: expected A-B:C.D.E.F, got ' + obis);
  return new Uint8Array(parts);
}

function u16(n: number): Uint8Array {
  return new Uint8Array([(n >> 8) & 0xff, n & 0xff]);
}

function u32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/** The long-invoke-id a command carries for `counter`. */
export function invokeId(counter: Counter64): Uint8Array {
  return concatBytes([new Uint8Array([0x20]), u32(counter.lo & 0xffffff).subarray(1)]);
}

function request(counter: Counter64, spec: Uint8Array, data: Uint8Array): Uint8Array {
  return concatBytes([new Uint8Array([ACCESS_REQUEST]), invokeId(counter), new Uint8Array([0x00, 0x01]), spec, new Uint8Array([0x01]), data]);
}

const NULL_DATA = new Uint8Array([0x00]);

export function getAttribute(counter: Counter64, classId: number, obis: string, attribute: number): Uint8Array {
  return request(counter, concatBytes([new Uint8Array([GET]), u16(classId), obisBytes(obis), new Uint8Array([attribute])]), NULL_DATA);
}

export function action(counter: Counter64, classId: number, obis: string, method: number, parameter: Uint8Array): Uint8Array {
  return request(counter, concatBytes([new Uint8Array([ACTION]), u16(classId), obisBytes(obis), new Uint8Array([method])]), parameter);
}

/** A profile read restricted to [fromUnix, toUnix] by the GB UTC-time object 0-0:94.44.100.255 (as ECS35a). */
export function getLogRange(counter: Counter64, classId: number, obis: string, attribute: number, fromUnix: number, toUnix: number): Uint8Array {
  const gbSeconds = (t: number) => Math.max(0, Math.floor(t) - GBCS_EPOCH_UNIX);
  const restricting = concatBytes([
    new Uint8Array([0x02, 0x04]),
    new Uint8Array([0x12]), u16(1),
    new Uint8Array([0x09, 0x06]), obisBytes('0-0:94.44.100.255'),
    new Uint8Array([0x0f, 0x02]),
    new Uint8Array([0x12, 0x00, 0x00]),
  ]);
  const range = concatBytes([
    new Uint8Array([0x02, 0x04]), restricting,
    new Uint8Array([0x06]), u32(gbSeconds(fromUnix)),
    new Uint8Array([0x06]), u32(gbSeconds(toUnix)),
    new Uint8Array([0x01, 0x00]),
  ]);
  const spec = concatBytes([new Uint8Array([GET_WITH_SELECTION]), u16(classId), obisBytes(obis), new Uint8Array([attribute, 0x01]), range]);
  return request(counter, spec, NULL_DATA);
}

export const OBIS = {
  firmwareVersion: '0-0:0.2.1.255',
  disconnectControl: '0-0:96.3.10.255',
  disconnectScripts: '0-0:10.0.106.255',
  securityLog: '0-0:99.98.1.255',
};

export const ecs52ReadFirmwareVersion = (c: Counter64) => getAttribute(c, 1, OBIS.firmwareVersion, 2);
export const ecs45ReadSupplyStatus = (c: Counter64) => getAttribute(c, 70, OBIS.disconnectControl, 3);
export const ecs42EnableSupply = (c: Counter64) => action(c, 9, OBIS.disconnectScripts, 1, new Uint8Array([0x12, 0x00, 0x33]));
export const ecs43DisableSupply = (c: Counter64) => action(c, 70, OBIS.disconnectControl, 1, new Uint8Array([0x0f, 0x00]));
export const ecs44ArmSupply = (c: Counter64) => action(c, 70, OBIS.disconnectControl, 2, new Uint8Array([0x0f, 0x00]));
export const ecs35bReadSecurityLog = (c: Counter64, nowUnix: number) => getLogRange(c, 7, OBIS.securityLog, 2, GBCS_EPOCH_UNIX, nowUnix);
