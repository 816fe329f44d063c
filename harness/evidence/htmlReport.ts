/**
 * The lab's one-page HTML report: the scenario, the parties and the device, the message sequence as a
 * picture (sequence.ts), then each step — who sent what, the expectation in words and the verdict, the
 * checks run on the answer, the bytes an alteration changed (highlighted), a block transfer's summary, the
 * alerts the step caused, and every message in hex and decoded (messageView.ts), each linked to its file. Self-contained: inline CSS, no scripts,
 * no external assets; opens from disk anywhere.
 * @module
 */
import type { LabRun, StepResult } from '../lab/runLab.ts';
import { messageFields } from './messageView.ts';
import { sequenceSvg } from './sequence.ts';
import { premisesSvg } from './premisesPicture.ts';
import { expectationWords } from '../lab/expectations.ts';
import type { Exchange } from '../dcc/dccPlayer.ts';
import type { FiledMessage } from './rtdsLayout.ts';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Hex in 32-byte lines; the bytes at `marked` offsets (an alteration) highlighted. */
function hexBlock(b: Uint8Array, marked: number[] = []): string {
  const lines: string[] = [];
  for (let i = 0; i < b.length; i += 32) {
    let line = '';
    for (let j = i; j < Math.min(b.length, i + 32); j++) {
      const h = ('0' + b[j].toString(16).toUpperCase()).slice(-2);
      line += marked.indexOf(j) >= 0 ? '<mark title="altered: offset ' + j + '">' + h + '</mark>' : h;
    }
    lines.push(line);
  }
  return lines.join('\n');
}

