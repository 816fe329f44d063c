/**
 * A lab scenario as data (scenarios/lab.json is the one `npm start` runs; copy and edit it): who the
 * users are, and each step — who sends what, and what must come of it. Reading a scenario file checks
 * every field and answers either a Scenario or the precise reasons it is not one (file, step, field).
 *
 * ```json
 * { "title": "...", "device": { "eui": "00DB1234567890A0", "type": "ESME" },
 *   "users": [{ "id": "alice", "name": "Alice, Supplier ops", "party": "supplier" }],
 *   "steps": [
 *     { "id": "fw", "title": "...", "as": "alice", "request": "read-firmware-version",
 *       "expect": { "outcome": "accepted", "firmwareVersion": "0.1.0" } },
 *     { "id": "again", "replay": "fw", "expect": { "outcome": "no-response" } },
 *     { "id": "forged", "as": "alice", "request": "enable-supply", "tamper": "content", "expect": { "outcome": "no-response" } } ] }
 * ```
 * Outcomes: `accepted` (a Response came back and passed every check), `refused-by-dcc` (the DCC refused
 * the request; nothing was sent; `reason` must start the DCC's reason), `no-response` (the device sent
 * nothing: GBCS gives no Response to a command that fails authentication), `bad-response`.
 * Further expectations on an accepted step: `firmwareVersion`, `supply` (off|on|armed), `cs02b`
 * ("all-success"), `securityLogIncludes` (GBCS event codes, hex, e.g. "8F3D"), `activationStatus` (CS06:
 * 0 ok, 1 no image, 2 hash mismatch, 3 failure).
 * Firmware steps (the lab's packages: good, faulty, other, tampered, bad-signature; harness/lab/firmwareLab.ts):
 * `supplier-check-firmware` {package} — the Supplier's check before submitting (seed ¶296), outcome
 * `accepted` or `refused-by-supplier`; `update-firmware` {package} — DUIS 11.1 via the DCC (CPL check,
 * block transfer, 00CE receipt); `activate-firmware` {package | hash, inSeconds?, cancel?} — CS06;
 * `advance-clock` {seconds} (as "dcc") — the lab clock moves: future-dated activations fall due, CPL
 * entries expire and their devices are suspended (seed ¶292).
 * DCC rules (with a rules file: harness/dcc/rules): outcome `held-by-dcc` for a critical command over
 * its anomaly threshold; `release-held` / `drop-held` {step: the held step's id} — the second action, by
 * another user (outcome of the release: the command's own; of a drop: `dropped-by-dcc`). A user may
 * have "userRole": "supplier-nominated-agent".
 * DUIS steps: `{ "id", "as": user, "duis": "FILE.xml", "expect" }` — the user's system sends the DUIS request in
 * FILE (relative to the scenario file; its RequestID is rewritten to the user, the device and the user's next
 * counter, and it is signed with the user's key) through the DCC's DUIS checks and transform
 * (harness/duis/labStep.ts); a refusal there is `refused-by-dcc` with the DUIS response code first in the
 * reason (e.g. "E2"). scenarios/duis-lab.json is written so.
 * Premises (`"premises": { "chf", "gpf", "gsme", "ppmid", "ihd", "gsmeWakeSeconds" }`, every field optional;
 * scenarios/premises.json): the ESME sits on the HAN of a Communications Hub with a GSME, a PPMID and an IHD,
 * and the premises requests (requests.ts PREMISES_STEPS: CCS01/CCS02, HAN joins, CS02b per device, CS03/CS04/
 * CS07 on the meters, the GSME's wake, GCS60 from the GPF, CS01b top-ups of the GSME, HAN requests to the
 * ESME or the GSME) may be used. Outcomes
 * `queued-for-gsme` (waiting on the GPF until the GSME wakes) and `refused-on-han` (the hub or the meter
 * refused a HAN device); `found`: text the step's finding must include.
 * @module
 */
