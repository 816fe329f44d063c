/**
 * The contents of the CHF device-log use cases (GBCS CCS01, CCS02, CCS05/CCS04, CCS06, and the CS14 alert),
 * as typed encode/decode pairs over the DLMS codec of `gbcs/dlms/`. All of them address the CHF's COSEM "ZigBee network
 * control" object (interface class 104, OBIS 0-0:30.3.0.255), as the RTDS 4.5.0 files show:
 *
 * CCS01 Add Device (message code 0x0001; RTDS 8.11_CCS01), access-request with three specifications:
 *   action m1 register_device  Data structure { octet-string(8) ieee_address, enum A, octet-string key, enum B }
 *   set    a3 join_timeout     Data long-unsigned (seconds; RTDS 90, DUIS JoinTimePeriod 1..3600)
 *   set    a2 enable joining   Data boolean TRUE
 *   The RTDS key is 16 bytes ("0123456789ABCDEF" in ASCII) with NO CRC: the CHF appends it (hub/installCode).
 *   enum A is 1 and enum B is 0 in the sample; DUIS's request carries no device type, so what they mean is
 *   UNCONFIRMED: we keep both as numbers (`registrationA`, `registrationB`) and give them no meaning.
 * CCS02 Remove Device (0x0002; RTDS 8.11_CCS02): action m2 unregister_device, Data octet-string(8).
 * CCS05/CCS04 Read device log (0x0004; RTDS 8.9_CCS05CCS04): get a4 active_devices, Data null; the response
 *   carries an array of 14-field structures per device (the layout is RTDS-checked; the field names are the
 *   DLMS Blue Book's IC 104 "active_device_entry" as we know it, UNCONFIRMED):
 *     mac_address os(8), status bit-string, max/average/min RSSI integer, max/average/min LQI unsigned,
 *     last_communication_date_time os(12), number_of_hops, transmission_failures, transmission_successes,
 *     application_version, stack_version (unsigned).
 *   CCS06 (0x010F "Read CHF device log and check HAN communications", no RTDS sample) reads the same list
 *   with last-communication times: we give it this content too (UNCONFIRMED).
 * Responses: access-response, one Data per specification (null-data for set/action) and one
 *   (kind, result) per specification; result 0 success (RTDS errors show 01 and FA).
 * CS14 (message code 0x0018, alert code 0x8F12; no RTDS sample): a DLMS data-notification like the generic
 *   DLMS alerts (RTDS NA_GCA-DLMS) with the log as a third element:
 *     0F invoke(4) 00  structure(3) { long-unsigned 8F12, octet-string(12) date-time,
 *                                     array { structure(2) { octet-string(8) device id, octet-string hashed_TC_link_key } } }
 *   The hashed key is empty until a TC link key exists (GBCS CS14 text). The body's layout is OUR READING
 *   of "a back up version of the data in the whitelist" (UNCONFIRMED: no sample, GBCS §18.2 not in our texts).
 * CCS03 (0x0003, restore) and CCS07 (0x00FE, read both logs) have no RTDS sample and no layout in our texts
 *   (GBCS §18.2 is not among them). OUR layouts, on the same IC 104 object, ALL UNCONFIRMED:
 *     CCS03: action m3 restore, Data structure { octet-string(8) extended_PAN_ID,
 *                                                array { structure { octet-string(8) device id, octet-string key } } }
 *            (key: the install code as CCS01 carries it; the use-case text names only restore_PAN.extended_PAN_ID)
 *     CCS07: get a5 device_logs, Data null; response Data structure { array of CS14 lines (the CHF Device Log),
 *            array of CS14 lines (the CHF Historic Device Log) }, each line { device id, hash of its TC link key }.
 * @module
 */
