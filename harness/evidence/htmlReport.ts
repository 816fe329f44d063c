/**
 * The lab's one-page HTML report: the scenario, the parties and the device, then each step — who sent
 * what, the verdict against the expectation, the checks run on the answer, and every message in hex and
 * decoded (messageView.ts), with the file it was filed under. Self-contained: inline CSS, no scripts,
 * no external assets; opens from disk anywhere.
 * @module
 */
import { toHex } from '../../lib/bytes.ts';
import type { LabRun, StepResult } from '../lab/runLab.ts';
import { messageFields } from './messageView.ts';
import type { FiledMessage } from './rtdsLayout.ts';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Hex in 32-byte lines. */
function hexBlock(b: Uint8Array): string {
  const h = toHex(b).toUpperCase();
  const lines: string[] = [];
  for (let i = 0; i < h.length; i += 64) lines.push(h.substring(i, i + 64));
  return lines.join('\n');
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#1b1f23}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}
.muted{color:#666}.ok{color:#116329}.bad{color:#b31d28}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.85em;font-weight:600}
.badge.ok{background:#dafbe1}.badge.bad{background:#ffebe9}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}.step{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;margin:1em 0}
.step.differs{border-color:#b31d28}.step h3{margin:.2em 0;font-size:1.05em}
pre{background:#f6f8fa;padding:.5em;overflow-x:auto;font-size:12px;margin:.3em 0}
td.hex{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
details{margin:.4em 0}summary{cursor:pointer}
`;

function stepHtml(r: StepResult, filed: FiledMessage[]): string {
  const x = r.exchange;
  const e = r.step.expect;
  const badge = r.passed ? '<span class="badge ok">as expected</span>' : '<span class="badge bad">differs</span>';
  const parts: string[] = [];
  parts.push(`<div class="step${r.passed ? '' : ' differs'}" id="step-${r.index}">`);
  parts.push(`<h3>${r.index}. ${esc(r.step.title)} ${badge}</h3>`);
  parts.push('<table>');
  parts.push(`<tr><th>step</th><td>${esc(r.step.id)}${r.step.kind === 'replay' ? ' (replay of ' + esc(r.step.replay) + ')' : ''}</td></tr>`);
  parts.push(`<tr><th>sent by</th><td>${esc(r.actor)}</td></tr>`);
  parts.push(`<tr><th>service request</th><td>${esc(x.request)}${x.messageCode !== undefined ? ' (0x' + ('000' + x.messageCode.toString(16).toUpperCase()).slice(-4) + (x.critical ? ', critical' : '') + ')' : ''}${x.counter ? ', counter ' + esc(x.counter) : ''}</td></tr>`);
  parts.push(`<tr><th>expected</th><td>${esc(JSON.stringify(e))}</td></tr>`);
  parts.push(`<tr><th>outcome</th><td>${esc(x.verdict)}${x.reason ? ': ' + esc(x.reason) : ''}</td></tr>`);
  const reading = JSON.stringify(x.reading);
  if (reading !== '{}') parts.push(`<tr><th>read for the user</th><td>${esc(reading)}</td></tr>`);
  if (!r.passed) parts.push(`<tr><th>differences</th><td class="bad">${r.differences.map(esc).join('<br>')}</td></tr>`);
  if (x.checks.length) parts.push(`<tr><th>response checks</th><td>${x.checks.map((c) => `<span class="${c.ok ? 'ok' : 'bad'}">${c.ok ? '✔' : '✘'} ${esc(c.name)}</span>: ${esc(c.detail)}`).join('<br>')}</td></tr>`);
  parts.push('</table>');
  for (const f of x.frames) {
    const file = filed.find((m) => m.step === r.index && m.kind === f.kind);
    parts.push(`<details${r.passed ? '' : ' open'}><summary><b>${f.kind}</b> ${esc(f.from)} → ${esc(f.to)}, ${f.bytes.length} bytes${file ? ' — <code>' + esc(file.path) + '</code>' : ''}</summary>`);
    parts.push('<table>' + messageFields(f.bytes).map(([k, v]) => `<tr><th>${esc(k)}</th><td class="hex">${esc(v)}</td></tr>`).join('') + '</table>');
    parts.push(`<pre>${hexBlock(f.bytes)}</pre></details>`);
  }
  parts.push('</div>');
  return parts.join('\n');
}

export function htmlReport(run: LabRun, filed: FiledMessage[], generatedAt: Date): string {
  const passed = run.results.filter((r) => r.passed).length;
  const failed = run.results.length - passed;
  const parties = Object.keys(run.parties).map((id) => run.parties[id]);
  const total = (run.timings.setupMs + run.timings.stepsMs) / 1000;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(run.scenario.title)}</title><style>${CSS}</style></head>
<body>
<h1>${esc(run.scenario.title)}</h1>
<p class="muted">smets lab, ${esc(generatedAt.toISOString())} — ${run.results.length} steps:
<span class="${failed ? 'bad' : 'ok'}"><b>${passed} as expected, ${failed} differ</b></span> —
setup ${(run.timings.setupMs / 1000).toFixed(2)} s, steps ${(run.timings.stepsMs / 1000).toFixed(2)} s, ${total.toFixed(2)} s in all</p>
<p>${esc(run.scenario.description)}</p>
<h2>Set-up</h2>
<table>
<tr><th>device</th><td>ESME ${esc(run.device.eui)}, simulated on the Node board (state in <code>${esc(run.device.storage)}</code>); keys generated on the board, certificates from the test SMKI's Issuing DCA</td></tr>
<tr><th>path</th><td>DCC player → in-process transport (byte link of whole GBCS frames) → device</td></tr>
<tr><th>test SMKI</th><td><code>${esc(run.smki.dir)}</code> (SQLite); CA certificates in <code>keystore/</code></td></tr>
<tr><th>unsolicited alerts</th><td>${run.alerts.length}</td></tr>
</table>
<table><tr><th>party</th><th>role</th><th>EUI</th></tr>
${parties.map((p) => `<tr><td>${esc(p.name)}</td><td>${esc(p.roleCode)} ${esc(p.role)}</td><td class="hex">${esc(p.eui)}</td></tr>`).join('\n')}
</table>
<table><tr><th>user</th><th>acts for</th></tr>
${run.users.map((u) => `<tr><td>${esc(u.id)} — ${esc(u.name)}</td><td>${esc(u.party.name)}</td></tr>`).join('\n')}
</table>
<h2>Steps</h2>
<table><tr><th>#</th><th>step</th><th>outcome</th><th></th></tr>
${run.results.map((r) => `<tr><td><a href="#step-${r.index}">${r.index}</a></td><td>${esc(r.step.title)}</td><td>${esc(r.exchange.verdict)}</td><td class="${r.passed ? 'ok' : 'bad'}">${r.passed ? 'as expected' : 'differs'}</td></tr>`).join('\n')}
</table>
${run.results.map((r) => stepHtml(r, filed)).join('\n')}
<h2>Evidence files</h2>
<p><code>messages/</code>: genuine traffic in the RTDS layout; <code>rejected/</code>: the replayed, altered or unanswered commands;
<code>keystore/</code>: certificates and test private keys in the rtds/keystore layout; <code>junit.xml</code>.
Check: <code>npx smets conformance messages --keys keystore</code> (from this folder).</p>
</body></html>
`;
}
