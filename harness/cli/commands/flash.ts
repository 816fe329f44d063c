/**
 * `smets flash`: the firmware into an Espruino board's Storage over its console, verified by a SHA-256
 * the board computes of what it holds, then booted (flash-scripts/replFlash.ts). `--board espruino-host`
 * writes the host binary's flash (.engines/espruino), what CI runs.
 * @module
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DIST, ENGINES_DIR } from '../../../build/paths.ts';
import { flashHost, flashOverRepl, portConsole } from '../../../flash-scripts/replFlash.ts';
import type { Console, FlashResult } from '../../../flash-scripts/replFlash.ts';
import type { Command } from '../command.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE } from '../command.ts';
import { commandOptions } from '../options.ts';

const HELP = `Usage: smets flash --board espruino --port PATH [--baud N] [--link-baud N] [--bundle FILE] [--no-boot] [--json]
       smets flash --board espruino-host [--dir DIR] [--link PATH] [--bundle FILE] [--no-boot] [--json]

Writes the meter firmware (default dist/espruino/firmware.js; \`npm run build\`) into an Espruino board's
Storage as .bootcde, the file Espruino evaluates from flash at every power-on, and .boot0 with the serial
line's settings (the firmware then serves the link protocol on Serial1: README "The serial link"). The
board computes the SHA-256 of what its Storage holds and this command compares it with the file's; then
it boots the firmware (load(): a soft restart that runs .boot0 and .bootcde) and shows its first line.

  --board espruino       a board whose console (REPL) is on --port: USB serial (/dev/ttyACM0) or a UART
  --board espruino-host  the Espruino host binary (.engines/espruino, npm run engines), its flash
                         DIR/espruino.flash: what CI runs. Written one engine run per chunk (the host
                         binary's console on pipes loses long upload lines), then hashed and booted the same way
  --port PATH            the board's console;  --baud N its speed (default 115200)
  --link-baud N          the speed of the board's Serial1 link to the harness (default 115200)
  --dir DIR              espruino-host: the board's folder (default out/boards/espruino-host)
  --link PATH            espruino-host: the pty its Serial1 opens (a socat pty pair's end), else no link
  --bundle FILE          another firmware build
  --no-boot              write and verify only
  --json                 the result as one JSON object on stdout (bytes, both hashes, whether they match, the boot line);
                         progress stays on stderr

Then: smets lab --port PATH (the harness's end of the link) provisions the board at the factory over the
link's management channel (keys generated on the board, certificates from the test SMKI) and runs the lab.
The espruino CLI does the write alone: npx espruino -p PATH --storage .bootcde:dist/espruino/firmware.js
(no hash read back).

Exit codes: 0 written, the board's hash matches (and it booted), 1 the hash differs or the firmware did not
boot, 2 bad options, a missing file or engine, or the board could not be reached.`;

export const flash: Command = {
  name: 'flash',
  summary: 'the firmware into an Espruino board\'s Storage over its console, verified by hash, booted',
  help: HELP,
  async run(args: string[]): Promise<number> {
    const parsed = commandOptions('smets flash', HELP, args, { options: ['board', 'port', 'baud', 'link-baud', 'dir', 'link', 'bundle'], flags: ['no-boot', 'json'] });
    if ('exit' in parsed) return parsed.exit;
    const v = parsed.values;
    const usage = (msg: string) => {
      console.error('smets flash: ' + msg + '\n(smets flash --help)');
      return EXIT_USAGE;
    };
    if (v.board !== 'espruino' && v.board !== 'espruino-host') return usage('--board is espruino (a board on --port) or espruino-host' + (v.board ? ', got ' + JSON.stringify(v.board) : ''));
    if (v.board === 'espruino' && !v.port) return usage('--board espruino needs --port (the board\'s console, e.g. /dev/ttyACM0)');
    if (v.board === 'espruino-host' && v.port) return usage('--board espruino-host has no port (its console is the host binary\'s standard streams)');
    const num = (name: string, def: number) => {
      const n = v[name] === undefined ? def : Number(v[name]);
      return Number.isInteger(n) && n > 0 ? n : undefined;
    };
    const baud = num('baud', 115200);
    const linkBaud = num('link-baud', 115200);
    if (!baud || !linkBaud) return usage('--baud and --link-baud are positive whole numbers');
    const bundle = resolve(v.bundle ?? join(DIST, 'espruino', 'firmware.js'));
    if (!existsSync(bundle)) return usage(bundle + ' does not exist: run `npm run build` first');
    const config = v.board === 'espruino'
      ? `var SMETS_SERIAL=${JSON.stringify({ baud: linkBaud })};`
      : v.link ? `var SMETS_SERIAL=${JSON.stringify({ baud: linkBaud, path: resolve(v.link) })};` : '';
    const firmware = readFileSync(bundle, 'latin1');
    const boot = !parsed.flags['no-boot'];
    const progress = (l: string) => console.error(l);
    let c: Console | undefined;
    let r: FlashResult;
    try {
      console.error('flash: writing ' + bundle + ' (' + firmware.length + ' bytes) as .bootcde');
      if (v.board === 'espruino') {
        c = await portConsole(v.port!, baud);
        r = await flashOverRepl(c, firmware, { config, boot: boot ? 'load' : false, progress });
      } else {
        const binary = join(ENGINES_DIR, 'espruino');
        if (!existsSync(binary)) return usage(binary + ' does not exist: run `npm run engines` first');
        const dir = resolve(v.dir ?? join('out', 'boards', 'espruino-host'));
        mkdirSync(dir, { recursive: true });
        console.error('flash: the Espruino host binary, its flash in ' + join(dir, 'espruino.flash'));
        r = await flashHost(binary, dir, firmware, { config, boot, progress });
      }
    } catch (e) {
      const msg = (e as Error).message;
      console.error('smets flash: ' + msg);
      return /did not boot/.test(msg) ? EXIT_CHECK_FAILED : EXIT_USAGE;
    } finally {
      await c?.close();
    }
    if (parsed.flags.json === true) {
      console.log(JSON.stringify({ ok: r.boardSha256 === r.sha256, bytes: r.bytes, sha256: r.sha256, boardSha256: r.boardSha256, matches: r.boardSha256 === r.sha256, ...(r.bootLine !== undefined ? { bootLine: r.bootLine } : {}) }));
      return r.boardSha256 === r.sha256 ? EXIT_OK : EXIT_CHECK_FAILED;
    }
    console.log('firmware  ' + r.bytes + ' bytes, SHA-256 ' + r.sha256);
    console.log('board     SHA-256 ' + r.boardSha256 + (r.boardSha256 === r.sha256 ? ' (matches)' : ' (DIFFERS: the write is bad; flash again)'));
    if (r.boardSha256 !== r.sha256) return EXIT_CHECK_FAILED;
    if (r.bootLine !== undefined) console.log('booted    ' + r.bootLine);
    return EXIT_OK;
  },
};
