/**
 * Titles of GBCS message codes ("Activate Firmware" for 0x0012), apart from `messageCodes.ts` so that
 * firmware which never prints a title does not carry ~6 kB of text.
 *
 * Sources: the GBCS use-case titles as listed in Wireshark `epan/dissectors/packet-gbcs.c`, in
 * SmartDCCInnovation/gbcs-parser `src/util.ts` and in the GBCS use-case mapping table
 * (SmartDCCInnovation/duis-templates `src/gbcs-mapping-table.json`); titles of the RTDS-only codes
 * (0x011A..0x012B) from that mapping table. Facts, re-typed; 0x0124 (future-dated CS02g alert) is our naming.
 * @module
 */

/* 'CCCC' (4 hex digits) + title, entries separated by '|', sorted by code. */
const TITLES =
  '|0001Add Device to CHF device log|0002Remove device from CHF device log|0003Restore CHF Device Log' +
  '|0004Read CHF device log / Check HAN communications|0007Apply Prepayment Top Up to an ESME' +
  '|0008Provide Security Credentials Details|000AIssue Security Credentials|000BUpdate Device Certificates on Device' +
  '|000CProvide Device Certificates from Device|000DMethod A Join (Meter)|000EMethod B Join|000FMethod A or C Unjoin' +
  '|0010Method B Unjoin|0012Activate Firmware|0013Read Device Join Details|0014Read ZigBee Device Event Log' +
  '|0015Clear ZigBee Device Event Log|0018Device Addition To / Removal From HAN Whitelist Alert' +
  '|0019Set Tariff and Price on ESME|001ASet ESME Payment Mode to Credit|001BSet ESME Payment Mode to Prepayment' +
  '|001CAdjust Meter Balance on the ESME|001DReset Tariff Block Counter Matrix|001EManage Debt on the ESME' +
  '|001FUpdate Prepayment Configuration on ESME|0020Activate Emergency Credit Remotely on ESME|0021Send Message to ESME' +
  '|0022Set Change of Tenancy date on ESME|0023Disable Privacy PIN Protection on ESME|0024Clear ESME Event Log' +
  '|0025Write Supplier Contact Details on ESME|0026Read ESME Energy Registers (Export Energy)' +
  '|0027Read ESME Energy Registers (Import Energy)|0028Read ESME Energy Registers (Power)|0029Read ESME Energy Register (TOU)' +
  '|002ARead ESME Energy Register (TOU with Blocks)|002BRead Maximum Demand Registers (export)' +
  '|002CRead Maximum Demand Registers (import)|002DRead ESME Prepayment Registers' +
  '|002ERead ESME Billing Data Log (payment based debt payments)' +
  '|002FRead ESME Billing Data Log (change of mode / tariff triggered exc export)' +
  '|0030Read ESME Billing Data Log (billing calendar triggered exc export)|0033Read Electricity Daily Read Log (exc export)' +
  '|0034Read Electricity (Prepayment) Daily Read Log|0035Read Electricity Daily Read Log (export only)' +
  '|0036Read Electricity Half Hour Profile Data (export)|0037Read Electricity Half Hour Profile Data (active import)' +
  '|0038Read Electricity Half Hour Profile Data (reactive import)|0039Read Voltage Operational Data|003ARead ESME Tariff Data' +
  '|003BRead ESME Configuration Data Prepayment|003CRead ESME Configuration Voltage Data' +
  '|003DRead ESME Configuration Data Device Information (randomisation)' +
  '|003ERead ESME Configuration Data Device Information (Billing Calendar)' +
  '|003FRead ESME Configuration Data Device Information (device identity exc MPAN)' +
  '|0040Read ESME Configuration Data Device Information (instantaneous power thresholds)|0042Read ESME Load Limit Data' +
  '|0043Set Load Limit Configurations - General Settings|0044Set Load Limit Configuration Counter Reset' +
  '|0045Set Voltage Configurations on ESME|0046Set Billing Calendar on the ESME|0047Set Instantaneous Power Threshold Configuration' +
  '|0048Read ESME Event Log|0049Read ESME Security Log|004ASet Maximum Demand Configurable Time Period' +
  '|004BUpdate Randomised Offset Limit|004CSet MPAN Value on the ESME|004DSet Export MPAN Value on the ESME' +
  '|004ERead MPAN Value on the ESME|004FRemotely Close the Load Switch on the ESME|0050Remotely Open the Load Switch on the ESME' +
  '|0051Arm Load Switch in ESME|0052Read Status of Load Switch in the ESME|0053Set HC ALCS or ALCS Labels in ESME' +
  '|0054Set HC ALCS and ALCS configuration in ESME (excluding labels)|0055Set or Reset HC ALCS or ALCS State' +
  '|0058Send CIN to ESME|0059Read ESME/Comms Hub Firmware Version|005AReset ESME Maximum Demand Registers' +
  '|005ERead Boost Button Data from ESME|005FSet ALCS and Boost Button Association|0060Read ESME Daily Consumption Log' +
  '|0061ESME Critical Sensitive Alert (Billing Data Log)|0062Set Clock on ESME|0067Supply Outage Restore Alert from ESME' +
  '|0068Set Supply Tamper State on ESME|0069Read Meter Balance for ESME|006BSet Tariff and Price on GSME' +
  '|006CSet GSME Payment Mode to Credit|006DSet GSME Payment Mode to Prepayment|006EManage Debt on the GSME' +
  '|006FUpdate Prepayment Configurations on GSME|0070Activate Emergency Credit Remotely on GSME|0071Send Message to GSME' +
  '|0072Set Change of Tenancy date on GPF|0073Disable Privacy PIN Protection on GSME|0074Read GSME Consumption Register' +
  '|0075Read GSME Prepayment Register(s)|0076Read GSME Billing Data Log (billing calendar triggered)' +
  '|0077Read GSME Daily Read log(s)|0078Read GSME Profile Data Log|0079Read Gas Network Data Log' +
  '|007BRead Gas Configuration Data Device Information|007CSet CV and Conversion Factor Value(s) on the GSME' +
  '|007DSet Uncontrolled Gas Flow Rate and Supply Tamper State on the GSME|007ESet Billing Calendar on the GSME' +
  '|007FSet Clock on GSME|0080Start Network Data Log on GSME|0081Remotely close the valve in the GSME|0082Read GSME Valve Status' +
  '|0083Send CIN to GSME|0084Read GSME Firmware Version|0085Arm Valve in GSME|0086Adjust Prepayment Mode Meter Balance on the GSME' +
  '|0087Set MPRN Value on the GSME|0088Write Contact Details on GSME|0089Read MPRN on the GSME' +
  '|008BPush Billing Data Log as an Alert|008CRestore GPF Device Log|008DRead Meter Balance for GSME' +
  '|0090Activate Emergency Credit on GSME from PPMID|0092Read Configuration Data Device Information (CHF identity)' +
  '|0093Read CHF Event Log|0094Read CHF Security Log|0096Read GSME Daily Read log(s) (prepayment)' +
  '|0097Apply Prepayment Top Up to a GSME|009BApply Prepayment Top Up to a GSME using PPMID' +
  '|009DRead GSME Configuration Data Device Information (Billing Calendar)' +
  '|009ERead GSME/GPF Configuration Data Device Information (device identity)|009FRead GSME Tariff Data' +
  '|00A0Read Gas Daily Consumption Log|00A1Read ZigBee Device Security Log|00A2Set Price on ESME|00A3Set Price on GSME' +
  '|00ABMethod A Join (non Meter)|00ACSet Alert Behaviours - ESME - Supplier|00ADSet Alert Behaviours - GSME' +
  '|00AESet Voltage Configurations on ESME - 3ph|00AFMethod C Join|00B0Set Alert Behaviours - ESME - Network Operator' +
  '|00B2Backup GPF Device Log|00B3Reset Meter Balance on the ESME|00B4Reset Prepayment Mode Meter Balance on the GSME' +
  '|00B5Read GSME Configuration Data Prepayment|00B6Read GSME Register (TOU)|00B7Set Tariff and Price on ESME secondary' +
  '|00B8Read GSME Block Counters|00B9Read ESME Power Event Log|00BARead ALCS Event Log|00BBRead HC ALCS and ALCS Data from ESME' +
  '|00BCRead Voltage Operational Data - 3 Phase|00BDRead ESME Tariff Data - second element' +
  '|00BERead ESME Configuration Data Device Information (Payment Mode)' +
  '|00BFRead GSME Configuration Data Device Information (Payment Mode)|00C0Adjust Credit Mode Meter Balance on the GSME' +
  '|00C1Clear ALCS Event Log|00C2Reset Credit Mode Meter Balance on the GSME' +
  '|00C3Read GSME Billing Data Log (change of mode / tariff triggered)' +
  '|00C4Read GSME Billing Data Log (payment-based debt payments)|00C5Read GSME Billing Data Log (prepayment credits)' +
  '|00C6Read ESME Configuration Voltage Data - 3 phase|00C7Set Price on ESME secondary' +
  '|00C9Read ESME Billing Data Log (prepayment credits)|00CAFuture Dated Firmware Activation Alert' +
  '|00CBFuture Dated Update Security Credentials Alert|00CCFuture Dated Execution Of Instruction Alert (DLMS COSEM)' +
  '|00CDFuture Dated Execution Of Instruction Alert (GBZ)|00CEFirmware Distribution Receipt Alert (ESME or Comms Hub)' +
  '|00CFFirmware Distribution Receipt Alert (GSME)|00D1Set Voltage Configurations on ESME without counter reset' +
  '|00D2Set Voltage Configurations on polyphase ESME without counter reset|00D3Reset RMS Voltage Counters on ESME' +
  '|00D4Reset RMS Voltage Counters on polyphase ESME|00D5Failure to Deliver Remote Party Message to ESME Alert' +
  '|00D7Set Billing Calendar on the ESME - all periodicities|00D8Set Billing Calendar on the GSME - all periodicities' +
  '|00D9Read ESME Configuration Data Device Information (Billing Calendar - all periodicities)' +
  '|00DARead GSME Configuration Data Device Information (Billing Calendar - all periodicities)' +
  '|00DBConfigure daily resetting of Tariff Block Counter Matrix|00DEUpdate Prepayment Configuration on ESME' +
  '|00EASet Event Behaviours - ESME to HAN Device - Supplier|00EBSet Event Behaviours - ESME audible alarm - Supplier' +
  '|00ECSet Event Behaviours - ESME logging - Supplier|00EDSet Event Behaviours - ESME logging - Network Operator' +
  '|00EERead non-critical event and alert behaviours - ESME - Supplier' +
  '|00EFRead non-critical event and alert behaviours - ESME - Network Operator|00F0Meter Integrity Issue Warning Alert - ESME' +
  '|00F1Read non-critical event and alert behaviours - GSME - Supplier|00F2Meter Integrity Issue Warning Alert - GSME' +
  '|00F9Read ESME Configuration Data Device Information (identity, type and supply tamper state)' +
  '|00FARead CHF Configuration Data Device Information (CH identity and type)' +
  '|00FBRead GSME Configuration Data Device Information (identity, type and supply tamper / depletion state)' +
  '|00FCSet Uncontrolled Gas Flow Rate at greater resolution and Supply Tamper State on the GSME' +
  '|00FDRead Auxiliary Controller Event Log|00FERead CHF Device Logs' +
  '|0100Update Security Credentials (rootBySupplier)|0101Update Security Credentials (rootByWanProvider)' +
  '|0102Update Security Credentials (supplierBySupplier)|0103Update Security Credentials (networkOperatorByNetworkOperator)' +
  '|0104Update Security Credentials (accessControlBrokerByACB)|0105Update Security Credentials (wanProviderByWanProvider)' +
  '|0106Update Security Credentials (transCoSByTransCoS)|0107Update Security Credentials (supplierByTransCoS)' +
  '|0108Update Security Credentials (anyExceptAbnormalRootByRecovery)|0109Update Security Credentials (anyByContingency)' +
  '|010ARead CHF Sub GHz Channel|010BRead CHF Sub GHz Channel Log|010CRead CHF Sub GHz Configuration' +
  '|010DSet CHF Sub GHz Configuration|010ERequest CHF Sub GHz Channel Scan|010FRead CHF device log and check HAN communications' +
  '|0110Limited Duty Cycle Action Taken Sub GHz Alert|0111Sub GHz Channel Changed Sub GHz Alert' +
  '|0112Sub GHz Channel Scan Request Assessment Outcome Sub GHz Alert|0113Sub GHz Configuration Changed Sub GHz Alert' +
  '|0114Message Discarded Due to Duty Cycle Management Sub GHz Alert|0115No More Sub GHz Device Capacity Sub GHz Alert' +
  '|0116Apply Prepayment Top Up to an ESME using PPMID|0117Activate Emergency Credit on ESME from PPMID' +
  '|0118Request to Enable ESME Supply from PPMID|0119Request Control of a HAN Connected Auxiliary Load Control Switch from HCALCS' +
  '|011ASet Auxiliary Controller Calendar|011BProvide Security Credential Details (ESME and SAPC)' +
  '|011CRead Auxiliary Controller Configuration Data|011DRead Auxiliary Controller Operational Data' +
  '|011ESet Auxiliary Controller [n] State|011FLimit APC [n] Level|0120Command not supported by Device' +
  '|0121Limit APC [n] Level Command processed|0122Limit APC [n] Level ended or cancelled|0123Operational Update' +
  '|0124Future Dated Update Load Controller Security Credentials Alert|0126Update Load Controller Security Credentials' +
  '|0128Firmware Transfer Alert|0129Read PPMID/HCALCS Firmware Version|012ARead Meter Balance (GCS60a)' +
  '|012BPPMID Firmware Activation Alert|1000Generic Critical Alert|1001Generic Non Critical Alert|';

const HEX = '0123456789ABCDEF';

/** The GBCS title of a message code ('Activate Firmware' for 0x0012), or undefined for an unknown code. */
export function messageTitle(code: number): string | undefined {
  if (code !== (code & 0xffff)) return undefined;
  const key = '|' + HEX.charAt((code >> 12) & 15) + HEX.charAt((code >> 8) & 15) + HEX.charAt((code >> 4) & 15) + HEX.charAt(code & 15);
  const at = TITLES.indexOf(key);
  // The substring check: Espruino 2v29's indexOf also matches a needle running past the string's end.
  return at < 0 || TITLES.substring(at, at + 5) !== key ? undefined : TITLES.substring(at + 5, TITLES.indexOf('|', at + 5));
}
