/**
 * Transform (DUIS serviceT, and the first step of serviceS): what GBCS pre-command the DCC makes of an
 * accepted service request. The header comes from the request, as GBCS §13 / DUIS say: originator and
 * recipient from the RequestID, the GBCS originator counter = the RequestID counter, the message code
 * of the use case, date-time absent (00). The use case is chosen by the Service Reference Variant and
 * the target's device type (the DCC's inventory: `Inventory`), then by the request's own content where
 * one variant covers several use cases.
 *
 * The content is built by the use case's encoder, from the request's values. Encoders exist for the use
 * cases in `CATALOGUE` with a `content`; every other Service Reference Variant known to the catalogue is
 * answered `not-implemented` with the use case named, and an unknown one `unknown-service` (E11/E12
 * decide the DUIS code). Nothing is copied from the reference files: the DLMS and ASN.1 shapes are the
 * public ones (harness/dcc/dlmsContent.ts, gbcs/der.ts); the tests compare with the RTDS.
 * @module
 */
import { buildPrecommand } from '../dcc/preCommand.ts';
import * as dlms from '../dcc/dlmsContent.ts';
import { invokeIdFor } from '../../gbcs/dlms/access.ts';
import { counterFromHex, counterFromNumber } from '../../gbcs/counter64.ts';
import { messageCodesFor, messageCodeInfo, roleFromNumber } from '../../gbcs/messageCodes.ts';
import type { RemotePartyRole } from '../../gbcs/messageCodes.ts';
import { derNull, derOctetString } from '../../gbcs/der.ts';
import { fromHex, toHex } from '../../lib/bytes.ts';
import type { DuisRequest } from './request.ts';
import { child, childElements, textOf } from './xml.ts';
import { gbzCommands } from '../../gbcs/gbz/readAttributes.ts';
import * as gbz from '../dcc/gbzContent.ts';
import { encodeCcs01Command, encodeCcs02Command } from '../../gbcs/contents/hub/chfDeviceLog.ts';
import * as cfg from '../dcc/dlmsConfig.ts';
import * as calendar from './calendar.ts';
import { TransformError, auxSwitch, billingTime, bodyElement, bodyText, credentialRoles, cs02CredentialDetails, cs06, dlmsExecution, ecs01b, ecs25, ecs70, elecPrepay, elementInt, euiOf, eventLogIs, gasBillingCalendar, gasPrepay, gcs01b, gcs28, getList, joinContent, logIs, logPeriod, logRead, protectedGet, protectedRead, requestBool, requestChoice, requestChoiceIn, requestDecimal, requestInt32, requestSeconds, requestText, requestTime, requestUint, requestUint16, snapshots, voltageSettings, zclExecution, zclRead } from './useCaseContent.ts';
import type { BuildInput, EsmeVariant, TransformRefusal } from './useCaseContent.ts';
export { TransformError } from './useCaseContent.ts';
export type { EsmeVariant, TransformRefusal } from './useCaseContent.ts';

import type { DeviceType, Inventory } from './inventory.ts';

export type { DeviceType, Inventory };

/**
 * The DCC Boxed / RTDS test devices (the ids every DUIS template addresses): the test ESME ...90A0 and
 * its gas meter, hub, GPF, PPMID and HCALCS, as the templates' use cases show them.
 */
export const RTDS_INVENTORY: Inventory = {
  '00DB1234567890A0': 'ESME',
  '00DB1234567890A1': 'GSME',
  '00DB1234567890A2': 'CHF',
  '00DB1234567890A3': 'GPF',
  '00DB1234567890A4': 'PPMID',
  '00DB1234567890A5': 'HCALCS',
  // The devices the join templates pair them with (CS03A2: an ESME for the HCALCS; CS03B: a GPF for the GSME;
  // CS03C: a PPMID for the GSME), typed as the RTDS join commands carry their device type (UNCONFIRMED)
  '00DB123456789093': 'ESME',
  '00DB12345678909C': 'GPF',
  '00DB123456789098': 'PPMID',
};


/** Options of `transform`: the DCC's state the request does not carry. */
export interface TransformOptions {
  /** The DCC's clock (Unix seconds; default the system clock). */
  now?: number;
  /**
   * For the use cases the DCC sends as the ACB: the ACB's EUI-64 (hex) and its next originator counter (the
   * DCC's own, rising per ACB command). Without them those use cases are refused `not-implemented`.
   */
  acb?: { eui: string; counter: number };
  /** ESME element variants by EUI-64 (the DCC's inventory); an ESME not listed is single element. */
  esmeVariants?: Record<string, EsmeVariant>;
}

interface UseCaseEntry {
  /** GBCS use case, e.g. 'ECS52'. */
  useCase: string;
  device: DeviceType;
  /** The body elements this use case serves (DUIS). */
  services: string[];
  /** Picks this use case among several for one variant and device, from the request's content. */
  when?: (r: DuisRequest) => boolean;
  /** The originator's role this use case is for, where a variant splits by role (ECS25r1 supplier, ECS25r2 NO). */
  role?: RemotePartyRole;
  /** The name the message-code table knows it by, when not `useCase` (CCS05CCS04 -> CCS04). */
  codeName?: string;
  content?: (b: BuildInput) => Uint8Array;
  /**
   * Sent by the DCC as the ACB on the user's behalf (GBCS §4.3.3; the RTDS shows these with the ACB as
   * originator, its own counter, and the user and the request's counter as supplementary remote party;
   * 'plain': the ACB alone, no supplementary remote party, as the RTDS's CS02a/CS02f/CS08).
   */
  acbOriginated?: boolean | 'plain';
}

/**
 * Service Reference Variant -> the use cases the DCC may make of it (DUIS / GBCS mapping table).
 * Entries without `content` are known but not built here (the gap list names them).
 */