import { readJsonFile } from '../userInput/files.ts';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { TEST_ENTITIES } from '../dcc/users.ts';
import type { Tamper, Verdict } from '../dcc/dccPlayer.ts';
import { closest } from '../userInput/closest.ts';
import { checkParams, LAB_REQUESTS, LAB_STEPS, labRequest } from './requests.ts';
import { DEFAULT_PREMISES } from './premisesLab.ts';
import type { PremisesSpec } from './premisesLab.ts';

export interface ScenarioUser {
  id: string;
  name: string;
  /** A party id of TEST_ENTITIES (supplier, supplier2, networkOperator, acb, ...). */
  party: string;
  /** A narrower DUIS User Role: "supplier-nominated-agent" (harness/dcc/rules/sna.ts). */
  userRole?: string;
}

export interface Expectation {
  outcome: Verdict;
  reason?: string;
  firmwareVersion?: string;
  supply?: 'on' | 'off' | 'armed';
  cs02b?: 'all-success';
  securityLogIncludes?: string[];
  activationStatus?: number;
  /** Premises steps: text the step's finding must include (e.g. "join response 0", "credit 35.00"). */
  found?: string;
}

interface StepBase {
  id: string;
  title: string;
  expect: Expectation;
}
export interface RequestStep extends StepBase {
  kind: 'request';
  as: string;
  request: string;
  params: Record<string, unknown>;
  tamper?: Tamper;
  /** A DUIS request file (request "duis"): resolved against the scenario file's folder by `loadScenario`. */
  duis?: string;
}
export interface ReplayStep extends StepBase {
  kind: 'replay';
  replay: string;
}
export type Step = RequestStep | ReplayStep;

export interface Scenario {
  title: string;
  description: string;
  device: { eui: string; type: 'ESME' };
  /** A premises behind a Communications Hub (harness/lab/premisesLab.ts): the ESME on its HAN with a GSME, a PPMID and an IHD. */
  premises?: PremisesSpec;
  users: ScenarioUser[];
  steps: Step[];
}

/** Always present: the DCC itself, acting as the Access Control Broker (e.g. to hand a device over). */
export const DCC_USER: ScenarioUser = { id: 'dcc', name: 'DCC (Access Control Broker)', party: 'acb' };

export type ScenarioResult = { ok: true; scenario: Scenario } | { ok: false; errors: string[] };

