/**
 * `smets lab [--scenario FILE] [--out DIR]`: the main job (`npm start`). A test SMKI, a factory-made
 * simulated ESME on the Node board, and the DCC player driving it through an in-process transport, step
 * by step as the scenario says; then the evidence (HTML report, JUnit, RTDS-layout messages, keystore)
 * and a one-screen summary. harness/lab/runLab.ts does the work; harness/evidence/ writes the files.
 * @module
 */
import type { HerdsmanTransport } from '../../zigbee/herdsman.ts';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ROOT } from '../../../build/paths.ts';
import type { Command } from '../command.ts';
import { errorText, EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE } from '../command.ts';
import { commandOptions } from '../options.ts';
import { stepLog } from '../output.ts';
import { writeEvidence } from '../../evidence/index.ts';
import type { EvidenceFiles } from '../../evidence/index.ts';
import { runLab } from '../../lab/runLab.ts';
import type { LabRun } from '../../lab/runLab.ts';
import { EXPECT_KEYS, loadScenario, OUTCOMES, TAMPERS } from '../../lab/scenario.ts';
import { requestsHelp } from '../../lab/requests.ts';
import { TEST_ENTITIES } from '../../dcc/users.ts';
import { decodeMessage } from '../../../gbcs/message.ts';
import { loadRulesConfig } from '../../dcc/rules/config.ts';
import { DEFAULT_TOKEN, openHsm, SOFTHSM_MODULE, softHsmConf } from '../../hsm/index.ts';
import type { KeyProvider } from '../../hsm/index.ts';
import { messageCodeInfo } from '../../../gbcs/messageCodes.ts';

/** Every alert the device sent during the run, by use case, and how many passed the DCC's checks. */
function alertsLine(run: LabRun): string {
  const verdicts = run.alertVerdicts;
  if (verdicts.length === 0) return 'none received';
  const byCase: Record<string, number> = {};
  for (const v of verdicts) {
    const m = decodeMessage(v.frame);
    const code = m.ok ? m.gs.messageCode : -1;
    const name = code < 0 ? 'undecodable' : (messageCodeInfo(code)?.useCase ?? 'unknown') + ' ' + code.toString(16).padStart(4, '0').toUpperCase();
    byCase[name] = (byCase[name] ?? 0) + 1;
  }
  const bad = verdicts.filter((v) => !v.ok);
  return verdicts.length + ' received, ' + (verdicts.length - bad.length) + ' verified (protection, origin, rising device counter): ' +
    Object.entries(byCase).map(([k, n]) => n + ' x ' + k).join(', ') +
    bad.map((v) => '\n  ALERT FAILED ' + v.checks.filter((c) => !c.ok).map((c) => c.name + ': ' + c.detail).join('; ')).join('');
}

export const DEFAULT_SCENARIO = join(ROOT, 'scenarios', 'lab.json');

/** The last step `--board espruino` runs of the default scenario (before the firmware image). */
const ESPRUINO_LAST_STEP = 'replayed-contingency';

export const DEFAULT_RULES = join(ROOT, 'scenarios', 'dcc-rules.json');

