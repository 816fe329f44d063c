/**
 * The serial link protocol between the harness and a board over a UART (or a pty): framing with a CRC,
 * sequence numbers, acknowledgement and retransmission, duplicates dropped, messages cut into frames of
 * at most 255 payload bytes, two channels (0: GBCS frames carried whole; 1: management, CBOR). The same
 * code runs in the board's firmware (Espruino, Node) and in the harness's serial transport; the README's
 * "The serial link" section has the frame layout.
 *
 * On the wire (HDLC-like byte stuffing, so a receiver finds the next frame after any corruption or loss):
 * ```
 * 7E | control(1) seq(1) length(1) payload(length) crc32(4) |  7E       (7E and 7D inside escaped: 7D, b^20)
 * control: bits 7-6 type (0 DATA, 1 ACK, 2 NAK, 3 SYNC)
 *          DATA: bit 5 first fragment, bit 4 last fragment, bits 3-0 channel
 *          ACK:  bit 5 set when it acknowledges a SYNC
 *          NAK:  bit 0 set when the receiver has no sequence yet (asks for SYNC)
 * crc32: CRC-32 (IEEE 802.3, reflected, as zlib) of control..payload, big-endian
 * ```
 * Stop-and-wait ARQ, one sequence space per direction: a sender has one DATA frame outstanding; the
 * receiver ACKs the expected sequence number and delivers, re-ACKs the previous one (a duplicate: its ACK
 * was lost) without delivering, and answers a frame that fails its CRC with a NAK of the sequence it
 * expects, which the sender retransmits at once (a NAK naming the next sequence acknowledges the
 * outstanding frame: its ACK was lost; a lost ACK otherwise is covered by the retransmission timer,
 * doubling up to a ceiling). A side that starts (power-on, reset) sends SYNC with its first sequence
 * number before any DATA; a receiver without a sequence answers DATA with NAK+sync, and the sender then
 * re-synchronises and sends its current message again from its first fragment (the receiver lost the
 * part it had). Whether a GBCS command that crossed twice is executed twice is not the link's to decide:
 * the device's GBCS counter checks refuse the second copy.
 * Malformed frames (bad CRC, length, control; too long) are counted and dropped, never thrown.
 * @module
 */

export const FLAG = 0x7e;
export const ESCAPE = 0x7d;
export const CHANNEL_GBCS = 0;
export const CHANNEL_MANAGEMENT = 1;
/** Payload bytes in one frame at most (the length field is one byte). */
export const MAX_PAYLOAD = 255;
/** A reassembled message at most (a GBCS frame with a 1,024-byte image block, a factory provisioning). */
export const MAX_MESSAGE = 16384;

const TYPE_DATA = 0;
const TYPE_ACK = 1;
const TYPE_NAK = 2;
const TYPE_SYNC = 3;
const FIRST = 0x20;
const LAST = 0x10;
const ACK_OF_SYNC = 0x20;
const NAK_NEEDS_SYNC = 0x01;
/** control + seq + length + crc32 */
const OVERHEAD = 7;

// CRC-32 (IEEE, reflected polynomial EDB88320), the table built once at load; values kept as int32.
const CRC_TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  CRC_TABLE[n] = c;
}

export function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = -1;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 255] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** One frame, stuffed and delimited, ready for the line (`crc` a native CRC-32, when the engine has one). */
export function encodeFrame(control: number, seq: number, payload: Uint8Array | undefined, crc?: (bytes: Uint8Array) => number): Uint8Array {
  const n = payload ? payload.length : 0;
  const raw = new Uint8Array(3 + n + 4);
  raw[0] = control;
  raw[1] = seq & 255;
  raw[2] = n;
  if (payload) raw.set(payload, 3);
  const c = crc ? crc(raw.subarray(0, 3 + n)) >>> 0 : crc32(raw, 0, 3 + n);
  raw[3 + n] = c >>> 24;
  raw[4 + n] = (c >>> 16) & 255;
  raw[5 + n] = (c >>> 8) & 255;
  raw[6 + n] = c & 255;
  if (raw.indexOf(FLAG) < 0 && raw.indexOf(ESCAPE) < 0) {
    // Nothing to escape (most frames): one copy, no interpreted loop.
    const plain = new Uint8Array(raw.length + 2);
    plain[0] = FLAG;
    plain.set(raw, 1);
    plain[raw.length + 1] = FLAG;
    return plain;
  }
  let escapes = 0;
  for (let i = 0; i < raw.length; i++) if (raw[i] === FLAG || raw[i] === ESCAPE) escapes++;
  const out = new Uint8Array(raw.length + escapes + 2);
  let at = 0;
  out[at++] = FLAG;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i];
    if (b === FLAG || b === ESCAPE) {
      out[at++] = ESCAPE;
      out[at++] = b ^ 0x20;
    } else out[at++] = b;
  }
  out[at] = FLAG;
  return out;
}

