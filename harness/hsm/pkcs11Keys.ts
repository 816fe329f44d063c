/**
 * The token key provider: P-256 key pairs generated inside a PKCS#11 token and used there (SEC G2, G5:
 * private keys in a cryptographic module), through `pkcs11js`. Tested against SoftHSM2 2.6.1 from Debian
 * (`/usr/lib/softhsm/libsofthsm2.so`); any PKCS#11 v2.40 token with CKM_EC_KEY_PAIR_GEN, CKM_ECDSA and
 * CKM_ECDH1_DERIVE should do.
 *
 * - Private keys: CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE true and CKA_EXTRACTABLE false, so the token
 *   refuses to export them (tested: C_GetAttributeValue of CKA_VALUE fails).
 * - Signing (DS keys): CKM_ECDSA over the SHA-256 digest computed on the host (the message is public);
 *   the token returns r || s, the form GBCS carries.
 * - Key agreement (KA keys): CKM_ECDH1_DERIVE with CKD_NULL gives Z as a session-only generic secret,
 *   extractable (the GBCS KDF runs on the host: keyProvider.ts); it is read and destroyed at once.
 * - `initSoftHsmToken` sets up a SoftHSM2 token in a folder of its own (softhsm2.conf + tokens/) through
 *   PKCS#11 itself (C_InitToken, C_InitPIN), so neither softhsm2-util nor /etc is needed.
 * Token errors are exceptions (the environment is wrong); a peer key that is not a point is a value.
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
// pkcs11js is CommonJS with its constants set at run time: the default import (module.exports) has them,
// an ESM namespace import would not.
import pkcs11js from 'pkcs11js';
import type { BoardCrypto } from '../../boards/board.ts';
import type { KeyProvider, KeyUse, PrivateKeyRef } from './keyProvider.ts';
import { routingCrypto } from './keyProvider.ts';

/** Debian's SoftHSM2 module (package softhsm2 / libsofthsm2). */
export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

/** DER of the named curve prime256v1 (RFC 5480 §2.1.1.1), the CKA_EC_PARAMS of every key. */
const P256_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');

export interface TokenConfig {
  /** The PKCS#11 module (default SOFTHSM_MODULE, or $SMETS_PKCS11_MODULE). */
  module?: string;
  /** The token's label. */
  token: string;
  /** The user PIN. */
  pin: string;
}

function modulePath(m: string | undefined): string {
  return m ?? process.env.SMETS_PKCS11_MODULE ?? SOFTHSM_MODULE;
}

/**
 * One library instance per module path: C_Initialize may run once per process (CKR_CRYPTOKI_ALREADY_
 * INITIALIZED otherwise), so every provider on that module shares it; the last close finalises.
 */
const loaded: Record<string, { lib: pkcs11js.PKCS11; users: number }> = {};

function openLibrary(path: string): pkcs11js.PKCS11 {
  const l = loaded[path];
  if (l) {
    l.users++;
    return l.lib;
  }
  const lib = new pkcs11js.PKCS11();
  lib.load(path);
  lib.C_Initialize();
  loaded[path] = { lib, users: 1 };
  return lib;
}

function closeLibrary(path: string): void {
  const l = loaded[path];
  if (!l || --l.users > 0) return;
  delete loaded[path];
  l.lib.C_Finalize();
  l.lib.close();
}

/** The slot of the initialised token labelled `label`. */
function tokenSlot(lib: pkcs11js.PKCS11, label: string): pkcs11js.Handle | undefined {
  for (const slot of lib.C_GetSlotList(true)) {
    const info = lib.C_GetTokenInfo(slot);
    if (info.label.trim() === label && info.flags & pkcs11js.CKF_TOKEN_INITIALIZED) return slot;
  }
  return undefined;
}

/**
 * Points SoftHSM2 at a token folder of its own: writes `<dir>/softhsm2.conf` (tokens in `<dir>/tokens`)
 * and sets SOFTHSM2_CONF for this process (read by SoftHSM at C_Initialize). Returns the config path.
 */
