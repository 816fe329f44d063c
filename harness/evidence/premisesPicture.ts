/**
 * The premises as a picture (inline SVG, no script) for a premises lab run's report: the DCC on the WAN,
 * the Communications Hub with its two functions (CHF, GPF), and the devices on its HAN, each with its
 * EUI-64 and where it stands at the end of the run: on the CHF Device Log and joined (a TC link key), on
 * the log and waiting to join, or off the log (removed by CCS02: the hub refuses it). Solid coloured lines
 * are the meters' pairings (their Device Logs, CS03: who is paired with whom, with the partner's GBCS
 * type); the dashed line from the GPF to the GSME is the proxy: the GSME's queue and its wake interval.
 * @module
 */
import type { PremisesPicture } from '../lab/premisesLab.ts';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const C = { ok: '#116329', bad: '#b31d28', wait: '#9a6700', muted: '#57606a', line: '#8c959f', pair: '#0969da', fill: '#f6f8fa' };
const W = 900;
const BOX_W = 150;
const BOX_H = 52;

export function premisesSvg(p: PremisesPicture): string {
  const at = (name: string) => p.devices.find((d) => d.name === name);
  // Columns: the DCC, the hub (CHF over GPF), the HAN devices (meters, then the PPMID and the IHD).
  const pos: Record<string, { x: number; y: number }> = {
    DCC: { x: 20, y: 120 },
    CHF: { x: 240, y: 60 },
    GPF: { x: 240, y: 190 },
    ESME: { x: 560, y: 40 },
    GSME: { x: 560, y: 200 },
    PPMID: { x: 740, y: 100 },
    IHD: { x: 740, y: 260 },
  };
  const H = 340;
  const out: string[] = [];
  out.push(`<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui,sans-serif" font-size="11" role="img" aria-label="the premises: hub, HAN devices and pairings">`);
  const centre = (n: string) => ({ x: pos[n].x + BOX_W / 2, y: pos[n].y + BOX_H / 2 });
  // The hub's enclosure and the HAN's.
  out.push(`<rect x="225" y="30" width="${BOX_W + 30}" height="240" rx="9" fill="none" stroke="${C.line}" stroke-dasharray="2,3"/>`);
  out.push(`<text x="233" y="46" fill="${C.muted}" font-weight="600">Communications Hub</text>`);
  out.push(`<rect x="540" y="10" width="${W - 548}" height="${H - 20}" rx="9" fill="none" stroke="${C.line}" stroke-dasharray="2,3"/>`);
  out.push(`<text x="548" y="26" fill="${C.muted}" font-weight="600">the hub's HAN (consumer premises)</text>`);
  const line = (a: string, b: string, colour: string, label: string, dashed: boolean, dy = 0, below = false) => {
    const s = centre(a);
    const e = centre(b);
    out.push(`<line x1="${s.x}" y1="${s.y + dy}" x2="${e.x}" y2="${e.y + dy}" stroke="${colour}" stroke-width="${dashed ? 1.2 : 2}"${dashed ? ' stroke-dasharray="5,3"' : ''}/>`);
    // `below`: the label under the line, starting past the first box (the GPF-GSME proxy line is short).
    if (label && below) out.push(`<text x="${pos[a].x + BOX_W + 4}" y="${s.y + dy + 30}" fill="${colour}" font-size="10">${esc(label)}</text>`);
    else if (label) out.push(`<text x="${(s.x + e.x) / 2}" y="${(s.y + e.y) / 2 + dy - 4}" text-anchor="middle" fill="${colour}" font-size="10">${esc(label)}</text>`);
  };
  // The WAN to both functions; the CHF to every HAN device (the radio), coloured by its state on the log.
  line('DCC', 'CHF', C.line, 'WAN', true);
  line('DCC', 'GPF', C.line, '', true);
  const state = (eui: string): { colour: string; words: string } => {
    const e = p.chfLog.find((x) => x.eui === eui.toUpperCase());
    if (!e) return { colour: C.bad, words: 'not on the CHF log: refused' };
    return e.joined ? { colour: C.ok, words: 'on the CHF log, joined' } : { colour: C.wait, words: 'on the CHF log, not joined' };
  };
  for (const n of ['ESME', 'GSME', 'PPMID', 'IHD']) {
    const d = at(n);
    if (d) line('CHF', n, state(d.eui).colour, '', true);
  }
  line('GPF', 'GSME', C.muted, 'GPF proxy: ' + p.gsmeQueue + ' waiting; the GSME wakes every ' + p.gsmeWakeSeconds + ' s', true, 8, true);
  // Pairings (the meters' Device Logs).
  const byEui = (eui: string) => p.devices.find((d) => d.eui.toUpperCase() === eui.toUpperCase());
  for (const pr of p.pairings) {
    const other = byEui(pr.device);
    if (other && pos[other.name]) line(pr.meter, other.name, C.pair, 'paired (' + pr.type + ')', false, pr.meter === 'GSME' ? -6 : 6);
  }
  const box = (name: string, title: string, sub: string, colour: string, note: string) => {
    const { x, y } = pos[name];
    out.push(`<rect x="${x}" y="${y}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="${C.fill}" stroke="${colour}" stroke-width="1.5"/>`);
    out.push(`<text x="${x + BOX_W / 2}" y="${y + 17}" text-anchor="middle" font-weight="600">${esc(title)}</text>`);
    out.push(`<text x="${x + BOX_W / 2}" y="${y + 31}" text-anchor="middle" fill="${C.muted}">${esc(sub)}</text>`);
    if (note) out.push(`<text x="${x + BOX_W / 2}" y="${y + 45}" text-anchor="middle" fill="${colour}" font-size="10">${esc(note)}</text>`);
  };
  box('DCC', 'DCC', 'ACB, DCC players', C.line, '');
  for (const d of p.devices) {
    if (!pos[d.name]) continue;
    const s = d.where === 'HAN' ? state(d.eui) : { colour: C.line, words: d.name === 'CHF' ? 'keeps the HAN\'s Device Log' : 'stands in for the GSME' };
    box(d.name, d.name, d.eui, s.colour, s.words);
  }
  // Legend.
  const ly = H - 14;
  const legend: Array<[string, string, boolean]> = [[C.ok, 'joined', true], [C.wait, 'on the log, not joined', true], [C.bad, 'off the CHF log', true], [C.pair, 'paired on a meter (CS03)', false]];
  legend.forEach(([colour, words, dashed], i) => {
    const x = 20 + i * 160;
    out.push(`<line x1="${x}" y1="${ly}" x2="${x + 24}" y2="${ly}" stroke="${colour}" stroke-width="2"${dashed ? ' stroke-dasharray="5,3"' : ''}/>`);
    out.push(`<text x="${x + 30}" y="${ly + 4}" fill="${C.muted}">${esc(words)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
