/**
 * The lab: a whole GBCS exchange on one machine. Sets up a test SMKI (SQLite) in the working folder,
 * issues the remote parties' organisation credentials, has the factory make a simulated ESME on a Node
 * board (keys generated on the board, device certificates from the Issuing DCA, the DCC's initial trust
 * anchors), connects the DCC player to it through the in-process transport, and runs the scenario's steps
 * one by one (a progress line each), then writes the evidence (evidence/*.ts) and returns the report.
 *
 *   harness (DccPlayer) -> transport (inProcess) -> memory byte link -> board.link -> device (boot.ts)
 *
 * The factory writes the device's state into the board's storage, as a factory would; then the board is
 * powered on through the device's public entry (`boot`, what firmware.js runs on hardware) and from then
 * on the device is reached only through the transport. The lab's clock steps wake the board (`tick`, the
 * board's RTC wake-up). Later layers (the Communications Hub, serial, ZigBee) slot in between transport
 * and device.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { nodeCrypto } from '../../boards/node/nodeCrypto.ts';
import { fromHex, toHex } from '../../lib/bytes.ts';
import { decodeMessage } from '../../gbcs/message.ts';
import { createTestSmki } from '../smki/testSmki.ts';
import type { TestSmki } from '../smki/testSmki.ts';
import { CONTINGENCY_ORIGINATOR, DccPlayer } from '../dcc/dccPlayer.ts';
import { toPem } from '../smki/der.ts';
import type { Exchange } from '../dcc/dccPlayer.ts';
import { issueParty, scalarOfPem, TEST_ENTITIES } from '../dcc/users.ts';
import { generateContingencyKey, newRootOca, reissueRootWithContingency } from '../smki/contingency.ts';
import type { Party, User } from '../dcc/users.ts';
import { differences } from './expectations.ts';
import type { DeviceCredentials } from './factory.ts';
import type { Scenario, Step } from './scenario.ts';
import { LAB_ACTIONS } from './scenario.ts';
import { inProcessLabDevice, serialLabDevice } from './labDevice.ts';
import type { LabDevice, SerialLabOptions } from './labDevice.ts';
import { activationParams, DEVICE_MODEL, dplSummary, runFirmwareStep, setUpFirmwareLab } from './firmwareLab.ts';
import type { FirmwareLab } from './firmwareLab.ts';
import type { KeyProvider } from '../hsm/keyProvider.ts';
import type { LinkStats } from '../../lib/serialLink.ts';
import type { DccRulesConfig } from '../dcc/rules/config.ts';
import { labRules } from './rulesLab.ts';
import { duisGateway, runDuisStep } from '../duis/labStep.ts';
import { DuisSchema } from '../duis/schema.ts';
import type { RulesLab } from './rulesLab.ts';
import { Premises } from './premisesLab.ts';
import type { PremisesDevice, PremisesPicture } from './premisesLab.ts';
import { PREMISES_STEPS } from './requests.ts';
import { startZigbeeBearer } from '../zigbee/se/zigbeeBearer.ts';
import type { ZigbeeBearer, ZigbeeBearerReport } from '../zigbee/se/zigbeeBearer.ts';
import { driveZigbeeHubFromChf } from '../zigbee/se/chfDriver.ts';
import type { HerdsmanTransport } from '../zigbee/herdsman.ts';
import type { ChfDriver } from '../zigbee/se/chfDriver.ts';
import { premisesAir } from '../zigbee/se/premisesAir.ts';
import type { Transport } from '../transport/transport.ts';
import type { Link } from '../../boards/board.ts';

export interface StepResult {
  index: number;
  step: Step;
  exchange: Exchange;
  /** Who sent it, for people. */
  actor: string;
  differences: string[];
  passed: boolean;
  ms: number;
}