export function useSoftHsmDir(dir: string): string {
  const abs = resolve(dir);
  mkdirSync(join(abs, 'tokens'), { recursive: true });
  const conf = join(abs, 'softhsm2.conf');
  writeFileSync(conf, 'directories.tokendir = ' + join(abs, 'tokens') + '\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n');
  process.env.SOFTHSM2_CONF = conf;
  return conf;
}

export type InitResult = { ok: true; slot: string; created: boolean } | { ok: false; reason: string };

/**
 * Initialises a token labelled `token` (SO PIN, user PIN) in the first free slot, unless one with that
 * label exists (then nothing changes: `created` false).
 */
export function initToken(c: TokenConfig & { soPin: string }): InitResult {
  if (!/^.{4,255}$/.test(c.pin) || !/^.{4,255}$/.test(c.soPin)) return { ok: false, reason: 'bad-pin: PINs are 4 to 255 characters' };
  if (!/^.{1,32}$/.test(c.token)) return { ok: false, reason: 'bad-label: a token label is 1 to 32 characters' };
  const path = modulePath(c.module);
  const lib = openLibrary(path);
  try {
    const existing = tokenSlot(lib, c.token);
    if (existing) return { ok: true, slot: existing.toString('hex'), created: false };
    const free = lib.C_GetSlotList(true).find((s) => !(lib.C_GetTokenInfo(s).flags & pkcs11js.CKF_TOKEN_INITIALIZED));
    if (!free) return { ok: false, reason: 'no-free-slot: the module offers no uninitialised token' };
    lib.C_InitToken(free, c.soPin, c.token.padEnd(32, ' '));
    // SoftHSM renumbers its slots after C_InitToken: look the token up again by label.
    const slot = tokenSlot(lib, c.token);
    if (!slot) return { ok: false, reason: 'token-not-found-after-init' };
    const session = lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    try {
      lib.C_Login(session, pkcs11js.CKU_SO, c.soPin);
      lib.C_InitPIN(session, c.pin);
      lib.C_Logout(session);
    } finally {
      lib.C_CloseSession(session);
    }
    return { ok: true, slot: slot.toString('hex'), created: true };
  } finally {
    closeLibrary(path);
  }
}

const HANDLE_PREFIX = Buffer.from('pkcs11-handle:', 'latin1');
const HANDLE_LENGTH = 40;

/**
 * A key's handle: 40 bytes, 'pkcs11-handle:' and 26 random bytes. Unique, so caches keyed by a private
 * key's bytes (gbcs/protection/sharedSecrets.ts) tell keys apart; longer than a P-256 scalar and above the
 * group order, so any P-256 implementation given one as a scalar throws rather than computing.
 */
function newHandle(): Uint8Array {
  return new Uint8Array(Buffer.concat([HANDLE_PREFIX, randomBytes(HANDLE_LENGTH - HANDLE_PREFIX.length)]));
}

/** The 65-byte point inside CKA_EC_POINT (a DER OCTET STRING, 04 41 04 X Y; some tokens give it bare). */
function pointOf(ecPoint: Buffer): Uint8Array {
  if (ecPoint.length === 67 && ecPoint[0] === 0x04 && ecPoint[1] === 0x41) return new Uint8Array(ecPoint.subarray(2));
  if (ecPoint.length === 65 && ecPoint[0] === 0x04) return new Uint8Array(ecPoint);
  throw new Error('pkcs11Keys: unexpected CKA_EC_POINT of ' + ecPoint.length + ' bytes');
}

function isPoint(p: Uint8Array): boolean {
  if (p.length !== 65 || p[0] !== 0x04) return false;
  try {
    p256.Point.fromHex(Buffer.from(p).toString('hex')).assertValidity();
    return true;
  } catch {
    return false;
  }
}

