/**
 * Opening the harness's HSM: what `smets hsm init` and `--hsm` (the lab and the DUIS service; later the fleet)
 * share. A SoftHSM2 folder (`<dir>/softhsm2.conf`, `<dir>/tokens/`) holds one token; `openHsm` points
 * SoftHSM at it, initialises the token if it is new, and returns the key provider over a user session.
 * Another PKCS#11 module is used as it is configured (`module` without `dir`): the token must exist.
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyProvider } from './keyProvider.ts';
import { initToken, pkcs11Keys, SOFTHSM_MODULE, useSoftHsmDir } from './pkcs11Keys.ts';

export type { KeyProvider, KeyUse, PrivateKeyRef } from './keyProvider.ts';
export { softwareKeys } from './softwareKeys.ts';
export { SOFTHSM_MODULE } from './pkcs11Keys.ts';

/** Test-token defaults (a lab token, not a production secret): override with options or SMETS_HSM_PIN. */
export const DEFAULT_TOKEN = 'smets';
export const DEFAULT_PIN = '1234';
export const DEFAULT_SO_PIN = '12345678';

export interface HsmOptions {
  /** A SoftHSM2 folder: created and its token initialised when new. */
  dir?: string;
  /** PKCS#11 module (default Debian's SoftHSM2, or $SMETS_PKCS11_MODULE). */
  module?: string;
  token?: string;
  /** User PIN (default $SMETS_HSM_PIN, else DEFAULT_PIN). */
  pin?: string;
  soPin?: string;
}

export type HsmOpened = { ok: true; provider: KeyProvider; created: boolean; conf?: string } | { ok: false; reason: string };

export function openHsm(o: HsmOptions): HsmOpened {
  const module = o.module ?? process.env.SMETS_PKCS11_MODULE ?? SOFTHSM_MODULE;
  if (!existsSync(module)) return { ok: false, reason: 'no-pkcs11-module: ' + module + ' is missing (Debian: apt-get install softhsm2)' };
  const token = o.token ?? DEFAULT_TOKEN;
  const pin = o.pin ?? process.env.SMETS_HSM_PIN ?? DEFAULT_PIN;
  let conf: string | undefined;
  let created = false;
  if (o.dir) {
    conf = useSoftHsmDir(o.dir);
    const init = initToken({ module, token, pin, soPin: o.soPin ?? DEFAULT_SO_PIN });
    if (!init.ok) return init;
    created = init.created;
  }
  const opened = pkcs11Keys({ module, token, pin });
  return opened.ok ? { ok: true, provider: opened.provider, created, ...(conf ? { conf } : {}) } : opened;
}

/** Where a SoftHSM folder keeps its configuration (for `export SOFTHSM2_CONF=...`). */
export function softHsmConf(dir: string): string {
  return join(dir, 'softhsm2.conf');
}
