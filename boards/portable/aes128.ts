/**
 * AES-128 block encryption (FIPS 197) in portable JavaScript, for engines without a native cipher
 * (JerryScript's stock build; Espruino keeps its native `require("crypto").AES`). Written by hand
 * because no library's AES fits a 256 KiB JerryScript heap alongside the firmware.
 *
 * GCM (GBCS §4.3) needs the forward cipher alone; the inverse cipher serves one rare job, unwrapping the
 * Root OCA's contingency public key (RFC 3394/5649 key unwrap, CS02b anyByContingency). The forward cipher uses the
 * 32-bit table formulation of FIPS 197 §5.1 (SubBytes, ShiftRows and MixColumns merged into four
 * 256-entry tables, as in the Rijndael submission's "fast implementation"); the tables are computed
 * at load from the S-box, itself computed from its definition (multiplicative inverse in GF(2^8)
 * followed by the affine map, FIPS 197 §5.1.1), so no table is transcribed. Table lookups index by
 * data: not constant-time against cache-timing observers, which the interpreted engines do not
 * offer a finer defence against anyway.
 * @module
 */

const SBOX = new Uint8Array(256);
const INV_SBOX = new Uint8Array(256);
const T0 = new Int32Array(256);
const T1 = new Int32Array(256);
const T2 = new Int32Array(256);
const T3 = new Int32Array(256);

function rotl8(x: number, n: number): number {
  return ((x << n) | (x >> (8 - n))) & 0xff;
}

(function init(): void {
  // Walk GF(2^8)* with generator 3: p runs over 3^i, q over 3^-i, so q = p^-1.
  let p = 1;
  let q = 1;
  do {
    p = p ^ ((p << 1) & 0xff) ^ (p & 0x80 ? 0x1b : 0); // p * 3
    q ^= q << 1; // q / 3
    q ^= q << 2;
    q ^= q << 4;
    q &= 0xff;
    if (q & 0x80) q ^= 0x09;
    const x = q ^ rotl8(q, 1) ^ rotl8(q, 2) ^ rotl8(q, 3) ^ rotl8(q, 4); // FIPS 197 (5.1) affine map
    SBOX[p] = (x ^ 0x63) & 0xff;
  } while (p !== 1);
  SBOX[0] = 0x63;
  for (let i = 0; i < 256; i++) INV_SBOX[SBOX[i]] = i;
  for (let i = 0; i < 256; i++) {
    const s = SBOX[i];
    const s2 = ((s << 1) ^ (s & 0x80 ? 0x1b : 0)) & 0xff;
    const s3 = s2 ^ s;
    // Column (2s, s, s, 3s) as a big-endian word, and its byte rotations.
    const t = (s2 << 24) | (s << 16) | (s << 8) | s3;
    T0[i] = t;
    T1[i] = (t >>> 8) | (t << 24);
    T2[i] = (t >>> 16) | (t << 16);
    T3[i] = (t >>> 24) | (t << 8);
  }
})();

/** FIPS 197 §5.2 key expansion: 44 words. */
function expandKey(key: Uint8Array, w: Int32Array): void {
  for (let i = 0; i < 4; i++) w[i] = (key[4 * i] << 24) | (key[4 * i + 1] << 16) | (key[4 * i + 2] << 8) | key[4 * i + 3];
  let rcon = 1;
  for (let i = 4; i < 44; i++) {
    let t = w[i - 1];
    if ((i & 3) === 0) {
      // SubWord(RotWord(t)) xor Rcon
      t = (SBOX[(t >>> 16) & 255] << 24) | (SBOX[(t >>> 8) & 255] << 16) | (SBOX[t & 255] << 8) | SBOX[t >>> 24];
      t ^= rcon << 24;
      rcon = ((rcon << 1) ^ (rcon & 0x80 ? 0x1b : 0)) & 0xff;
    }
    w[i] = w[i - 4] ^ t;
  }
}

/** Expands `key` into the shared schedule unless it is the last key expanded. */
function scheduleFor(key: Uint8Array): Int32Array {
  let same = haveKey;
  for (let i = 0; i < 16 && same; i++) same = lastKey[i] === key[i];
  if (!same) {
    expandKey(key, schedule);
    lastKey.set(key);
    haveKey = true;
  }
  return schedule;
}

// The last key expanded: GCM encrypts many blocks under one key, so expansion is done once per key.
const lastKey = new Uint8Array(16);
const schedule = new Int32Array(44);
let haveKey = false;

