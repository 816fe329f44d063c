/**
 * The Espruino board (2v29, MCU-class build): native SHA-256 and AES from `require("crypto")`; P-256
 * (ECDSA, ECDH) from the firmware's mbedTLS through the `P256` module where the firmware has it (the
 * builds of `npm run engines` and the real-board build, build/engine-patches/native-p256), in portable
 * JavaScript (boards/portable/p256.ts) where not: decided once, when this module loads
 * (`board.crypto.native`), as Espruino's own AES-CCM module does with `usingNative`; random bytes from a seeded HMAC_DRBG (boards/portable/drbg.ts) that mixes in `E.hwRand()`
 * (a hardware RNG on MCU boards; libc rand() on the Linux build, so the provisioned seed is what counts);
 * persistent state in `require("Storage")` (flash; emulated in `espruino.flash` on the Linux build),
 * memory counted in variables of the fixed pool (`process.memory()`). On the host build the link is a
 * line on standard output (boards/hostLink.ts).
 * @module
 */
import type { Board, BoardOptions } from '../board.ts';
import { FLASH_RESERVE, journaledStorage } from '../journaledStorage.ts';
import type { Medium } from '../board.ts';
import { hostLink } from '../hostLink.ts';
import { memoryLinkPair } from '../memoryLink.ts';
import { seededRandomBytes } from '../portable/drbg.ts';
import { p256 } from '../portable/p256.ts';
import { nativeP256 } from '../nativeP256.ts';
import type { NativeP256Module } from '../nativeP256.ts';

// Espruino's global object, process object and built-in module loader (not Node's).
declare const global: { require(name: string): any };
declare const process: { memory(): { usage: number; total: number }; env: { MODULES?: string } };
declare const E: { hwRand(): number };

// Reached through `global` so that the bundler does not take Espruino's built-in modules for files to
// bundle (its require shim would bring in Proxy, which Espruino lacks).
const nativeCrypto = global.require('crypto');
const flash = global.require('Storage');
/** The firmware's native P-256 module, when it was built in (process.env.MODULES lists the built-in modules). */
const nativeP256Module: NativeP256Module | undefined =
  (',' + (process.env.MODULES || '') + ',').indexOf(',P256,') >= 0 ? global.require('P256') : undefined;

/** Flash files as a Medium. `readArrayBuffer` maps the file; copy it so later writes cannot alias it. */
function flashMedium(): Medium {
  return {
    get(name) {
      const buffer = flash.readArrayBuffer(name);
      return buffer === undefined ? undefined : new Uint8Array(new Uint8Array(buffer));
    },
    put(name, bytes) {
      flash.erase(name);
      // A full Storage makes write answer false or throw "Unable to find or create file" (it compacts
      // first): both mean no room, the medium's false. Only the erased (absent) blob is left.
      let written = false;
      try {
        written = flash.write(name, bytes) !== false;
      } catch (e) {
        written = false;
      }
      if (!written) flash.erase(name);
      return written;
    },
    remove(name) {
      flash.erase(name);
    },
    list() {
      return flash.list().sort();
    },
  };
}

/** 32 bytes from E.hwRand() (32 bits per call). */
function hardwareEntropy(): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i += 4) {
    const r = E.hwRand();
    out[i] = r >>> 24;
    out[i + 1] = (r >>> 16) & 255;
    out[i + 2] = (r >>> 8) & 255;
    out[i + 3] = r & 255;
  }
  return out;
}

export function espruinoBoard(options?: BoardOptions): Board {
  const o = options || {};
  const sha256 = (data: Uint8Array): Uint8Array => new Uint8Array(nativeCrypto.SHA256(data));
  const native = !o.portableCrypto && nativeP256Module !== undefined;
  const curve = native ? nativeP256(nativeP256Module as NativeP256Module, sha256) : p256(sha256);
  const storage = o.medium ? journaledStorage(o.medium, sha256) : journaledStorage(flashMedium(), sha256, FLASH_RESERVE);
  return {
    name: 'espruino',
    crypto: {
      sha256,
      aes128EncryptBlock: (key, block) => new Uint8Array(nativeCrypto.AES.encrypt(block, key, { mode: 'ECB' })),
      aes128DecryptBlock: (key, block) => new Uint8Array(nativeCrypto.AES.decrypt(block, key, { mode: 'ECB' })),
      p256Sign: curve.sign,
      p256Verify: curve.verify,
      p256PublicKey: curve.publicKey,
      ecdh: curve.ecdh,
      randomBytes: seededRandomBytes('espruino', () => storage, sha256, hardwareEntropy),
      native: native,
    },
    storage: storage,
    clock: { nowSec: () => Math.floor(Date.now() / 1000) },
    link: o.link || hostLink((line) => print(line)) || memoryLinkPair().device,
    log: (line) => print(line),
    memory: () => {
      const m = process.memory();
      return { used: m.usage, total: m.total, unit: 'variables' };
    },
  };
}
