/**
 * A folder of GBCS keys laid out like shared/vectors/rtds/keystore: `<eui>-ds.pem`, `<eui>-ka.pem`
 * (X.509 certificates, or SPKI public keys), `<eui>-ds.key`, `<eui>-ka.key` (PKCS#8 or SEC 1 PEM private
 * keys, or 64 hex digits), and the same with `-pp-ka` (prepayment KA). PEMs are parsed by node:crypto;
 * keys come out as the raw forms the Board contract uses (32-byte scalar, 65-byte 04||X||Y).
 * @module
 */
import { createECDH, createPublicKey, X509Certificate } from 'node:crypto';
import { parseP256PrivateKey } from '../userInput/p256KeyFile.ts';
import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export type KeyUse = 'ds' | 'ka' | 'pp-ka';

export interface KeyDir {
  dir: string;
  /** The raw private scalar of an entity's key, if KEYDIR has it. */
  privateKey(eui: string, use: KeyUse): Uint8Array | undefined;
  /** The uncompressed public point (from the certificate, or derived from the private key). */
  publicKey(eui: string, use: KeyUse): Uint8Array | undefined;
  /** True when the entity's certificate in KEYDIR is a device certificate (empty subject, GBCS SMKI). */
  isDevice(eui: string): boolean;
  /** Entity ids (lower-case hex) with at least one file. */
  entities(): string[];
}

function point(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new Error('not a P-256 key');
  return new Uint8Array([4, ...Buffer.from(jwk.x, 'base64url'), ...Buffer.from(jwk.y, 'base64url')]);
}

function readPrivate(text: string): Uint8Array {
  const k = parseP256PrivateKey(text, '');
  if (!k.ok) throw new Error(k.message);
  return k.value.scalar;
}

function readPublic(text: string): Uint8Array {
  const t = text.trim();
  if (/^(04)?[0-9a-fA-F]{128}$/.test(t)) return new Uint8Array(Buffer.from(t.length === 128 ? '04' + t : t, 'hex'));
  try {
    if (t.indexOf('CERTIFICATE') >= 0) return point(new X509Certificate(t).publicKey);
    if (/PRIVATE KEY/.test(t)) throw new Error('is a private key, expected a certificate or public key (the .key file is the private key)');
    return point(createPublicKey(t));
  } catch (e) {
    if (/^is a |^not a P-256/.test((e as Error).message)) throw e;
    throw new Error('is not a PEM certificate or public key, nor 128 hex digits of a P-256 point');
  }
}

/** Opens KEYDIR; unreadable files surface as errors naming the file when first used. */
export function openKeyDir(dir: string): KeyDir {
  const cache = new Map<string, Uint8Array | undefined>();
  const load = (name: string, parse: (t: string) => Uint8Array): Uint8Array | undefined => {
    if (cache.has(name)) return cache.get(name);
    const path = join(dir, name);
    let value: Uint8Array | undefined;
    if (existsSync(path)) {
      try {
        value = parse(readFileSync(path, 'utf8'));
      } catch (e) {
        throw new Error(`${path}: ${(e as Error).message}`);
      }
    }
    cache.set(name, value);
    return value;
  };
  const kd: KeyDir = {
    dir,
    privateKey: (eui, use) => load(`${eui.toLowerCase()}-${use}.key`, readPrivate),
    publicKey(eui, use) {
      const fromCert = load(`${eui.toLowerCase()}-${use}.pem`, readPublic);
      if (fromCert) return fromCert;
      const priv = kd.privateKey(eui, use);
      if (!priv) return undefined;
      const ecdh = createECDH('prime256v1');
      ecdh.setPrivateKey(priv);
      return new Uint8Array(ecdh.getPublicKey());
    },
    isDevice(eui) {
      for (const use of ['ka', 'ds']) {
        const path = join(dir, `${eui.toLowerCase()}-${use}.pem`);
        if (!existsSync(path)) continue;
        const text = readFileSync(path, 'utf8');
        if (text.indexOf('CERTIFICATE') < 0) continue;
        return !new X509Certificate(text).subject; // node answers undefined for an empty subject
      }
      return false;
    },
    entities: () =>
      [...new Set(readdirSync(dir).map((n) => /^([0-9a-fA-F]{16})-/.exec(n)?.[1]?.toLowerCase()).filter((x): x is string => !!x))].sort(),
  };
  return kd;
}