import { bytesEqual } from '../../../lib/bytes.ts';
import { reject } from '../../reject.ts';
import type { Rejection } from '../../reject.ts';
import { decodeAccessRequest, decodeAccessResponse, encodeAccessRequest, encodeAccessResponse, KIND_ACTION, KIND_GET, KIND_SET, RESULT_SUCCESS } from '../../dlms/access.ts';
import type { AccessOutcome, AccessSpec } from '../../dlms/access.ts';
import {
  arrayValue,
  booleanValue,
  dataNumber,
  enumValue,
  integerValue,
  longUnsignedValue,
  nullValue,
  octetStringValue,
  structureValue,
  TAG_ARRAY,
  TAG_BIT_STRING,
  TAG_BOOLEAN,
  TAG_ENUM,
  TAG_INTEGER,
  TAG_LONG_UNSIGNED,
  TAG_NULL,
  TAG_OCTET_STRING,
  TAG_STRUCTURE,
  TAG_UNSIGNED,
  unsignedValue,
} from '../../dlms/data.ts';
import type { DlmsData } from '../../dlms/data.ts';
import { decodeDataNotification, encodeDataNotification } from '../../dlms/notification.ts';

export const MESSAGE_CODE_CCS01 = 0x0001;
export const MESSAGE_CODE_CCS02 = 0x0002;
export const MESSAGE_CODE_CCS03 = 0x0003;
export const MESSAGE_CODE_CCS05 = 0x0004;
export const MESSAGE_CODE_CCS06 = 0x010f;
export const MESSAGE_CODE_CCS07 = 0x00fe;
export const MESSAGE_CODE_CS14 = 0x0018;
export const ALERT_CODE_CS14 = 0x8f12;

/** COSEM interface class "ZigBee network control" and the CHF's instance of it (RTDS 8.9, 8.11). */
export const CLASS_ZIGBEE_NETWORK_CONTROL = 104;
export const OBIS_ZIGBEE_NETWORK_CONTROL = new Uint8Array([0x00, 0x00, 0x1e, 0x03, 0x00, 0xff]);
export const ATTRIBUTE_ENABLE_JOINING = 2;
export const ATTRIBUTE_JOIN_TIMEOUT = 3;
export const ATTRIBUTE_ACTIVE_DEVICES = 4;
export const METHOD_REGISTER_DEVICE = 1;
export const METHOD_UNREGISTER_DEVICE = 2;
/** OUR numbering (UNCONFIRMED, see above). */
export const METHOD_RESTORE = 3;
export const ATTRIBUTE_DEVICE_LOGS = 5;

export { KIND_ACTION, KIND_GET, KIND_SET, RESULT_SUCCESS };

function spec(kind: number, member: number): AccessSpec {
  return { kind: kind, classId: CLASS_ZIGBEE_NETWORK_CONTROL, obis: OBIS_ZIGBEE_NETWORK_CONTROL, member: member };
}

function isSpec(s: AccessSpec, kind: number, member: number): boolean {
  return s.kind === kind && s.classId === CLASS_ZIGBEE_NETWORK_CONTROL && bytesEqual(s.obis, OBIS_ZIGBEE_NETWORK_CONTROL) && s.member === member;
}

function isOctets(d: DlmsData, length?: number): boolean {
  return d.tag === TAG_OCTET_STRING && !!d.raw && (length === undefined || d.raw.length === length);
}

export interface Ccs01Command {
  invokeId: Uint8Array;
  ieeeAddress: Uint8Array;
  /** The install code as CCS01 carries it (6..16 bytes, no CRC). */
  key: Uint8Array;
  /** register_device's first enum (1 in RTDS; meaning UNCONFIRMED). */
  registrationA: number;
  /** register_device's second enum (0 in RTDS; meaning UNCONFIRMED). */
  registrationB: number;
  /** join_timeout, seconds. */
  joinTimeout: number;
  enableJoining: boolean;
}

export function encodeCcs01Command(c: Ccs01Command): Uint8Array {
  return encodeAccessRequest({
    invokeId: c.invokeId,
    specs: [spec(KIND_ACTION, METHOD_REGISTER_DEVICE), spec(KIND_SET, ATTRIBUTE_JOIN_TIMEOUT), spec(KIND_SET, ATTRIBUTE_ENABLE_JOINING)],
    data: [
      structureValue([octetStringValue(c.ieeeAddress), enumValue(c.registrationA), octetStringValue(c.key), enumValue(c.registrationB)]),
      longUnsignedValue(c.joinTimeout),
      booleanValue(c.enableJoining),
    ],
  });
}