export const OUTCOMES: Verdict[] = ['accepted', 'refused-by-dcc', 'refused-by-supplier', 'no-response', 'bad-response', 'held-by-dcc', 'dropped-by-dcc', 'queued-for-gsme', 'refused-on-han'];
/** Steps the lab runs itself (not DCC service requests): firmware packages, the clock, the DCC's contingency root replacement. */
export const LAB_ACTIONS = LAB_STEPS.map((r) => r.name);
export const TAMPERS: Tamper[] = ['content', 'mac', 'counter'];
const STEP_KEYS = ['id', 'title', 'as', 'request', 'params', 'tamper', 'replay', 'duis', 'expect'];
export const EXPECT_KEYS = ['outcome', 'reason', 'firmwareVersion', 'supply', 'cs02b', 'securityLogIncludes', 'activationStatus', 'found'];
const PREMISES_KEYS = ['chf', 'gpf', 'gsme', 'ppmid', 'ihd', 'gsmeWakeSeconds'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const list = (xs: readonly string[]) => xs.map((x) => '"' + x + '"').join(', ');
const suggest = (v: unknown, names: string[]) => {
  const c = typeof v === 'string' ? closest(v, names) : undefined;
  return c ? ' (did you mean "' + c + '"?)' : '';
};

/** Checks a parsed JSON value; every problem is reported, each with its path. */
export function validateScenario(raw: unknown): ScenarioResult {
  const errors: string[] = [];
  const err = (path: string, msg: string) => errors.push(path + ': ' + msg);
  if (!isObject(raw)) return { ok: false, errors: ['the scenario must be a JSON object with "title", "device", "users" and "steps"'] };
  for (const k of Object.keys(raw)) if (['title', 'description', 'device', 'premises', 'users', 'steps'].indexOf(k) < 0) err(k, 'unknown field (allowed: title, description, device, premises, users, steps)');
  let premises: PremisesSpec | undefined;
  if (raw.premises !== undefined) {
    if (!isObject(raw.premises)) err('premises', 'must be an object { "chf", "gpf", "gsme", "ppmid", "ihd": EUI-64s, "gsmeWakeSeconds" } (every field optional)');
    else {
      const pr = raw.premises;
      const spec: PremisesSpec = { ...DEFAULT_PREMISES };
      for (const k of Object.keys(pr)) if (PREMISES_KEYS.indexOf(k) < 0) err('premises.' + k, 'unknown field (allowed: ' + PREMISES_KEYS.join(', ') + ')' + suggest(k, PREMISES_KEYS));
      for (const k of ['chf', 'gpf', 'gsme', 'ppmid', 'ihd'] as const) {
        const v = pr[k];
        if (v === undefined) continue;
        if (typeof v !== 'string' || !/^[0-9A-Fa-f]{16}$/.test(v)) err('premises.' + k, 'must be 16 hex digits (an EUI-64), got ' + JSON.stringify(v));
        else spec[k] = v.toUpperCase();
      }
      const w = pr.gsmeWakeSeconds;
      if (w !== undefined) {
        if (typeof w !== 'number' || !Number.isInteger(w) || w < 1 || w > 86400) err('premises.gsmeWakeSeconds', 'must be a whole number of seconds, 1 to 86400, got ' + JSON.stringify(w));
        else spec.gsmeWakeSeconds = w;
      }
      premises = spec;
    }
  }
  if (typeof raw.title !== 'string' || !raw.title) err('title', 'must be a non-empty string');
  if (raw.description !== undefined && typeof raw.description !== 'string') err('description', 'must be a string');
  let device = { eui: '00DB1234567890A0', type: 'ESME' as const };
  if (raw.device !== undefined) {
    if (!isObject(raw.device)) err('device', 'must be an object { "eui": 16 hex digits, "type": "ESME" }');
    else {
      const eui = raw.device.eui;
      if (typeof eui !== 'string' || !/^[0-9A-Fa-f]{16}$/.test(eui)) err('device.eui', 'must be 16 hex digits (an EUI-64), got ' + JSON.stringify(eui));
      if (raw.device.type !== undefined && raw.device.type !== 'ESME') err('device.type', 'only "ESME" is simulated so far, got ' + JSON.stringify(raw.device.type));
      if (typeof eui === 'string') device = { eui: eui.toUpperCase(), type: 'ESME' };
    }
  }
  const users: ScenarioUser[] = [DCC_USER];
  if (!Array.isArray(raw.users) || raw.users.length === 0) err('users', 'must be a non-empty array of { "id", "name", "party" }');
  else {
    raw.users.forEach((u, i) => {
      const p = 'users[' + i + ']';
      if (!isObject(u)) return err(p, 'must be an object { "id", "name", "party" }');
      if (typeof u.id !== 'string' || !/^[A-Za-z0-9_-]+$/.test(u.id)) return err(p + '.id', 'must be letters, digits, "-" or "_"');
      if (users.some((x) => x.id === u.id)) return err(p + '.id', u.id === 'dcc' ? '"dcc" is built in (the DCC as ACB)' : 'duplicate user id "' + u.id + '"');
      if (typeof u.party !== 'string' || !TEST_ENTITIES[u.party]) return err(p + '.party', 'must be one of ' + list(Object.keys(TEST_ENTITIES)) + ', got ' + JSON.stringify(u.party));
      if (u.userRole !== undefined && u.userRole !== 'supplier-nominated-agent') return err(p + '.userRole', 'must be "supplier-nominated-agent" if given, got ' + JSON.stringify(u.userRole));
      users.push({ id: u.id, name: typeof u.name === 'string' && u.name ? u.name : u.id, party: u.party, ...(u.userRole ? { userRole: u.userRole as string } : {}) });
    });
  }
  const steps: Step[] = [];
  if (!Array.isArray(raw.steps) || raw.steps.length === 0) err('steps', 'must be a non-empty array');
  else {
    raw.steps.forEach((s, i) => {
      const where = 'steps[' + i + ']' + (isObject(s) && typeof s.id === 'string' ? ' ("' + s.id + '")' : '');
      if (!isObject(s)) return err(where, 'must be an object');
      for (const k of Object.keys(s)) if (STEP_KEYS.indexOf(k) < 0) err(where, 'unknown field "' + k + '" (allowed: ' + STEP_KEYS.join(', ') + ')');
      if (typeof s.id !== 'string' || !/^[A-Za-z0-9_-]+$/.test(s.id)) return err(where + '.id', 'must be letters, digits, "-" or "_"');
      if (steps.some((x) => x.id === s.id)) return err(where + '.id', 'duplicate step id');
      const expect = validateExpect(s.expect, where + '.expect', err);
      if (!expect) return;
      const title = typeof s.title === 'string' ? s.title : '';
      if (s.replay !== undefined) {
        if (s.as !== undefined || s.request !== undefined) return err(where, 'a replay step has "replay" and "expect" only');
        const earlier = steps.find((x) => x.id === s.replay);
        if (!earlier) return err(where + '.replay', 'must name an earlier step, got ' + JSON.stringify(s.replay));
        steps.push({ kind: 'replay', id: s.id, title: title || 'replay of ' + earlier.id, replay: earlier.id, expect });
        return;
      }
      const before = errors.length;
      if (typeof s.as !== 'string' || !users.some((u) => u.id === s.as)) err(where + '.as', 'must name a user (' + list(users.map((u) => u.id)) + '), got ' + JSON.stringify(s.as));
      if (s.duis !== undefined) {
        if (errors.length > before) return;
        if (s.request !== undefined || s.params !== undefined || s.tamper !== undefined) return err(where, 'a DUIS step has "as", "duis" and "expect" only');
        if (typeof s.duis !== 'string' || !/\.xml$/i.test(s.duis)) return err(where + '.duis', 'must be the path of a DUIS request file (.xml), got ' + JSON.stringify(s.duis));
        steps.push({ kind: 'request', id: s.id, title: title || 'DUIS ' + s.duis, as: s.as as string, request: 'duis', params: {}, duis: s.duis, expect });
        return;
      }
      const request = typeof s.request === 'string' ? labRequest(s.request) : undefined;
      if (!request) return err(where + '.request', 'must be one of ' + list(LAB_REQUESTS.map((r) => r.name)) + ', got ' + JSON.stringify(s.request) + suggest(s.request, LAB_REQUESTS.map((r) => r.name)));
      if (request.premises && raw.premises === undefined) err(where + '.request', request.name + ' needs a premises: add "premises": {} to the scenario (scenarios/premises.json)');
      if (request.onlyAs && s.as !== request.onlyAs) err(where + '.as', request.name + ' is the DCC\'s own: must be "' + request.onlyAs + '", got ' + JSON.stringify(s.as));
      if (s.params !== undefined && !isObject(s.params)) return err(where + '.params', 'must be an object');
      const paramProblems = checkParams(request, (s.params as Record<string, unknown>) ?? {}, steps.map((x) => x.id));
      paramProblems.forEach((p) => err(where + '.' + p[0], p[1]));
      if (s.tamper !== undefined && TAMPERS.indexOf(s.tamper as Tamper) < 0) err(where + '.tamper', 'must be one of ' + list(TAMPERS) + ', got ' + JSON.stringify(s.tamper));
      if (errors.length > before) return;
      const step: RequestStep = { kind: 'request', id: s.id, title: title || request.name, as: s.as as string, request: request.name, params: (s.params as Record<string, unknown>) ?? {}, expect };
      if (s.tamper !== undefined) step.tamper = s.tamper as Tamper;
      steps.push(step);
    });
  }
  if (errors.length) return { ok: false, errors };
  if (premises) {
    const euis = [device.eui, premises.chf, premises.gpf, premises.gsme, premises.ppmid, premises.ihd];
    if (euis.some((e, i) => euis.indexOf(e) !== i)) return { ok: false, errors: ['premises: every device needs its own EUI-64 (device.eui and the premises\' ' + PREMISES_KEYS.slice(0, 5).join(', ') + ')'] };
  }
  return { ok: true, scenario: { title: raw.title as string, description: (raw.description as string) ?? '', device, ...(premises ? { premises } : {}), users, steps } };
}

function validateExpect(e: unknown, path: string, err: (p: string, m: string) => void): Expectation | undefined {
  if (!isObject(e)) {
    err(path, 'must be an object with "outcome" (' + list(OUTCOMES) + ')');
    return undefined;
  }
  let ok = true;
  const bad = (p: string, m: string) => {
    ok = false;
    err(p, m);
  };
  for (const k of Object.keys(e)) if (EXPECT_KEYS.indexOf(k) < 0) bad(path, 'unknown field "' + k + '" (allowed: ' + EXPECT_KEYS.join(', ') + ')');
  if (OUTCOMES.indexOf(e.outcome as Verdict) < 0) bad(path + '.outcome', 'must be one of ' + list(OUTCOMES) + ', got ' + JSON.stringify(e.outcome));
  if (e.reason !== undefined && typeof e.reason !== 'string') bad(path + '.reason', 'must be a string');
  if (e.firmwareVersion !== undefined && typeof e.firmwareVersion !== 'string') bad(path + '.firmwareVersion', 'must be a string');
  if (e.supply !== undefined && ['on', 'off', 'armed'].indexOf(e.supply as string) < 0) bad(path + '.supply', 'must be "on", "off" or "armed"');
  if (e.cs02b !== undefined && e.cs02b !== 'all-success') bad(path + '.cs02b', 'must be "all-success"');
  if (e.activationStatus !== undefined && [0, 1, 2, 3].indexOf(e.activationStatus as number) < 0) bad(path + '.activationStatus', 'must be 0, 1, 2 or 3');
  if (e.found !== undefined && (typeof e.found !== 'string' || !e.found)) bad(path + '.found', 'must be a non-empty string');
  if (e.securityLogIncludes !== undefined && (!Array.isArray(e.securityLogIncludes) || e.securityLogIncludes.some((x) => typeof x !== 'string' || !/^[0-9A-Fa-f]{4}$/.test(x)))) {
    bad(path + '.securityLogIncludes', 'must be an array of 4-hex-digit GBCS event codes, e.g. ["8F3D"]');
  }
  if (!ok) return undefined;
  const out: Expectation = { outcome: e.outcome as Verdict };
  for (const k of ['reason', 'firmwareVersion', 'supply', 'cs02b', 'activationStatus', 'found'] as const) if (e[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = e[k];
  if (e.securityLogIncludes) out.securityLogIncludes = (e.securityLogIncludes as string[]).map((x) => x.toUpperCase());
  return out;
}

/** Reads and checks a scenario file; errors are prefixed with the file name. */
export function loadScenario(path: string): ScenarioResult {
  const read = readJsonFile(path);
  if (!read.ok) return { ok: false, errors: [read.message] };
  const r = validateScenario(read.value);
  if (!r.ok) return { ok: false, errors: r.errors.map((x) => path + ': ' + x) };
  // DUIS request files are named relative to the scenario file, and must be there.
  const missing: string[] = [];
  for (const st of r.scenario.steps) {
    if (st.kind !== 'request' || st.duis === undefined) continue;
    st.duis = resolve(dirname(path), st.duis);
    if (!existsSync(st.duis)) missing.push(path + ': step "' + st.id + '".duis: no file ' + st.duis);
  }
  return missing.length ? { ok: false, errors: missing } : r;
}