export interface LinkStats {
  /** DATA frames sent for the first time, and sent again (timer or NAK). */
  framesSent: number;
  retransmissions: number;
  /** DATA frames received and accepted; duplicates re-acknowledged and dropped. */
  framesReceived: number;
  duplicates: number;
  /** Frames dropped: CRC mismatch; bad length, control or size (malformed). */
  crcErrors: number;
  malformed: number;
  naksSent: number;
  syncs: number;
  messagesSent: number;
  messagesReceived: number;
  /** Messages given up after `giveUpMs` without an acknowledgement. */
  messagesAbandoned: number;
}

/** What the endpoint needs from its host: the line and a timer (setTimeout on Node and Espruino). */
export interface LinkEnv {
  write(bytes: Uint8Array): void;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(timer: unknown): void;
  /** Milliseconds, for giving up (Date.now). */
  now(): number;
  /**
   * A native CRC-32 of the same definition, where the engine has one (Espruino's `E.CRC32`, zlib's on
   * Node): the portable one costs an interpreted table lookup per byte, the largest part of a frame's
   * cost on Espruino.
   */
  crc32?(bytes: Uint8Array): number;
}

export interface LinkOptions {
  /** Payload bytes per DATA frame when sending (1..255; default 128). */
  fragment?: number;
  /**
   * The least retransmission timeout (default 100 ms). The timeout adapts to the peer: twice the smoothed
   * time to an acknowledgement (RFC 6298's smoothing, Karn's rule: no sample from a retransmitted frame),
   * doubled per retry, at most `maxRtoMs` (default 4,000 ms). A slow board (Espruino runs a frame through
   * its interpreter in tens of ms) is not flooded with copies it must parse again.
   */
  rtoMs?: number;
  maxRtoMs?: number;
  /** A message unacknowledged this long is abandoned and the link reported down (default 30,000 ms). */
  giveUpMs?: number;
}

interface Pending {
  channel: number;
  bytes: Uint8Array;
  done?: (ok: boolean) => void;
}

export class LinkEndpoint {
  private readonly env: LinkEnv;
  private readonly fragment: number;
  private readonly rtoMs: number;
  private readonly maxRtoMs: number;
  private readonly giveUpMs: number;
  private readonly handlers: Array<((message: Uint8Array) => void) | undefined> = [];
  private downHandler: ((reason: string) => void) | undefined;
  private syncHandler: (() => void) | undefined;
  private counts: LinkStats;
  // sending
  private queue: Pending[] = [];
  private offset = 0;
  private nextSeq = 0;
  private synced = false;
  private outstanding: { frame: Uint8Array; seq: number; isSync: boolean; since: number; rto: number; end: number; resent: boolean } | undefined;
  private srtt = 0;
  private timer: unknown;
  private stopped = false;
  // receiving
  private expected = -1;
  private parts: Uint8Array[] = [];
  private partChannel = -1;
  private partLength = 0;
  private raw = new Uint8Array(MAX_PAYLOAD + OVERHEAD);
  private rawLength = 0;
  private escaped = false;
  private overlong = false;