export function decodeCcs01Command(content: Uint8Array): Ccs01Command | Rejection {
  const r = decodeAccessRequest(content);
  if ('ok' in r) return r;
  if (r.specs.length !== 3 || r.data.length !== 3 || r.dateTime) return reject('unexpected-content', 0);
  if (!isSpec(r.specs[0], KIND_ACTION, METHOD_REGISTER_DEVICE) || !isSpec(r.specs[1], KIND_SET, ATTRIBUTE_JOIN_TIMEOUT) || !isSpec(r.specs[2], KIND_SET, ATTRIBUTE_ENABLE_JOINING)) {
    return reject('unexpected-content', 6);
  }
  const reg = r.data[0];
  const items = reg.items;
  if (reg.tag !== TAG_STRUCTURE || !items || items.length !== 4) return reject('unexpected-content', 0);
  if (!isOctets(items[0], 8) || items[1].tag !== TAG_ENUM || !isOctets(items[2]) || items[3].tag !== TAG_ENUM) return reject('unexpected-content', 0);
  const key = items[2].raw as Uint8Array;
  if (key.length < 6 || key.length > 16) return reject('unexpected-content', 0);
  if (r.data[1].tag !== TAG_LONG_UNSIGNED || r.data[2].tag !== TAG_BOOLEAN) return reject('unexpected-content', 0);
  return {
    invokeId: r.invokeId,
    ieeeAddress: items[0].raw as Uint8Array,
    key: key,
    registrationA: dataNumber(items[1]),
    registrationB: dataNumber(items[3]),
    joinTimeout: dataNumber(r.data[1]),
    enableJoining: (r.data[2].raw as Uint8Array)[0] !== 0,
  };
}

export interface Ccs02Command {
  invokeId: Uint8Array;
  ieeeAddress: Uint8Array;
}

export function encodeCcs02Command(c: Ccs02Command): Uint8Array {
  return encodeAccessRequest({ invokeId: c.invokeId, specs: [spec(KIND_ACTION, METHOD_UNREGISTER_DEVICE)], data: [octetStringValue(c.ieeeAddress)] });
}

export function decodeCcs02Command(content: Uint8Array): Ccs02Command | Rejection {
  const r = decodeAccessRequest(content);
  if ('ok' in r) return r;
  if (r.specs.length !== 1 || r.data.length !== 1 || r.dateTime || !isSpec(r.specs[0], KIND_ACTION, METHOD_UNREGISTER_DEVICE)) return reject('unexpected-content', 0);
  if (!isOctets(r.data[0], 8)) return reject('unexpected-content', 0);
  return { invokeId: r.invokeId, ieeeAddress: r.data[0].raw as Uint8Array };
}

/** CCS05/CCS04 (and CCS06, UNCONFIRMED): get active_devices. */
export function encodeReadDeviceLogCommand(invokeId: Uint8Array): Uint8Array {
  return encodeAccessRequest({ invokeId: invokeId, specs: [spec(KIND_GET, ATTRIBUTE_ACTIVE_DEVICES)], data: [nullValue()] });
}

export function decodeReadDeviceLogCommand(content: Uint8Array): { invokeId: Uint8Array } | Rejection {
  const r = decodeAccessRequest(content);
  if ('ok' in r) return r;
  if (r.specs.length !== 1 || r.data.length !== 1 || r.dateTime || !isSpec(r.specs[0], KIND_GET, ATTRIBUTE_ACTIVE_DEVICES) || r.data[0].tag !== TAG_NULL) {
    return reject('unexpected-content', 0);
  }
  return { invokeId: r.invokeId };
}

/** One device of the CCS05/CCS06 response (names UNCONFIRMED, layout RTDS-checked). */
export interface ActiveDevice {
  macAddress: Uint8Array;
  /** The status bit-string's bytes (8 bits in RTDS). */
  status: Uint8Array;
  statusBits: number;
  maxRssi: number;
  averageRssi: number;
  minRssi: number;
  maxLqi: number;
  averageLqi: number;
  minLqi: number;
  /** The 12-byte DLMS date-time of the last communication. */
  lastCommunication: Uint8Array;
  numberOfHops: number;
  transmissionFailures: number;
  transmissionSuccesses: number;
  applicationVersion: number;
  stackVersion: number;
}