export type OpenResult = { ok: true; provider: KeyProvider } | { ok: false; reason: string };

/** Opens a user session on the token labelled `token` and returns the provider over it. */
export function pkcs11Keys(c: TokenConfig): OpenResult {
  const path = modulePath(c.module);
  let lib: pkcs11js.PKCS11;
  try {
    lib = openLibrary(path);
  } catch (e) {
    return { ok: false, reason: 'module-not-loaded: ' + path + ': ' + (e as Error).message };
  }
  const slot = tokenSlot(lib, c.token);
  if (!slot) {
    closeLibrary(path);
    return { ok: false, reason: 'no-token: no initialised token labelled "' + c.token + '" (smets hsm init)' };
  }
  const session = lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  try {
    lib.C_Login(session, pkcs11js.CKU_USER, c.pin);
  } catch (e) {
    lib.C_CloseSession(session);
    closeLibrary(path);
    return { ok: false, reason: 'login-failed: ' + (e as Error).message };
  }

  const byHandle: Record<string, PrivateKeyRef> = {};
  const byLabel: Record<string, PrivateKeyRef> = {};

  const findObjects = (template: pkcs11js.Template): pkcs11js.Handle[] => {
    lib.C_FindObjectsInit(session, template);
    try {
      return lib.C_FindObjects(session, 100);
    } finally {
      lib.C_FindObjectsFinal(session);
    }
  };

  const ref = (label: string, use: KeyUse, priv: pkcs11js.Handle, publicKey: Uint8Array): PrivateKeyRef => {
    const handle = newHandle();
    const r: PrivateKeyRef = {
      label, use, publicKey, handle,
      sign(message) {
        if (use !== 'ds') throw new Error('pkcs11Keys.sign: "' + label + '" is a key-agreement key');
        const digest = createHash('sha256').update(message).digest();
        lib.C_SignInit(session, { mechanism: pkcs11js.CKM_ECDSA }, priv);
        return new Uint8Array(lib.C_Sign(session, digest, Buffer.alloc(64)));
      },
      agree(peerPublic) {
        if (use !== 'ka') throw new Error('pkcs11Keys.agree: "' + label + '" is a signing key');
        if (!isPoint(peerPublic)) return undefined;
        const z = lib.C_DeriveKey(session, {
          mechanism: pkcs11js.CKM_ECDH1_DERIVE,
          parameter: { type: pkcs11js.CK_PARAMS_EC_DH, kdf: pkcs11js.CKD_NULL, publicData: Buffer.from(peerPublic) } as pkcs11js.ECDH1,
        }, priv, [
          { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
          { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
          { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
          { type: pkcs11js.CKA_TOKEN, value: false },
          { type: pkcs11js.CKA_SENSITIVE, value: false },
          { type: pkcs11js.CKA_EXTRACTABLE, value: true },
        ]);
        try {
          return new Uint8Array(lib.C_GetAttributeValue(session, z, [{ type: pkcs11js.CKA_VALUE }])[0].value as Buffer);
        } finally {
          lib.C_DestroyObject(session, z);
        }
      },
    };
    byHandle[Buffer.from(handle).toString('hex')] = r;
    byLabel[label] = r;
    return r;
  };

  const publicOf = (label: string): Uint8Array | undefined => {
    const pub = findObjects([{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY }, { type: pkcs11js.CKA_LABEL, value: label }])[0];
    if (!pub) return undefined;
    return pointOf(lib.C_GetAttributeValue(session, pub, [{ type: pkcs11js.CKA_EC_POINT }])[0].value as Buffer);
  };

  const privateObjects = () => findObjects([{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }, { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_EC }]);

  const attrs = (h: pkcs11js.Handle) => {
    const a = lib.C_GetAttributeValue(session, h, [
      { type: pkcs11js.CKA_LABEL }, { type: pkcs11js.CKA_SIGN }, { type: pkcs11js.CKA_SENSITIVE }, { type: pkcs11js.CKA_EXTRACTABLE },
    ]);
    const flag = (i: number) => (a[i].value as Buffer)[0] === 1;
    return { label: (a[0].value as Buffer).toString('utf8'), use: (flag(1) ? 'ds' : 'ka') as KeyUse, sensitive: flag(2), extractable: flag(3) };
  };

  const provider: KeyProvider = {
    name: 'pkcs11 ' + c.token + ' (' + path + ')',
    inModule: true,
    generate(label, use) {
      if (byLabel[label] || publicOf(label)) throw new Error('pkcs11Keys.generate: a key labelled "' + label + '" exists in token ' + c.token);
      const id = createHash('sha256').update(label).digest().subarray(0, 8);
      const common = [{ type: pkcs11js.CKA_TOKEN, value: true }, { type: pkcs11js.CKA_LABEL, value: label }, { type: pkcs11js.CKA_ID, value: id }];
      const keys = lib.C_GenerateKeyPair(session, { mechanism: pkcs11js.CKM_EC_KEY_PAIR_GEN }, [
        ...common,
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_EC },
        { type: pkcs11js.CKA_EC_PARAMS, value: P256_PARAMS },
        { type: pkcs11js.CKA_VERIFY, value: use === 'ds' },
        { type: pkcs11js.CKA_DERIVE, value: false },
      ], [
        ...common,
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_EC },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: true },
        { type: pkcs11js.CKA_EXTRACTABLE, value: false },
        { type: pkcs11js.CKA_SIGN, value: use === 'ds' },
        { type: pkcs11js.CKA_DERIVE, value: use === 'ka' },
      ]);
      const point = pointOf(lib.C_GetAttributeValue(session, keys.publicKey, [{ type: pkcs11js.CKA_EC_POINT }])[0].value as Buffer);
      return ref(label, use, keys.privateKey, point);
    },
    find(label) {
      if (byLabel[label]) return byLabel[label];
      const priv = findObjects([{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }, { type: pkcs11js.CKA_LABEL, value: label }])[0];
      const pub = publicOf(label);
      if (!priv || !pub) return undefined;
      return ref(label, attrs(priv).use, priv, pub);
    },
    list() {
      return privateObjects().map((h) => {
        const a = attrs(h);
        return { ...a, publicKey: publicOf(a.label) ?? new Uint8Array(0) };
      });
    },
    crypto: (base: BoardCrypto) => routingCrypto(base, (h) => (h.length === HANDLE_LENGTH ? byHandle[Buffer.from(h).toString('hex')] : undefined)),
    close() {
      try {
        lib.C_Logout(session);
      } finally {
        lib.C_CloseSession(session);
        closeLibrary(path);
      }
    },
  };
  return { ok: true, provider };
}

/** Reads CKA_VALUE of the private key labelled `label`: the token must refuse (tests show it does). */
export function tryExportPrivate(c: TokenConfig, label: string): { exported: true } | { exported: false; reason: string } {
  const path = modulePath(c.module);
  const lib = openLibrary(path);
  const slot = tokenSlot(lib, c.token);
  if (!slot) {
    closeLibrary(path);
    return { exported: false, reason: 'no-token' };
  }
  const session = lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
  try {
    lib.C_Login(session, pkcs11js.CKU_USER, c.pin);
  } catch {
    // already logged in through another session of this application (PKCS#11: login is per application)
  }
  try {
    lib.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }, { type: pkcs11js.CKA_LABEL, value: label }]);
    const h = lib.C_FindObjects(session, 1)[0];
    lib.C_FindObjectsFinal(session);
    if (!h) return { exported: false, reason: 'no-such-key' };
    lib.C_GetAttributeValue(session, h, [{ type: pkcs11js.CKA_VALUE }]);
    return { exported: true };
  } catch (e) {
    return { exported: false, reason: (e as Error).message };
  } finally {
    lib.C_CloseSession(session);
    closeLibrary(path);
  }
}
