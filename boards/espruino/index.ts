/**
 * The Espruino board (2v29, MCU-class build): native SHA-256 and AES from `require("crypto")`,
 * persistent state in `require("Storage")` (flash; emulated in `espruino.flash` on the Linux build),
 * memory counted in variables of the fixed pool (`process.memory()`).
 * @module
 */
import type { Board, BoardOptions } from '../board.ts';
import { journaledStorage } from '../journaledStorage.ts';
import type { Medium } from '../journaledStorage.ts';
import { memoryLinkPair } from '../memoryLink.ts';
import { unavailable } from '../unavailable.ts';

// Espruino's global object, process object and built-in module loader (not Node's).
declare const global: { require(name: string): any };
declare const process: { memory(): { usage: number; total: number } };

// Reached through `global` so that the bundler does not take Espruino's built-in modules for files to
// bundle (its require shim would bring in Proxy, which Espruino lacks).
const nativeCrypto = global.require('crypto');
const flash = global.require('Storage');

/** Flash files as a Medium. `readArrayBuffer` maps the file; copy it so later writes cannot alias it. */
function flashMedium(): Medium {
  return {
    get(name) {
      const buffer = flash.readArrayBuffer(name);
      return buffer === undefined ? undefined : new Uint8Array(new Uint8Array(buffer));
    },
    put(name, bytes) {
      flash.erase(name);
      flash.write(name, bytes);
    },
    remove(name) {
      flash.erase(name);
    },
    list() {
      return flash.list().sort();
    },
  };
}

export function espruinoBoard(options?: BoardOptions): Board {
  const o = options || {};
  const sha256 = (data: Uint8Array): Uint8Array => new Uint8Array(nativeCrypto.SHA256(data));
  return {
    name: 'espruino',
    crypto: {
      sha256,
      aes128EncryptBlock: (key, block) => new Uint8Array(nativeCrypto.AES.encrypt(block, key, { mode: 'ECB' })),
      p256Sign: unavailable('espruino', 'p256Sign'),
      p256Verify: unavailable('espruino', 'p256Verify'),
      p256PublicKey: unavailable('espruino', 'p256PublicKey'),
      ecdh: unavailable('espruino', 'ecdh'),
      randomBytes: unavailable('espruino', 'randomBytes'),
    },
    storage: journaledStorage(o.medium || flashMedium(), sha256),
    clock: { nowSec: () => Math.floor(Date.now() / 1000) },
    link: o.link || memoryLinkPair().device,
    log: (line) => print(line),
    memory: () => {
      const m = process.memory();
      return { used: m.usage, total: m.total, unit: 'variables' };
    },
  };
}
