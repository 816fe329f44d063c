/**
 * The serial link and the management channel's CBOR on every engine: CBOR known answers (RFC 8949
 * Appendix A examples) and refusals, frames with their CRC, and two link endpoints over a simulated line
 * that corrupts and drops bytes (seeded), with timers stepped by hand (JerryScript has none).
 * @module
 */
import { cborDecode, cborEncode } from '../../lib/cbor.ts';
import type { CborValue } from '../../lib/cbor.ts';
import { asciiBytes, fromHex, toHex } from '../../lib/bytes.ts';
import { CHANNEL_GBCS, CHANNEL_MANAGEMENT, crc32, encodeFrame, LinkEndpoint } from '../../lib/serialLink.ts';
import type { LinkEnv } from '../../lib/serialLink.ts';
import { equal, ok } from './assert.ts';
import type { Suite } from './selftest.ts';

const hex = (h: string): Uint8Array => fromHex(h) as Uint8Array;

/** A line between two endpoints with hand-stepped time: bytes in flight, timers by due time. */
export interface SimLine {
  a: LinkEndpoint;
  b: LinkEndpoint;
  /** Runs until nothing is in flight and no timer is due before `untilMs`; returns the simulated time. */
  run(untilMs: number, maxDeliveries?: number): number;
  /** b powers off and on: a new endpoint on the same line, knowing nothing of the old one's sequence. */
  restartB(): LinkEndpoint;
  corrupted: number;
  dropped: number;
}