  constructor(env: LinkEnv, options?: LinkOptions) {
    const o = options || {};
    this.env = env;
    this.fragment = o.fragment && o.fragment > 0 && o.fragment <= MAX_PAYLOAD ? o.fragment : 128;
    this.rtoMs = o.rtoMs || 100;
    this.maxRtoMs = o.maxRtoMs || 4000;
    this.giveUpMs = o.giveUpMs || 30000;
    this.counts = {
      framesSent: 0, retransmissions: 0, framesReceived: 0, duplicates: 0, crcErrors: 0, malformed: 0,
      naksSent: 0, syncs: 0, messagesSent: 0, messagesReceived: 0, messagesAbandoned: 0,
    };
  }

  /** Messages arriving on `channel` (whole, in order). */
  onMessage(channel: number, handler: (message: Uint8Array) => void): void {
    this.handlers[channel] = handler;
  }

  /** Called once per abandoned message, with why (the peer stopped acknowledging). */
  onDown(handler: (reason: string) => void): void {
    this.downHandler = handler;
  }

  /** Called when the peer (re)starts its sequence (a SYNC: its power-on, a reset, or its giving up). */
  onPeerSync(handler: () => void): void {
    this.syncHandler = handler;
  }

  /** Starts the link: SYNC, then whatever was queued. */
  start(): void {
    this.stopped = false;
    this.pump();
  }

  /** Stops the timers; queued messages stay queued. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.env.clearTimer(this.timer);
    this.timer = undefined;
  }

  stats(): LinkStats {
    const c = this.counts;
    return {
      framesSent: c.framesSent, retransmissions: c.retransmissions, framesReceived: c.framesReceived, duplicates: c.duplicates,
      crcErrors: c.crcErrors, malformed: c.malformed, naksSent: c.naksSent, syncs: c.syncs,
      messagesSent: c.messagesSent, messagesReceived: c.messagesReceived, messagesAbandoned: c.messagesAbandoned,
    };
  }

  /** True when nothing is queued or waiting for an acknowledgement. */
  idle(): boolean {
    return this.queue.length === 0 && this.outstanding === undefined;
  }

  /**
   * Queues `message` on `channel`; `done(true)` once the peer has acknowledged its last frame, `done(false)`
   * when abandoned. False (nothing queued) for an empty message or one over MAX_MESSAGE.
   */
  send(channel: number, message: Uint8Array, done?: (ok: boolean) => void): boolean {
    if (message.length === 0 || message.length > MAX_MESSAGE || channel < 0 || channel > 15) return false;
    this.queue.push({ channel: channel, bytes: message, done: done });
    this.pump();
    return true;
  }

  // ---- sending ----

  private pump(): void {
    if (this.stopped || this.outstanding !== undefined) return;
    if (!this.synced) {
      this.counts.syncs++;
      this.transmit(encodeFrame(TYPE_SYNC << 6, this.nextSeq, undefined, this.env.crc32), this.nextSeq, true, 0);
      return;
    }
    if (this.queue.length === 0) return;
    const m = this.queue[0];
    const end = this.offset + this.fragment < m.bytes.length ? this.offset + this.fragment : m.bytes.length;
    const control = (TYPE_DATA << 6) | (this.offset === 0 ? FIRST : 0) | (end === m.bytes.length ? LAST : 0) | m.channel;
    this.counts.framesSent++;
    this.transmit(encodeFrame(control, this.nextSeq, m.bytes.subarray(this.offset, end), this.env.crc32), this.nextSeq, false, end);
  }

  private transmit(frame: Uint8Array, seq: number, isSync: boolean, end: number): void {
    const adaptive = this.srtt * 2 + 10;
    const rto = adaptive < this.rtoMs ? this.rtoMs : adaptive > this.maxRtoMs ? this.maxRtoMs : adaptive;
    this.outstanding = { frame: frame, seq: seq, isSync: isSync, since: this.env.now(), rto: rto, end: end, resent: false };
    this.env.write(frame);
    this.arm();
  }

  private arm(): void {
    const self = this;
    if (this.timer !== undefined) this.env.clearTimer(this.timer);
    const o = this.outstanding;
    if (!o || this.stopped) {
      this.timer = undefined;
      return;
    }
    this.timer = this.env.setTimer(function () {
      self.timer = undefined;
      self.expire();
    }, o.rto);
  }

