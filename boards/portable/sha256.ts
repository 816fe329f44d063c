/**
 * SHA-256 (FIPS 180-4) in portable JavaScript, for engines without a native digest (JerryScript's stock
 * build). Written by hand because @noble/hashes does not fit a 256 KiB JerryScript heap (see
 * shared/engines/README.md). Uses only 32-bit bitwise operators and `>>> 0`: no Math.imul, no BigInt.
 * @module
 */

// FIPS 180-4 §4.2.2: first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];
// FIPS 180-4 §5.3.3: initial hash value.
const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/**
 * One 64-byte block. Written for the slowest engine (Espruino interprets the source text as it runs, so the
 * cost is per token executed): the 64 rounds are unrolled by eight with the working variables renamed
 * round by round instead of shifted (two assignments per round, not eight), and Ch/Maj take their
 * shortest forms (FIPS 180-4 §4.1.2 equivalents: Ch = g ^ (e & (f ^ g)), Maj = (a & b) | (c & (a | b))).
 */
function compress(h: Int32Array, w: Int32Array, block: Uint8Array, at: number): void {
  let i = 0, j = at, t = 0;
  for (; i < 16; i++, j += 4) w[i] = (block[j] << 24) | (block[j + 1] << 16) | (block[j + 2] << 8) | block[j + 3];
  let a = 0, b = 0;
  for (; i < 64; i++) {
    a = w[i - 15];
    b = w[i - 2];
    w[i] = (w[i - 16] + ((a >>> 7 | a << 25) ^ (a >>> 18 | a << 14) ^ (a >>> 3)) + w[i - 7] + ((b >>> 17 | b << 15) ^ (b >>> 19 | b << 13) ^ (b >>> 10))) | 0;
  }
  a = h[0]; b = h[1];
  let c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
  for (i = 0; i < 64;) {
    t = k + ((e >>> 6 | e << 26) ^ (e >>> 11 | e << 21) ^ (e >>> 25 | e << 7)) + (g ^ (e & (f ^ g))) + K[i] + w[i++];
    d = (d + t) | 0;
    k = (t + ((a >>> 2 | a << 30) ^ (a >>> 13 | a << 19) ^ (a >>> 22 | a << 10)) + ((a & b) | (c & (a | b)))) | 0;
    t = g + ((d >>> 6 | d << 26) ^ (d >>> 11 | d << 21) ^ (d >>> 25 | d << 7)) + (f ^ (d & (e ^ f))) + K[i] + w[i++];
    c = (c + t) | 0;
    g = (t + ((k >>> 2 | k << 30) ^ (k >>> 13 | k << 19) ^ (k >>> 22 | k << 10)) + ((k & a) | (b & (k | a)))) | 0;
    t = f + ((c >>> 6 | c << 26) ^ (c >>> 11 | c << 21) ^ (c >>> 25 | c << 7)) + (e ^ (c & (d ^ e))) + K[i] + w[i++];
    b = (b + t) | 0;
    f = (t + ((g >>> 2 | g << 30) ^ (g >>> 13 | g << 19) ^ (g >>> 22 | g << 10)) + ((g & k) | (a & (g | k)))) | 0;
    t = e + ((b >>> 6 | b << 26) ^ (b >>> 11 | b << 21) ^ (b >>> 25 | b << 7)) + (d ^ (b & (c ^ d))) + K[i] + w[i++];
    a = (a + t) | 0;
    e = (t + ((f >>> 2 | f << 30) ^ (f >>> 13 | f << 19) ^ (f >>> 22 | f << 10)) + ((f & g) | (k & (f | g)))) | 0;
    t = d + ((a >>> 6 | a << 26) ^ (a >>> 11 | a << 21) ^ (a >>> 25 | a << 7)) + (c ^ (a & (b ^ c))) + K[i] + w[i++];
    k = (k + t) | 0;
    d = (t + ((e >>> 2 | e << 30) ^ (e >>> 13 | e << 19) ^ (e >>> 22 | e << 10)) + ((e & f) | (g & (e | f)))) | 0;
    t = c + ((k >>> 6 | k << 26) ^ (k >>> 11 | k << 21) ^ (k >>> 25 | k << 7)) + (b ^ (k & (a ^ b))) + K[i] + w[i++];
    g = (g + t) | 0;
    c = (t + ((d >>> 2 | d << 30) ^ (d >>> 13 | d << 19) ^ (d >>> 22 | d << 10)) + ((d & e) | (f & (d | e)))) | 0;
    t = b + ((g >>> 6 | g << 26) ^ (g >>> 11 | g << 21) ^ (g >>> 25 | g << 7)) + (a ^ (g & (k ^ a))) + K[i] + w[i++];
    f = (f + t) | 0;
    b = (t + ((c >>> 2 | c << 30) ^ (c >>> 13 | c << 19) ^ (c >>> 22 | c << 10)) + ((c & d) | (e & (c | d)))) | 0;
    t = a + ((f >>> 6 | f << 26) ^ (f >>> 11 | f << 21) ^ (f >>> 25 | f << 7)) + (k ^ (f & (g ^ k))) + K[i] + w[i++];
    e = (e + t) | 0;
    a = (t + ((b >>> 2 | b << 30) ^ (b >>> 13 | b << 19) ^ (b >>> 22 | b << 10)) + ((b & c) | (d & (b | c)))) | 0;
  }
  h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
  h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
}

