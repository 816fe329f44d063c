/**
 * The fleet's evidence, in the run folder: `summary.json` (every figure of FleetSummary), `junit.xml`
 * (one suite per phase, one case per premises: CI shows exactly which premises differed and why) and
 * `report.html`, one self-contained page with SVG plots drawn here (no chart library: four plain charts
 * of rectangles and polylines are less code than wiring one, and the page must open offline):
 * throughput over time, the latency histogram of each service request, progress per shard, failures
 * by reason; then the phase table and the exactly-once check.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeXml, junitXml } from '../conformance/junit.ts';
import type { JunitCase } from '../conformance/junit.ts';
import { HISTOGRAM_MS, TIMELINE_MS } from './job.ts';
import type { FleetRun, FleetSummary } from './runFleet.ts';

export interface FleetEvidence {
  dir: string;
  report: string;
  junit: string;
  summary: string;
}

export function writeFleetEvidence(run: FleetRun, dir: string): FleetEvidence {
  const files = { dir, report: join(dir, 'report.html'), junit: join(dir, 'junit.xml'), summary: join(dir, 'summary.json') };
  writeFileSync(files.summary, JSON.stringify(run.summary, null, 1) + '\n');
  writeFileSync(files.junit, junitXml('smets fleet: ' + run.summary.title, fleetJunitCases(run)));
  writeFileSync(files.report, fleetHtml(run.summary));
  return files;
}

export function fleetJunitCases(run: FleetRun): JunitCase[] {
  const cases: JunitCase[] = [];
  const records = [...run.records].sort((a, b) => a.index - b.index);
  for (const phase of run.phases) {
    for (const r of records) {
      const mine = r.outcomes.filter((x) => x.phase === phase.id);
      const c: JunitCase = { suite: phase.id, name: 'premises ' + r.index + ' ' + r.eui, output: mine.map((x) => x.job + ' ' + x.outcome + (x.reason ? ': ' + x.reason : '') + ' (by ' + x.by + ')').join('\n'), seconds: mine.reduce((a, x) => a + x.ms, 0) / 1000 };
      const bad = mine.length !== 1 ? (mine.length ? 'done ' + mine.length + ' times' : 'never done') : !mine[0].ok ? mine[0].reason ?? mine[0].outcome : undefined;
      if (bad) {
        c.failure = bad;
        c.message = bad.substring(0, 120);
      }
      cases.push(c);
    }
  }
  return cases;
}

const W = 560;
const H = 220;
const M = { l: 52, r: 12, t: 14, b: 34 };
const esc = escapeXml;
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function axes(xLabel: string, yLabel: string, xMax: number, yMax: number, xTicks = 5, yTicks = 4, xFmt = (v: number) => String(+v.toFixed(1))): string {
  const pw = W - M.l - M.r;
  const ph = H - M.t - M.b;
  const out = [`<line x1="${M.l}" y1="${M.t + ph}" x2="${M.l + pw}" y2="${M.t + ph}" stroke="#333"/>`, `<line x1="${M.l}" y1="${M.t}" x2="${M.l}" y2="${M.t + ph}" stroke="#333"/>`];
  for (let i = 0; i <= yTicks; i++) {
    const y = M.t + ph - (ph * i) / yTicks;
    out.push(`<line x1="${M.l - 4}" y1="${y}" x2="${M.l + pw}" y2="${y}" stroke="#ddd"/><text x="${M.l - 6}" y="${y + 4}" text-anchor="end" font-size="11">${+((yMax * i) / yTicks).toFixed(1)}</text>`);
  }
  for (let i = 0; i <= xTicks; i++) {
    const x = M.l + (pw * i) / xTicks;
    out.push(`<line x1="${x}" y1="${M.t + ph}" x2="${x}" y2="${M.t + ph + 4}" stroke="#333"/><text x="${x}" y="${M.t + ph + 16}" text-anchor="middle" font-size="11">${esc(xFmt((xMax * i) / xTicks))}</text>`);
  }
  out.push(`<text x="${M.l + pw / 2}" y="${H - 3}" text-anchor="middle" font-size="12">${esc(xLabel)}</text>`);
  out.push(`<text x="12" y="${M.t + ph / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 12 ${M.t + ph / 2})">${esc(yLabel)}</text>`);
  return out.join('');
}

const svg = (title: string, body: string, height = H) => `<figure><figcaption>${esc(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif">${body}</svg></figure>`;

/** Service requests completed per second over the run. */
export function throughputSvg(s: FleetSummary): string {
  const start = Date.parse(s.startedAt);
  const slots = Object.entries(s.requests.timeline).map(([k, n]) => [(Number(k) * TIMELINE_MS - start) / 1000, (n * 1000) / TIMELINE_MS] as [number, number]).sort((a, b) => a[0] - b[0]);
  const xMax = Math.max(1, s.seconds);
  const yMax = niceMax(Math.max(1, ...slots.map((p) => p[1])));
  const pw = W - M.l - M.r;
  const ph = H - M.t - M.b;
  const bw = Math.max(1, (pw * TIMELINE_MS) / 1000 / xMax);
  const bars = slots.map(([t, v]) => `<rect x="${(M.l + (pw * Math.max(0, t)) / xMax).toFixed(1)}" y="${(M.t + ph - (ph * v) / yMax).toFixed(1)}" width="${bw.toFixed(1)}" height="${((ph * v) / yMax).toFixed(1)}" fill="#1f77b4"/>`).join('');
  return svg('Throughput: service requests completed per second (' + TIMELINE_MS + ' ms slots)', axes('seconds since start', 'requests / s', xMax, yMax) + bars);
}

