/**
 * Writing credentials in the rtds/keystore layout (shared/vectors/rtds/keystore): per entity
 * `<eui>-ds.pem` / `<eui>-ka.pem` (certificate, PEM) and `<eui>-ds.key` / `<eui>-ka.key` (private key,
 * PKCS#8 "PRIVATE KEY" PEM), EUI in lower-case hex.
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyUsageName } from './profiles.ts';

/** Writes one certificate (and its private key, if known); returns the paths written. */
export function writeKeystoreEntry(dir: string, eui: string, keyUsage: KeyUsageName, certificatePem: string, privateKeyPem?: string): string[] {
  if (!/^[0-9A-Fa-f]{16}$/.test(eui)) throw new TypeError(`writeKeystoreEntry: eui "${eui}" is not 16 hex digits`);
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${eui.toLowerCase()}-${keyUsage === 'digitalSignature' ? 'ds' : 'ka'}`);
  writeFileSync(base + '.pem', certificatePem);
  const out = [base + '.pem'];
  if (privateKeyPem) {
    writeFileSync(base + '.key', privateKeyPem, { mode: 0o600 });
    out.push(base + '.key');
  }
  return out;
}