export const CATALOGUE: Record<string, UseCaseEntry[]> = {
  '11.2': [
    { useCase: 'ECS52', device: 'ESME', services: ['ReadFirmwareVersion'], content: (b) => dlms.ecs52ReadFirmwareVersion(b.counter) },
    // GCS38: metering cluster 0x0206 (the firmware version as GBCS maps it)
    { useCase: 'GCS38', device: 'GSME', services: ['ReadFirmwareVersion'], content: zclRead([[0x0702, [0x0206]]]) },
    // CS08 (PPMID/HCALCS firmware version): ASN.1 NULL sent by the DCC as the ACB. Not built: the sampled request
    // comes from the ACB itself while the RTDS command names the ZAZ1 supplier as supplementary remote party, so
    // the sample shows no rule for who the supplementary party is.
    { useCase: 'CS08', device: 'PPMID', services: ['ReadFirmwareVersion'], acbOriginated: true },
  ],
  // ECS17a: active export register (1-0:2.8.0.255) and reactive export (1-0:4.8.0.255), value and scaler_unit
  '4.2': [{ useCase: 'ECS17a', device: 'ESME', services: ['ReadInstantaneousExportRegisters'], content: getList([[3, '1-0:2.8.0.255', 2], [3, '1-0:2.8.0.255', 3], [3, '1-0:4.8.0.255', 2], [3, '1-0:4.8.0.255', 3]]) }],
  // ECS17c: active power import, GB data object 0-0:94.44.34.20
  '4.16': [{ useCase: 'ECS17c', device: 'ESME', services: ['ReadActivePowerImport'], content: getList([[1, '0-0:94.44.34.20', 2]]) }],
  // ECS26j: payment mode, account setup object (class 111) 0-0:19.0.0.255
  '6.2.9': [
    { useCase: 'ECS26j', device: 'ESME', services: ['ReadDeviceConfigurationPaymentMode'], content: getList([[111, '0-0:19.0.0.255', 2]]) },
    // GCS21j: prepayment cluster payment control configuration (0x0000)
    { useCase: 'GCS21j', device: 'GSME', services: ['ReadDeviceConfigurationPaymentMode'], content: zclRead([[0x0705, [0x0000]]]) },
  ],
  // ECS18a: maximum demand export (GB 0-0:94.44.5.2; extended register 1-0:2.6.0.255 value, scaler_unit, capture time)
  '4.12.2': [{ useCase: 'ECS18a', device: 'ESME', services: ['ReadMaximumDemandExportRegisters'], content: getList([[1, '0-0:94.44.5.2', 2], [4, '1-0:2.6.0.255', 2], [4, '1-0:2.6.0.255', 3], [4, '1-0:2.6.0.255', 5]]) }],
  // ECS24: primary tariff: price scale, activity calendar (passive), special days, register activations, block thresholds
  '4.11.1': [
    {
      useCase: 'ECS24', device: 'ESME', services: ['ReadTariffPrimaryElement'],
      content: getList([[3, '0-0:94.44.1.7', 2], [3, '0-0:94.44.1.7', 3], [20, '0-0:13.0.0.255', 3], [20, '0-0:13.0.0.255', 4], [20, '0-0:13.0.0.255', 5], [11, '0-0:11.0.0.255', 2],
        [21, '0-0:16.0.11.255', 2], [21, '0-0:16.0.12.255', 2], [21, '0-0:16.0.13.255', 2], [21, '0-0:16.0.14.255', 2], [21, '0-0:16.0.15.255', 2], [21, '0-0:16.0.16.255', 2], [21, '0-0:16.0.17.255', 2], [21, '0-0:16.0.18.255', 2],
        [9000, '0-0:94.44.2.0', 2], [113, '0-0:19.20.4.255', 5], [113, '0-0:19.20.0.255', 5]]),
    },
    { useCase: 'GCS21f', device: 'GSME', services: ['ReadTariffPrimaryElement'], content: () => gbz.gcs21fReadTariff() },
  ],
  // ECS24b: secondary tariff element
  '4.11.2': [{ useCase: 'ECS24b', device: 'ESME', services: ['ReadTariffSecondaryElement'], content: getList([[113, '0-0:19.20.5.255', 5], [3, '0-0:94.44.1.8', 2], [3, '0-0:94.44.1.8', 3], [11, '0-0:11.0.1.255', 2], [20, '0-0:13.0.1.255', 3], [20, '0-0:13.0.1.255', 4], [20, '0-0:13.0.1.255', 5]]) }],
  // ECS25r1 (supplier) / ECS25r2 (network operator): event and alert behaviours of the party's own alerts
  '6.2.10': [
    { useCase: 'ECS25r1', device: 'ESME', role: 'supplier', services: ['ReadDeviceConfigurationEventAndAlertBehaviours'], content: getList([[1, '0-30:97.98.15.255', 2], [1, '0-30:97.98.16.255', 2], [1, '0-30:97.98.17.255', 2], [1, '0-30:97.98.18.255', 2]]) },
    { useCase: 'ECS25r2', device: 'ESME', role: 'networkOperator', services: ['ReadDeviceConfigurationEventAndAlertBehaviours'], content: getList([[1, '0-33:97.98.15.255', 2], [1, '0-33:97.98.18.255', 2]]) },
  ],
  // ECS26b: voltage configuration (register monitors 0-0:17.0.1..4.255 thresholds and actions; RMS voltage periods)
  '6.2.1': [{
    useCase: 'ECS26b', device: 'ESME', services: ['ReadDeviceConfigurationVoltage'],
    content: getList([[71, '0-0:17.0.1.255', 4], [71, '0-0:17.0.1.255', 6], [71, '0-0:17.0.2.255', 4], [71, '0-0:17.0.2.255', 6], [71, '0-0:17.0.3.255', 4], [71, '0-0:17.0.3.255', 6], [71, '0-0:17.0.4.255', 4], [71, '0-0:17.0.4.255', 6], [1, '1-0:32.35.0.4', 2], [1, '1-0:32.31.0.4', 2]]),
  }],
  // ECS26c: randomisation offsets
  '6.2.2': [{ useCase: 'ECS26c', device: 'ESME', services: ['ReadDeviceConfigurationRandomisation'], content: getList([[1, '0-0:94.44.0.0', 2], [1, '0-0:94.44.0.2', 2], [1, '0-0:94.44.0.1', 2]]) }],
  // ECS26d: billing calendar (single action schedule 0-0:15.0.0.255 execution_time). ECS26l reads the same
  // object under its own message code; the DUIS request does not say which, so ECS26d is built.
  '6.2.3': [
    { useCase: 'ECS26d', device: 'ESME', services: ['ReadDeviceConfigurationBillingCalendar'], content: getList([[22, '0-0:15.0.0.255', 4]]) },
    // GCS21k: price cluster Get Billing Period (0x0B): earliest start 0 (now), min issuer event id FFFFFFFF, one command, tariff type 0
    { useCase: 'GCS21k', device: 'GSME', services: ['ReadDeviceConfigurationBillingCalendar'], content: () => gbzCommands([{ cluster: 0x0700, frameControl: 0x01, command: 0x0b, payload: new Uint8Array([0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00]) }]) },
  ],
  // ECS27: load limit data
  '4.15': [{ useCase: 'ECS27', device: 'ESME', services: ['ReadLoadLimitData'], content: getList([[9000, '0-0:94.44.0.3', 2], [3, '0-0:94.44.42.255', 2], [3, '0-0:94.44.42.255', 3], [71, '0-0:17.0.0.255', 4], [71, '0-0:17.0.0.255', 6], [71, '0-0:17.0.0.255', 7]]) }],
  // ECS40: MPAN(s): GB 0-0:94.44.34.11 and the MPAN 1-0:0.0.2.255 (the same objects for a single and a twin element meter)
  '6.2.7': [{ useCase: 'ECS40', device: 'ESME', services: ['ReadDeviceConfigurationMPxN'], content: getList([[1, '0-0:94.44.34.11', 2], [1, '1-0:0.0.2.255', 2]]) }],
  // ECS61d / ECS61e: auxiliary controller configuration and operational data. ECS61d is NOT BUILT as a user's
  // pre-command: the RTDS shows the DCC sending it as the ACB, with the Supplier as supplementary remote party and
  // counter (a header form this transform does not make); the lists are kept for when it does.
  '7.14': [{ useCase: 'ECS61d', device: 'ESME', services: ['ReadAuxiliaryControllerConfigurationData'], acbOriginated: true, content: getList([[1, '0-0:94.44.0.11', 2], [1, '0-0:94.44.0.12', 2], [1, '0-0:94.44.0.13', 2], [1, '0-0:94.44.0.14', 2], [1, '0-0:94.44.0.15', 2], [11, '0-0:11.0.3.255', 2], [10, '0-0:12.0.2.255', 2]]) }],
  '7.15': [{
    useCase: 'ECS61e', device: 'ESME', services: ['ReadAuxiliaryControllerOperationalData'],
    content: getList([[1, '0-0:94.44.0.21', 2], [1, '0-0:94.44.0.22', 2], [1, '0-0:94.44.0.23', 2], [1, '0-0:94.44.0.24', 2], [1, '0-0:94.44.0.25', 2], [1, '0-0:94.44.0.31', 2], [1, '0-0:94.44.0.32', 2], [1, '0-0:94.44.0.33', 2], [1, '0-0:94.44.0.34', 2], [1, '0-0:94.44.0.35', 2]]),
  }],
  // CCS05/CCS04 on the Communications Hub: the CHF device log (0-0:30.3.0.255, class 104 attribute 4); CS07 for a GSME
  '8.9': [
    { useCase: 'CCS05CCS04', codeName: 'CCS04', device: 'CHF', services: ['ReadDeviceLog'], acbOriginated: true, content: getList([[104, '0-0:30.3.0.255', 4]]) },
    // CS07 read device join details: its content is an ASN.1 NULL
    { useCase: 'CS07', device: 'GSME', services: ['ReadDeviceLog'], content: () => derNull() },
  ],
  // DBCH01: the CHF's sub-GHz channel (GB 0-0:94.44.10.2)
  '6.31': [{ useCase: 'DBCH01', device: 'CHF', services: ['ReadCHFSubGHzChannel'], acbOriginated: true, content: getList([[1, '0-0:94.44.10.2', 2]]) }],
  // 6.13 Read Event or Security Log: the ESME's event (0-0:99.98.0.255), security (0-0:99.98.1.255) and ALCS
  // event (0-17:99.98.2.255) logs; ECS35f for a supplier, ECS35g for a network operator (same objects); the
  // CHF's logs (ECS35c/d) are ACB-originated; the GSME's (CS10b) ZigBee.
  '6.13': [
    { useCase: 'ECS35a', device: 'ESME', services: ['ReadEventOrSecurityLog'], when: logIs('Event'), content: logRead('0-0:99.98.0.255') },
    { useCase: 'ECS35b', device: 'ESME', services: ['ReadEventOrSecurityLog'], when: logIs('Security'), content: logRead('0-0:99.98.1.255') },
    { useCase: 'ECS35f', device: 'ESME', role: 'supplier', services: ['ReadEventOrSecurityLog'], when: logIs('ALCSEvent'), content: logRead('0-17:99.98.2.255') },
    { useCase: 'ECS35g', device: 'ESME', role: 'networkOperator', services: ['ReadEventOrSecurityLog'], when: logIs('ALCSEvent'), content: logRead('0-17:99.98.2.255') },
    { useCase: 'ECS35c', device: 'CHF', services: ['ReadEventOrSecurityLog'], when: logIs('Event'), acbOriginated: true, content: logRead('0-0:99.98.0.255') },
    { useCase: 'ECS35d', device: 'CHF', services: ['ReadEventOrSecurityLog'], when: logIs('Security'), acbOriginated: true, content: logRead('0-0:99.98.1.255') },
    // CS10b: the GSME security log (ZCL log id 4); the GSME event log's log id is not confirmed here, so only Security is built
    { useCase: 'CS10b', device: 'GSME', services: ['ReadEventOrSecurityLog'], when: logIs('Security'), content: (b) => { const t = logPeriod(b.request); return gbz.cs10bSecurityLog(t[0], t[1]); } },
    { useCase: 'CS10b', device: 'GSME', services: ['ReadEventOrSecurityLog'] },
  ],
  // Configuration writes and resets whose DLMS content is one set/action on known objects (harness/dcc/dlmsContent.ts)
  '3.3': [
    { useCase: 'ECS15a', device: 'ESME', services: ['ClearEventLog'], when: eventLogIs('ESME'), content: (b) => dlms.ecs15ClearLog(b.counter, false) },
    { useCase: 'ECS15c', device: 'ESME', services: ['ClearEventLog'], when: eventLogIs('ALCS'), content: (b) => dlms.ecs15ClearLog(b.counter, true) },
  ],
  '6.4.2': [{ useCase: 'ECS28b', device: 'ESME', services: ['UpdateDeviceConfigurationLoadLimitingCounterReset'], content: (b) => dlms.ecs28bResetLoadLimitCounter(b.counter) }],
  // ECS29e (single-phase ESME) / ECS29f (polyphase): the request is the same; the DCC chooses by the meter's
  // variant, and the inventory here does not say (RTDS_INVENTORY's ESME is single-phase: ECS26b reads L1 only).
  '6.27': [
    { useCase: 'ECS29e', device: 'ESME', services: ['UpdateDeviceConfigurationRMSVoltageCounterReset'], content: (b) => dlms.ecs29ResetRmsVoltageCounters(b.counter, [1]) },
    { useCase: 'ECS29f', device: 'ESME', services: ['UpdateDeviceConfigurationRMSVoltageCounterReset'], content: (b) => dlms.ecs29ResetRmsVoltageCounters(b.counter, [1, 2, 3]) },
  ],
  '2.5': [
    { useCase: 'ECS09', device: 'ESME', services: ['ActivateEmergencyCredit'], content: (b) => dlms.ecs09ActivateEmergencyCredit(b.counter) },
    // GCS06: prepayment cluster Select Available Emergency Credit (0x00): issue date-time 0, originating device 0
    { useCase: 'GCS06', device: 'GSME', services: ['ActivateEmergencyCredit'], content: () => gbzCommands([{ cluster: 0x0705, frameControl: 0x01, command: 0x00, payload: new Uint8Array(5) }]) },
  ],
  '3.2': [{ useCase: 'ECS12', device: 'ESME', services: ['RestrictAccessForChangeOfTenancy'], content: (b) => dlms.ecs12ChangeOfTenancy(b.counter, requestSeconds(b.request, 'RestrictionDateTime')) }],
  '3.5': [{ useCase: 'ECS14', device: 'ESME', services: ['DisablePrivacyPIN'], content: (b) => dlms.ecs14DisablePrivacyPin(b.counter) }],
  '6.12': [{
    useCase: 'ECS34', device: 'ESME', services: ['UpdateDeviceConfigurationInstantaneousPowerThreshold'],
    content: (b) => dlms.ecs34PowerThresholds(b.counter, [requestUint(b.request, 'LowMediumPowerThreshold'), requestUint(b.request, 'MediumHighPowerThreshold')]),
  }],
  '6.26': [{
    useCase: 'ECS48', device: 'ESME', services: ['UpdateDeviceConfigurationDailyResettingOfTariffBlockCounterMatrix'],
    content: (b) => dlms.ecs48DailyBlockCounterReset(b.counter, requestBool(b.request, 'DailyTariffBlockCounterMatrixReset')),
  }],
  // GSME/GPF reads of ZCL attributes (the same command whether addressed to the GSME or to its mirror on the GPF)
  // GCS21a: price cluster 0x0302..0x0306 (conversion factor, calorific value and their units/trailing digits),
  // metering cluster 0x0B10..0x0B15 (GBCS gas configuration attributes)
  '6.2.8': [{ useCase: 'GCS21a', device: 'GSME', services: ['ReadDeviceConfigurationGas'], content: zclRead([[0x0700, [0x0306, 0x0305, 0x0304, 0x0303, 0x0302]], [0x0702, [0x0B13, 0x0B12, 0x0B11, 0x0B10, 0x0B14, 0x0B15]]]) }],
  // GCS21e: basic cluster 0x0004, 0x0005, 0x0003 (manufacturer, model, hardware version); metering 0x0608, 0x0607
  '6.2.4': [{ useCase: 'GCS21e', device: 'GSME', services: ['ReadDeviceConfigurationIdentityExcMPxN'], content: zclRead([[0x0000, [0x0004, 0x0005, 0x0003]], [0x0702, [0x0608, 0x0607]]]) }],
  // GCS13b: metering block counters 0x0700..0x0703 and block thresholds 0x0302, 0x0301, 0x0300
  '4.1.4': ['GSME', 'GPF'].map((device) => ({ useCase: 'GCS13b', device: device as DeviceType, services: ['ReadInstantaneousImportBlockCounters'], content: zclRead([[0x0702, [0x0700, 0x0701, 0x0702, 0x0703, 0x0302, 0x0301, 0x0300]]]) })),
  // GCS14: price cluster 0x0617, 0x0616; prepayment cluster 0x0005, 0x0002, 0x0001, 0x0231, 0x0211, 0x0221
  '4.3': [
    ...['GSME', 'GPF'].map((device) => ({ useCase: 'GCS14', device: device as DeviceType, services: ['ReadInstantaneousPrepayValues'], content: zclRead([[0x0700, [0x0617, 0x0616]], [0x0705, [0x0005, 0x0002, 0x0001, 0x0231, 0x0211, 0x0221]]]) })),
    // ECS19 on the ESME: a protected read (data protection 0-0:43.2.1.255) of the GB prepayment values object 0-0:94.44.34.30
    { useCase: 'ECS19', device: 'ESME', services: ['ReadInstantaneousPrepayValues'], content: protectedGet('0-0:43.2.1.255', '0-0:94.44.34.30') },
  ],
  // GCS60 (the GSME) / GCS60a (its GPF mirror): metering 0x0A00, prepayment 0x0001 (meter balance)
  '4.18': [
    { useCase: 'GCS60', device: 'GSME', services: ['ReadMeterBalance'], content: zclRead([[0x0702, [0x0A00]], [0x0705, [0x0001]]]) },
    { useCase: 'GCS60a', device: 'GPF', services: ['ReadMeterBalance'], content: zclRead([[0x0702, [0x0A00]], [0x0705, [0x0001]]]) },
  ],
  // Profile reads restricted by the request's ReadLogPeriod (get-with-selection, range by GB UTC seconds, as 6.13):
  // billing data log debt payments (0-0:98.1.4.255), prepayment credits (0-0:98.1.5.255), export profile (0-0:99.1.1.255)
  '4.4.4': [
    { useCase: 'ECS20a', device: 'ESME', services: ['RetrieveBillingDataLogDebtPayments'], content: logRead('0-0:98.1.4.255') },
    { useCase: 'GCS15d', device: 'GSME', services: ['RetrieveBillingDataLogDebtPayments'], acbOriginated: true, content: (b) => { const t = logPeriod(b.request); return gbz.gcs15dDebtPayments(t[0], t[1]); } },
  ],
  '4.4.5': [
    { useCase: 'ECS20d', device: 'ESME', services: ['RetrieveBillingDataLogPrepaymentCredits'], content: logRead('0-0:98.1.5.255') },
    { useCase: 'GCS15e', device: 'GSME', services: ['RetrieveBillingDataLogPrepaymentCredits'], content: (b) => { const t = logPeriod(b.request); return gbz.gcs15eTopUps(t[0], t[1]); } },
  ],
  '4.8.3': [{ useCase: 'ECS22a', device: 'ESME', services: ['ReadExportProfileData'], content: logRead('0-0:99.1.1.255') }],
  // Protected profile reads by ReadLogPeriod (data protection object 0-0:43.2.N.255 per log; dlmsContent.protectedProfileRead):
  // CoM/tariff-triggered billing data log 0-0:98.1.2.255; billing-calendar-triggered 0-0:98.1.0.255 and
  // 0-0:98.1.1.255; daily read log 0-0:98.1.9.255; active import profile 0-0:99.1.0.255; prepayment daily read
  // log 0-0:98.1.8.255 (the URP form, which carries the user's KA certificate, is not built)
  '4.4.2': [
    { useCase: 'ECS20b', device: 'ESME', services: ['RetrieveCoMOrTariffTriggeredBillingDataLog'], content: protectedRead('0-0:43.2.3.255', ['0-0:98.1.2.255']) },
    // GCS15b: the 12 billing snapshots, prepayment (GetPrepaySnapshot) then metering (GetSnapshot), cause 0x6008
    { useCase: 'GCS15b', device: 'GSME', services: ['RetrieveCoMOrTariffTriggeredBillingDataLog'], content: (b) => { const t = logPeriod(b.request); return gbzCommands([...snapshots(0x0705, 0x07, 12, 0x6008, t), ...snapshots(0x0702, 0x06, 12, 0x6008, t)]); } },
  ],
  '4.4.3': [{ useCase: 'ECS20c', device: 'ESME', services: ['RetrieveBillingCalendarTriggeredBillingDataLog'], content: protectedRead('0-0:43.2.2.255', ['0-0:98.1.0.255', '0-0:98.1.1.255']) }],
  '4.6.1': [
    { useCase: 'ECS21a', device: 'ESME', services: ['RetrieveImportDailyReadLog'], content: protectedRead('0-0:43.2.5.255', ['0-0:98.1.9.255']) },
    // GCS16a: the 31 daily snapshots of the metering cluster (GetSnapshot, cause 0x00000001)
    { useCase: 'GCS16a', device: 'GSME', services: ['RetrieveImportDailyReadLog'], content: (b) => gbzCommands(snapshots(0x0702, 0x06, 31, 0x00000001, logPeriod(b.request))) },
  ],
  '4.8.1': [{ useCase: 'ECS22b', device: 'ESME', services: ['ReadActiveImportProfileData'], content: protectedRead('0-0:43.2.7.255', ['0-0:99.1.0.255']) }],
  '4.14': [
    { useCase: 'ECS21b', device: 'ESME', services: ['ReadPrepaymentDailyReadLog'], when: (r) => !bodyText(r, 'KAPublicSecurityCredentials'), content: protectedRead('0-0:43.2.6.255', ['0-0:98.1.8.255']) },
    { useCase: 'ECS21b', device: 'ESME', services: ['ReadPrepaymentDailyReadLog'] },
    { useCase: 'GCS16b', device: 'GSME', services: ['ReadPrepaymentDailyReadLog'] },
    { useCase: 'GCS16b', device: 'GPF', services: ['ReadPrepaymentDailyReadLog'] },
  ],
  // Instantaneous import registers, protected reads without selection of the GB register objects (class 1):
  // ECS17b 0-0:94.44.34.10 (protection 0-0:43.2.8.255), ECS17d TOU matrices 0-0:94.44.34.1 (.9), ECS17e TOU
  // with blocks 0-0:94.44.34.2 (.10); the same for a single and a twin element meter
  '4.1.1': [{ useCase: 'ECS17b', device: 'ESME', services: ['ReadInstantaneousImportRegisters'], content: protectedGet('0-0:43.2.8.255', '0-0:94.44.34.10') }],
  '4.1.2': [{ useCase: 'ECS17d', device: 'ESME', services: ['ReadInstantaneousImportTOUMatrices'], content: protectedGet('0-0:43.2.9.255', '0-0:94.44.34.1') }],
  '4.1.3': [{ useCase: 'ECS17e', device: 'ESME', services: ['ReadInstantaneousImportTOUWithBlocksMatrices'], content: protectedGet('0-0:43.2.10.255', '0-0:94.44.34.2') }],
  '7.11': [{ useCase: 'ECS61c', device: 'ESME', services: ['ReadBoostButtonDetails'], content: (b) => { const t = logPeriod(b.request); return dlms.ecs61cReadBoostButton(b.counter, t[0], t[1]); } }],
  '3.1': [
    { useCase: 'ECS10', device: 'ESME', services: ['DisplayMessage'], content: (b) => dlms.ecs10DisplayMessage(b.counter, requestText(b.request, 'SupplierMessage')) },
    { useCase: 'GCS07', device: 'GSME', services: ['DisplayMessage'], content: (b) => gbz.gcs07DisplayMessage(b.now, requestText(b.request, 'SupplierMessage')) },
  ],
  '3.4': [
    { useCase: 'ECS16', device: 'ESME', services: ['UpdateSupplierName'], content: (b) => dlms.ecs16SupplierName(b.counter, requestText(b.request, 'SupplierName'), requestText(b.request, 'SupplierTelephoneNumber')) },
    { useCase: 'GCS44', device: 'GSME', services: ['UpdateSupplierName'], content: (b) => gbz.gcs44SupplierName(b.now, requestText(b.request, 'SupplierName'), requestText(b.request, 'SupplierTelephoneNumber')) },
  ],
  '6.14.1': [{
    useCase: 'ECS46a', device: 'ESME', services: ['UpdateDeviceConfigurationALCDescriptions'],
    content: (b) => dlms.ecs46aAlcDescriptions(b.counter, childElements(b.request.body).filter((e) => e.localName === 'ALCSHCALCSDescription').map((e) => {
      const n = parseInt(e.getAttribute('index') ?? '', 10);
      if (!(n >= 1 && n <= 5)) throw new TransformError('bad-content', 'ALCSHCALCSDescription index must be 1..5');
      return [n, textOf(child(e, 'SwitchDescription')) ?? ''] as [number, string];
    })),
  }],
  // ECS04a: the meter balance adjustment of a prepayment-mode ESME (credit 0-0:19.10.0.255)
  '1.5': [{ useCase: 'ECS04a', device: 'ESME', services: ['UpdateMeterBalance'], when: (r) => !!child(r.body, 'PrepaymentMode'), content: (b) => dlms.ecs04aAdjustMeterBalance(b.counter, requestInt32(b.request, 'AdjustMeterBalance')) }],
  // TopUpDevice by the target's type: CS01a, the UTRN to the ESME's token gateway (DLMS action class 115
  // 0-0:19.40.0.255 method 1, the UTRN as an octet string); CS01b, the UTRN to the GSME, prepayment cluster
  // Consumer Top Up (0x04): originating device 0, the UTRN as an octet string
  '2.2': [
    { useCase: 'CS01a', device: 'ESME', services: ['TopUpDevice'], content: (b) => dlms.cs01aTopUp(b.counter, requestText(b.request, 'UTRN')) },
    { useCase: 'CS01b', device: 'GSME', services: ['TopUpDevice'], content: (b) => { const u = requestText(b.request, 'UTRN'); return gbzCommands([{ cluster: 0x0705, frameControl: 0x01, command: 0x04, payload: new Uint8Array([0x00, u.length, ...Array.from(u, (ch) => ch.charCodeAt(0) & 0xff)]) }]); } },
  ],
  // GSME configuration writes as ZCL commands (harness/dcc/gbzContent.ts; the Issuer Event ID is the DCC's clock)
  // GCS02: to credit mode (GCS03, to prepayment, is not in the sample and not built)
  '1.6': [
    { useCase: 'GCS02', device: 'GSME', services: ['UpdatePaymentMode'], when: (r) => !!child(r.body, 'Credit'), content: (b) => gbz.gcs02CreditMode(b.now, zclExecution(b.request)) },
    // ECS03 (to prepayment): the credit-charge list depends on the meter's element variant (the DCC's inventory:
    // TransformOptions.esmeVariants) and the suspend-debt flags (dlmsConfig.ecs03PrepaymentMode)
    {
      useCase: 'ECS03', device: 'ESME', services: ['UpdatePaymentMode'], when: (r) => !!child(r.body, 'Prepayment'),
      content: (b) => cfg.ecs03PrepaymentMode(b.counter, { twin: b.variant === 'twin', suspendDebtDisabled: requestBool(b.request, 'SuspendDebtDisabled'), suspendDebtEmergency: requestBool(b.request, 'SuspendDebtEmergency'), disablementThreshold: requestInt32(b.request, 'DisablementThreshold') }, dlmsExecution(b.request)),
    },
  ],
  '6.6': [{
    useCase: 'GCS23', device: 'GSME', services: ['UpdateDeviceConfigurationGasConversion'],
    content: (b) => gbz.gcs23GasConversion(b.now, requestDecimal(b.request, 'ConversionFactor', 5, 0xffffffff), requestDecimal(b.request, 'CalorificValue', 1, 0xffffffff)),
  }],
  '6.7': [{
    useCase: 'GCS24a', device: 'GSME', services: ['UpdateDeviceConfigurationGasFlow'],
    content: (b) => {
      const state = (name: string) => {
        const t = requestText(b.request, name);
        if (t !== 'Unchanged') throw new TransformError('not-implemented', name + ' ' + t + ': only Unchanged is built (the ZCL value of Locked is not confirmed here)');
        return gbz.SUPPLY_UNCHANGED;
      };
      if (!bodyText(b.request, 'UncontrolledGasFlowRateDecimal')) throw new TransformError('not-implemented', 'UncontrolledGasFlowRate (integer form): only UncontrolledGasFlowRateDecimal is built');
      return gbz.gcs24aGasFlow(b.now, requestDecimal(b.request, 'UncontrolledGasFlowRateDecimal', 4, 0xffff), requestUint(b.request, 'StabilisationPeriod'), requestUint(b.request, 'MeasurementPeriod'), state('SupplyTamperState'), state('SupplyDepletionState'));
    },
  }],
  // Billing calendar: ECS30 (ESME, single action schedule 0-0:15.0.0.255); GCS25 / GCS25a (GSME billing and block
  // periods). GCS25a covers every periodicity and GCS25 is kept by GBCS for the CH's tapping off; the RTDS pairs a
  // Monthly request with GCS25 and the others with GCS25a, and so does this DCC.
  '6.8': [
    { useCase: 'ECS30', device: 'ESME', services: ['UpdateDeviceConfigurationBillingCalendar'], content: (b) => dlms.ecs30BillingCalendar(b.counter, billingTime(b.request), requestUint(b.request, 'Monthly')) },
    { useCase: 'GCS25', device: 'GSME', services: ['UpdateDeviceConfigurationBillingCalendar'], when: (r) => bodyText(r, 'Periodicity') === 'Monthly', content: gasBillingCalendar },
    { useCase: 'GCS25a', device: 'GSME', services: ['UpdateDeviceConfigurationBillingCalendar'], content: gasBillingCalendar },
  ],
  // ESME configuration writes of several objects (harness/dcc/dlmsConfig.ts)
  '6.4.1': [{
    useCase: 'ECS28a', device: 'ESME', services: ['UpdateDeviceConfigurationLoadLimitingGeneralSettings'],
    content: (b) => cfg.ecs28aLoadLimiting(b.counter, requestChoice(b.request, 'LoadLimitSupplyState', ['Unchanged', 'Disable']) === 1, requestUint(b.request, 'LoadLimitPowerThreshold'), requestUint(b.request, 'LoadLimitPeriod'), requestUint(b.request, 'LoadLimitRestorationPeriod'), dlmsExecution(b.request)),
  }],
  // ECS29a (single-phase settings) / ECS29b (polyphase): the request says which
  '6.5': [
    { useCase: 'ECS29a', device: 'ESME', services: ['UpdateDeviceConfigurationVoltage'], when: (r) => !!child(r.body, 'SinglePhaseVoltageSettings'), content: (b) => cfg.ecs29VoltageConfiguration(b.counter, voltageSettings(b.request)) },
    { useCase: 'ECS29b', device: 'ESME', services: ['UpdateDeviceConfigurationVoltage'], when: (r) => !!child(r.body, 'PolyPhaseVoltageSettings'), content: (b) => cfg.ecs29VoltageConfiguration(b.counter, voltageSettings(b.request)) },
  ],
  '6.18.1': [{ useCase: 'ECS37', device: 'ESME', services: ['SetMaximumDemandConfigurableTimePeriod'], content: (b) => cfg.ecs37MaxDemandPeriod(b.counter, requestTime(b.request, 'StartTime'), requestTime(b.request, 'EndTime')) }],
  '7.6': [{
    useCase: 'ECS47Deactivate', codeName: 'ECS47', device: 'ESME', services: ['DeactivateAuxiliaryLoad'],
    content: (b) => { const n = auxSwitch(b.request, 'DeactivateALCSHCALCS'); const d = bodyText(b.request, 'Duration'); return cfg.ecs47Deactivate(b.counter, n, d === undefined ? undefined : requestUint16(b.request, 'Duration')); },
  }],
  '7.8': [{ useCase: 'ECS47Reset', codeName: 'ECS47', device: 'ESME', services: ['ResetAuxiliaryLoad'], content: (b) => cfg.ecs47Reset(b.counter, auxSwitch(b.request, 'ResetALCSHCALCS')) }],
  '7.16': [{
    useCase: 'ECS47e', device: 'ESME', services: ['LimitAPCLevel'],
    content: (b) => {
      const n = parseInt(b.request.body.getAttribute('auxiliaryControllerN') ?? '', 10);
      if (!(n >= 1 && n <= 5)) throw new TransformError('bad-content', 'auxiliaryControllerN must be 1..5');
      const level = requestUint(b.request, 'CommandedStateLevel');
      if (level > 100) throw new TransformError('bad-content', 'CommandedStateLevel must be 0..100');
      return cfg.ecs47eLimitApc(b.counter, n, !!child(b.request.body, 'InputFromControlledLoad'), requestSeconds(b.request, 'StartDateTime'), requestSeconds(b.request, 'EndDateTime'), level);
    },
  }],
  '7.7': [{ useCase: 'ECS61a', device: 'ESME', services: ['ReadALCSData'], content: (b) => cfg.ecs61aReadAlcsData(b.counter) }],
  // Clock: ECS70 (ESME, DLMS clock object) / GCS28 (GSME: GBCS's ASN.1 {valid from, valid to}); 8.1.1 (on commissioning)
  // sends the same commands, named here as the RTDS names them
  '6.11': [
    { useCase: 'ECS70', device: 'ESME', services: ['SynchroniseClock'], content: ecs70 },
    { useCase: 'GCS28', device: 'GSME', services: ['SynchroniseClock'], content: gcs28 },
  ],
  '8.1.1': [
    { useCase: 'ECS70Commission', codeName: 'ECS70', device: 'ESME', services: ['CommissionDeviceSynchroniseClock'], content: ecs70 },
    { useCase: 'GCS28Commission', codeName: 'GCS28', device: 'GSME', services: ['CommissionDeviceSynchroniseClock'], content: gcs28 },
  ],
  // Manage debt: ECS07 (DLMS charges 0-0:19.20.1..3.255) / GCS04 (ZCL Change Debt x3)
  '2.3': [
    {
      useCase: 'ECS07', device: 'ESME', services: ['UpdateDebt'],
      content: (b) => {
        const rec = (name: string) => { const e = child(b.request.body, name); return { rate: elementInt(e, 'DebtRecoveryRate', -0x8000, 0x7fff), priceScale: elementInt(e, 'DebtRecoveryRatePriceScale', -128, 127), periodSeconds: requestChoiceIn(e, 'DebtRecoveryRatePeriod', ['HOURLY', 'DAILY']) === 0 ? 3600 : 86400 }; };
        return cfg.ecs07ManageDebt(b.counter, [requestInt32(b.request, 'TimeDebtRegister1'), requestInt32(b.request, 'TimeDebtRegister2')], requestInt32(b.request, 'PaymentDebtRegister'), requestUint16(b.request, 'DebtRecoveryPerPayment'), [rec('ElecDebtRecovery1'), rec('ElecDebtRecovery2')]);
      },
    },
    {
      useCase: 'GCS04', device: 'GSME', services: ['UpdateDebt'],
      content: (b) => {
        const rec = (name: string) => { const e = child(b.request.body, name); return { rate: elementInt(e, 'DebtRecoveryRate', -0x80000000, 0x7fffffff), frequency: requestChoiceIn(e, 'DebtRecoveryRatePeriod', ['HOURLY', 'DAILY']) }; };
        return gbz.gcs04ManageDebt(b.now, [requestInt32(b.request, 'TimeDebtRegister1'), requestInt32(b.request, 'TimeDebtRegister2')], requestInt32(b.request, 'PaymentDebtRegister'), requestUint16(b.request, 'DebtRecoveryPerPayment'), [rec('GasDebtRecovery1'), rec('GasDebtRecovery2')]);
      },
    },
  ],
  // Prepayment configuration. ECS08 and ECS08a are asked for by the same request (the RTDS's two differ only in
  // the message code and in writing 0-0:94.44.2.20's attribute 2 in ECS08); ECS08a is built.
  '2.1': [
    { useCase: 'ECS08a', device: 'ESME', services: ['UpdatePrepayConfiguration'], when: (r) => !!child(r.body, 'UpdatePrepayConfigElectricity'), content: (b) => cfg.ecs08aPrepayConfiguration(b.counter, elecPrepay(b.request), dlmsExecution(b.request)) },
    { useCase: 'ECS08', device: 'ESME', services: ['UpdatePrepayConfiguration'] },
    // GCS05: prepayment cluster settings and the non-disablement calendar (harness/dcc/gbzContent.ts)
    { useCase: 'GCS05', device: 'GSME', services: ['UpdatePrepayConfiguration'], when: (r) => !!child(r.body, 'UpdatePrepayConfigGas'), content: (b) => gbz.gcs05PrepayConfiguration(b.now, zclExecution(b.request), gasPrepay(b.request)) },
  ],
  // Sent by the DCC as the ACB, the user as supplementary remote party (the RTDS's form)
  '6.20.2': [{ useCase: 'ECS39b', device: 'ESME', services: ['SetDeviceConfigurationExportMPAN'], acbOriginated: true, content: (b) => dlms.ecs39bExportMpan(b.counter, requestText(b.request, 'ExportMPAN')) }],
  '6.32': [{ useCase: 'DBCH02', device: 'CHF', services: ['ReadCHFSubGHzChannelLog'], acbOriginated: true, content: logRead('0-0:94.44.10.3') }],
  '4.6.2': [{ useCase: 'ECS21c', device: 'ESME', services: ['RetrieveExportDailyReadLog'], acbOriginated: true, content: logRead('0-0:98.1.10.255') }],
  '14.1': [{ useCase: 'GCS31', device: 'GSME', services: ['RecordNetworkDataGAS'], acbOriginated: true, content: (b) => gbz.gcs31StartSampling(b.now) }],
  // CCS01 / CCS02: the CHF device log (gbcs/contents/hub/chfDeviceLog.ts)
  '8.11': [
    {
      useCase: 'CCS01', device: 'CHF', services: ['UpdateHANDeviceLog'], acbOriginated: true, when: (r) => bodyText(r, 'RequestType') === 'Add',
      content: (b) => {
        const key = fromHex(requestText(b.request, 'InstallCode'));
        if (!key || key.length < 6 || key.length > 16) throw new TransformError('bad-content', 'InstallCode must be 6..16 bytes of hex');
        return encodeCcs01Command({ invokeId: invokeIdFor(b.counter), ieeeAddress: euiOf(requestText(b.request, 'DeviceID')), key, registrationA: 1, registrationB: 0, joinTimeout: requestUint16(b.request, 'JoinTimePeriod'), enableJoining: true });
      },
    },
    { useCase: 'CCS02', device: 'CHF', services: ['UpdateHANDeviceLog'], acbOriginated: true, when: (r) => bodyText(r, 'RequestType') === 'Remove', content: (b) => encodeCcs02Command({ invokeId: invokeIdFor(b.counter), ieeeAddress: euiOf(requestText(b.request, 'DeviceID')) }) },
  ],
  // Unjoin: CS04AC (from a PPMID: the DCC sends it as the ACB) / CS04B (from a GSME, the user's own), content the other device's id
  '8.8.2': [
    { useCase: 'CS04ACNonCritical', codeName: 'CS04AC', device: 'PPMID', services: ['UnjoinServiceNonCritical'], acbOriginated: true, content: (b) => derOctetString(euiOf(requestText(b.request, 'OtherDeviceID'))) },
    { useCase: 'CS04B', device: 'GSME', services: ['UnjoinServiceNonCritical'], content: (b) => derOctetString(euiOf(requestText(b.request, 'OtherDeviceID'))) },
  ],
  // ECS50 / GCS36: the DCC generates the customer identification number the command carries (not in the request): not built
  '9.1': [
    { useCase: 'ECS50', device: 'ESME', services: ['RequestCustomerIdentificationNumber'], acbOriginated: true },
    { useCase: 'GCS36', device: 'GSME', services: ['RequestCustomerIdentificationNumber'], acbOriginated: true },
  ],
  // CS02a / CS02f provide security credential details (MAC form, sent by the DCC as the ACB): the roles asked for
  // as GBCS role numbers, after a part both RTDS commands carry unchanged (role 4, bit string 0x08: UNCONFIRMED
  // meaning). The RTDS pairs a request naming the load controller with CS02f, the others with CS02a.
  '6.24.1': [
    { useCase: 'CS02fMAC', codeName: 'CS02f', device: 'ESME', services: ['RetrieveDeviceSecurityCredentialsKRP'], acbOriginated: 'plain', when: (r) => credentialRoles(r).indexOf(8) >= 0, content: (b) => cs02CredentialDetails(b.request) },
    { useCase: 'CS02aMAC', codeName: 'CS02a', device: 'ESME', services: ['RetrieveDeviceSecurityCredentialsKRP'], acbOriginated: 'plain', content: (b) => cs02CredentialDetails(b.request) },
  ],
  // Primary element prices: ECS01b (DLMS charges) / GCS01b (ZCL tariff information and price matrix)
  '1.2.1': [
    { useCase: 'ECS01b', device: 'ESME', services: ['UpdatePricePrimaryElement'], when: (r) => !!bodyElement(r, 'ElectricityPriceElements'), content: (b) => ecs01b(b) },
    { useCase: 'GCS01b', device: 'GSME', services: ['UpdatePricePrimaryElement'], when: (r) => !!bodyElement(r, 'GasPriceElements'), content: (b) => gcs01b(b) },
  ],
  '4.13': [{ useCase: 'GCS21b', device: 'GSME', services: ['ReadPrepaymentConfiguration'], content: () => gbz.gcs21bReadPrepayConfiguration() }],
  // Joins: SEQUENCE { join method and role (A2 1, B 2, C 3, as the RTDS), the other device's id, its device type
  // (JOIN_DEVICE_TYPE) [, Method C: its certificate] }. The other device's type comes from the inventory.
  '8.7.1': [
    { useCase: 'CS03A2Critical', codeName: 'CS03A2', device: 'HCALCS', services: ['JoinServiceCritical'], content: (b) => joinContent(b, 1) },
    // CS03C: Method C carries the other device's certificate from the SMKI repository; the RTDS's (serial
    // 5D3E7B68...) is not in the sampled keystore, so the build cannot be checked and is not attempted
    { useCase: 'CS03CCritical', codeName: 'CS03C', device: 'GSME', services: ['JoinServiceCritical'] },
  ],
  '8.7.2': [{ useCase: 'CS03B', device: 'GSME', services: ['JoinServiceNonCritical'], content: (b) => joinContent(b, 2) }],
  // Alert and event behaviours (6.22): the ESME's per-party bit strings (dlmsConfig.ecs25AlertBehaviours); the
  // objects 0-30:97.98.11/12/13/14.255 (supplier alerts, HAN, alarm, logging) and 0-33:97.98.11/14.255 (network
  // operator alerts, logging), as the RTDS's ECS25a/a1/b/b3 (alarm .13 and supplier logging .14 by analogy).
  // Polyphase alerts are configured on a polyphase ESME only (the RTDS's single-phase ECS25b leaves 8003 out).
  '6.22': [
    { useCase: 'ECS25a', device: 'ESME', services: ['ConfigureAlertBehaviour'], when: (r) => !!child(r.body, 'ElectricitySupplierAlerts'), content: ecs25('ElectricitySupplierAlerts', '0-30:97.98.11.255') },
    { useCase: 'ECS25a1', device: 'ESME', services: ['ConfigureAlertBehaviour'], when: (r) => !!child(r.body, 'ElectricitySupplierHANAlertSettings'), content: ecs25('ElectricitySupplierHANAlertSettings', '0-30:97.98.12.255') },
    { useCase: 'ECS25a2', device: 'ESME', services: ['ConfigureAlertBehaviour'], when: (r) => !!child(r.body, 'ElectricitySupplierAlarmSettings'), content: ecs25('ElectricitySupplierAlarmSettings', '0-30:97.98.13.255') },
    { useCase: 'ECS25a3', device: 'ESME', services: ['ConfigureAlertBehaviour'], when: (r) => !!child(r.body, 'ElectricitySupplierLoggingSettings'), content: ecs25('ElectricitySupplierLoggingSettings', '0-30:97.98.14.255') },
    { useCase: 'ECS25b', device: 'ESME', services: ['ConfigureAlertBehaviour'], when: (r) => !!child(r.body, 'ElectricityNetworkOperatorAlerts'), content: ecs25('ElectricityNetworkOperatorAlerts', '0-33:97.98.11.255') },
    { useCase: 'ECS25b3', device: 'ESME', services: ['ConfigureAlertBehaviour'], when: (r) => !!child(r.body, 'ElectricityNetworkOperatorLoggingSettings'), content: ecs25('ElectricityNetworkOperatorLoggingSettings', '0-33:97.98.14.255') },
    // GCS20: ZCL event configurations grouped by their settings; the RTDS's order of the groups is not the
    // request's, nor any sort of it found, so it is not built
    { useCase: 'GCS20', device: 'GSME', services: ['ConfigureAlertBehaviour'] },
  ],
  '11.3': [{ useCase: 'CS06', device: 'ESME', services: ['ActivateFirmware'], content: cs06 }],
  '7.1': [{ useCase: 'ECS42', device: 'ESME', services: ['EnableSupply'], content: (b) => dlms.ecs42EnableSupply(b.counter) }],
  '7.2': [
    { useCase: 'ECS43', device: 'ESME', services: ['DisableSupply'], content: (b) => dlms.ecs43DisableSupply(b.counter) },
    { useCase: 'GCS32', device: 'GSME', services: ['DisableSupply'], content: (b) => gbz.changeSupply(b.now, 0) },
  ],
  '7.3': [
    { useCase: 'ECS44', device: 'ESME', services: ['ArmSupply'], content: (b) => dlms.ecs44ArmSupply(b.counter) },
    { useCase: 'GCS39', device: 'GSME', services: ['ArmSupply'], content: (b) => gbz.changeSupply(b.now, 1) },
  ],
  '7.4': [
    { useCase: 'ECS45', device: 'ESME', services: ['ReadSupplyStatus'], content: (b) => dlms.ecs45ReadSupplyStatus(b.counter) },
    // GCS33: metering cluster 0x0205 and supply status (0x0014)
    { useCase: 'GCS33', device: 'GSME', services: ['ReadSupplyStatus'], content: zclRead([[0x0702, [0x0205, 0x0014]]]) },
  ],
};

