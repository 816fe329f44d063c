/**
 * Codec throughput on every engine, over a fixed set of RTDS messages (a DD critical command with
 * 82-form lengths and an ECDSA signature, a DF pre-command, a DD response, a DF alert, a DD command
 * carrying a KA certificate): decode and encode rates in messages/s and MB/s.
 * @module
 */
import { fromHex } from '../../lib/bytes.ts';
import { decodeMessage, encodeMessage } from '../../gbcs/message.ts';
import type { GbcsMessage } from '../../gbcs/message.ts';
import { timePerCall } from './selftest.ts';
import type { Bench, SelfTestContext } from './selftest.ts';

const SET = [
  'rtds/RTDS-4.5.0/1.2.1_ECS01b/ECS01b_1.2.1_CANCELLATION_TOU_BLOCK_SUCCESS_COMMAND_GBCS.HEX',
  'rtds/RTDS-4.5.0/1.2.1_ECS01b/ECS01b_1.2.1_CANCELLATION_TOU_BLOCK_SUCCESS_PRECOMMAND_GBCS.HEX',
  'rtds/RTDS-4.5.0/1.2.1_ECS01b/ECS01b_1.2.1_CANCELLATION_TOU_BLOCK_SUCCESS_RESPONSE_GBCS.HEX',
  'rtds/RTDS-4.5.0/1.2.1_ECS01b/ECS01b_1.2.1_8F66_FUTURE_DATED_TOU_BLOCK_SUCCESS_ALERT_PRICE_MATRIX_GBCS.HEX',
  'rtds/RTDS-4.5.0/4.14_ECS21b/ECS21b_4.14_URP_SUCCESS_COMMAND_GBCS.HEX',
];

function messages(ctx: SelfTestContext): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < SET.length; i++) {
    const b = fromHex(ctx.vector(SET[i]));
    if (!b) throw new Error('codec bench: not hex ' + SET[i]);
    out.push(b);
  }
  return out;
}

function totalBytes(list: Uint8Array[]): number {
  let n = 0;
  for (let i = 0; i < list.length; i++) n += list[i].length;
  return n;
}

function decodeAll(list: Uint8Array[]): void {
  for (let i = 0; i < list.length; i++) if (!decodeMessage(list[i]).ok) throw new Error('codec bench: message ' + i + ' does not decode');
}

function decodedSet(list: Uint8Array[]): GbcsMessage[] {
  const out: GbcsMessage[] = [];
  for (let i = 0; i < list.length; i++) {
    const m = decodeMessage(list[i]);
    if (!m.ok) throw new Error('codec bench: message ' + i + ' does not decode');
    out.push(m);
  }
  return out;
}

const round = (v: number, places: number): number => Math.round(v * Math.pow(10, places)) / Math.pow(10, places);

export const decodeRate: Bench = {
  name: 'gbcs decode (5 RTDS messages)',
  unit: 'messages/s',
  bundle: 'bench-codec',
  vectors: SET,
  run(ctx) {
    const list = messages(ctx);
    const ms = timePerCall(() => decodeAll(list), 300);
    return round((list.length * 1000) / ms, 1);
  },
};

export const decodeBytes: Bench = {
  name: 'gbcs decode throughput',
  unit: 'MB/s',
  bundle: 'bench-codec',
  vectors: SET,
  run(ctx) {
    const list = messages(ctx);
    const ms = timePerCall(() => decodeAll(list), 300);
    return round(totalBytes(list) / 1e6 / (ms / 1000), 4);
  },
};

export const encodeRate: Bench = {
  name: 'gbcs encode (5 RTDS messages)',
  unit: 'messages/s',
  bundle: 'bench-codec',
  vectors: SET,
  run(ctx) {
    const decoded = decodedSet(messages(ctx));
    const ms = timePerCall(() => {
      for (let i = 0; i < decoded.length; i++) encodeMessage(decoded[i]);
    }, 300);
    return round((decoded.length * 1000) / ms, 1);
  },
};

export const encodeBytes: Bench = {
  name: 'gbcs encode throughput',
  unit: 'MB/s',
  bundle: 'bench-codec',
  vectors: SET,
  run(ctx) {
    const list = messages(ctx);
    const decoded = decodedSet(list);
    const ms = timePerCall(() => {
      for (let i = 0; i < decoded.length; i++) encodeMessage(decoded[i]);
    }, 300);
    return round(totalBytes(list) / 1e6 / (ms / 1000), 4);
  },
};