const HELP: string = `Usage: smets lab [--scenario FILE] [--out DIR] [--rules FILE] [--hsm [--hsm-dir DIR] ...] [--quiet]
                 [--board node|espruino | --port PATH [--baud N]] [--answer-ms MS]

Runs a whole GBCS exchange on this machine, no hardware and no setup: a test SMKI (SQLite), a simulated
ESME made as a factory would (keys generated on its board, device certificates from the Issuing DCA, the
DCC's initial trust anchors), the DCC player with its users (Supplier, Network Operator, the DCC as ACB),
and an in-process transport between them. Then it runs the scenario's steps, one progress line each, and
ends with a summary. A scenario with "premises" (scenarios/premises.json) puts the ESME on the HAN of a
Communications Hub (CHF and GPF, made as their kinds) with a sleeping GSME, a PPMID and an IHD: the DCC
reaches each through the hub, and the [premises] requests below install, join, pair and drive them.

Options:
  --scenario FILE  the steps to run (default: scenarios/lab.json; copy it and edit)
  --out DIR        working folder for the SMKI, the device state and the evidence
                   (default: lab-run/<timestamp>/, lab-run/<timestamp>-premises/ for a premises;
                   must be empty or new)
  --rules FILE     the DCC's rules: mode test|live, SNA services, anomaly thresholds
                   (default: scenarios/dcc-rules.json; README "The DCC's rules")
  --hsm            the parties' and the DCC's key pairs are generated and used in a PKCS#11 token:
                   by default a fresh SoftHSM2 token in DIR/hsm (Debian's ${SOFTHSM_MODULE})
  --hsm-dir DIR    a SoftHSM2 folder (smets hsm init); its token is reused, keys found by label
  --hsm-module P   another PKCS#11 module (its token must exist; with --hsm-token, --hsm-pin)
  --hsm-token L    token label (default ${DEFAULT_TOKEN});  --hsm-pin PIN  user PIN (or SMETS_HSM_PIN)
  --bearer B       what carries the DCC's frames to the device: in-process (default) or zigbee: a real
                   zigbee-herdsman Controller (zoh adapter) on an emulated radio as the hub, the device
                   behind a simulated ZigBee meter: CCS01 -> join with the install code -> CBKE ->
                   SE tunnel (ProtocolID 6) -> GBCS; plus the refusals (bad install-code CRC, wrong
                   install code, not on the CHF log, bad CBKE certificate, after CCS02). In a premises
                   scenario the DCC's CCS01/CCS02 reaching the CHF drive the Controller (install code and
                   permit join; removal and a new network key) and every HAN device is on the air,
                   joining in its han-join step: the ESME, the sleepy GSME (it pulls what the GPF holds
                   through its tunnel when it wakes), the PPMID and the IHD
  --zigbee-loss R  with --bearer zigbee: the air loses this fraction of frames and ACKs during the
                   steps (0..0.5, default 0); losses, retries and duplicates are reported
  --zigbee-seed N  the loss pattern's seed (default 1)
  --adapter A      with --bearer zigbee: herdsman's adapter for the hub's radio: ember, zstack, deconz or
                   zoh (default zoh). Without --zigbee-port it is pointed at the emulated radio, which
                   only zoh speaks (Spinel): the others fail to start (exit 1)
  --zigbee-port P  with --bearer zigbee: the hub's radio at P (a serial device such as /dev/ttyUSB0, or
                   tcp://host:port) instead of the emulated one. The simulated meters share the air of an
                   emulated RCP only when P is one listening in this process; behind a real dongle they
                   cannot join (exit 1)
  --quiet          only the summary (progress, one line per step, goes to stderr)
  --json           the summary as one JSON object (steps, alerts, what was checked, evidence files)
  --board B        the ESME is dist/B/firmware.js on a serial line instead of in this process: a socat pty
                   pair (Debian's socat), the board on one end (node: on Node; espruino: inside the Espruino
                   host binary, .engines/espruino, which opens the pty as Serial1), the harness on the other,
                   the link protocol of README "The serial link"; the factory provisions it over the line's
                   management channel. Run \`npm run build\` first.
  --port PATH      a board already on a serial port (e.g. /dev/ttyUSB0), flashed with the firmware and not
                   yet manufactured (smets flash); the lab provisions it and runs the scenario over the port
  --baud N         the port's speed (default 115200)
  --answer-ms MS   how long the device may take to answer (default 2000; 120000 with --board espruino,
                   whose image check takes tens of seconds; a refused command ends the wait at once)
  --line-errors P  with --board: a proxy between board and harness drops or corrupts P of the bytes
                   (e.g. 1%), both ways; --line-seed N repeats a run's faults (default 1)
  --reset-during ID  with --board: the board loses power while step ID's command crosses the line, and
                   powers on again from its flash (the link re-synchronises, the command is sent again)

Evidence written to the working folder:
  report.html      one page: every step, who sent what, each message in hex and decoded, the verdict
  junit.xml        one test case per step
  messages/        the genuine traffic, RTDS layout (<ref>_<use case>/<name>_<KIND>_GBCS.HEX)
  rejected/        the replayed, altered or unanswered commands (kept apart from messages/)
  keystore/        certificates and test private keys, rtds/keystore layout
  firmware/        the packages the firmware steps used (<name>.ota), the manufacturer's certificate and
                   key (manufacturer.pem/.key), issuing-oca.pem: smets firmware verify runs on them
Check the evidence: smets conformance DIR/messages --keys DIR/keystore

Scenario steps: {"id", "title", "as": user, "request": name, "params", "tamper": ${TAMPERS.join('|')},
"expect": {"outcome": ${OUTCOMES.join('|')},
${EXPECT_KEYS.filter((k) => k !== 'outcome').map((k) => '"' + k + '"').join(', ')}}}
or {"id", "replay": earlier step id, "expect"}
A premises scenario adds "premises": {"chf", "gpf", "gsme", "ppmid", "ihd": EUI-64s, "gsmeWakeSeconds"}
(each optional); its outcomes queued-for-gsme (waiting on the GPF until the GSME wakes) and refused-on-han,
"found": text the step's finding must include.
or {"id", "as": user, "duis": FILE.xml, "expect"}: a DUIS request (relative to the scenario file) signed
as the user and sent through the DCC's DUIS checks; refusals there carry the DUIS code ("reason": "E2").
Every step is checked before anything runs (exit 2).
Users act for parties: ${Object.keys(TEST_ENTITIES).join(', ')}; "dcc" is built in (the ACB).
Requests and their params (harness/lab/requests.ts, the table the scenario reader checks against):
${requestsHelp()}

Exit codes: 0 every step as expected, 1 a step's outcome differs from the scenario (or the ZigBee radio did not start),
2 bad options, a bad scenario file (every problem listed) or the lab could not be set up.

Example: npm start        (= smets lab, then smets lab --scenario scenarios/premises.json)
         smets lab --scenario my-lab.json --out /tmp/lab1`;

function timestamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\..*$/, '');
}

function usage(msg: string): number {
  console.error('smets lab: ' + msg + '\n(smets lab --help for the options)');
  return EXIT_USAGE;
}

function rel(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
}

function count(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? count(join(dir, e.name)) : 1;
  return n;
}

/**
 * What the DCC checked of the device's answers: MACs and signatures of the responses and alerts, and
 * what it could not check (a check that did not run is named, never counted as passed).
 */
export function checkedLine(run: LabRun): string {
  const all = run.results.flatMap((r) => r.exchange.checks).concat(run.alertVerdicts.flatMap((v) => v.checks));
  const count = (pred: (name: string) => boolean) => {
    const xs = all.filter((c) => pred(c.name));
    return { ok: xs.filter((c) => c.ok).length, failed: xs.filter((c) => !c.ok).length };
  };
  const mac = count((n) => n === 'mac');
  const sig = count((n) => n === 'signature' || n.indexOf('signature (') >= 0);
  const unchecked = all.filter((c) => !c.ok && /cannot be checked|not checked/.test(c.detail));
  return mac.ok + ' MACs and ' + sig.ok + ' signatures of responses and alerts verified' +
    (mac.failed + sig.failed ? ', ' + (mac.failed + sig.failed) + ' failed' : '') +
    (unchecked.length ? '; NOT checked: ' + unchecked.map((c) => c.name + ' (' + c.detail + ')').join('; ') : '; nothing left unchecked');
}

