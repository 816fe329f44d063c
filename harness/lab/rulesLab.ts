/**
 * The DCC's rules in the lab (harness/dcc/rules): built from the rules file, with the lab device in the
 * Smart Metering Inventory — enrolled as pending (its model and version are on the lab's CPL), installed
 * (installed-not-commissioned) once the factory has made it, and commissioned when the DCC's CS02b
 * handover to the Supplier (DUIS 6.21) is accepted. Every anomaly decision is appended to
 * `<out>/anomaly-log.jsonl`; `release-held` / `drop-held` steps settle a held step's command.
 * @module
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CertifiedProductsList } from '../cpl/certifiedProductsList.ts';
import type { DccPlayer, Exchange } from '../dcc/dccPlayer.ts';
import { buildRules } from '../dcc/rules/config.ts';
import type { DccRulesConfig } from '../dcc/rules/config.ts';
import type { DccRules } from '../dcc/rules/index.ts';
import { SmartMeteringInventory } from '../dcc/rules/inventory.ts';
import type { RequestStep, Step } from './scenario.ts';

export interface RulesLab {
  rules: DccRules;
  inventory: SmartMeteringInventory;
  /** A release-held / drop-held step. */
  settle(dcc: DccPlayer, results: Array<{ step: Step; exchange: Exchange }>, step: RequestStep): Promise<Exchange>;
  /** After every step: the lifecycle moves the lab's DCC sees (commissioning). */
  after(x: Exchange): void;
}

export function labRules(c: DccRulesConfig, o: { out: string; cpl: CertifiedProductsList; deviceEui: string; model: string; now: () => number; progress: (line: string) => void }): RulesLab {
  const inventory = new SmartMeteringInventory(o.cpl, o.now);
  const enrolled = inventory.enrol({ eui: o.deviceEui, deviceType: 'ESME', model: o.model, version: '00010000' });
  if (!enrolled.ok) throw new Error('labRules: the lab device cannot be enrolled: ' + enrolled.reason);
  inventory.setStatus(o.deviceEui, 'installed-not-commissioned', 'made by the factory and installed');
  const rules = buildRules(c, { inventory, now: o.now });
  const log = join(o.out, 'anomaly-log.jsonl');
  rules.anomalies!.onDecision((d) => {
    appendFileSync(log, JSON.stringify({ at: new Date(d.atMs).toISOString(), ...d }) + '\n');
    if (d.kind !== 'signed') o.progress('  anomaly: ' + d.kind + ' ' + d.user + ' ' + d.request + (d.holdId ? ' ' + d.holdId : '') + ': ' + d.detail);
  });
  o.progress('setup: DCC rules — mode ' + c.mode + ', SNA services ' + c.snaServices.join(' ') + ', ' + c.thresholds.length + ' anomaly threshold(s), device ' + o.deviceEui + ' ' + inventory.get(o.deviceEui)!.status);
  return {
    rules,
    inventory,
    async settle(dcc, results, step) {
      const target = step.params.step;
      const earlier = results.find((r) => r.step.id === target);
      const holdId = earlier?.exchange.holdId;
      if (!holdId) {
        return { user: step.as, request: step.request, verdict: 'refused-by-dcc', reason: 'no-such-hold: step ' + JSON.stringify(target) + ' holds no command', frames: [], checks: [], reading: {} };
      }
      return dcc.settleHeld(holdId, step.as, step.request === 'release-held' ? 'release' : 'drop');
    },
    after(x) {
      const e = inventory.get(o.deviceEui);
      if (x.verdict === 'accepted' && x.folder?.startsWith('6.21_') && e?.status === 'installed-not-commissioned') {
        inventory.setStatus(o.deviceEui, 'commissioned', 'handed to the Supplier by CS02b (DUIS 6.21)');
      }
    },
  };
}
