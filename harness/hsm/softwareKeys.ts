/**
 * The software key provider: P-256 scalars generated and held in this process (the lab's default, and
 * what a developer without a token uses). Same interface as the token provider (keyProvider.ts); its
 * handles are the scalars themselves, so every crypto can use them.
 * @module
 */
import type { BoardCrypto } from '../../boards/board.ts';
import type { KeyProvider, KeyUse, PrivateKeyRef } from './keyProvider.ts';
import { routingCrypto } from './keyProvider.ts';

/** P-256 order n: a scalar must be in [1, n-1]. */
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

export function softwareKeys(crypto: BoardCrypto): KeyProvider {
  const keys: Record<string, PrivateKeyRef> = {};
  const generateScalar = (): Uint8Array => {
    for (;;) {
      const s = crypto.randomBytes(32);
      if (!s) throw new Error('softwareKeys: the random source gave no bytes');
      const v = BigInt('0x' + Buffer.from(s).toString('hex'));
      if (v > 0n && v < N) return s;
    }
  };
  const ref = (label: string, use: KeyUse, scalar: Uint8Array): PrivateKeyRef => ({
    label, use, handle: scalar, publicKey: crypto.p256PublicKey(scalar),
    sign: (m) => crypto.p256Sign(scalar, m),
    agree: (p) => crypto.ecdh(scalar, p),
  });
  return {
    name: 'software',
    inModule: false,
    generate(label, use) {
      if (keys[label]) throw new Error('softwareKeys.generate: a key labelled "' + label + '" exists');
      return (keys[label] = ref(label, use, generateScalar()));
    },
    find: (label) => keys[label],
    list: () => Object.values(keys).map((k) => ({ label: k.label, use: k.use, publicKey: k.publicKey, sensitive: false, extractable: true })),
    crypto: (base) => routingCrypto(base, () => undefined),
    close: () => undefined,
  };
}