/** The summary for machines (`--json`). */
export function summaryJson(run: LabRun, ev: EvidenceFiles, totalMs: number): Record<string, unknown> {
  return {
    ok: run.results.every((r) => r.passed) && run.alertVerdicts.every((v) => v.ok),
    title: run.scenario.title,
    device: run.device.eui,
    steps: run.results.map((r) => ({ index: r.index, id: r.step.id, passed: r.passed, outcome: r.exchange.verdict, ...(r.exchange.reason ? { reason: r.exchange.reason } : {}), differences: r.differences, ms: Math.round(r.ms) })),
    alerts: { received: run.alertVerdicts.length, verified: run.alertVerdicts.filter((v) => v.ok).length },
    checked: checkedLine(run),
    ...(run.zigbee ? { zigbee: run.zigbee } : {}),
    ms: Math.round(totalMs),
    evidence: { dir: ev.dir, report: ev.report, junit: ev.junit, messages: ev.messages, rejected: ev.rejected, keystore: ev.keystore, firmware: ev.firmware },
  };
}

/** The premises in one line: the hub's two functions, then the HAN behind them. */
function premisesLine(devices: NonNullable<LabRun['premises']>['devices'], wake: number): string {
  const at = (name: string) => devices.find((d) => d.name === name)?.eui ?? '?';
  return 'Communications Hub CHF ' + at('CHF') + ' + GPF ' + at('GPF') + ' <- in-process WAN <- DCC players; on its HAN: ESME ' + at('ESME') +
    ', GSME ' + at('GSME') + ' (sleeps, wakes every ' + wake + ' s), PPMID ' + at('PPMID') + ', IHD ' + at('IHD') + ' (simulated, Node boards)';
}

/** The serial link's figures, both ends. */
function linkLine(l: NonNullable<LabRun['link']>): string {
  const h = l.harness;
  const b = l.board;
  const line = l.line ? 'line: ' + l.line.bytes + ' bytes, ' + l.line.dropped + ' dropped, ' + l.line.corrupted + ' corrupted; ' : '';
  return line + h.framesSent + ' frames sent, ' + h.retransmissions + ' retransmitted, ' + h.framesReceived + ' received (' + h.duplicates + ' duplicates, ' +
    (h.crcErrors + h.malformed) + ' damaged dropped)' + (b ? '; board: ' + b.framesSent + ' sent, ' + b.retransmissions + ' retransmitted, ' + (b.crcErrors + b.malformed) + ' damaged dropped' : '') +
    (l.securityLog !== undefined ? '; device security log ' + l.securityLog + ' entries' : '');
}

/** The ZigBee bearer's part of the summary: joins, refusals, what the air lost and who retried. */
export function zigbeeLines(z: NonNullable<LabRun['zigbee']>): string[] {
  const meters = Object.values(z.meters);
  const sum = (k: keyof (typeof meters)[number]) => meters.reduce((n, m) => n + m[k], 0);
  return [
    '  zigbee    ' + z.devices.map((d) => d.eui + ': join ' + d.joinMs.toFixed(0) + ' ms, CBKE ' + d.cbkeMs.toFixed(0) + ' ms, tunnel ' + d.tunnelMs.toFixed(0) + ' ms').join('; '),
    '  refusals  ' + z.refusals.filter((r) => r.refused).length + ' of ' + z.refusals.length + ' refused as they must: ' + z.refusals.map((r) => r.case + (r.refused ? (r.named ? ' (' + r.named + ')' : '') : ' (NOT REFUSED)')).join(', '),
    '  air       ' + z.air.frames + ' frames, ' + z.air.lost + ' lost (' + z.air.acksLost + ' ACKs), ' + z.air.retries + ' radio retries; tunnel: ' + z.hub.framesDown + ' frames down (' + z.hub.gbtMessages + ' messages as GBT), ' +
      z.hub.framesUp + ' up, hub resends ' + z.hub.sendRetries + ', meter resends ' + sum('upRetries') + ', undelivered ' + (z.hub.sendFailures + sum('upFailures')) + ', copies dropped by the tunnel (same ZCL sequence number) ' + (sum('copiesDropped') + z.hub.copiesDropped) + ', identical frames reaching the device ' + sum('duplicatesToDevice') + ' (the scenario\'s replays and any bearer copies: the GBCS counter check decides)',
    ...(Object.keys(z.perDevice).length > 1
      ? ['  tunnels   ' + Object.entries(z.perDevice).map(([eui, c]) => eui + ' ' + c.down + ' down / ' + c.up + ' up').join(', ') + ' (TransferData frames)']
      : []),
    ...Object.entries(z.sleepy).map(([eui, g]) => '  sleepy    ' + eui + ': ' + g.wakes + ' wakes, ' + g.flagReads + ' flag reads, ' + g.gets + ' GETs (' + g.messages + ' with a message, ' + g.empty + ' empty), ' +
      g.puts + ' PUTs, ' + g.polls + ' polls; frames that reached it asleep ' + g.heardAsleep),
  ];
}