/** One small histogram per service request. */
export function latencySvgs(s: FleetSummary): string {
  const labels = HISTOGRAM_MS.map((b, i) => (b === Infinity ? '>' + HISTOGRAM_MS[i - 1] : '≤' + b));
  return Object.entries(s.requests.requests).sort((a, b) => b[1].n - a[1].n).map(([name, r]) => {
    const yMax = niceMax(Math.max(1, ...r.buckets));
    const pw = W - M.l - M.r;
    const ph = H - M.t - M.b;
    const bw = pw / r.buckets.length;
    const bars = r.buckets.map((n, i) => `<rect x="${(M.l + i * bw + 2).toFixed(1)}" y="${(M.t + ph - (ph * n) / yMax).toFixed(1)}" width="${(bw - 4).toFixed(1)}" height="${((ph * n) / yMax).toFixed(1)}" fill="#2ca02c"><title>${esc(labels[i])} ms: ${n}</title></rect>`).join('');
    const ticks = labels.map((l, i) => `<text x="${(M.l + i * bw + bw / 2).toFixed(1)}" y="${M.t + ph + 16}" text-anchor="middle" font-size="10">${esc(l)}</text>`).join('');
    const pw2 = `<line x1="${M.l}" y1="${M.t + ph}" x2="${M.l + pw}" y2="${M.t + ph}" stroke="#333"/>`;
    const yAxis = [0, 1, 2, 3, 4].map((i) => `<text x="${M.l - 6}" y="${M.t + ph - (ph * i) / 4 + 4}" text-anchor="end" font-size="11">${+((yMax * i) / 4).toFixed(1)}</text><line x1="${M.l}" y1="${M.t + ph - (ph * i) / 4}" x2="${M.l + pw}" y2="${M.t + ph - (ph * i) / 4}" stroke="#eee"/>`).join('');
    const title = 'Latency: ' + name + ' (' + r.n + ' requests, mean ' + (r.sumMs / Math.max(1, r.n)).toFixed(2) + ' ms' + (r.failed ? ', ' + r.failed + ' failed' : '') + ')';
    return svg(title, yAxis + pw2 + bars + ticks + `<text x="${M.l + pw / 2}" y="${H - 3}" text-anchor="middle" font-size="12">milliseconds</text>`);
  }).join('\n');
}

/** Premises done per shard over time. */
export function progressSvg(s: FleetSummary): string {
  const shards = Object.keys(s.shardProgress).sort((a, b) => Number(a.split(' ')[1]) - Number(b.split(' ')[1]));
  const xMax = Math.max(1, s.seconds);
  const yMax = niceMax(Math.max(1, ...shards.map((k) => s.shardProgress[k][s.shardProgress[k].length - 1][1])));
  const pw = W - M.l - M.r;
  const ph = H - M.t - M.b;
  const lines = shards.map((k, i) => {
    const pts = s.shardProgress[k].map(([t, n]) => (M.l + (pw * t) / xMax).toFixed(1) + ',' + (M.t + ph - (ph * n) / yMax).toFixed(1)).join(' ');
    return `<polyline points="${pts}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5"${i ? ` stroke-dasharray="${2 + i} ${i}"` : ''}><title>${esc(k)}</title></polyline>`;
  }).join('');
  const legend = shards.slice(0, 16).map((k, i) => `<rect x="${M.l + 8 + (i % 8) * 62}" y="${M.t + 2 + Math.floor(i / 8) * 14}" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/><text x="${M.l + 21 + (i % 8) * 62}" y="${M.t + 11 + Math.floor(i / 8) * 14}" font-size="10">${esc(k)}</text>`).join('');
  return svg('Progress per shard: premises-phases done (one per premises per phase)', axes('seconds since start', 'premises-phases', xMax, yMax) + lines + legend);
}

