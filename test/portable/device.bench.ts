/**
 * Device command throughput per engine: accepted commands per second (ECS52, non-critical: decode, role,
 * counter, ECDH + KDF + GCM MAC check, execute, one commit, MAC'ed response) and rejected commands per
 * second (the same command with its MAC broken: everything up to the MAC check, plus the security-log
 * commit). Commands are built here with the published ACB KA key, one fresh counter each.
 * @module
 */
import { counterFromNumber, counterToBytes } from '../../gbcs/counter64.ts';
import { copyFields } from '../../gbcs/generalSigning.ts';
import { decodeMessage, encodeMessage } from '../../gbcs/message.ts';
import { gbcsKdf } from '../../gbcs/protection/kdf.ts';
import { macWithKey } from '../../gbcs/protection/protection.ts';
import { DEVICE_KA_KEY, ECS52, fixtureVectors, KEYSTORE, referenceBoard, vectorBytes } from './deviceFixture.ts';
import type { Bench, SelfTestContext } from './selftest.ts';
import { pemPrivateKey } from './pemKeys.ts';

const ACB_KA_KEY = KEYSTORE + '90b3d51f30000002-ka.key';

function maker(ctx: SelfTestContext) {
  const d = referenceBoard(ctx);
  const crypto = d.board.crypto;
  const acb = pemPrivateKey(ctx.vector(ACB_KA_KEY));
  const devicePub = crypto.p256PublicKey(pemPrivateKey(ctx.vector(DEVICE_KA_KEY)));
  const z = crypto.ecdh(acb, devicePub) as Uint8Array;
  const m = decodeMessage(vectorBytes(ctx, ECS52));
  if (!m.ok) throw new Error('ECS52 vector');
  let counter = 2000;
  return {
    device: d.device,
    next(broken: boolean): Uint8Array {
      const f = copyFields(m.gs);
      f.counter = counterFromNumber(++counter);
      const apdu = encodeMessage({ wrapper: 'signed', gs: f });
      const mac = macWithKey(crypto, gbcsKdf(crypto.sha256, z, f.originator, 1, counterToBytes(f.counter), f.recipient), apdu);
      if (broken) mac[0] ^= 1;
      return encodeMessage({ wrapper: 'ciphered', gs: f, mac: mac });
    },
  };
}

/**
 * Commands per second in service: one command first, untimed (it computes the ECDH secret with the ACB,
 * which the device then keeps), three to size the run, then enough fresh commands for about a second
 * (3 to 400), built before the clock starts. Rates below 100/s keep two decimals (Espruino's are below 1).
 */
function rate(ctx: SelfTestContext, broken: boolean): number {
  const mk = maker(ctx);
  function run(frames: Uint8Array[]): number {
    const start = Date.now();
    for (let i = 0; i < frames.length; i++) {
      const a = mk.device.receive(frames[i]);
      if (a.outcome.ok === broken) throw new Error('unexpected outcome ' + (a.outcome.ok ? 'accepted' : a.outcome.reason));
    }
    return (Date.now() - start) / frames.length;
  }
  function fresh(n: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = 0; i < n; i++) out.push(mk.next(broken));
    return out;
  }
  run(fresh(1));
  const sizing = Math.max(run(fresh(3)), 0.01);
  const ms = Math.max(run(fresh(Math.min(400, Math.max(3, Math.ceil(1000 / sizing))))), 0.001);
  const perSecond = 1000 / ms;
  return perSecond >= 100 ? Math.round(perSecond) : Math.round(perSecond * 100) / 100;
}

const vectors = fixtureVectors().concat([ACB_KA_KEY]);

export const deviceAccepted: Bench = { name: 'device commands accepted', unit: 'per second', bundle: 'bench-device', vectors: vectors, run: (ctx) => rate(ctx, false) };
export const deviceRejected: Bench = { name: 'device commands rejected (bad MAC)', unit: 'per second', bundle: 'bench-device', vectors: vectors, run: (ctx) => rate(ctx, true) };