export interface LabRun {
  scenario: Scenario;
  out: string;
  results: StepResult[];
  parties: Record<string, Party>;
  users: User[];
  /** where: the board and the transport, for people. */
  device: { eui: string; type: string; ds: DeviceCredentials; ka: DeviceCredentials; storage: string; where: string };
  /** The serial link's counters at the end (harness end; the board's from its status), when on a serial line. */
  link?: { harness: LinkStats; board?: LinkStats; securityLog?: number; line?: { bytes: number; dropped: number; corrupted: number } };
  /** rootOca: the Root OCA certificate in the device's root cell (the SMKI's, re-issued with the wrapped contingency key). */
  smki: { dir: string; rootOca: string; issuingOca: string; rootDca: string; issuingDca: string };
  /** The DCC's contingency signing identity: the originator id it uses and the Contingency Private Key (test key). */
  contingency: { originator: string; privateKeyPem: string };
  /** Alerts the device sent that no step consumed. */
  alerts: Uint8Array[];
  /** Every alert the DCC received during the run, with its checks. */
  alertVerdicts: DccPlayer['alertVerdicts'];
  /** Firmware: CPL events, suspension notifications, the Deployed Products List at the end. */
  firmware: {
    cplEvents: string[]; notifications: string[]; deployed: string;
    /** The packages the firmware steps used, by name, and the manufacturer's credential (kept in DIR/firmware/). */
    packages: Record<string, Uint8Array>;
    manufacturer: { certificatePem: string; privateKeyPem: string };
  };
  timings: { setupMs: number; stepsMs: number };
  /** A premises scenario: its devices (with their credentials), the picture at the end, what the hub routed. */
  premises?: { devices: PremisesDevice[]; picture: PremisesPicture; routed: string[] };
  /** With `bearer: zigbee`: joins, CBKE, refusals, what the air lost and who retried. */
  zigbee?: ZigbeeBearerReport;
}

/** The party an alert is addressed to (its header recipient), by name. */
function recipientName(frame: Uint8Array, parties: Record<string, Party>): string {
  const m = decodeMessage(frame);
  if (!m.ok) return 'the DCC';
  const eui = toHex(m.gs.recipient).toUpperCase();
  const p = Object.values(parties).find((x) => x.eui.toUpperCase() === eui);
  return p ? p.name : eui;
}

/** stage 'steps': the run started and broke off (e.g. the serial port went away). */
export type LabSetupFailure = { ok: false; reason: string; stage?: 'setup' | 'steps' | 'radio' };

export interface LabOptions {
  scenario: Scenario;
  out: string;
  /** One line per event (setup stages, each step). */
  progress: (line: string) => void;
  /** Where the parties' private keys live (`--hsm`: a PKCS#11 token); default: in this process. */
  keys?: KeyProvider;
  /** The DCC's rules (harness/dcc/rules, scenarios/dcc-rules.json); default: none. */
  rules?: DccRulesConfig;
  /** The device on a serial line (labDevice.ts) instead of in this process. */
  serial?: SerialLabOptions;
  /**
   * What carries the DCC's frames to the device: in process (default), or ZigBee (harness/zigbee/se:
   * a herdsman Controller as the hub, the device behind a simulated meter: CCS01, join, CBKE, tunnel).
   */
  bearer?: { kind: 'in-process' } | { kind: 'zigbee'; loss?: number; seed?: number; refusals?: boolean; transport?: HerdsmanTransport };
}

/** A transport with a longer answer window (the HAN devices behind the premises hub are on ZigBee). */
function slower(t: Transport, answerWindowMs: number | undefined): Transport {
  if (answerWindowMs === undefined) return t;
  return { name: t.name + ', the HAN on ZigBee', answerWindowMs, send: (f) => t.send(f), onFrame: (h) => t.onFrame(h), close: () => t.close() };
}

/** The hub's EUI-64 on the lab's ZigBee HAN (coordinator, Extended PAN ID). */
export const LAB_HUB_EUI = '00db1234567890a2';

function pad(n: number, width: number): string {
  return String(n).padStart(width, ' ');
}