const hex2 = (n: number) => '0x' + ('0' + n.toString(16).toUpperCase()).slice(-2);

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
td{overflow-wrap:anywhere}td.nowrap{white-space:nowrap}mark{background:#ffd33d;color:#b31d28;font-weight:700;outline:1px solid #b31d28}
.alert{border-left:3px solid #9a6700;padding-left:.6em}.seq{overflow-x:auto;border:1px solid #ddd;border-radius:6px;margin:1em 0}
details{margin:.4em 0}summary{cursor:pointer}
`;

/** What the DCC read from the answer, in words. */
function readingWords(r: Exchange['reading']): string {
  const parts: string[] = [];
  const rec = r as Record<string, unknown>;
  for (const [k, v] of Object.entries(rec)) {
    if (v === undefined) continue;
    if (k === 'securityLog' && Array.isArray(v)) parts.push('security log: ' + v.length + ' events (' + v.map((e) => (e as { event: string }).event).join(', ') + ')');
    else if (k === 'cs02bStatuses' && Array.isArray(v)) parts.push('CS02b statuses ' + v.join(', ') + (v.every((s) => s === 0) ? ' (all success)' : ''));
    else parts.push(k.replace(/([A-Z])/g, ' $1').toLowerCase() + ': ' + (typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v)));
  }
  return parts.join('; ');
}

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
  parts.push(`<tr><th>expected</th><td>${esc(expectationWords(e))}</td></tr>`);
  parts.push(`<tr><th>outcome</th><td>${esc(x.verdict)}${x.reason ? ': ' + esc(x.reason) : ''}</td></tr>`);
  const reading = readingWords(x.reading);
  if (reading) parts.push(`<tr><th>read for the user</th><td>${esc(reading)}</td></tr>`);
  if (x.altered && x.altered.length) {
    parts.push(`<tr><th>altered in transit</th><td class="bad">${x.altered.map((a) => 'byte ' + a.offset + ': ' + hex2(a.was) + ' → ' + hex2(a.now)).join(', ')} (${esc(x.tampered ?? '')}; highlighted in the command below)</td></tr>`);
  }
  if (x.transfer) {
    const b = x.transfer.blocks;
    const file = filed.find((m) => m.step === r.index && m.kind === 'BLOCKS');
    const sizes = b.map((k) => k.length);
    parts.push(`<tr><th>block transfer</th><td>${b.length} blocks carried the ${x.transfer.size}-byte package (${Math.max(...sizes)} bytes each${Math.min(...sizes) !== Math.max(...sizes) ? ', the last ' + sizes[sizes.length - 1] : ''}), each acknowledged by the device; offsets ${b[0].offset}..${b[b.length - 1].offset}` +
      (file ? `; every block in <a href="${esc(file.path)}"><code>${esc(file.path)}</code></a>` : '') + `</td></tr>`);
  }
  if (!r.passed) parts.push(`<tr><th>differences</th><td class="bad">${r.differences.map(esc).join('<br>')}</td></tr>`);
  if (x.checks.length) parts.push(`<tr><th>response checks</th><td>${x.checks.map((c) => `<span class="${c.ok ? 'ok' : 'bad'}">${c.ok ? '✔' : '✘'} ${esc(c.name)}</span>: ${esc(c.detail)}`).join('<br>')}</td></tr>`);
  parts.push('</table>');
  x.frames.forEach((f, i) => {
    const file = filed.find((m) => m.step === r.index && m.frame === i);
    const marked = f.kind === 'COMMAND' && x.altered ? x.altered.map((a) => a.offset) : [];
    const open = !r.passed || marked.length > 0;
    parts.push(`<details${open ? ' open' : ''}${f.kind === 'ALERT' ? ' class="alert"' : ''}><summary><b>${f.kind}</b> ${esc(f.from)} → ${esc(f.to)}, ${f.bytes.length} bytes${file ? ' — <a href="' + esc(file.path) + '"><code>' + esc(file.path) + '</code></a>' : ''}</summary>`);
    parts.push('<table>' + messageFields(f.bytes).map(([k, v]) => `<tr><th>${esc(k)}</th><td class="hex">${esc(v)}</td></tr>`).join('') + '</table>');
    parts.push(`<pre>${hexBlock(f.bytes, marked)}</pre></details>`);
  });
  parts.push('</div>');
  return parts.join('\n');
}

/** A premises run: the picture, then each device and what the hub did with each WAN frame. */
function premisesHtml(p: NonNullable<LabRun['premises']>): string {
  const onLog = (eui: string) => {
    const e = p.picture.chfLog.find((x) => x.eui === eui.toUpperCase());
    return e ? (e.joined ? 'joined' : 'on the log, not joined') : 'not on the log';
  };
  return `<h2>The premises</h2>
<p class="muted">Where each device is at the end of the run, its state on the CHF Device Log, and who is paired with whom on the meters (their Device Logs, CS03/CS04).</p>
<div class="seq">${premisesSvg(p.picture)}</div>
<table><tr><th>device</th><th>EUI-64</th><th>where</th><th>CHF Device Log</th><th>install code (with CRC)</th></tr>
${p.devices.map((d) => `<tr><td>${esc(d.name)}</td><td class="hex">${esc(d.eui)}</td><td>${d.where === 'hub' ? 'in the Communications Hub' : 'on the HAN'}</td><td>${d.where === 'HAN' ? esc(onLog(d.eui)) : ''}</td><td class="hex">${esc(d.installCode ?? '')}</td></tr>`).join('\n')}
</table>
<p class="muted">Paired: ${p.picture.pairings.map((x) => esc(x.meter + ' with ' + x.device + ' (' + x.type + ')')).join(', ') || 'none'}. The hub routed ${p.routed.length} WAN frames: ${esc(p.routed.join('; '))}.</p>`;
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
<tr><th>device</th><td>ESME ${esc(run.device.eui)}${run.premises ? ' on the HAN of a Communications Hub (below), simulated on the Node board' : ' ' + esc(run.device.where)} (state in <code>${esc(run.device.storage)}</code>); keys generated on the board, certificates from the test SMKI's Issuing DCA</td></tr>
<tr><th>path</th><td>${run.premises ? 'DCC players (one per addressed device) → in-process WAN transport (byte link of whole GBCS frames) → Communications Hub (CHF, GPF, the GSME\'s queue, HAN links) → device' : run.link ? 'DCC player → serial transport (the link protocol over a UART or pty: README "The serial link") → board → device' : 'DCC player → in-process transport (byte link of whole GBCS frames) → device'}</td></tr>
<tr><th>test SMKI</th><td><code>${esc(run.smki.dir)}</code> (SQLite); CA certificates in <code>keystore/</code></td></tr>
<tr><th>alerts</th><td>${run.alertVerdicts.length} received from the device, ${run.alertVerdicts.filter((v) => v.ok).length} verified by the DCC (protection, origin, rising device counter); each is shown and filed with the step that caused it</td></tr>
</table>
<table><tr><th>party</th><th>role</th><th>EUI</th></tr>
${parties.map((p) => `<tr><td>${esc(p.name)}</td><td>${esc(p.roleCode)} ${esc(p.role)}</td><td class="hex">${esc(p.eui)}</td></tr>`).join('\n')}
</table>
<table><tr><th>user</th><th>acts for</th></tr>
${run.users.map((u) => `<tr><td>${esc(u.id)} — ${esc(u.name)}</td><td>${esc(u.party.name)}</td></tr>`).join('\n')}
</table>
${run.premises ? premisesHtml(run.premises) : ''}
<h2>Message sequence</h2>
<p class="muted">Each row is a step (its number links to it): the user's request to the DCC, the DCC's refusal (✘) or the
command to the device (red and dashed: altered in transit or replayed), the response or its absence, and the alerts the device sent.</p>
<div class="seq">${sequenceSvg(run)}</div>
<h2>Steps</h2>
<table><tr><th>#</th><th>step</th><th>outcome</th><th></th></tr>
${run.results.map((r) => `<tr><td><a href="#step-${r.index}">${r.index}</a></td><td>${esc(r.step.title)}</td><td class="nowrap">${esc(r.exchange.verdict)}</td><td class="nowrap ${r.passed ? 'ok' : 'bad'}">${r.passed ? 'as expected' : 'differs'}</td></tr>`).join('\n')}
</table>
${run.results.map((r) => stepHtml(r, filed)).join('\n')}
<h2>Evidence files</h2>
<p><code>messages/</code>: genuine traffic in the RTDS layout; <code>rejected/</code>: the replayed, altered or unanswered commands;
<code>keystore/</code>: certificates and test private keys in the rtds/keystore layout; <code>firmware/</code>: the packages
the firmware steps used, the manufacturer's certificate and key and the Issuing OCA; <code>junit.xml</code>.
Check: <code>npx smets conformance messages --keys keystore</code> (from this folder).</p>
</body></html>
`;
}
