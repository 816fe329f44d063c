/**
 * HDLC-lite framing as Spinel uses it on a UART (Spinel draft-rquattle-spinel-unified §B.1; RFC 1662 §4):
 * frames between 0x7E flags, 0x7D escapes (next byte xor 0x20) for 0x7E, 0x7D, 0x11, 0x13 and 0xF8, and
 * a 16-bit FCS (CRC-16/X-25, the same CRC as ZigBee install codes: hub/installCode.ts `crc16X25`)
 * appended low byte first. `HdlcReader` takes bytes in any chunking and returns whole frames; a frame
 * with a bad FCS is counted and dropped, as a serial line would. @module
 */
import { crc16X25 } from '../../../hub/installCode.ts';

export const FLAG = 0x7e;
const ESCAPE = 0x7d;
const NEEDS_ESCAPE = [0x7e, 0x7d, 0x11, 0x13, 0xf8];

export function encodeHdlc(payload: Uint8Array): Uint8Array {
  const fcs = crc16X25(payload);
  const raw = new Uint8Array(payload.length + 2);
  raw.set(payload, 0);
  raw[payload.length] = fcs & 0xff;
  raw[payload.length + 1] = fcs >> 8;
  const out: number[] = [FLAG];
  for (const b of raw) {
    if (NEEDS_ESCAPE.includes(b)) out.push(ESCAPE, b ^ 0x20);
    else out.push(b);
  }
  out.push(FLAG);
  return Uint8Array.from(out);
}

export class HdlcReader {
  private buf: number[] = [];
  private escaped = false;
  /** frames dropped for a bad FCS or too short */
  badFrames = 0;

  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    for (const b of chunk) {
      if (b === FLAG) {
        if (this.buf.length > 0) {
          const f = this.finish();
          if (f) frames.push(f);
        }
        this.buf = [];
        this.escaped = false;
      } else if (b === ESCAPE) {
        this.escaped = true;
      } else {
        this.buf.push(this.escaped ? b ^ 0x20 : b);
        this.escaped = false;
      }
    }
    return frames;
  }

  private finish(): Uint8Array | undefined {
    if (this.buf.length < 3) {
      this.badFrames++;
      return undefined;
    }
    const body = Uint8Array.from(this.buf.slice(0, -2));
    const fcs = this.buf[this.buf.length - 2] | (this.buf[this.buf.length - 1] << 8);
    if (crc16X25(body) !== fcs) {
      this.badFrames++;
      return undefined;
    }
    return body;
  }
}