function describeOutcome(x: Exchange): string {
  if (x.verdict === 'refused-by-dcc') return 'refused by the DCC: ' + x.reason;
  if (x.verdict === 'no-response') return 'no response (refused by the device)';
  if (x.verdict === 'bad-response') return 'bad response: ' + x.reason;
  if (x.verdict === 'held-by-dcc') return 'held by the DCC: ' + x.reason;
  if (x.verdict === 'dropped-by-dcc') return 'dropped: ' + x.reason;
  if (x.verdict === 'refused-by-supplier') return 'refused by the Supplier check: ' + x.reason;
  if (x.verdict === 'queued-for-gsme') return 'queued for the GSME: ' + x.reason;
  if (x.verdict === 'refused-on-han') return 'refused on the HAN: ' + (x.reading.found ?? x.reason);
  if (x.reading.found) return x.verdict + ': ' + x.reading.found;
  const r = x.reading;
  if (x.request === 'update-firmware' || x.request === 'supplier-check-firmware' || x.request === 'advance-clock') return 'accepted: ' + x.reason + (r.receiptHash ? '; 00CE receipt hash ' + r.receiptHash.substring(0, 16) + '... matches' : '');
  const what = r.activationStatus !== undefined ? 'activation status ' + r.activationStatus + ', version ' + r.firmwareVersion
    : x.request === 'activate-firmware' ? 'NULL (future-dated / cancellation)'
    : r.firmwareVersion !== undefined ? 'firmware ' + r.firmwareVersion
    : r.supply ? 'supply ' + r.supply
      : r.securityLog ? 'security log: ' + (r.securityLog.map((l) => l.event).join(' ') || 'empty')
        : r.cs02bStatuses ? 'CS02b statuses ' + r.cs02bStatuses.join(',')
          : r.dlmsResults ? 'DLMS results ' + r.dlmsResults.join(',') : '';
  return 'accepted' + (x.critical ? ', signed response' : ', MACed response') + (what ? ': ' + what : '');
}