/** AES-128 encryption of one 16-byte block. */
export function aes128EncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== 16) throw new TypeError('aes128EncryptBlock: "key" expected Uint8Array of length 16');
  if (!(block instanceof Uint8Array) || block.length !== 16) throw new TypeError('aes128EncryptBlock: "block" expected Uint8Array of length 16');
  const w = scheduleFor(key);
  let s0 = ((block[0] << 24) | (block[1] << 16) | (block[2] << 8) | block[3]) ^ w[0];
  let s1 = ((block[4] << 24) | (block[5] << 16) | (block[6] << 8) | block[7]) ^ w[1];
  let s2 = ((block[8] << 24) | (block[9] << 16) | (block[10] << 8) | block[11]) ^ w[2];
  let s3 = ((block[12] << 24) | (block[13] << 16) | (block[14] << 8) | block[15]) ^ w[3];
  for (let round = 1; round < 10; round++) {
    const k = round * 4;
    const a0 = T0[s0 >>> 24] ^ T1[(s1 >>> 16) & 255] ^ T2[(s2 >>> 8) & 255] ^ T3[s3 & 255] ^ w[k];
    const a1 = T0[s1 >>> 24] ^ T1[(s2 >>> 16) & 255] ^ T2[(s3 >>> 8) & 255] ^ T3[s0 & 255] ^ w[k + 1];
    const a2 = T0[s2 >>> 24] ^ T1[(s3 >>> 16) & 255] ^ T2[(s0 >>> 8) & 255] ^ T3[s1 & 255] ^ w[k + 2];
    const a3 = T0[s3 >>> 24] ^ T1[(s0 >>> 16) & 255] ^ T2[(s1 >>> 8) & 255] ^ T3[s2 & 255] ^ w[k + 3];
    s0 = a0;
    s1 = a1;
    s2 = a2;
    s3 = a3;
  }
  // Final round: SubBytes, ShiftRows, AddRoundKey (no MixColumns).
  const out = new Uint8Array(16);
  const s = [s0, s1, s2, s3];
  for (let c = 0; c < 4; c++) {
    const k = w[40 + c];
    out[4 * c] = SBOX[s[c] >>> 24] ^ (k >>> 24);
    out[4 * c + 1] = SBOX[(s[(c + 1) & 3] >>> 16) & 255] ^ ((k >>> 16) & 255);
    out[4 * c + 2] = SBOX[(s[(c + 2) & 3] >>> 8) & 255] ^ ((k >>> 8) & 255);
    out[4 * c + 3] = SBOX[s[(c + 3) & 3] & 255] ^ (k & 255);
  }
  return out;
}

/** GF(2^8) product (FIPS 197 §4.2), for InvMixColumns. */
function gmul(a: number, b: number): number {
  let p = 0;
  while (b) {
    if (b & 1) p ^= a;
    a = ((a << 1) ^ (a & 0x80 ? 0x1b : 0)) & 0xff;
    b >>= 1;
  }
  return p;
}

/**
 * AES-128 decryption of one 16-byte block: the inverse cipher of FIPS 197 §5.3, byte by byte (it runs a
 * few dozen blocks per contingency command, so no tables are spent on it).
 */
export function aes128DecryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== 16) throw new TypeError('aes128DecryptBlock: "key" expected Uint8Array of length 16');
  if (!(block instanceof Uint8Array) || block.length !== 16) throw new TypeError('aes128DecryptBlock: "block" expected Uint8Array of length 16');
  const w = scheduleFor(key);
  const s = new Uint8Array(16);
  const t = new Uint8Array(16);
  for (let i = 0; i < 16; i++) s[i] = block[i] ^ ((w[40 + (i >> 2)] >>> (24 - 8 * (i & 3))) & 255);
  for (let round = 9; round >= 0; round--) {
    // InvShiftRows then InvSubBytes: row r of column c comes from column c - r.
    for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) t[4 * c + r] = INV_SBOX[s[4 * ((c - r + 4) & 3) + r]];
    // AddRoundKey
    for (let i = 0; i < 16; i++) t[i] ^= (w[4 * round + (i >> 2)] >>> (24 - 8 * (i & 3))) & 255;
    if (round === 0) return t;
    // InvMixColumns
    for (let c = 0; c < 4; c++) {
      const a0 = t[4 * c];
      const a1 = t[4 * c + 1];
      const a2 = t[4 * c + 2];
      const a3 = t[4 * c + 3];
      s[4 * c] = gmul(a0, 14) ^ gmul(a1, 11) ^ gmul(a2, 13) ^ gmul(a3, 9);
      s[4 * c + 1] = gmul(a0, 9) ^ gmul(a1, 14) ^ gmul(a2, 11) ^ gmul(a3, 13);
      s[4 * c + 2] = gmul(a0, 13) ^ gmul(a1, 9) ^ gmul(a2, 14) ^ gmul(a3, 11);
      s[4 * c + 3] = gmul(a0, 11) ^ gmul(a1, 13) ^ gmul(a2, 9) ^ gmul(a3, 14);
    }
  }
  return t;
}