  private expire(): void {
    const o = this.outstanding;
    if (!o) return;
    if (this.env.now() - o.since >= this.giveUpMs) {
      this.abandon('no acknowledgement from the other end for ' + this.giveUpMs + ' ms');
      return;
    }
    o.rto = o.rto * 2 < this.maxRtoMs ? o.rto * 2 : this.maxRtoMs;
    this.resend();
  }

  private resend(): void {
    const o = this.outstanding;
    if (!o) return;
    if (!o.isSync) this.counts.retransmissions++;
    o.resent = true;
    this.env.write(o.frame);
    this.arm();
  }

  /** The peer stopped answering: every queued message fails, and the next one starts with SYNC. */
  private abandon(reason: string): void {
    const dropped = this.queue;
    this.queue = [];
    this.outstanding = undefined;
    this.offset = 0;
    this.synced = false;
    if (this.timer !== undefined) this.env.clearTimer(this.timer);
    this.timer = undefined;
    for (let i = 0; i < dropped.length; i++) {
      this.counts.messagesAbandoned++;
      const done = dropped[i].done;
      if (done) done(false);
    }
    if (this.downHandler) this.downHandler(reason);
  }

  private acknowledged(seq: number, ofSync: boolean): void {
    const o = this.outstanding;
    if (!o || o.seq !== seq || o.isSync !== ofSync) return; // a late or stray ACK
    this.outstanding = undefined;
    if (this.timer !== undefined) this.env.clearTimer(this.timer);
    this.timer = undefined;
    if (!o.resent) {
      const sample = this.env.now() - o.since;
      this.srtt = this.srtt === 0 ? sample : (this.srtt * 7 + sample) / 8;
    }
    if (o.isSync) this.synced = true;
    else {
      this.nextSeq = (this.nextSeq + 1) & 255;
      const m = this.queue[0];
      this.offset = o.end;
      if (o.end >= m.bytes.length) {
        this.queue.shift();
        this.offset = 0;
        this.counts.messagesSent++;
        if (m.done) m.done(true);
      }
    }
    this.pump();
  }

  private nakReceived(seq: number, needsSync: boolean): void {
    const o = this.outstanding;
    if (!o) return;
    if (needsSync) {
      // The peer restarted: SYNC, then the current message again from its first fragment.
      if (o.isSync) return;
      this.outstanding = undefined;
      this.offset = 0;
      this.synced = false;
      this.pump();
      return;
    }
    if (o.isSync) return;
    if (o.seq === seq) this.resend();
    // A NAK naming the sequence after ours: the peer has ours (its ACK was lost) and is waiting for the next.
    else if (seq === ((o.seq + 1) & 255)) this.acknowledged(o.seq, false);
  }

  // ---- receiving ----

