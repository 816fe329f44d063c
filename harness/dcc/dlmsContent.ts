/**
 * Which DLMS COSEM request the lab's DCC sends for each use case (the ACCESS service codec is
 * gbcs/dlms/access.ts), in the shape the DCC RTDS 4.5.0 reference commands show. Nothing here is copied
 * from the reference files.
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
import { UNIX_2000 } from '../../gbcs/dateTime.ts';
import { accessRequest, accessSpec, action, getAttribute, KIND_GET_WITH_SELECTION, obisBytes } from '../../gbcs/dlms/access.ts';
import { doubleLongUnsigned, integerData, longUnsigned, NULL_DATA } from '../../gbcs/dlms/data.ts';


/** A profile read restricted to [fromUnix, toUnix] by the GB UTC-time object 0-0:94.44.100.255 (as ECS35a). */
export function getLogRange(counter: Counter64, classId: number, obis: string, attribute: number, fromUnix: number, toUnix: number): Uint8Array {
  const gbSeconds = (t: number) => Math.max(0, Math.floor(t) - UNIX_2000);
  // range_descriptor { restricting_object { class 1, OBIS, attribute 2, data index 0 }, from, to, selected_values [] }
  const restricting = concatBytes([new Uint8Array([0x02, 0x04]), longUnsigned(1), new Uint8Array([0x09, 0x06]), obisBytes('0-0:94.44.100.255'), integerData(2), longUnsigned(0)]);
  const range = concatBytes([new Uint8Array([0x02, 0x04]), restricting, doubleLongUnsigned(gbSeconds(fromUnix)), doubleLongUnsigned(gbSeconds(toUnix)), new Uint8Array([0x01, 0x00])]);
  return accessRequest(counter, concatBytes([accessSpec(KIND_GET_WITH_SELECTION, classId, obis, attribute, 0x01), range]), NULL_DATA);
}

export const OBIS = {
  firmwareVersion: '0-0:0.2.1.255',
  disconnectControl: '0-0:96.3.10.255',
  disconnectScripts: '0-0:10.0.106.255',
  securityLog: '0-0:99.98.1.255',
};

export const ecs52ReadFirmwareVersion = (c: Counter64) => getAttribute(c, 1, OBIS.firmwareVersion, 2);
export const ecs45ReadSupplyStatus = (c: Counter64) => getAttribute(c, 70, OBIS.disconnectControl, 3);
export const ecs42EnableSupply = (c: Counter64) => action(c, 9, OBIS.disconnectScripts, 1, longUnsigned(0x0033));
export const ecs43DisableSupply = (c: Counter64) => action(c, 70, OBIS.disconnectControl, 1, integerData(0));
export const ecs44ArmSupply = (c: Counter64) => action(c, 70, OBIS.disconnectControl, 2, integerData(0));
export const ecs35bReadSecurityLog = (c: Counter64, nowUnix: number) => getLogRange(c, 7, OBIS.securityLog, 2, UNIX_2000, nowUnix);