/** Outcomes not as expected by reason (red), beside the failures the scenario expects (grey). */
export function failuresSvg(s: FleetSummary): string {
  const rows = [
    ...Object.entries(s.failures).map(([k, n]) => ({ k, n, color: '#d62728' })),
    ...Object.entries(s.expectedFailures).map(([k, n]) => ({ k: k + ' (expected)', n, color: '#999' })),
  ].sort((a, b) => b.n - a.n).slice(0, 14);
  if (!rows.length) return svg('Failures by reason', '<text x="20" y="40" font-size="14">No failures: every premises went as the scenario expects.</text>', 60);
  const height = 30 + rows.length * 22;
  const max = niceMax(Math.max(...rows.map((r) => r.n)));
  const bars = rows.map((r, i) => {
    const w = ((W - 250) * r.n) / max;
    return `<text x="4" y="${24 + i * 22}" font-size="11">${esc(r.k.length > 38 ? r.k.substring(0, 37) + '…' : r.k)}<title>${esc(r.k)}</title></text><rect x="240" y="${13 + i * 22}" width="${w.toFixed(1)}" height="14" fill="${r.color}"/><text x="${244 + w}" y="${24 + i * 22}" font-size="11">${r.n}</text>`;
  }).join('');
  return svg('Failures by reason (red: not as the scenario expects; grey: what the scenario expects to fail)', bars, height);
}

export function fleetHtml(s: FleetSummary): string {
  const eo = s.exactlyOnce;
  const phaseRows = s.phases.map((p) => `<tr class="${p.differ || p.fleetCheck ? 'bad' : 'good'}"><td>${esc(p.id)}</td><td>${esc(p.kind)}</td><td>${esc(Object.entries(p.outcomes).map(([k, v]) => v + ' ' + k).join(', '))}</td><td>${p.asExpected}</td><td>${p.differ}</td><td>${esc((p.waves ? p.waves.map((w) => 'wave ' + w.wave + ': ' + w.premises + (w.heldBack ? ' held back' : ', ' + w.failed + ' failed')).join('; ') + '. ' : '') + (p.halted !== undefined ? 'rollout ' + (p.halted ? 'halted' : 'completed') + '. ' : '') + (p.fleetCheck ?? '') + (p.achievedPerSecond ? p.achievedPerSecond.toFixed(0) + ' requests/s achieved' : ''))}</td><td>${(p.ms / 1000).toFixed(2)} s</td></tr>`).join('\n');
  const mem = s.memory ? `<li>memory per simulated premises (workers' heap + external, after commissioning, minus before): ${(s.memory.perPremisesBytes / 1024).toFixed(1)} KiB; stored state per premises at the end: ${(s.memory.stateBytesPerPremises / 1024).toFixed(1)} KiB</li>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>smets fleet: ${esc(s.title)}</title>
<style>body{font-family:sans-serif;margin:24px;max-width:1200px}h1{font-size:20px}.verdict{font-size:18px;font-weight:bold;color:${s.ok ? '#2a7d2a' : '#b22'}}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}tr.bad td{background:#fde2e2}
.plots{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;border:1px solid #ddd;padding:6px}figcaption{font-size:13px;font-weight:bold;margin-bottom:4px}</style></head>
<body><h1>smets fleet: ${esc(s.title)}</h1>
<p class="verdict">${s.ok ? 'Every premises went as the scenario expects, each phase exactly once.' : 'Some premises differ from the scenario (below).'}</p>
<ul><li>${s.premises} premises (${esc(s.premisesKind)}), ${s.shards} shards on ${esc(s.executor)}; started ${esc(s.startedAt)}, ${s.seconds.toFixed(1)} s in all (set-up ${s.setupSeconds.toFixed(1)} s)</li>
<li>made and commissioned: ${s.commissionedPerSecond.toFixed(1)} premises per second</li>
<li>exactly once: ${eo.complete} complete, ${eo.missing} missing, ${eo.doubled} doubled; ${eo.retakenJobs} job(s) found premises already committed (retaken); outcomes committed by ${esc(Object.entries(eo.byWorker).map(([k, v]) => k + ' ' + v).join(', '))}</li>${mem}
<li>CPL: ${esc(s.cplEvents.join('; ') || 'no events')}</li></ul>
<div class="plots">
${throughputSvg(s)}
${progressSvg(s)}
${failuresSvg(s)}
${latencySvgs(s)}
</div>
<h2>Phases</h2>
<table><tr><th>phase</th><th>kind</th><th>outcomes</th><th>as expected</th><th>differ</th><th>fleet</th><th>time</th></tr>
${phaseRows}</table>
<p>Per premises: junit.xml (one suite per phase, one case per premises); every figure: summary.json.</p>
</body></html>
`;
}