  /** Bytes from the line, in any chunking. */
  receive(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      // The bytes up to the next flag belong to the frame being read; copied in one go when none is escaped.
      const flagAt = chunk.indexOf(FLAG, i);
      const end = flagAt < 0 ? chunk.length : flagAt;
      if (end > i && !this.overlong) {
        const part = chunk.subarray(i, end);
        if (!this.escaped && part.indexOf(ESCAPE) < 0) {
          if (this.rawLength + part.length > this.raw.length) this.overlong = true;
          else {
            this.raw.set(part, this.rawLength);
            this.rawLength += part.length;
          }
        } else this.unstuff(part);
      }
      if (flagAt < 0) return;
      if (this.rawLength > 0 || this.overlong) this.frameEnded();
      this.rawLength = 0;
      this.escaped = false;
      this.overlong = false;
      i = flagAt + 1;
    }
  }

  /** Bytes of a frame holding escapes, one at a time. */
  private unstuff(part: Uint8Array): void {
    for (let k = 0; k < part.length; k++) {
      const b = part[k];
      if (b === ESCAPE && !this.escaped) {
        this.escaped = true;
        continue;
      }
      if (this.rawLength >= this.raw.length) {
        this.overlong = true;
        return;
      }
      this.raw[this.rawLength++] = this.escaped ? b ^ 0x20 : b;
      this.escaped = false;
    }
  }

  private nak(needsSync: boolean): void {
    this.counts.naksSent++;
    this.env.write(encodeFrame((TYPE_NAK << 6) | (needsSync ? NAK_NEEDS_SYNC : 0), this.expected < 0 ? 0 : this.expected, undefined, this.env.crc32));
  }

  private frameEnded(): void {
    const n = this.rawLength;
    if (this.overlong || n < OVERHEAD || this.raw[2] !== n - OVERHEAD) {
      this.counts.malformed++;
      this.nak(this.expected < 0);
      return;
    }
    const r = this.raw;
    const c = ((r[n - 4] << 24) | (r[n - 3] << 16) | (r[n - 2] << 8) | r[n - 1]) >>> 0;
    const crc = this.env.crc32 ? this.env.crc32(r.subarray(0, n - 4)) >>> 0 : crc32(r, 0, n - 4);
    if (crc !== c) {
      this.counts.crcErrors++;
      this.nak(this.expected < 0);
      return;
    }
    const control = r[0];
    const type = control >> 6;
    const seq = r[1];
    if (type === TYPE_ACK) {
      if (n !== OVERHEAD || (control & 0x1f) !== 0) this.counts.malformed++;
      else this.acknowledged(seq, (control & ACK_OF_SYNC) !== 0);
      return;
    }
    if (type === TYPE_NAK) {
      if (n !== OVERHEAD || (control & 0x3e) !== 0) this.counts.malformed++;
      else this.nakReceived(seq, (control & NAK_NEEDS_SYNC) !== 0);
      return;
    }
    if (type === TYPE_SYNC) {
      if (n !== OVERHEAD || (control & 0x3f) !== 0) {
        this.counts.malformed++;
        return;
      }
      // The peer (re)started: its sequence begins at `seq`; anything half-received from before is gone.
      this.expected = seq;
      this.parts = [];
      this.partChannel = -1;
      this.partLength = 0;
      this.env.write(encodeFrame((TYPE_ACK << 6) | ACK_OF_SYNC, seq, undefined, this.env.crc32));
      if (this.syncHandler) this.syncHandler();
      return;
    }
    // DATA
    const channel = control & 15;
    if (this.expected < 0) {
      this.nak(true);
      return;
    }
    if (seq === ((this.expected + 255) & 255)) {
      this.counts.duplicates++;
      this.env.write(encodeFrame(TYPE_ACK << 6, seq, undefined, this.env.crc32));
      return;
    }
    if (seq !== this.expected) {
      // Neither the next nor the last: the two ends disagree; start again from a SYNC.
      this.counts.malformed++;
      this.expected = -1;
      this.nak(true);
      return;
    }
    this.expected = (this.expected + 1) & 255;
    this.counts.framesReceived++;
    this.env.write(encodeFrame(TYPE_ACK << 6, seq, undefined, this.env.crc32));
    const payload = new Uint8Array(r.subarray(3, n - 4));
    if (control & FIRST) {
      if (this.partChannel >= 0) this.counts.malformed++; // a message cut short by its sender's restart
      this.parts = [];
      this.partChannel = channel;
      this.partLength = 0;
    } else if (this.partChannel !== channel) {
      this.counts.malformed++; // a middle fragment with no beginning
      return;
    }
    this.partLength += payload.length;
    if (this.partLength > MAX_MESSAGE) {
      this.counts.malformed++;
      this.parts = [];
      this.partChannel = -1;
      this.partLength = 0;
      return;
    }
    this.parts.push(payload);
    if (control & LAST) {
      const message = new Uint8Array(this.partLength);
      let at = 0;
      for (let i = 0; i < this.parts.length; i++) {
        message.set(this.parts[i], at);
        at += this.parts[i].length;
      }
      this.parts = [];
      this.partChannel = -1;
      this.partLength = 0;
      this.counts.messagesReceived++;
      const h = this.handlers[channel];
      if (h) h(message);
    }
  }
}