/**
 * An incremental SHA-256: the same compression function fed block by block, so a digest over data that
 * never sits whole in memory (a firmware image streamed from flash, device/firmwareUpdate/imageCheck.ts) costs
 * 64 bytes of buffer. The board's `sha256` takes one buffer; this is the portable way to hash more.
 */
export class Sha256Stream {
  private h: Int32Array;
  private w: Int32Array;
  private buf: Uint8Array;
  private fill: number;
  private total: number;

  constructor() {
    this.h = new Int32Array(H0);
    this.w = new Int32Array(64);
    this.buf = new Uint8Array(64);
    this.fill = 0;
    this.total = 0;
  }

  update(data: Uint8Array): Sha256Stream {
    let at = 0;
    const n = data.length;
    this.total += n;
    if (this.fill > 0) {
      while (at < n && this.fill < 64) this.buf[this.fill++] = data[at++];
      if (this.fill < 64) return this;
      compress(this.h, this.w, this.buf, 0);
      this.fill = 0;
    }
    for (; at + 64 <= n; at += 64) compress(this.h, this.w, data, at);
    while (at < n) this.buf[this.fill++] = data[at++];
    return this;
  }

  /** The digest (32 bytes). The stream is spent afterwards. */
  digest(): Uint8Array {
    // Padding (FIPS 180-4 §5.1.1): 0x80, zeros, then the bit length as a 64-bit big-endian integer.
    const rest = this.fill;
    const tail = new Uint8Array(rest < 56 ? 64 : 128);
    tail.set(this.buf.subarray(0, rest), 0);
    tail[rest] = 0x80;
    const bits = this.total * 8;
    const hi = Math.floor(bits / 4294967296);
    const n = tail.length;
    tail[n - 8] = hi >>> 24; tail[n - 7] = (hi >>> 16) & 0xff; tail[n - 6] = (hi >>> 8) & 0xff; tail[n - 5] = hi & 0xff;
    tail[n - 4] = (bits >>> 24) & 0xff; tail[n - 3] = (bits >>> 16) & 0xff; tail[n - 2] = (bits >>> 8) & 0xff; tail[n - 1] = bits & 0xff;
    for (let at = 0; at < n; at += 64) compress(this.h, this.w, tail, at);
    const out = new Uint8Array(32);
    const h = this.h;
    for (let i = 0; i < 8; i++) {
      out[i * 4] = h[i] >>> 24; out[i * 4 + 1] = (h[i] >>> 16) & 0xff; out[i * 4 + 2] = (h[i] >>> 8) & 0xff; out[i * 4 + 3] = h[i] & 0xff;
    }
    return out;
  }
}

export function sha256(data: Uint8Array): Uint8Array {
  return new Sha256Stream().update(data).digest();
}