export async function runLab(o: LabOptions): Promise<LabRun | LabSetupFailure> {
  const t0 = performance.now();
  const { scenario, out, progress } = o;
  mkdirSync(out, { recursive: true });
  const crypto = o.keys ? o.keys.crypto(nodeCrypto()) : nodeCrypto();
  const smkiDir = join(out, 'smki');
  let smki: TestSmki | undefined;
  let fw: FirmwareLab | undefined;
  let clockOffsetMs = 0;
  let labDevice: LabDevice | undefined;
  let zigbee: ZigbeeBearer | undefined;
  const nowMs = () => Date.now() + clockOffsetMs;
  try {
    smki = createTestSmki({ dir: smkiDir, workers: 1 });
    progress('setup: test SMKI in ' + smkiDir + ' (Root OCA, Issuing OCA, Root DCA, Issuing DCA)');
    const parties: Record<string, Party> = {};
    for (const id of Object.keys(TEST_ENTITIES)) parties[id] = issueParty(smki, crypto, TEST_ENTITIES[id], o.keys);
    progress('setup: organisation credentials (DS + KA) for ' + Object.keys(parties).map((id) => parties[id].name + ' ' + parties[id].eui).join(', ') +
      (o.keys ? '; key pairs generated and used in ' + o.keys.name : ''));
    fw = setUpFirmwareLab(smki, crypto, smkiDir, scenario.device.eui, nowMs, (line) => progress('  notice: ' + line));
    progress('setup: manufacturer image-signing certificate (role 7F) and packages ' + Object.keys(fw.packages).join(', ') + '; CPL in ' + smkiDir + '/cpl.sqlite');
    // The DCC's Contingency Key Pair: its public key, wrapped, rides in the Root OCA the factory installs.
    const contingencyKey = generateContingencyKey();
    const rootWithContingency = reissueRootWithContingency(smki.rootOca(), contingencyKey, smki.policy.organisation, new Date(nowMs()));
    const anchors = { recovery: parties.recovery, acb: parties.acb, wanProvider: parties.wanProvider, transCoS: parties.transCoS, networkOperator: parties.networkOperator };
    const firmwareConfig = { manufacturerKey: fw.manufacturer.publicKey, capacity: 512 * 1024 };
    const bench = o.serial
      ? await serialLabDevice(o.serial, { out, eui: scenario.device.eui, smki, anchors, rootCertificate: new Uint8Array(rootWithContingency), firmware: firmwareConfig, progress })
      : inProcessLabDevice({ out, eui: scenario.device.eui, smki, anchors, rootCertificate: new Uint8Array(rootWithContingency), firmware: firmwareConfig, nowMs });
    if (!bench.ok) return { ok: false, reason: bench.reason };
    labDevice = bench.device;
    const made = labDevice.made;
    const storage = labDevice.storage;
    progress('setup: ' + labDevice.describe);
    const users: User[] = [...scenario.users.map((u) => ({ id: u.id, name: u.name, party: parties[u.party], ...(u.userRole ? { userRole: u.userRole } : {}) }))];
    const rulesLab: RulesLab | undefined = o.rules ? labRules(o.rules, { out, cpl: fw.cpl, deviceEui: scenario.device.eui, model: DEVICE_MODEL, now: nowMs, progress }) : undefined;
    const esmeRecord = { eui: scenario.device.eui, euiBytes: fromHex(scenario.device.eui)!, deviceType: 'ESME', dsPublic: made.ds.publicKey, kaPublic: made.ka.publicKey };
    // ZigBee (--bearer zigbee): the ESME's link goes to a simulated meter on the air; the DCC (or, in a
    // premises, the Communications Hub) reaches the ESME through its SE tunnel on the herdsman hub
    let zigbeeTransport: Transport | undefined;
    let zigbeeHan: Link | undefined;
    if (o.bearer && o.bearer.kind === 'zigbee') {
      const here = labDevice.inProcess;
      if (!here) return { ok: false, reason: '--bearer zigbee needs the ESME in this process (its link goes to the simulated ZigBee meter): run it without --board/--port' };
      const z = await startZigbeeBearer({
        dir: join(out, 'zigbee'), hubEui: scenario.premises ? scenario.premises.chf.toLowerCase() : LAB_HUB_EUI, devices: scenario.premises ? [] : [{ eui: scenario.device.eui, host: here.link }],
        loss: o.bearer.loss, seed: o.bearer.seed, refusals: o.bearer.refusals ?? true, progress, ...(o.bearer.transport ? { transport: o.bearer.transport } : {}),
      });
      if (!z.ok) return { ok: false, reason: z.reason, ...(z.radio ? { stage: 'radio' as const } : {}) };
      zigbee = z.bearer;
      if (scenario.premises) zigbeeHan = zigbee.hub.hanLink(scenario.device.eui);
      else zigbeeTransport = zigbee.transport(scenario.device.eui);
    }
    let premises: Premises | undefined;
    let chfDriver: ChfDriver | undefined;
    if (scenario.premises) {
      // The ESME's link is its HAN link to the hub; the DCC reaches it through the WAN and the hub.
      const esmeHere = labDevice.inProcess;
      if (!esmeHere) return { ok: false, reason: 'the premises scenario runs its ESME in this process (the hub\'s HAN is simulated here): run it without --board/--port' };
      const built = Premises.build({
        out, crypto, spec: scenario.premises, nowSec: () => Math.floor(nowMs() / 1000), advance: (ms) => { clockOffsetMs += ms; },
        esme: { eui: scenario.device.eui, link: zigbeeHan ?? esmeHere.link, record: esmeRecord, device: esmeHere.device },
        ...(zigbee ? { hanJoin: (eui: string) => chfDriver ? chfDriver.hanJoin(eui) : Promise.resolve(undefined) } : {}),
        ...(zigbee ? { air: premisesAir(zigbee, scenario.premises) } : {}),
        order: { smki, rootCertificate: new Uint8Array(rootWithContingency), anchors: { recovery: parties.recovery, acb: parties.acb, wanProvider: parties.wanProvider, transCoS: parties.transCoS, networkOperator: parties.networkOperator } },
        dcc: { acb: parties.acb, users: scenario.users.map((u) => ({ id: u.id, name: u.name, party: parties[u.party] })), parties, issuingOca: new Uint8Array(smki.issuingOca().der) },
      });
      if (!(built instanceof Premises)) return built;
      premises = built;
      // Over ZigBee the CHF drives the herdsman hub: the DCC's CCS01/CCS02 change the CHF Device Log, and
      // that opens the HAN to a device (install code, permit join) or removes it (chfDriver.ts); the ESME's
      // meter, with the install code on its label, joins in its han-join step. The ZigBee hub lets a device
      // join, agree keys and open its tunnel while it is on the CHF Device Log; what it may send is the
      // CHF's to say (CommunicationsHub.admitted, in fromWan/fromHan).
      const chfHub = built.hub;
      if (zigbee) {
        const esmeCode = built.devices.find((d) => d.name === 'ESME')!.installCode!;
        zigbee.enrol(scenario.device.eui, esmeHere.link, esmeCode);
        // every HAN device of the premises is on the air: the sleepy GSME, the PPMID and the IHD too, each
        // joining at its han-join step with the install code on its label (premisesAir.ts)
        for (const d of built.devices) if (d.name === 'GSME' || d.name === 'PPMID' || d.name === 'IHD') zigbee.enrol(d.eui, d.name === 'GSME' ? 'gsme' : 'han', d.installCode!);
        zigbee.hub.followDeviceLog((eui) => chfHub.admitted(fromHex(eui)!) !== 'not-on-log');
        chfDriver = driveZigbeeHubFromChf({ chf: chfHub, bearer: zigbee, progress });
      }
      progress('setup: premises: Communications Hub (CHF ' + scenario.premises.chf + ', GPF ' + scenario.premises.gpf + ') made as their kinds, GSME ' + scenario.premises.gsme + ' and PPMID ' + scenario.premises.ppmid +
        ' made at the factory, IHD ' + scenario.premises.ihd + ' (Type 2, install code only); the ESME on the hub\'s HAN; GSME wakes every ' + scenario.premises.gsmeWakeSeconds + ' s');
    }
    const dcc = new DccPlayer({
      crypto, transport: premises ? slower(premises.transportFor(scenario.device.eui), zigbee ? zigbee.answerWindowMs : undefined) : zigbeeTransport ?? labDevice.transport, acb: parties.acb, users, parties, issuingOca: new Uint8Array(smki.issuingOca().der),
      device: esmeRecord,
      nowUnix: () => Math.floor(nowMs() / 1000),
      cpl: fw.cpl, deviceModel: DEVICE_MODEL, suspension: fw.suspension, rules: rulesLab?.rules,
    });
    const lab = fw;
    // DUIS steps (scenario "duis"): the DCC's DUIS front door around the same DCC player
    const hasDuis = scenario.steps.some((st) => st.kind === 'request' && st.duis);
    const duisLab = { crypto, dcc, parties, deviceEui: scenario.device.eui, schema: hasDuis ? new DuisSchema() : null, nowUnix: () => Math.floor(nowMs() / 1000) };
    const duisDoor = hasDuis ? duisGateway(duisLab) : undefined;
    const setupMs = performance.now() - t0;
    const results: StepResult[] = [];
    const width = String(scenario.steps.length).length;
    const t1 = performance.now();
    let current = 0;
    try {
    for (let i = 0; i < scenario.steps.length; i++) {
      current = i;
      const step = scenario.steps[i];
      if (o.serial?.resetDuring === step.id) labDevice.armReset?.();
      const s0 = performance.now();
      let exchange: Exchange;
      let actor: string;
      if (step.kind === 'replay') {
        const earlier = results.find((r) => r.step.id === step.replay)!;
        actor = 'an attacker replaying "' + earlier.step.id + '"';
        exchange = earlier.exchange.frames.some((f) => f.kind === 'COMMAND')
          ? await dcc.replay(earlier.exchange)
          : { user: earlier.exchange.user, request: earlier.exchange.request, verdict: 'refused-by-dcc', reason: 'nothing to replay: step "' + earlier.step.id + '" sent no command', frames: [], checks: [], reading: {} };
      } else {
        const u = users.find((x) => x.id === step.as)!;
        actor = u.name + ' (' + u.party.role + ')' + (step.tamper ? ', altered in transit (' + step.tamper + ')' : '');
        const premisesStep = premises && PREMISES_STEPS.some((r) => r.name === step.request) ? await premises.step(step, dcc) : undefined;
        const own = premisesStep ? premisesStep : step.duis && duisDoor
          ? await runDuisStep(duisLab, duisDoor, step.as, step.duis)
          : rulesLab && (step.request === 'release-held' || step.request === 'drop-held')
          ? await rulesLab.settle(dcc, results, step)
          : step.request === 'contingency-root-replacement'
          ? await dcc.contingency(
            { privateKey: scalarOfPem(contingencyKey.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string), symmetricKey: new Uint8Array(contingencyKey.symmetricKey) },
            new Uint8Array(newRootOca('TR3', 'ffffffffffffff01', smki.policy.organisation, new Date(nowMs()))),
          )
          : LAB_ACTIONS.indexOf(step.request) >= 0
          ? await runFirmwareStep(lab, step, {
            crypto, dcc, issuingOcaPem: smki.issuingOca().pem, deviceEui: scenario.device.eui, nowMs,
            advance: async (ms) => { clockOffsetMs += ms; await labDevice?.setClockOffset(clockOffsetMs); },
            tick: async () => { await labDevice?.tick(); },
          })
          : undefined;
        exchange = own ?? await dcc.submit(step.as, step.request, step.request === 'activate-firmware' ? activationParams(lab, step.params, nowMs()) : step.params, step.tamper);
        rulesLab?.after(exchange);
        if (step.request === 'activate-firmware' && exchange.reading.activationStatus === 0 && exchange.reading.firmwareVersion) lab.inventory.setVersion(scenario.device.eui, exchange.reading.firmwareVersion);
        if (step.request === 'read-firmware-version' && exchange.reading.firmwareVersion && /^[0-9a-f]{8}$/.test(exchange.reading.firmwareVersion)) lab.inventory.setVersion(scenario.device.eui, exchange.reading.firmwareVersion);
      }
      // Alerts the step caused (a refused command's security alert, GBCS 8F3D/8F53 in a GCA 1000) are filed with it.
      for (const a of dcc.alerts()) exchange.frames.push({ kind: 'ALERT', bytes: a, from: scenario.device.eui, to: recipientName(a, parties) });
      if (premises) for (const a of premises.alerts()) exchange.frames.push({ kind: 'ALERT', bytes: a.frame, from: a.from, to: recipientName(a.frame, parties) });
      const diff = differences(step.expect, exchange);
      const r: StepResult = { index: i + 1, step, exchange, actor, differences: diff, passed: diff.length === 0, ms: performance.now() - s0 };
      results.push(r);
      const who = step.kind === 'replay' ? 'replay of ' + step.replay : step.as + ' ' + (step.duis ? exchange.request + ' from ' + step.duis.replace(/^.*\//, '') : step.request) + (step.tamper ? ' (altered: ' + step.tamper + ')' : '');
      progress('[' + pad(i + 1, width) + '/' + scenario.steps.length + '] ' + (r.passed ? 'ok     ' : 'DIFFERS') + ' ' + step.id + ': ' + who + ' -> ' +
        describeOutcome(exchange) + (r.passed ? '' : '\n        ' + diff.join('\n        ')) + '  ' + r.ms.toFixed(0) + ' ms');
    }
    } catch (e) {
      // A serial line can fail under a step (the port went away, the board stopped answering): said plainly.
      if (!labDevice.serial) throw e;
      return { ok: false, stage: 'steps', reason: 'at step ' + (current + 1) + ' ("' + scenario.steps[current].id + '"): ' + (e as Error).message + ' (' + results.length + ' step(s) done)' };
    }
    const stepsMs = performance.now() - t1;
    let link: LabRun['link'];
    if (labDevice.serial) {
      const st = await labDevice.serial.request('status').catch(() => undefined);
      const f = labDevice.lineFaults;
      link = {
        harness: labDevice.serial.stats(), ...(st && st.link ? { board: st.link as LinkStats } : {}),
        ...(st && typeof st.securityLog === 'number' ? { securityLog: st.securityLog } : {}),
        ...(f ? { line: { bytes: f.bytes, dropped: f.dropped, corrupted: f.corrupted } } : {}),
      };
    }
    return {
      scenario, out, results, parties, users,
      device: { eui: scenario.device.eui, type: 'ESME', ds: made.ds, ka: made.ka, storage, where: labDevice.where },
      ...(link ? { link } : {}),
      contingency: { originator: toHex(CONTINGENCY_ORIGINATOR), privateKeyPem: contingencyKey.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string },
      smki: { dir: smkiDir, rootOca: toPem(rootWithContingency, 'CERTIFICATE'), issuingOca: smki.issuingOca().pem, rootDca: smki.rootDca().pem, issuingDca: smki.issuingDca().pem },
      alerts: dcc.alerts(),
      alertVerdicts: premises ? dcc.alertVerdicts.concat(premises.alertVerdicts()) : dcc.alertVerdicts,
      ...(premises ? { premises: { devices: premises.devices, picture: premises.picture(), routed: premises.routed } } : {}),
      firmware: { cplEvents: lab.events.map((e) => e.at + ' ' + e.kind + ' ' + e.model + ' ' + e.version + ': ' + e.detail), notifications: lab.suspension.notifications.map((n) => n.at + ' to ' + n.to + ': ' + n.text), deployed: dplSummary(lab),
        packages: Object.fromEntries(Object.entries(lab.packages).map(([k, p]) => [k, p.bytes])),
        manufacturer: { certificatePem: lab.manufacturer.certificatePem, privateKeyPem: lab.manufacturer.privateKeyPem } },
      timings: { setupMs, stepsMs },
      ...(zigbee ? { zigbee: zigbee.report() } : {}),
    };
  } finally {
    await labDevice?.close();
    await zigbee?.stop();
    fw?.cpl.close();
    if (smki) await smki.close();
  }
}
