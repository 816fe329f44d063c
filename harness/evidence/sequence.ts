/**
 * The lab run as a sequence picture (inline SVG, no script): the premises across the top (each user and
 * the party it acts for, the DCC, the device), then one row per step: the request to the DCC, the DCC's
 * refusal or the command to the device (red and dashed when altered or replayed), the response or its
 * absence, and the alerts the device sent, each row linked to the step's section of the report.
 * @module
 */
import { decodeMessage } from '../../gbcs/message.ts';
import { messageCodeInfo } from '../../gbcs/messageCodes.ts';
import { toHex } from '../../lib/bytes.ts';
import type { LabRun, StepResult } from '../lab/runLab.ts';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const WIDTH = 1060;
const TOP = 100;
const HEAD = 22; // the group labels above the lane boxes
const ROW = 34;
const BOX = 128;
const ALERT_ROW = 14;
const COLOURS = { ok: '#116329', bad: '#b31d28', alert: '#9a6700', muted: '#57606a', line: '#8c959f' };

/** A short label for a frame: its use case and code (e.g. "ECS43 0050"). */
function frameLabel(bytes: Uint8Array): string {
  const m = decodeMessage(bytes);
  if (!m.ok) return 'undecodable';
  const code = m.gs.messageCode;
  const info = messageCodeInfo(code);
  return (info ? info.useCase + ' ' : '') + ('000' + code.toString(16).toUpperCase()).slice(-4);
}

function shorten(s: string, n: number): string {
  return s.length > n ? s.substring(0, n - 1) + '…' : s;
}