/** Service Reference Variants that are not device commands (DUIS "non-device" service requests: serviceD). */
export const NON_DEVICE_SERVICES: Record<string, string> = {
  '5.2': 'ReadSchedule',
  '8.2': 'ReadInventory',
  '8.3': 'DecommissionDevice',
  '8.6': 'ServiceOptIn',
  '8.14.2': 'CHFInstallSuccessNoSMWAN',
  '8.14.3': 'CHFFaultReturn',
  '11.1': 'UpdateFirmware',
  '11.4': 'UpdatePPMIDFirmware',
  '12.2': 'DevicePrenotification',
};


export type Transformed =
  | { ok: true; useCase: string; messageCode: number; critical: boolean; precommand: Uint8Array; sender: 'user' | 'acb' }
  | { ok: false; reason: TransformRefusal; detail: string; useCase?: string };

/** The use case the DCC makes of `r` for its target, or why none. */
export function resolveUseCase(r: DuisRequest, inventory: Inventory, role?: RemotePartyRole): { ok: true; entry: UseCaseEntry } | { ok: false; reason: TransformRefusal; detail: string } {
  if (NON_DEVICE_SERVICES[r.serviceReferenceVariant]) return { ok: false, reason: 'non-device', detail: r.serviceReferenceVariant + ' ' + r.service + ' is a non-device service request (serviceD)' };
  const device = inventory[r.target];
  if (!device) return { ok: false, reason: 'unknown-device', detail: 'device ' + r.target + ' is not in the DCC inventory' };
  const entries = CATALOGUE[r.serviceReferenceVariant];
  if (!entries) return { ok: false, reason: 'unknown-service', detail: 'Service Reference Variant ' + r.serviceReferenceVariant + ' (' + r.service + ') is not in this DCC\'s catalogue' };
  const fits = entries.filter((e) => e.device === device && e.services.indexOf(r.service) >= 0 && (!e.when || e.when(r)) && (!e.role || !role || e.role === role));
  if (fits.length === 0) return { ok: false, reason: 'wrong-device-type', detail: r.serviceReferenceVariant + ' ' + r.service + ' does not apply to a ' + device };
  return { ok: true, entry: fits[0] };
}

