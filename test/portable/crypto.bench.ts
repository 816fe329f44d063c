/**
 * Crypto figures on every engine, on the board's own primitives: ECDSA verify and sign, ECDH, GCM over
 * 1 KiB, and the whole check of a critical command (decode + MAC with a cached ECDH secret + supplier
 * signature), the work a meter does for each critical command. P-256 figures come twice, on the board's
 * native P-256 (OpenSSL on Node, mbedTLS on the engines built by `npm run engines`) and on the portable
 * JavaScript, in the same run. Targets (read, not asserted): critical command with native P-256 <= 50 ms
 * on Espruino's host build and <= 20 ms on JerryScript; Espruino completes within 12,000 variables.
 * @module
 */
import { fromHex } from '../../lib/bytes.ts';
import { gcmEncrypt } from '../../gbcs/protection/gcm.ts';
import { checkMac, checkSignature } from '../../gbcs/protection/protection.ts';
import { sharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import { pemPrivateKey, pemPublicKey } from './pemKeys.ts';
import { CRITICAL_FILE, decoded } from './security.suite.ts';
import { timePerCall } from './selftest.ts';
import type { Bench, SelfTestContext } from './selftest.ts';

const KS = 'rtds/keystore/';
const FILES = [KS + '90b3d51f30000002-ka.key', KS + '00db1234567890a0-ka.pem', KS + '90b3d51f30010000-ds.pem', 'rtds/RTDS-4.5.0/' + CRITICAL_FILE];
const D = fromHex('c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721') as Uint8Array; // RFC 6979 A.2.5 key
const MSG = fromHex('73616d706c65') as Uint8Array; // "sample"
// P-256 calls take seconds on Espruino: one call there, repeated elsewhere for a stable figure.
const MIN_MS = 500;

type Path = 'native' | 'portable';
const crypto = (ctx: SelfTestContext, path: Path) => ctx.newBoard(undefined, { portableCrypto: path === 'portable' }).crypto;

function verifyBench(path: Path): Bench {
  return {
    name: 'ECDSA P-256 verify (' + path + ')',
    unit: 'ms',
    bundle: 'bench-crypto',
    run(ctx) {
      const c = crypto(ctx, path);
      const pub = c.p256PublicKey(D);
      const sig = c.p256Sign(D, MSG);
      return timePerCall(() => {
        if (!c.p256Verify(pub, MSG, sig)) throw new Error('verify failed');
      }, MIN_MS);
    },
  };
}

function signBench(path: Path): Bench {
  return {
    name: 'ECDSA P-256 sign (' + path + ')',
    unit: 'ms',
    bundle: 'bench-crypto',
    run(ctx) {
      const c = crypto(ctx, path);
      return timePerCall(() => c.p256Sign(D, MSG), MIN_MS);
    },
  };
}

function ecdhBench(path: Path): Bench {
  return {
    name: 'ECDH P-256 (' + path + ')',
    unit: 'ms',
    bundle: 'bench-crypto',
    vectors: FILES,
    run(ctx) {
      const c = crypto(ctx, path);
      const peer = pemPublicKey(ctx.vector(FILES[1]));
      return timePerCall(() => c.ecdh(D, peer), MIN_MS);
    },
  };
}

function criticalBench(path: Path): Bench {
  return {
    name: 'critical command check (decode + MAC + signature; ' + path + ' P-256)',
    unit: 'ms',
    bundle: 'bench-crypto',
    vectors: FILES,
    run(ctx) {
      const c = crypto(ctx, path);
      const secrets = sharedSecrets(c.ecdh);
      const acb = pemPrivateKey(ctx.vector(FILES[0]));
      const device = pemPublicKey(ctx.vector(FILES[1]));
      const supplier = pemPublicKey(ctx.vector(FILES[2]));
      const bytes = fromHex(ctx.vector(FILES[3])) as Uint8Array;
      secrets.agree(acb, device); // static-static: agreed once per party pair, as on a device
      return timePerCall(() => {
        const m = decoded(bytes);
        if (!checkMac(c, secrets, acb, device, m).ok || !checkSignature(c, supplier, m).ok) throw new Error('critical command rejected');
      }, MIN_MS);
    },
  };
}

// Native then portable, each figure beside its twin in the table.
export const p256VerifyNative = verifyBench('native');
export const p256VerifyPortable = verifyBench('portable');
export const p256SignNative = signBench('native');
export const p256SignPortable = signBench('portable');
export const p256EcdhNative = ecdhBench('native');
export const p256EcdhPortable = ecdhBench('portable');
export const criticalCommandNative = criticalBench('native');
export const criticalCommandPortable = criticalBench('portable');

export const gcm1k: Bench = {
  name: 'AES-128-GCM encrypt 1 KiB',
  unit: 'ms',
  bundle: 'bench-crypto',
  run(ctx) {
    const c = ctx.newBoard().crypto;
    const key = new Uint8Array(16);
    const iv = new Uint8Array(12);
    const data = new Uint8Array(1024);
    return timePerCall(() => gcmEncrypt(c.aes128EncryptBlock, key, iv, data, iv, 12), 300);
  },
};

