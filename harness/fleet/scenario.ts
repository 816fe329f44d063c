/**
 * A fleet scenario as data (scenarios/fleet.json): the phases every premises goes through, in order, each
 * checked per premises. Reading a file checks every field and answers a FleetScenario or the precise
 * reasons it is not one.
 *
 * ```json
 * { "title": "...", "imageBytes": 4096, "cpaDays": { "00010000": 200 },
 *   "phases": [
 *     { "id": "commission", "kind": "commission" },
 *     { "id": "reads", "kind": "reads", "requests": ["read-firmware-version", "read-supply-status"] },
 *     { "id": "rollout", "kind": "rollout", "package": "good", "waves": [0.05, 0.25, 0.6], "haltAbove": 0.01,
 *       "expect": { "premises": "updated", "halted": false } },
 *     { "id": "faulty", "kind": "rollout", "package": "faulty", "waves": [0.02, 0.5, 1], "haltAbove": 0.01,
 *       "expect": { "premises": "rolled-back", "halted": true } },
 *     { "id": "drill", "kind": "recovery-drill" },
 *     { "id": "load", "kind": "load", "perSecond": 100, "seconds": 5, "requests": ["read-firmware-version"] },
 *     { "id": "expiry", "kind": "cpl-expiry", "advanceDays": 201 } ] }
 * ```
 * Kinds:
 * - `commission`: the factory makes the premises (keys on each board, certificates by the test SMKI's
 *   batch issuance) and the DCC hands each to the Supplier (CS02b, DUIS 6.21); must be first.
 * - `reads`: the Supplier's service requests, each must be accepted; the firmware version must be the
 *   one the DCC's inventory holds.
 * - `rollout`: Update Firmware (CPL check, block transfer, 00CE receipt) and CS06 in waves (cumulative
 *   fractions of the fleet); after each wave, if more than `haltAbove` of its premises failed (the image
 *   rolled back, a refusal), the rollout halts and the later waves are held back. Premises past the last
 *   fraction are not in the rollout. `expect.premises`: what each premises in a wave must show
 *   (`updated`: the new version runs; `rolled-back`: the boot selector returned to the previous image);
 *   `expect.halted`: whether the rollout must halt.
 * - `recovery-drill`: the Supplier's keys are taken as compromised; the DCC's Recovery party replaces the
 *   Supplier's trust anchors on every device (CS02b 0x0108) with the Supplier's new certificates, then
 *   the Recovery Key Pair is regenerated and installed the same way; each premises must accept both,
 *   answer the new Supplier, and refuse a command signed with the compromised key and one signed with
 *   the retired Recovery key.
 * - `load`: `perSecond` service requests spread over the fleet for `seconds`, round robin over
 *   `requests`; every one must be accepted.
 * - `cpl-expiry`: the fleet clock moves `advanceDays`; CPL entries whose CPA expires are applied
 *   (harness/dcc/suspension.ts): each premises running an expired version must be suspended (its
 *   request refused by the DCC), the others still served.
 * @module
 */
import { readFileSync } from 'node:fs';
import { SERVICE_REQUESTS } from '../dcc/serviceRequests.ts';

export type FleetPhase =
  | { id: string; kind: 'commission' }
  | { id: string; kind: 'reads'; requests: string[] }
  | { id: string; kind: 'rollout'; package: 'good' | 'faulty'; waves: number[]; haltAbove: number; expect: { premises: 'updated' | 'rolled-back'; halted: boolean } }
  | { id: string; kind: 'recovery-drill' }
  | { id: string; kind: 'load'; perSecond: number; seconds: number; requests: string[] }
  | { id: string; kind: 'cpl-expiry'; advanceDays: number }
  /** Added by the fleet after the scenario's phases (runFleet.ts), never written in a file. */
  | { id: string; kind: 'verify' };

export interface FleetScenario {
  title: string;
  description: string;
  /** Size of the fleet's firmware images (bytes); each premises keeps the image it receives. */
  imageBytes: number;
  /** Days from the start until each firmware version's CPA certificate expires (default 3,650). */
  cpaDays: Record<string, number>;
  phases: FleetPhase[];
}