function activeDeviceData(d: ActiveDevice): DlmsData {
  return structureValue([
    octetStringValue(d.macAddress),
    { tag: TAG_BIT_STRING, raw: d.status, bits: d.statusBits },
    integerValue(d.maxRssi),
    integerValue(d.averageRssi),
    integerValue(d.minRssi),
    unsignedValue(d.maxLqi),
    unsignedValue(d.averageLqi),
    unsignedValue(d.minLqi),
    octetStringValue(d.lastCommunication),
    unsignedValue(d.numberOfHops),
    unsignedValue(d.transmissionFailures),
    unsignedValue(d.transmissionSuccesses),
    unsignedValue(d.applicationVersion),
    unsignedValue(d.stackVersion),
  ]);
}

const ACTIVE_DEVICE_TAGS = [TAG_OCTET_STRING, TAG_BIT_STRING, TAG_INTEGER, TAG_INTEGER, TAG_INTEGER, TAG_UNSIGNED, TAG_UNSIGNED, TAG_UNSIGNED, TAG_OCTET_STRING, TAG_UNSIGNED, TAG_UNSIGNED, TAG_UNSIGNED, TAG_UNSIGNED, TAG_UNSIGNED];

function activeDeviceFrom(d: DlmsData): ActiveDevice | undefined {
  const it = d.items;
  if (d.tag !== TAG_STRUCTURE || !it || it.length !== 14) return undefined;
  for (let i = 0; i < 14; i++) if (it[i].tag !== ACTIVE_DEVICE_TAGS[i]) return undefined;
  if (!isOctets(it[0], 8) || !isOctets(it[8], 12)) return undefined;
  return {
    macAddress: it[0].raw as Uint8Array,
    status: it[1].raw as Uint8Array,
    statusBits: it[1].bits as number,
    maxRssi: dataNumber(it[2]),
    averageRssi: dataNumber(it[3]),
    minRssi: dataNumber(it[4]),
    maxLqi: dataNumber(it[5]),
    averageLqi: dataNumber(it[6]),
    minLqi: dataNumber(it[7]),
    lastCommunication: it[8].raw as Uint8Array,
    numberOfHops: dataNumber(it[9]),
    transmissionFailures: dataNumber(it[10]),
    transmissionSuccesses: dataNumber(it[11]),
    applicationVersion: dataNumber(it[12]),
    stackVersion: dataNumber(it[13]),
  };
}

export interface ReadDeviceLogResponse {
  invokeId: Uint8Array;
  /** Undefined when the get failed (`result` then says why). */
  devices?: ActiveDevice[];
  result: number;
}

export function encodeReadDeviceLogResponse(r: ReadDeviceLogResponse): Uint8Array {
  const items: DlmsData[] = [];
  const devices = r.devices || [];
  for (let i = 0; i < devices.length; i++) items.push(activeDeviceData(devices[i]));
  return encodeAccessResponse({
    invokeId: r.invokeId,
    data: [r.result === RESULT_SUCCESS ? arrayValue(items) : nullValue()],
    results: [{ kind: KIND_GET, result: r.result }],
  });
}

export function decodeReadDeviceLogResponse(content: Uint8Array): ReadDeviceLogResponse | Rejection {
  const r = decodeAccessResponse(content);
  if ('ok' in r) return r;
  if (r.data.length !== 1 || r.results.length !== 1 || r.results[0].kind !== KIND_GET || r.dateTime) return reject('unexpected-content', 0);
  const result = r.results[0].result;
  if (result !== RESULT_SUCCESS) {
    if (r.data[0].tag !== TAG_NULL) return reject('unexpected-content', 0);
    return { invokeId: r.invokeId, result: result };
  }
  const list = r.data[0];
  if (list.tag !== TAG_ARRAY || !list.items) return reject('unexpected-content', 0);
  const devices: ActiveDevice[] = [];
  for (let i = 0; i < list.items.length; i++) {
    const d = activeDeviceFrom(list.items[i]);
    if (!d) return reject('unexpected-content', 0);
    devices.push(d);
  }
  return { invokeId: r.invokeId, devices: devices, result: result };
}