/** The one-screen summary. */
export function summary(run: LabRun, ev: EvidenceFiles, totalMs: number): string {
  const failed = run.results.filter((r) => !r.passed);
  const lines = [
    '',
    'smets lab: ' + run.scenario.title,
    ...(run.premises
      ? ['  premises  ' + premisesLine(run.premises.devices, run.premises.picture.gsmeWakeSeconds)]
      : ['  device    ESME ' + run.device.eui + ' ' + (run.zigbee ? '(simulated, Node board) <- ZigBee (simulated meter, SE tunnel, herdsman Controller as the hub) <- DCC player' : run.device.where)]),
    ...(run.zigbee ? zigbeeLines(run.zigbee) : []),
    ...(run.link ? ['  link      ' + linkLine(run.link)] : []),
    '  parties   ' + Object.keys(run.parties).map((id) => id + ' ' + run.parties[id].eui).join(', '),
    '  steps     ' + run.results.length + ': ' + (run.results.length - failed.length) + ' as expected, ' + failed.length + ' differ' +
      '  (accepted ' + run.results.filter((r) => r.exchange.verdict === 'accepted').length +
      ', refused by the DCC ' + run.results.filter((r) => r.exchange.verdict === 'refused-by-dcc').length +
      ', refused by the device ' + run.results.filter((r) => r.exchange.verdict === 'no-response').length +
      (run.premises ? ', queued for the GSME ' + run.results.filter((r) => r.exchange.verdict === 'queued-for-gsme').length + ', refused on the HAN ' + run.results.filter((r) => r.exchange.verdict === 'refused-on-han').length : '') + ')',
    ...failed.map((r) => '  DIFFERS   ' + r.index + ' ' + r.step.id + ': ' + r.differences.join('; ')),
    '  alerts    ' + alertsLine(run),
    '  checked   ' + checkedLine(run),
    '  time      ' + (totalMs / 1000).toFixed(2) + ' s (set-up ' + (run.timings.setupMs / 1000).toFixed(2) + ' s, steps ' + (run.timings.stepsMs / 1000).toFixed(2) + ' s)',
    '  evidence  ' + rel(ev.dir) + '/',
    '            report.html, junit.xml, messages/ (' + count(ev.messages) + ' files), rejected/ (' + count(ev.rejected) + '), keystore/ (' + count(ev.keystore) + '), firmware/ (' + count(ev.firmware) + ')',
    '  check it  npx smets conformance ' + rel(ev.messages) + ' --keys ' + rel(ev.keystore),
    '            npx smets firmware verify --package ' + rel(join(ev.firmware, 'good.ota')) + ' --cert ' + rel(join(ev.firmware, 'manufacturer.pem')) +
      ' --ca ' + rel(join(ev.firmware, 'issuing-oca.pem')) + ' --cpl-dir ' + rel(run.smki.dir),
    '',
    failed.length ? 'RESULT: ' + failed.length + ' step(s) differ from the scenario'
      : run.alertVerdicts.some((v) => !v.ok) ? 'RESULT: every step as expected, but an alert failed its checks'
      : 'RESULT: every step as expected',
  ];
  return lines.join('\n');
}