/** The roles that may send `r` to its target: the originators GBCS allows for its use case. */
export function rolesAllowed(r: DuisRequest, inventory: Inventory, role?: RemotePartyRole): RemotePartyRole[] | undefined {
  const u = resolveUseCase(r, inventory, role);
  if (!u.ok) return undefined;
  // Sent by the DCC as the ACB on a user's behalf (RTDS: CCS01/02/04/05, DBCH01/02, ECS61d, CS02a/f, ...): GBCS names
  // the ACB as originator; which DCC Users may ask is DUIS eligibility, taken here as supplier, network operator and
  // the DCC itself (the sampled CS02f and CS08 requests come from the ACB) (UNCONFIRMED).
  if (u.entry.acbOriginated) return ['supplier', 'networkOperator', 'acb'];
  const out: RemotePartyRole[] = [];
  for (const code of messageCodesFor(u.entry.codeName ?? u.entry.useCase)) {
    const info = messageCodeInfo(code);
    for (const role of info ? info.originators.concat(info.variant ? info.variant.originators : []) : []) if (out.indexOf(role) < 0) out.push(role);
  }
  return out;
}

export function roleOfOu(ou: string): RemotePartyRole | undefined {
  return /^[0-9A-Fa-f]{2}$/.test(ou) ? roleFromNumber(parseInt(ou, 16)) : undefined;
}