/** An action/set response (CCS01: [action, set, set]; CCS02: [action]): null-data per specification. */
export function encodeResultsResponse(invokeId: Uint8Array, results: AccessOutcome[]): Uint8Array {
  const data: DlmsData[] = [];
  for (let i = 0; i < results.length; i++) data.push(nullValue());
  return encodeAccessResponse({ invokeId: invokeId, data: data, results: results });
}

export function decodeResultsResponse(content: Uint8Array): { invokeId: Uint8Array; results: AccessOutcome[] } | Rejection {
  const r = decodeAccessResponse(content);
  if ('ok' in r) return r;
  if (r.data.length !== r.results.length || r.dateTime) return reject('unexpected-content', 0);
  for (let i = 0; i < r.data.length; i++) if (r.data[i].tag !== TAG_NULL) return reject('unexpected-content', 0);
  return { invokeId: r.invokeId, results: r.results };
}

/** One line of the CS14 backup: a device on the log and the hash of its TC link key (empty until one exists). */
export interface DeviceLogBackupEntry {
  deviceId: Uint8Array;
  hashedTcLinkKey: Uint8Array;
}

export interface Cs14Alert {
  invokeId: Uint8Array;
  /** The 12-byte DLMS date-time of the change. */
  dateTime: Uint8Array;
  entries: DeviceLogBackupEntry[];
}

export function encodeCs14Alert(a: Cs14Alert): Uint8Array {
  const list: DlmsData[] = [];
  for (let i = 0; i < a.entries.length; i++) list.push(structureValue([octetStringValue(a.entries[i].deviceId), octetStringValue(a.entries[i].hashedTcLinkKey)]));
  return encodeDataNotification({ invokeId: a.invokeId, body: structureValue([longUnsignedValue(ALERT_CODE_CS14), octetStringValue(a.dateTime), arrayValue(list)]) });
}

export function decodeCs14Alert(content: Uint8Array): Cs14Alert | Rejection {
  const n = decodeDataNotification(content);
  if ('ok' in n) return n;
  const it = n.body.items;
  if (n.dateTime || n.body.tag !== TAG_STRUCTURE || !it || it.length !== 3) return reject('unexpected-content', 0);
  if (it[0].tag !== TAG_LONG_UNSIGNED || dataNumber(it[0]) !== ALERT_CODE_CS14 || !isOctets(it[1], 12) || it[2].tag !== TAG_ARRAY || !it[2].items) {
    return reject('unexpected-content', 0);
  }
  const entries: DeviceLogBackupEntry[] = [];
  for (let i = 0; i < it[2].items.length; i++) {
    const e = it[2].items[i];
    if (e.tag !== TAG_STRUCTURE || !e.items || e.items.length !== 2 || !isOctets(e.items[0], 8) || !isOctets(e.items[1])) return reject('unexpected-content', 0);
    entries.push({ deviceId: e.items[0].raw as Uint8Array, hashedTcLinkKey: e.items[1].raw as Uint8Array });
  }
  return { invokeId: n.invokeId, dateTime: it[1].raw as Uint8Array, entries: entries };
}

/** One device of a CCS03 restore: its id and the install code (no CRC) the CHF then joins it with. */
export interface RestoreEntry {
  deviceId: Uint8Array;
  key: Uint8Array;
}

export interface Ccs03Command {
  invokeId: Uint8Array;
  extendedPanId: Uint8Array;
  devices: RestoreEntry[];
}

export function encodeCcs03Command(c: Ccs03Command): Uint8Array {
  const list: DlmsData[] = [];
  for (let i = 0; i < c.devices.length; i++) list.push(structureValue([octetStringValue(c.devices[i].deviceId), octetStringValue(c.devices[i].key)]));
  return encodeAccessRequest({ invokeId: c.invokeId, specs: [spec(KIND_ACTION, METHOD_RESTORE)], data: [structureValue([octetStringValue(c.extendedPanId), arrayValue(list)])] });
}