/** Park-Miller, so every engine draws the same faults. */
function lcg(seed: number): () => number {
  let s = seed % 2147483647;
  if (s <= 0) s += 2147483646;
  return function () {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
}

export function simLine(errorRate: number, seed: number): SimLine {
  const rnd = lcg(seed);
  let now = 0;
  const flight: Array<{ to: number; bytes: Uint8Array }> = [];
  const timers: Array<{ id: number; at: number; fn: () => void }> = [];
  let nextId = 1;
  // Espruino does not hoist function declarations used before their place: `line` gets its methods at the end.
  const line = { a: undefined, b: undefined, corrupted: 0, dropped: 0 } as unknown as SimLine;
  function env(side: number): LinkEnv {
    return {
      write(bytes) {
        const out: number[] = [];
        for (let i = 0; i < bytes.length; i++) {
          const r = rnd();
          if (r < errorRate / 2) {
            line.dropped++;
            continue;
          }
          if (r < errorRate) {
            line.corrupted++;
            out.push(bytes[i] ^ (1 + Math.floor(rnd() * 255)));
            continue;
          }
          out.push(bytes[i]);
        }
        flight.push({ to: 1 - side, bytes: new Uint8Array(out) });
      },
      setTimer(fn, ms) {
        const t = { id: nextId++, at: now + ms, fn: fn };
        timers.push(t);
        return t.id;
      },
      clearTimer(id) {
        for (let i = 0; i < timers.length; i++) if (timers[i].id === id) timers.splice(i--, 1);
      },
      now() {
        return now;
      },
    };
  }
  const options = { fragment: 32, rtoMs: 50, maxRtoMs: 200, giveUpMs: 60000 };
  line.a = new LinkEndpoint(env(0), options);
  line.b = new LinkEndpoint(env(1), options);
  function restartB(): LinkEndpoint {
    line.b.stop();
    line.b = new LinkEndpoint(env(1), options);
    return line.b;
  }
  function run(untilMs: number, maxDeliveries?: number): number {
    let deliveries = 0;
    for (;;) {
      if (maxDeliveries !== undefined && deliveries >= maxDeliveries) return now;
      if (flight.length > 0) {
        deliveries++;
        const f = flight.shift() as { to: number; bytes: Uint8Array };
        now += 1; // a millisecond on the wire
        (f.to === 0 ? line.a : line.b).receive(f.bytes);
        continue;
      }
      if (timers.length === 0) return now;
      let first = 0;
      for (let i = 1; i < timers.length; i++) if (timers[i].at < timers[first].at) first = i;
      if (timers[first].at > untilMs) return now;
      const t = timers.splice(first, 1)[0];
      if (t.at > now) now = t.at;
      t.fn();
    }
  }
  line.run = run;
  line.restartB = restartB;
  return line;
}

function messageOf(n: number, length: number): Uint8Array {
  const m = new Uint8Array(length);
  for (let i = 0; i < length; i++) m[i] = (n * 31 + i * 7) & 255;
  return m;
}

export const suite: Suite = {
  name: 'serial link',
  cases: [
    {
      // RFC 8949 Appendix A; maps: text keys, deterministic order (shorter first).
      name: 'cbor known answers, both ways',
      run() {
        const cases: Array<[CborValue, string]> = [
          [0, '00'], [23, '17'], [24, '1818'], [1000, '1903e8'], [1000000, '1a000f4240'],
          [1000000000000, '1b000000e8d4a51000'], [-1, '20'], [-1000, '3903e7'],
          [false, 'f4'], [true, 'f5'], [null, 'f6'], ['', '60'], ['IETF', '6449455446'],
          [String.fromCharCode(0xfc), '62c3bc'],
          [hex('01020304'), '4401020304'], [[1, [2, 3], [4, 5]], '8301820203820405'],
          [{ a: 1, b: [2, 3] }, 'a26161016162820203'], [{ bb: 1, a: 2, c: 3 }, 'a361610261630362626201'],
        ];
        // Text beyond Latin-1 only where the engine's strings hold it (Espruino 2v29's are 8-bit: fromCharCode truncates).
        // (codes from an array: esbuild would fold a constant call into a "\u{...}" literal Espruino cannot parse)
        const codes = [0x6c34, 0xd800, 0xdd51];
        if (String.fromCharCode(codes[0]).charCodeAt(0) === codes[0]) {
          cases.push([String.fromCharCode(codes[0]), '63e6b0b4']);
          cases.push([String.fromCharCode(codes[1], codes[2]), '64f0908591']);
        }
        for (let i = 0; i < cases.length; i++) {
          const enc = cborEncode(cases[i][0]);
          equal(enc ? toHex(enc) : 'undefined', cases[i][1], 'encode #' + i);
          const dec = cborDecode(hex(cases[i][1]));
          ok(dec.ok, 'decode #' + i);
          if (dec.ok) equal(toHex(cborEncode(dec.value) as Uint8Array), cases[i][1], 'round trip #' + i);
        }
      },
    },
    {
      name: 'cbor refusals are typed, never thrown',
      run() {
        const bad: Array<[string, string]> = [
          ['fb3ff199999999999a', 'unsupported-type'], // a float
          ['c11a514b67b0', 'unsupported-type'], // a tag
          ['9f0102ff', 'unsupported-type'], // indefinite length
          ['1b0020000000000000', 'integer-too-large'], // 2^53
          ['62c3', 'truncated'], ['82 01', 'truncated'], ['0001', 'trailing-bytes'],
          ['a10102', 'non-text-key'], ['a2616101616102', 'duplicate-key'], ['62c0af', 'bad-utf8'],
          ['63eda080', 'bad-utf8'], // a surrogate
          ['9affffffff', 'truncated'], // a huge count, no allocation
          ['818181818181818181818181818181818181818100', 'too-deep'],
        ];
        for (let i = 0; i < bad.length; i++) {
          const d = cborDecode(hex(bad[i][0]));
          equal(d.ok ? 'ok' : d.reason, bad[i][1], 'refusal of ' + bad[i][0]);
        }
        equal(cborEncode(1.5), undefined, 'a fraction is not in the subset');
        equal(cborEncode(9007199254740992), undefined, '2^53 is not in the subset');
      },
    },
    {
      // CRC-32 check value (the "123456789" test of every CRC catalogue: CBF43926).
      name: 'frame: crc32 check value, stuffing of 7E and 7D',
      run() {
        const d = asciiBytes('123456789');
        equal(crc32(d, 0, d.length).toString(16), 'cbf43926', 'crc32("123456789")');
        const f = encodeFrame(0x30, 0x7e, hex('7d7e00'));
        equal(toHex(f.subarray(0, 4)), '7e307d5e', 'flag, control, seq 7E escaped');
        equal(f[f.length - 1], 0x7e, 'closing flag');
        for (let i = 1; i < f.length - 1; i++) ok(f[i] !== 0x7e, 'no flag inside the frame');
      },
    },
    {
      name: 'link: messages on both channels cross a clean line whole and in order',
      run() {
        const line = simLine(0, 1);
        const got: string[] = [];
        line.b.onMessage(CHANNEL_GBCS, function (m) {
          got.push('g' + toHex(m));
        });
        line.b.onMessage(CHANNEL_MANAGEMENT, function (m) {
          got.push('m' + toHex(m));
        });
        line.a.start();
        line.b.start();
        const sent: string[] = [];
        for (let i = 0; i < 6; i++) {
          const m = messageOf(i, 1 + i * 40);
          const ch = i % 2 === 0 ? CHANNEL_GBCS : CHANNEL_MANAGEMENT;
          line.a.send(ch, m);
          sent.push((ch === CHANNEL_GBCS ? 'g' : 'm') + toHex(m));
        }
        line.run(100000);
        equal(got.join(','), sent.join(','), 'delivered');
        const s = line.a.stats();
        equal(s.retransmissions, 0, 'no retransmission on a clean line');
        equal(s.messagesSent, 6, 'messages acknowledged');
        ok(line.a.idle(), 'sender idle');
      },
    },
    {
      name: 'link: 1% of bytes corrupted or dropped: every message once, in order, retries counted',
      run() {
        const line = simLine(0.01, 7);
        const got: string[] = [];
        line.b.onMessage(CHANNEL_GBCS, function (m) {
          got.push(toHex(m));
        });
        const back: string[] = [];
        line.a.onMessage(CHANNEL_GBCS, function (m) {
          back.push(toHex(m));
        });
        line.a.start();
        line.b.start();
        const sent: string[] = [];
        const answers: string[] = [];
        for (let i = 0; i < 20; i++) {
          const m = messageOf(i, 60 + i * 13);
          line.a.send(CHANNEL_GBCS, m);
          sent.push(toHex(m));
          const r = messageOf(100 + i, 30 + i);
          line.b.send(CHANNEL_GBCS, r);
          answers.push(toHex(r));
        }
        line.run(1000000);
        equal(got.join(','), sent.join(','), 'a -> b: each once, in order');
        equal(back.join(','), answers.join(','), 'b -> a: each once, in order');
        ok(line.corrupted + line.dropped > 0, 'the line did damage');
        const s = line.a.stats();
        ok(s.retransmissions > 0, 'retransmissions counted');
        ok(line.b.stats().crcErrors + line.b.stats().malformed > 0, 'damaged frames counted');
      },
    },
    {
      name: 'link: a receiver restarted mid-message gets the message whole from a new SYNC',
      run() {
        const line = simLine(0, 3);
        const got: string[] = [];
        line.b.onMessage(CHANNEL_GBCS, function (m) {
          got.push(toHex(m));
        });
        line.a.start();
        line.b.start();
        const m = messageOf(5, 200);
        line.a.send(CHANNEL_GBCS, m);
        line.run(100000, 6); // a few frames in, b powers off and on
        const b = line.restartB();
        b.onMessage(CHANNEL_GBCS, function (x) {
          got.push(toHex(x));
        });
        b.start();
        line.run(100000);
        equal(got.join(','), toHex(m), 'delivered once, whole');
        ok(line.a.stats().syncs >= 2, 'the sender synchronised again');
      },
    },
    {
      name: 'link: garbage on the line is counted and dropped',
      run() {
        const line = simLine(0, 4);
        line.a.start();
        line.b.start();
        line.run(1000);
        const noise = new Uint8Array(310);
        noise.set(hex('7e0102037e7e'), 0);
        noise.set(hex('7e7e7d7e7e'), 305);
        line.b.receive(noise);
        line.run(1000);
        const s = line.b.stats();
        ok(s.malformed >= 2, 'malformed frames counted');
        const got: string[] = [];
        line.b.onMessage(CHANNEL_GBCS, function (m) {
          got.push(toHex(m));
        });
        line.a.send(CHANNEL_GBCS, hex('0102'));
        line.run(100000);
        equal(got.join(','), '0102', 'the link still carries messages');
      },
    },
  ],
};