/** herdsman adapters `--adapter` takes (README "Adapters tried against the emulated radio"). */
export const LAB_ADAPTERS = ['ember', 'zstack', 'deconz', 'zoh'];

export const lab: Command = {
  name: 'lab',
  summary: 'the lab: a simulated ESME, a test SMKI and the DCC player running a scenario, with evidence',
  help: HELP,
  async run(args: string[]): Promise<number> {
    const started = performance.now();
    const parsed = commandOptions('smets lab', HELP, args, {
      options: ['scenario', 'out', 'rules', 'hsm-dir', 'hsm-module', 'hsm-token', 'hsm-pin', 'board', 'port', 'baud', 'answer-ms', 'line-errors', 'line-seed', 'reset-during', 'bearer', 'zigbee-loss', 'zigbee-seed', 'adapter', 'zigbee-port'],
      flags: ['quiet', 'hsm', 'json'],
    });
    if ('exit' in parsed) return parsed.exit;
    const scenarioPath = parsed.values.scenario ?? DEFAULT_SCENARIO;
    const out = parsed.values.out;
    const quiet = parsed.flags.quiet === true;
    const rulesPath = parsed.values.rules ?? DEFAULT_RULES;
    // Any --hsm-* option implies --hsm.
    const hsmOpts: Record<string, string> = {};
    for (const k of ['dir', 'module', 'token', 'pin']) if (parsed.values['hsm-' + k] !== undefined) hsmOpts[k] = parsed.values['hsm-' + k];
    const hsm = parsed.flags.hsm === true || Object.keys(hsmOpts).length > 0;
    if (hsmOpts.dir && !existsSync(softHsmConf(hsmOpts.dir))) {
      return usage('--hsm-dir ' + hsmOpts.dir + ' holds no SoftHSM2 token (no softhsm2.conf); create one: smets hsm init --dir ' + hsmOpts.dir);
    }
    const bearerName = parsed.values.bearer ?? 'in-process';
    if (bearerName !== 'in-process' && bearerName !== 'zigbee') return usage('--bearer must be in-process or zigbee, got "' + bearerName + '"');
    const loss = parsed.values['zigbee-loss'] === undefined ? 0 : Number(parsed.values['zigbee-loss']);
    const zigbeeSeed = parsed.values['zigbee-seed'] === undefined ? 1 : Number(parsed.values['zigbee-seed']);
    if (!(loss >= 0 && loss <= 0.5)) return usage('--zigbee-loss must be a number from 0 to 0.5, got "' + parsed.values['zigbee-loss'] + '"');
    if (!Number.isInteger(zigbeeSeed) || zigbeeSeed < 0) return usage('--zigbee-seed must be a whole number, got "' + parsed.values['zigbee-seed'] + '"');
    if (bearerName !== 'zigbee' && (parsed.values['zigbee-loss'] !== undefined || parsed.values['zigbee-seed'] !== undefined)) return usage('--zigbee-loss and --zigbee-seed need --bearer zigbee');
    const adapter = parsed.values.adapter;
    const zigbeePort = parsed.values['zigbee-port'];
    if (bearerName !== 'zigbee' && (adapter !== undefined || zigbeePort !== undefined)) return usage('--adapter and --zigbee-port need --bearer zigbee');
    if (adapter !== undefined && LAB_ADAPTERS.indexOf(adapter) < 0) return usage('--adapter must be one of ' + LAB_ADAPTERS.join(', ') + ', got "' + adapter + '"');
    if (zigbeePort !== undefined && zigbeePort.trim() === '') return usage('--zigbee-port needs a path (a serial device or tcp://host:port)');
    const transport = adapter !== undefined || zigbeePort !== undefined
      ? { adapter: (adapter ?? 'zoh') as HerdsmanTransport['adapter'], ...(zigbeePort !== undefined ? { path: zigbeePort } : {}) } : undefined;
    const bearer = bearerName === 'zigbee' ? { kind: 'zigbee' as const, loss, seed: zigbeeSeed, ...(transport ? { transport } : {}) } : { kind: 'in-process' as const };
    const rules = loadRulesConfig(rulesPath);
    if (!rules.ok) {
      console.error('smets lab: bad rules file\n  ' + rules.errors.join('\n  '));
      if (parsed.flags.json) console.log(JSON.stringify({ ok: false, file: 'rules', errors: rules.errors }));
      return EXIT_USAGE;
    }
    const loaded = loadScenario(scenarioPath);
    if (!loaded.ok) {
      console.error('smets lab: bad scenario file\n  ' + loaded.errors.join('\n  '));
      if (parsed.flags.json) console.log(JSON.stringify({ ok: false, file: 'scenario', errors: loaded.errors }));
      return EXIT_USAGE;
    }
    const boardOpt = parsed.values.board;
    if (boardOpt !== undefined && boardOpt !== 'node' && boardOpt !== 'espruino' && boardOpt !== 'in-process') return usage('--board is node, espruino or in-process, got ' + JSON.stringify(boardOpt) + ' (JerryScript\'s host build cannot hold a serial link: README "The serial link")');
    if (boardOpt !== undefined && boardOpt !== 'in-process' && parsed.values.port !== undefined) return usage('--board starts a board on a pty pair; --port uses a board already on a port: give one of them');
    const baud = parsed.values.baud === undefined ? undefined : Number(parsed.values.baud);
    if (baud !== undefined && !(Number.isInteger(baud) && baud > 0)) return usage('--baud must be a positive whole number, got ' + parsed.values.baud);
    const answerMs = parsed.values['answer-ms'] === undefined ? undefined : Number(parsed.values['answer-ms']);
    if (answerMs !== undefined && !(answerMs > 0)) return usage('--answer-ms must be a positive number of milliseconds');
    const lineErrors = parsed.values['line-errors'];
    const rate = lineErrors === undefined ? undefined : /^\d+(\.\d+)?%$/.test(lineErrors) ? Number(lineErrors.slice(0, -1)) / 100 : Number(lineErrors);
    if (rate !== undefined && !(rate >= 0 && rate < 0.5)) return usage('--line-errors is a share of bytes below 50%, e.g. 1% or 0.01; got ' + lineErrors);
    if (rate !== undefined && (boardOpt === undefined || boardOpt === 'in-process')) return usage('--line-errors needs --board node|espruino (the proxy sits between two pty pairs)');
    const seed = parsed.values['line-seed'] === undefined ? undefined : Number(parsed.values['line-seed']);
    if (seed !== undefined && !Number.isInteger(seed)) return usage('--line-seed must be a whole number');
    const serial = parsed.values.port !== undefined || (boardOpt !== undefined && boardOpt !== 'in-process')
      ? { ...(parsed.values.port ? { port: parsed.values.port } : { board: boardOpt as 'node' | 'espruino' }), ...(baud ? { baud } : {}), ...(answerMs ? { answerWindowMs: answerMs } : {}),
        ...(rate !== undefined ? { faults: { rate, ...(seed !== undefined ? { seed } : {}) } } : {}),
        ...(parsed.values['reset-during'] ? { resetDuring: parsed.values['reset-during'] } : {}) }
      : undefined;
    if (serial?.resetDuring && !loaded.scenario.steps.some((st) => st.id === serial.resetDuring)) return usage('--reset-during: the scenario has no step "' + serial.resetDuring + '"');
    if (serial?.resetDuring && parsed.values.port !== undefined) return usage('--reset-during needs --board (the lab cannot cut a board on --port)');
    // Espruino interprets the firmware from flash: the command steps take a quarter of a second each, the two
    // 97-block image transfers minutes. Without --scenario it runs the command steps, and says so.
    let espruinoPart = '';
    if (boardOpt === 'espruino' && parsed.values.scenario === undefined) {
      const last = loaded.scenario.steps.findIndex((st) => st.id === ESPRUINO_LAST_STEP);
      if (last > 0) {
        espruinoPart = 'Espruino: the command steps 1-' + (last + 1) + ' of ' + loaded.scenario.steps.length +
          ' (the firmware image steps take minutes on the interpreter: --scenario scenarios/lab.json runs them all)';
        loaded.scenario.steps = loaded.scenario.steps.slice(0, last + 1);
      }
    }
    const dir = resolve(out ?? join('lab-run', timestamp(new Date()) + (loaded.scenario.premises ? '-premises' : '')));
    if (existsSync(dir) && readdirSync(dir).length > 0) return usage('--out ' + dir + ' is not empty (the lab writes a fresh SMKI and device there)');
    const json = parsed.flags.json === true;
    // Progress on stderr: one line per step (a log reads the same as a terminal), and on a terminal a
    // live bar under the lines; the summary on stdout.
    const log = stepLog('smets lab', loaded.scenario.steps.length);
    const progress = quiet ? () => undefined : (line: string) => {
      log.line(line);
      const m = /^\[\s*(\d+)\//.exec(line);
      if (m) log.step(Number(m[1]));
    };
    if (espruinoPart) console.error('smets lab: ' + espruinoPart);
    progress('smets lab: ' + loaded.scenario.title + ' (' + rel(resolve(scenarioPath)) + ', ' + loaded.scenario.steps.length + ' steps) in ' + rel(dir));
    let keys: KeyProvider | undefined;
    if (hsm) {
      const opened = openHsm({
        ...(hsmOpts.module && !hsmOpts.dir ? {} : { dir: hsmOpts.dir ?? join(dir, 'hsm') }),
        ...(hsmOpts.module ? { module: hsmOpts.module } : {}), ...(hsmOpts.token ? { token: hsmOpts.token } : {}), ...(hsmOpts.pin ? { pin: hsmOpts.pin } : {}),
      });
      if (!opened.ok) {
        console.error('smets lab: --hsm: ' + opened.reason);
        return EXIT_USAGE;
      }
      keys = opened.provider;
      progress('setup: HSM ' + keys.name + (opened.conf ? ' (SOFTHSM2_CONF=' + rel(opened.conf) + (opened.created ? ', new token' : '') + ')' : ''));
    }
    let run;
    try {
      run = await runLab({ scenario: loaded.scenario, out: dir, progress, rules: rules.config, ...(keys ? { keys } : {}), ...(serial ? { serial } : {}), bearer });
    } catch (e) {
      console.error('smets lab: the lab could not run: ' + errorText(e));
      return EXIT_USAGE;
    } finally {
      keys?.close();
      log.done();
    }
    if (!run || !('results' in run)) {
      const failure = run as { reason: string; stage?: string };
      if (failure.stage === 'radio') {
        console.error('smets lab: the ZigBee radio did not start: ' + failure.reason);
        return EXIT_CHECK_FAILED;
      }
      if (failure.stage === 'steps') {
        console.error('smets lab: the run stopped: ' + failure.reason);
        return EXIT_CHECK_FAILED;
      }
      console.error('smets lab: set-up failed: ' + failure.reason);
      return EXIT_USAGE;
    }
    const ev = writeEvidence(run);
    if (json) console.log(JSON.stringify(summaryJson(run, ev, performance.now() - started)));
    else console.log(summary(run, ev, performance.now() - started));
    return run.results.every((r) => r.passed) && run.alertVerdicts.every((v) => v.ok) ? EXIT_OK : EXIT_CHECK_FAILED;
  },
};
