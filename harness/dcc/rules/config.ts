/**
 * The DCC rules file (scenarios/dcc-rules.json; `smets lab --rules FILE`): the DCC's mode (test or live,
 * SEC H4), the Supplier Nominated Agent's services (Option 3 by default) and the anomaly thresholds
 * (SEC G3). Read and checked here, every problem named; `buildRules` turns it into the DCC's checks.
 *
 *   { "mode": "test", "snaServices": ["6.2", "6.13", "7.4", "8.2", "11.2", "12.1", "12.2"],
 *     "thresholds": [ { "request": "disable-supply", "user": "*", "max": 3, "periodSeconds": 3600 } ] }
 * @module
 */
import { readJsonFile } from '../../userInput/files.ts';
import type { DccRules } from './index.ts';
import { AnomalyDetector, validateThresholds } from './anomaly.ts';
import type { Threshold } from './anomaly.ts';
import { environmentRule } from './environment.ts';
import type { DccMode } from './environment.ts';
import { inventoryRule } from './inventory.ts';
import type { SmartMeteringInventory } from './inventory.ts';
import { SNA_SERVICES, snaRule } from './sna.ts';

export interface DccRulesConfig {
  mode: DccMode;
  snaServices: string[];
  thresholds: Threshold[];
}

export type RulesConfigResult = { ok: true; config: DccRulesConfig } | { ok: false; errors: string[] };

export function validateRulesConfig(raw: unknown): RulesConfigResult {
  const errors: string[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, errors: ['the rules file must be a JSON object with "mode", "snaServices", "thresholds"'] };
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) if (['mode', 'snaServices', 'thresholds', 'comment'].indexOf(k) < 0) errors.push(k + ': unknown field (allowed: mode, snaServices, thresholds, comment)');
  const mode = r.mode ?? 'test';
  if (mode !== 'test' && mode !== 'live') errors.push('mode: must be "test" or "live", got ' + JSON.stringify(r.mode));
  const sna = r.snaServices ?? SNA_SERVICES;
  if (!Array.isArray(sna) || sna.some((x) => typeof x !== 'string' || !/^[0-9]+(\.[0-9]+)*$/.test(x))) errors.push('snaServices: must be an array of DUIS service references such as "7.4"');
  const t = validateThresholds({ thresholds: r.thresholds ?? [] });
  if (!t.ok) errors.push(...t.errors);
  if (errors.length || !t.ok) return { ok: false, errors };
  return { ok: true, config: { mode: mode as DccMode, snaServices: (sna as string[]).slice(), thresholds: t.thresholds } };
}

export function loadRulesConfig(path: string): RulesConfigResult {
  const read = readJsonFile(path);
  if (!read.ok) return { ok: false, errors: [read.message] };
  const r = validateRulesConfig(read.value);
  return r.ok ? r : { ok: false, errors: r.errors.map((x) => path + ': ' + x) };
}

/** The DCC's rules from a config: test/live, SNA, device status (when an inventory is given), anomalies. */
export function buildRules(c: DccRulesConfig, o: { inventory?: SmartMeteringInventory; now: () => number }): DccRules {
  const checks = [environmentRule(c.mode), snaRule(c.snaServices)];
  if (o.inventory) checks.push(inventoryRule(o.inventory));
  return { checks, anomalies: new AnomalyDetector(c.thresholds, o.now) };
}
