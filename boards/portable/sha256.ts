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

function compress(h: Int32Array, w: Int32Array, block: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++) {
    const j = at + i * 4;
    w[i] = (block[j] << 24) | (block[j + 1] << 16) | (block[j + 2] << 8) | block[j + 3];
  }
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15];
    const b = w[i - 2];
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
  }
  let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (k + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
  h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
}

/**
 * An incremental SHA-256: the same compression function fed block by block, so a digest over data that
 * never sits whole in memory (a firmware image streamed from flash, device/firmware/imageCheck.ts) costs
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