export function decodeCcs03Command(content: Uint8Array): Ccs03Command | Rejection {
  const r = decodeAccessRequest(content);
  if ('ok' in r) return r;
  if (r.specs.length !== 1 || r.data.length !== 1 || r.dateTime || !isSpec(r.specs[0], KIND_ACTION, METHOD_RESTORE)) return reject('unexpected-content', 0);
  const it = r.data[0].items;
  if (r.data[0].tag !== TAG_STRUCTURE || !it || it.length !== 2 || !isOctets(it[0], 8) || it[1].tag !== TAG_ARRAY || !it[1].items) return reject('unexpected-content', 0);
  const devices: RestoreEntry[] = [];
  for (let i = 0; i < it[1].items.length; i++) {
    const e = it[1].items[i];
    if (e.tag !== TAG_STRUCTURE || !e.items || e.items.length !== 2 || !isOctets(e.items[0], 8) || !isOctets(e.items[1])) return reject('unexpected-content', 0);
    const key = e.items[1].raw as Uint8Array;
    if (key.length < 6 || key.length > 16) return reject('unexpected-content', 0);
    devices.push({ deviceId: e.items[0].raw as Uint8Array, key: key });
  }
  return { invokeId: r.invokeId, extendedPanId: it[0].raw as Uint8Array, devices: devices };
}

export function encodeCcs07Command(invokeId: Uint8Array): Uint8Array {
  return encodeAccessRequest({ invokeId: invokeId, specs: [spec(KIND_GET, ATTRIBUTE_DEVICE_LOGS)], data: [nullValue()] });
}

export function decodeCcs07Command(content: Uint8Array): { invokeId: Uint8Array } | Rejection {
  const r = decodeAccessRequest(content);
  if ('ok' in r) return r;
  if (r.specs.length !== 1 || r.data.length !== 1 || r.dateTime || !isSpec(r.specs[0], KIND_GET, ATTRIBUTE_DEVICE_LOGS) || r.data[0].tag !== TAG_NULL) return reject('unexpected-content', 0);
  return { invokeId: r.invokeId };
}

export interface Ccs07Response {
  invokeId: Uint8Array;
  deviceLog: DeviceLogBackupEntry[];
  historicLog: DeviceLogBackupEntry[];
}

function backupList(entries: DeviceLogBackupEntry[]): DlmsData {
  const list: DlmsData[] = [];
  for (let i = 0; i < entries.length; i++) list.push(structureValue([octetStringValue(entries[i].deviceId), octetStringValue(entries[i].hashedTcLinkKey)]));
  return arrayValue(list);
}

function readBackupList(d: DlmsData): DeviceLogBackupEntry[] | undefined {
  if (d.tag !== TAG_ARRAY || !d.items) return undefined;
  const out: DeviceLogBackupEntry[] = [];
  for (let i = 0; i < d.items.length; i++) {
    const e = d.items[i];
    if (e.tag !== TAG_STRUCTURE || !e.items || e.items.length !== 2 || !isOctets(e.items[0], 8) || !isOctets(e.items[1])) return undefined;
    out.push({ deviceId: e.items[0].raw as Uint8Array, hashedTcLinkKey: e.items[1].raw as Uint8Array });
  }
  return out;
}

export function encodeCcs07Response(r: Ccs07Response): Uint8Array {
  return encodeAccessResponse({ invokeId: r.invokeId, data: [structureValue([backupList(r.deviceLog), backupList(r.historicLog)])], results: [{ kind: KIND_GET, result: RESULT_SUCCESS }] });
}

export function decodeCcs07Response(content: Uint8Array): Ccs07Response | Rejection {
  const r = decodeAccessResponse(content);
  if ('ok' in r) return r;
  if (r.data.length !== 1 || r.results.length !== 1 || r.dateTime) return reject('unexpected-content', 0);
  const it = r.data[0].items;
  if (r.data[0].tag !== TAG_STRUCTURE || !it || it.length !== 2) return reject('unexpected-content', 0);
  const a = readBackupList(it[0]);
  const b = readBackupList(it[1]);
  if (!a || !b) return reject('unexpected-content', 0);
  return { invokeId: r.invokeId, deviceLog: a, historicLog: b };
}