/** The GBCS pre-command for an accepted request (no signature field: the user signs a critical one). */
export function transform(r: DuisRequest, inventory: Inventory, role?: RemotePartyRole, opts?: TransformOptions): Transformed {
  const u = resolveUseCase(r, inventory, role);
  if (!u.ok) return u;
  const e = u.entry;
  const codes = messageCodesFor(e.codeName ?? e.useCase);
  if (!e.content || codes.length === 0) {
    return { ok: false, reason: 'not-implemented', detail: 'use case ' + e.useCase + ' (' + r.serviceReferenceVariant + ' ' + r.service + ') is recognised but its GBCS content is not built by this DCC', useCase: e.useCase };
  }
  const requestCounter = counterFromHex(r.counter.toString(16).padStart(16, '0'))!;
  if (e.acbOriginated && !opts?.acb) return { ok: false, reason: 'not-implemented', detail: 'use case ' + e.useCase + ' is sent by the DCC as the ACB, and no ACB identity and counter were given', useCase: e.useCase };
  const acb = e.acbOriginated ? opts!.acb! : undefined;
  // An ACB-originated command counts (GBCS counter, DLMS invoke id) with the ACB's counter.
  const counter = acb ? counterFromNumber(acb.counter) : requestCounter;
  let content: Uint8Array;
  try {
    content = e.content({ request: r, counter, now: opts?.now ?? Math.floor(Date.now() / 1000), inventory, variant: opts?.esmeVariants?.[r.target] ?? 'single' });
  } catch (err) {
    if (err instanceof TransformError) return { ok: false, reason: err.reason, detail: err.message, useCase: e.useCase };
    if (err instanceof calendar.CalendarError) return { ok: false, reason: 'bad-content', detail: err.message, useCase: e.useCase };
    throw err;
  }
  const messageCode = codes[0];
  const precommand = acb && e.acbOriginated === 'plain'
    ? buildPrecommand({ counter, originator: fromHex(acb.eui)!, recipient: fromHex(r.target)!, messageCode, content })
    : acb
    ? buildPrecommand({ counter, originator: fromHex(acb.eui)!, recipient: fromHex(r.target)!, messageCode, content, supplementary: { remoteParty: fromHex(r.originator)!, remotePartyCounter: requestCounter } })
    : buildPrecommand({ counter, originator: fromHex(r.originator)!, recipient: fromHex(r.target)!, messageCode, content });
  return { ok: true, useCase: e.useCase, messageCode, critical: !!messageCodeInfo(messageCode)?.critical, precommand, sender: acb ? 'acb' : 'user' };
}

export { toHex };
