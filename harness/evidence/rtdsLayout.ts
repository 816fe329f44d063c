/**
 * Filing the lab's messages the way DCC's Reference Test Data Set files them (RTDS 4.5.0), so that
 * `smets conformance` and other people's RTDS tools read them unchanged:
 * `<DUIS ref>_<use case>/<use case>_<DUIS ref>_<NN>-<STEP>_<OUTCOME>_<KIND>_GBCS.HEX`, hex text, e.g.
 * `11.2_ECS52/ECS52_11.2_02-FIRMWARE_SUCCESS_COMMAND_GBCS.HEX`. NN is the step number, so one use case
 * may hold several exchanges; KIND is PRECOMMAND, COMMAND, RESPONSE or ALERT (the last such word of the
 * name, as rtdsFolder.ts reads it).
 *
 * Genuine traffic (a command the DCC built and the device answered, and its answer) goes under
 * `messages/`; anything deliberately bad (a replay, a command altered in transit) or not answered goes
 * under `rejected/`, so the conformance folder holds only genuine traffic.
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { toHex } from '../../lib/bytes.ts';
import type { StepResult } from '../lab/runLab.ts';

export interface FiledMessage {
  step: number;
  /** Index of the frame in its step's exchange.frames (one file per frame). */
  frame: number;
  kind: string;
  /** Path relative to the evidence folder. */
  path: string;
  genuine: boolean;
}

/** Whether a step's messages are genuine traffic. */
export function isGenuine(r: StepResult): boolean {
  const x = r.exchange;
  // A command queued for the sleeping GSME is genuine traffic too (its answer is filed with the wake step).
  return (x.verdict === 'accepted' || x.verdict === 'queued-for-gsme') && !x.tampered && !x.replayOf;
}

function outcomeLabel(r: StepResult): string {
  const x = r.exchange;
  if (x.replayOf) return 'REPLAY';
  if (x.tampered) return 'FORGED';
  if (x.verdict === 'accepted') return 'SUCCESS';
  if (x.verdict === 'queued-for-gsme') return 'QUEUED';
  if (x.verdict === 'no-response') return 'NORESPONSE';
  return 'BADRESPONSE';
}

/** `repeat` (2, 3, ...) tells apart several frames of one kind in a step, e.g. alerts that came together. */
export function rtdsFileName(r: StepResult, kind: string, width: number, repeat = 1): string | undefined {
  const folder = r.exchange.folder;
  if (!folder) return undefined;
  const cut = folder.indexOf('_');
  const duis = folder.substring(0, cut);
  const useCase = folder.substring(cut + 1);
  const step = String(r.index).padStart(width, '0') + '-' + r.step.id.toUpperCase().replace(/[^A-Z0-9]+/g, '-') + (repeat > 1 ? '-' + repeat : '');
  return join(folder, useCase + '_' + duis + '_' + step + '_' + outcomeLabel(r) + '_' + kind + '_GBCS.HEX');
}

/** Writes every frame of every step; returns what went where. */
export function fileMessages(evidenceDir: string, results: StepResult[]): FiledMessage[] {
  const out: FiledMessage[] = [];
  const width = Math.max(2, String(results.length).length);
  for (const r of results) {
    const genuine = isGenuine(r);
    const seen: Record<string, number> = {};
    r.exchange.frames.forEach((f, i) => {
      seen[f.kind] = (seen[f.kind] ?? 0) + 1;
      const name = rtdsFileName(r, f.kind, width, seen[f.kind]);
      if (!name) return;
      // An alert is the device's own genuine message, even when the step that caused it was a forgery.
      const real = genuine || f.kind === 'ALERT';
      const path = join(evidenceDir, real ? 'messages' : 'rejected', name);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, toHex(f.bytes).toUpperCase() + '\n');
      out.push({ step: r.index, frame: i, kind: f.kind, path: relative(evidenceDir, path), genuine: real });
    });
    const t = r.exchange.transfer;
    if (t) {
      // The block transfer (Update Firmware): one line per block, offset and length, beside the step's files.
      const name = rtdsFileName(r, 'BLOCKS', width);
      if (name) {
        const path = join(evidenceDir, genuine ? 'messages' : 'rejected', name.replace(/_GBCS\.HEX$/, '.tsv'));
        mkdirSync(join(path, '..'), { recursive: true });
        writeFileSync(path, 'block\toffset\tlength\n' + t.blocks.map((b, i) => (i + 1) + '\t' + b.offset + '\t' + b.length).join('\n') + '\n');
        out.push({ step: r.index, frame: -1, kind: 'BLOCKS', path: relative(evidenceDir, path), genuine });
      }
    }
  }
  return out;
}