const KINDS = ['commission', 'reads', 'rollout', 'recovery-drill', 'load', 'cpl-expiry'];
/** Requests a read or load phase may send as the Supplier: those that change nothing. */
export const READ_REQUESTS = ['read-firmware-version', 'read-supply-status', 'read-security-log'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function validateFleetScenario(raw: unknown): { ok: true; scenario: FleetScenario } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const err = (p: string, m: string) => errors.push(p + ': ' + m);
  if (!isObject(raw)) return { ok: false, errors: ['the scenario must be a JSON object with "title" and "phases"'] };
  for (const k of Object.keys(raw)) if (['title', 'description', 'imageBytes', 'cpaDays', 'phases'].indexOf(k) < 0) err(k, 'unknown field (allowed: title, description, imageBytes, cpaDays, phases)');
  if (typeof raw.title !== 'string' || !raw.title) err('title', 'must be a non-empty string');
  if (raw.description !== undefined && typeof raw.description !== 'string') err('description', 'must be a string');
  const imageBytes = raw.imageBytes ?? 4096;
  if (typeof imageBytes !== 'number' || !Number.isInteger(imageBytes) || imageBytes < 1024 || imageBytes > 512 * 1024 - 4096) err('imageBytes', 'must be an integer from 1024 to 520192 (the slot holds 512 KiB with its header)');
  const cpaDays: Record<string, number> = {};
  if (raw.cpaDays !== undefined) {
    if (!isObject(raw.cpaDays)) err('cpaDays', 'must be an object { "<8 hex digits version>": days }');
    else for (const [v, d] of Object.entries(raw.cpaDays)) {
      if (!/^[0-9a-f]{8}$/.test(v)) err('cpaDays.' + v, 'a version is 8 lower-case hex digits');
      else if (typeof d !== 'number' || !(d > 0)) err('cpaDays.' + v, 'must be a positive number of days');
      else cpaDays[v] = d;
    }
  }
  const phases: FleetPhase[] = [];
  if (!Array.isArray(raw.phases) || raw.phases.length === 0) err('phases', 'must be a non-empty array');
  else raw.phases.forEach((p, i) => {
    const where = 'phases[' + i + ']' + (isObject(p) && typeof p.id === 'string' ? ' ("' + p.id + '")' : '');
    if (!isObject(p)) return err(where, 'must be an object');
    if (typeof p.id !== 'string' || !/^[A-Za-z0-9_-]+$/.test(p.id)) return err(where + '.id', 'must be letters, digits, "-" or "_"');
    if (phases.some((x) => x.id === p.id)) return err(where + '.id', 'duplicate phase id');
    if (KINDS.indexOf(p.kind as string) < 0) return err(where + '.kind', 'must be one of ' + KINDS.join(', ') + ', got ' + JSON.stringify(p.kind));
    const allowed: Record<string, string[]> = {
      commission: [], reads: ['requests'], rollout: ['package', 'waves', 'haltAbove', 'expect'], 'recovery-drill': [],
      load: ['perSecond', 'seconds', 'requests'], 'cpl-expiry': ['advanceDays'],
    };
    const keys = ['id', 'kind', 'title'].concat(allowed[p.kind as string]);
    for (const k of Object.keys(p)) if (keys.indexOf(k) < 0) err(where, 'unknown field "' + k + '" for kind ' + p.kind + ' (allowed: ' + keys.join(', ') + ')');
    if ((p.kind === 'commission') !== (i === 0)) return err(where + '.kind', 'the first phase, and only it, is "commission"');
    const id = p.id;
    const requests = (): string[] | undefined => {
      const r = p.requests;
      if (!Array.isArray(r) || r.length === 0 || r.some((x) => typeof x !== 'string' || READ_REQUESTS.indexOf(x) < 0 || !SERVICE_REQUESTS.some((s) => s.name === x))) {
        err(where + '.requests', 'must be a non-empty array of ' + READ_REQUESTS.join(', '));
        return undefined;
      }
      return r as string[];
    };
    if (p.kind === 'commission') phases.push({ id, kind: 'commission' });
    else if (p.kind === 'recovery-drill') phases.push({ id, kind: 'recovery-drill' });
    else if (p.kind === 'reads') {
      const r = requests();
      if (r) phases.push({ id, kind: 'reads', requests: r });
    } else if (p.kind === 'load') {
      const r = requests();
      if (typeof p.perSecond !== 'number' || !(p.perSecond > 0) || p.perSecond > 100_000) return err(where + '.perSecond', 'must be a number in (0, 100000]');
      if (typeof p.seconds !== 'number' || !(p.seconds > 0) || p.seconds > 3600) return err(where + '.seconds', 'must be a number in (0, 3600]');
      if (r) phases.push({ id, kind: 'load', perSecond: p.perSecond, seconds: p.seconds, requests: r });
    } else if (p.kind === 'cpl-expiry') {
      if (typeof p.advanceDays !== 'number' || !(p.advanceDays > 0) || p.advanceDays > 3650) return err(where + '.advanceDays', 'must be a number of days in (0, 3650]');
      phases.push({ id, kind: 'cpl-expiry', advanceDays: p.advanceDays });
    } else {
      if (p.package !== 'good' && p.package !== 'faulty') return err(where + '.package', 'must be "good" or "faulty"');
      const w = p.waves;
      if (!Array.isArray(w) || w.length === 0 || w.some((x, j) => typeof x !== 'number' || !(x > 0) || x > 1 || (j > 0 && !(x > (w[j - 1] as number))))) {
        return err(where + '.waves', 'must be rising fractions of the fleet in (0, 1], e.g. [0.05, 0.25, 1]');
      }
      if (typeof p.haltAbove !== 'number' || !(p.haltAbove >= 0) || p.haltAbove >= 1) return err(where + '.haltAbove', 'must be a failure fraction in [0, 1)');
      const e = p.expect;
      if (!isObject(e) || (e.premises !== 'updated' && e.premises !== 'rolled-back') || typeof e.halted !== 'boolean') {
        return err(where + '.expect', 'must be { "premises": "updated" | "rolled-back", "halted": true | false }');
      }
      phases.push({ id, kind: 'rollout', package: p.package, waves: w as number[], haltAbove: p.haltAbove, expect: { premises: e.premises, halted: e.halted } });
    }
  });
  if (errors.length) return { ok: false, errors };
  return { ok: true, scenario: { title: raw.title as string, description: (raw.description as string) ?? '', imageBytes: imageBytes as number, cpaDays, phases } };
}

/** The phases a fleet runs: the scenario's, then `verify` (the stored state of every premises checked). */
export function fleetPhases(s: FleetScenario): FleetPhase[] {
  return [...s.phases, { id: 'verify', kind: 'verify' }];
}

export function loadFleetScenario(path: string): { ok: true; scenario: FleetScenario } | { ok: false; errors: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return { ok: false, errors: [path + ': ' + (e as Error).message] };
  }
  const r = validateFleetScenario(raw);
  return r.ok ? r : { ok: false, errors: r.errors.map((x) => path + ': ' + x) };
}