export function sequenceSvg(run: LabRun): string {
  const people = run.users.filter((u) => u.id !== 'dcc');
  const left = 185; // step numbers and ids to the left of this
  const deviceX = WIDTH - BOX / 2 - 10;
  const dccX = deviceX - 360;
  const userX: Record<string, number> = {};
  const span = dccX - BOX - 16 - left;
  people.forEach((u, i) => { userX[u.id] = left + (people.length > 1 ? (span * i) / (people.length - 1) : span / 2); });
  userX.dcc = dccX;
  const heights = run.results.map((r) => ROW + r.exchange.frames.filter((f) => f.kind === 'ALERT').length * ALERT_ROW);
  const height = TOP + heights.reduce((a, b) => a + b, 0) + 20;
  const out: string[] = [];
  out.push(`<svg width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui,sans-serif" font-size="11" role="img" aria-label="message sequence of the lab run">`);
  out.push(`<defs>${['ok', 'bad', 'alert', 'muted'].map((k) => `<marker id="arrow-${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${COLOURS[k as keyof typeof COLOURS]}"/></marker>`).join('')}</defs>`);
  // Premises: a box per lane, and the lane's line down the page.
  const box = (x: number, title: string, sub: string) => {
    out.push(`<rect x="${x - BOX / 2}" y="${HEAD + 6}" width="${BOX}" height="44" rx="5" fill="#f6f8fa" stroke="${COLOURS.line}"/>`);
    out.push(`<text x="${x}" y="${HEAD + 24}" text-anchor="middle" font-weight="600">${esc(shorten(title, 22))}</text>`);
    out.push(`<text x="${x}" y="${HEAD + 40}" text-anchor="middle" fill="${COLOURS.muted}">${esc(shorten(sub, 24))}</text>`);
    out.push(`<line x1="${x}" y1="${HEAD + 50}" x2="${x}" y2="${height - 10}" stroke="${COLOURS.line}" stroke-dasharray="3,4"/>`);
  };
  for (const u of people) box(userX[u.id], u.id + ' (' + u.party.name.replace(/^Test /, '') + ')', u.party.roleCode + ' ' + u.party.eui);
  box(dccX, 'DCC (ACB, CPL, rules)', 'ACB ' + (run.parties.acb ? run.parties.acb.eui : ''));
  box(deviceX, run.premises ? 'Hub and HAN devices' : 'ESME ' + run.device.eui, run.premises ? 'CHF, GPF, ESME, GSME, ...' : 'simulated, Node board');
  // In a premises run each arrow names the device it reaches (by the command's recipient).
  const nameOf = (bytes: Uint8Array) => {
    if (!run.premises) return '';
    const m = decodeMessage(bytes);
    const d = m.ok ? run.premises.devices.find((x) => x.eui.toLowerCase() === toHex(m.gs.recipient)) : undefined;
    return d ? ' to ' + d.name : '';
  };
  // The premises: who is where. DCC Users on the left, the DCC, the consumer's premises (the ESME, and
  // the devices the DCC's inventory associates with it on the same HAN).
  const group = (x1: number, x2: number, label: string) => {
    out.push(`<rect x="${x1}" y="3" width="${x2 - x1}" height="${HEAD + 52}" rx="7" fill="none" stroke="${COLOURS.line}" stroke-dasharray="2,3"/>`);
    out.push(`<text x="${x1 + 6}" y="16" fill="${COLOURS.muted}" font-weight="600">${esc(label)}</text>`);
  };
  if (people.length) group(userX[people[0].id] - BOX / 2 - 6, userX[people[people.length - 1].id] + BOX / 2 + 6, 'DCC Users (each acts for a party)');
  group(dccX - BOX / 2 - 6, dccX + BOX / 2 + 6, 'DCC');
  const associated = run.firmware.deployed.split('; ').map((d) => d.split(' ')).filter((d) => d[0] && d[0] !== run.device.eui).map((d) => d[1] + ' ' + d[0]);
  const premisesLeft = deviceX - BOX / 2 - 172;
  group(premisesLeft, WIDTH - 2, 'Consumer premises');
  if (associated.length) out.push(`<text x="${premisesLeft + 8}" y="${HEAD + 22}" fill="${COLOURS.muted}">on the ESME's HAN:</text>`);
  associated.slice(0, 2).forEach((a, i) => out.push(`<text x="${premisesLeft + 8}" y="${HEAD + 36 + i * 13}" fill="${COLOURS.muted}" font-size="10">${esc(a)}</text>`));
  out.push(`<text x="8" y="${TOP - 8}" fill="${COLOURS.muted}">step</text>`);
  const arrow = (x1: number, x2: number, y: number, kind: keyof typeof COLOURS, label: string, dashed = false) => {
    const dir = x2 > x1 ? -1 : 1;
    out.push(`<line x1="${x1}" y1="${y}" x2="${x2 + dir * 2}" y2="${y}" stroke="${COLOURS[kind]}" stroke-width="1.5"${dashed ? ' stroke-dasharray="5,3"' : ''} marker-end="url(#arrow-${kind})"/>`);
    out.push(`<text x="${(x1 + x2) / 2}" y="${y - 3}" text-anchor="middle" fill="${COLOURS[kind]}">${esc(label)}</text>`);
  };
  const cross = (x: number, y: number, label: string, anchor: 'start' | 'end' = 'start') => {
    out.push(`<text x="${x}" y="${y + 4}" text-anchor="middle" fill="${COLOURS.bad}" font-size="14" font-weight="700">✘</text>`);
    out.push(`<text x="${x + (anchor === 'start' ? 10 : -10)}" y="${y + 4}" text-anchor="${anchor}" fill="${COLOURS.bad}">${esc(label)}</text>`);
  };
  const note = (x: number, y: number, label: string) => {
    out.push(`<text x="${x + 8}" y="${y + 4}" fill="${COLOURS.muted}">${esc(label)}</text>`);
  };
  let y = TOP;
  run.results.forEach((r: StepResult, i) => {
    const h = heights[i];
    const x = r.exchange;
    const mid = y + 12;
    if (i % 2 === 0) out.push(`<rect x="0" y="${y - 4}" width="${WIDTH}" height="${h}" fill="#f6f8fa" opacity="0.5"/>`);
    out.push(`<a href="#step-${r.index}"><text x="8" y="${mid + 4}" fill="${r.passed ? COLOURS.ok : COLOURS.bad}" font-weight="600">${r.index}${r.passed ? '' : ' ✘'}</text>` +
      `<text x="30" y="${mid + 4}" fill="${COLOURS.muted}">${esc(shorten(r.step.id, 20))}</text></a>`);
    const from = r.step.kind === 'replay' ? undefined : r.step.as;
    const command = x.frames.find((f) => f.kind === 'COMMAND');
    const response = x.frames.find((f) => f.kind === 'RESPONSE');
    if (from && from !== 'dcc' && userX[from] !== undefined) arrow(userX[from], dccX, mid, 'muted', shorten(x.request, 30));
    else if (from === 'dcc') out.push(`<text x="${dccX - 8}" y="${mid + 4}" text-anchor="end" fill="${COLOURS.muted}">DCC: ${esc(shorten(x.request, 28))}</text>`);
    if (r.step.kind === 'replay') out.push(`<text x="${dccX - 8}" y="${mid + 4}" text-anchor="end" fill="${COLOURS.bad}">an attacker replays ${esc(shorten(r.step.replay, 20))}</text>`);
    if (x.verdict === 'refused-by-dcc' || x.verdict === 'refused-by-supplier' || x.verdict === 'held-by-dcc' || x.verdict === 'dropped-by-dcc') {
      cross(dccX, mid, shorten(x.verdict.replace(/-/g, ' ') + (x.reason ? ': ' + x.reason : ''), 46));
    } else if (command) {
      const bad = !!x.tampered || !!x.replayOf;
      arrow(dccX, deviceX, mid, bad ? 'bad' : 'ok', frameLabel(command.bytes) + nameOf(command.bytes) + (x.tampered ? ' ALTERED (' + x.tampered + ')' : x.replayOf ? ' REPLAYED' : ''), bad);
      if (response) arrow(deviceX, dccX, mid + 14, 'ok', 'response');
      else if (x.verdict === 'no-response') cross(deviceX, mid + 12, 'refused: no response', 'end');
      else if (x.verdict === 'queued-for-gsme') note(deviceX - 200, mid + 12, 'queued on the GPF until the GSME wakes');
    } else if (x.transfer) {
      arrow(dccX, deviceX, mid, 'ok', 'Update Firmware: ' + x.transfer.blocks.length + ' blocks');
    } else if (x.verdict === 'accepted') {
      note(dccX, mid, shorten(x.reading.found ?? x.reason ?? 'done', 46));
    } else if (x.verdict === 'refused-on-han') {
      cross(deviceX, mid, 'refused on the HAN: ' + (x.reason ?? ''), 'end');
    }
    const alerts = x.frames.filter((f) => f.kind === 'ALERT');
    alerts.forEach((a, k) => arrow(deviceX, dccX, mid + 14 + (k + 1) * ALERT_ROW, 'alert', 'alert ' + frameLabel(a.bytes) + ' to ' + shorten(a.to, 22), true));
    y += h;
  });
  out.push('</svg>');
  return out.join('\n');
}
