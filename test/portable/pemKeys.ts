/**
 * Raw P-256 keys and DER out of the keystore's PEM files, the one copy every test uses (it runs inside
 * the engines too, which have no node:crypto or Buffer): base64 (RFC 4648) and a search for the two
 * DER shapes the test PKI uses, an ECPrivateKey's `02 01 01 04 20 <d>` (RFC 5915) and a
 * SubjectPublicKeyInfo's `03 42 00 04 <X> <Y>` (RFC 5480). Not a certificate parser: the firmware's trust path checks
 * certificates properly; tests just need the keys.
 * @module
 */
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function pemBytes(pem: string): Uint8Array {
  // No regular expressions: Espruino 2v29's lexer ends a regex at a '/' inside a character class.
  const lines = pem.split('\n');
  let body = '';
  for (let i = 0; i < lines.length; i++) if (lines[i].indexOf('-----') < 0) body += lines[i];
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let n = 0;
  for (let i = 0; i < body.length; i++) {
    const v = B64.indexOf(body.charAt(i));
    if (v < 0) continue; // '=', '\r' and spaces
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 255;
    }
  }
  return out.subarray(0, n);
}

function find(der: Uint8Array, pattern: number[], length: number): Uint8Array {
  for (let i = 0; i + pattern.length + length <= der.length; i++) {
    let hit = true;
    for (let j = 0; j < pattern.length && hit; j++) hit = der[i + j] === pattern[j];
    if (hit) return new Uint8Array(der.subarray(i + pattern.length, i + pattern.length + length));
  }
  throw new Error('pemKeys: key not found in PEM');
}

export function pemPrivateKey(pem: string): Uint8Array {
  return find(pemBytes(pem), [0x02, 0x01, 0x01, 0x04, 0x20], 32);
}

export function pemPublicKey(pem: string): Uint8Array {
  return find(pemBytes(pem), [0x03, 0x42, 0x00], 65);
}
