/**
 * `smets hsm init|keys|generate`: the harness's PKCS#11 token (harness/hsm). `init` sets up a SoftHSM2
 * folder with one token (through PKCS#11 itself: C_InitToken, C_InitPIN); `keys` lists the key pairs in
 * it and whether the token would give their private parts away; `generate` makes a key pair inside.
 * The lab uses a folder with `smets lab --hsm-dir DIR` (or a fresh one with `--hsm`).
 * @module
 */
import { existsSync } from 'node:fs';
import type { Command } from '../command.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE } from '../command.ts';
import { actionOptions } from '../options.ts';
import type { ActionSpec } from '../options.ts';
import { DEFAULT_PIN, DEFAULT_TOKEN, openHsm, SOFTHSM_MODULE, softHsmConf } from '../../hsm/index.ts';

const HELP = `Usage: smets hsm <action> --dir DIR [options]

The PKCS#11 token that holds the parties' and the DCC's private keys (SEC G2, G5): SoftHSM2 from Debian
(${SOFTHSM_MODULE}; apt-get install softhsm2) in a folder of its own, DIR/softhsm2.conf and DIR/tokens/.
Keys are generated inside the token (CKA_SENSITIVE, not CKA_EXTRACTABLE) and used there: ECDSA signing,
ECDH (CKD_NULL: Z comes out for the GBCS KDF, which no token mechanism does; README "Keys in an HSM").

Actions:
  init       [--token LABEL] [--pin PIN] [--so-pin PIN]   set up DIR and its token (nothing changes if it exists)
  keys                                                    list the key pairs: label, use, sensitive, extractable, public key
  generate   --label LABEL --use ds|ka                    a new P-256 key pair inside the token

Options:
  --dir DIR        the SoftHSM2 folder (required)
  --token LABEL    token label (default ${DEFAULT_TOKEN})
  --pin PIN        user PIN (default $SMETS_HSM_PIN, else ${DEFAULT_PIN}: a lab token, not a production secret)
  --module PATH    the PKCS#11 module (default ${SOFTHSM_MODULE}, or $SMETS_PKCS11_MODULE)

Exit codes: 0 done, 1 refused (e.g. a key with that label exists), 2 usage error or no token/module.

Example:
  smets hsm init --dir lab-hsm
  export SOFTHSM2_CONF=$PWD/lab-hsm/softhsm2.conf     # for other PKCS#11 tools (pkcs11-tool, softhsm2-util)
  smets lab --hsm-dir lab-hsm                          # the lab's keys in that token
  smets hsm keys --dir lab-hsm`;

const HSM_EXIT_CODES = 'Exit codes: 0 done, 1 refused (e.g. a key with that label exists), 2 usage error or no token/module.';
const hsmAction = (usage: string, about: string, options: string[]): ActionSpec => ({
  options: ['dir', 'token', 'pin', 'module', ...options],
  flags: ['json'],
  help: `Usage: smets hsm ${usage} [--json]\n\n${about}\n--json: the result as JSON.\n\n${HSM_EXIT_CODES}`,
});
const ACTIONS: Record<string, ActionSpec> = {
  init: hsmAction('init --dir DIR [--token LABEL] [--pin PIN] [--so-pin PIN] [--module PATH]', 'Sets up DIR and its token (nothing changes if it exists).', ['so-pin']),
  keys: hsmAction('keys --dir DIR [--token LABEL] [--pin PIN] [--module PATH]', 'Lists the key pairs: label, use, sensitive, extractable, public key.', []),
  generate: hsmAction('generate --dir DIR --label LABEL --use ds|ka [--token LABEL] [--pin PIN] [--module PATH]', 'A new P-256 key pair inside the token.', ['label', 'use']),
};

export const hsm: Command = {
  name: 'hsm',
  summary: 'the PKCS#11 token (SoftHSM2) holding the parties\' and the DCC\'s keys: init, keys, generate',
  help: HELP,
  actions: Object.keys(ACTIONS),
  async run(args: string[]): Promise<number> {
    const parsed = actionOptions('smets hsm', HELP, args, ACTIONS);
    if ('exit' in parsed) return parsed.exit;
    const { action, values: o } = parsed;
    if (!o.dir) {
      console.error('smets hsm ' + action + ': --dir DIR is required (the SoftHSM2 folder)');
      return EXIT_USAGE;
    }
    if (action === 'generate' && (!o.label || (o.use !== 'ds' && o.use !== 'ka'))) {
      console.error('smets hsm generate: --label LABEL and --use ds|ka are required');
      return EXIT_USAGE;
    }
    const json = parsed.flags.json === true;
    // Only init makes a token: keys and generate on a mistyped --dir must not create one.
    if (action !== 'init' && !o.module && !existsSync(softHsmConf(o.dir))) {
      console.error('smets hsm ' + action + ': --dir ' + o.dir + ' holds no SoftHSM2 token (no softhsm2.conf there); create one: smets hsm init --dir ' + o.dir);
      return EXIT_USAGE;
    }
    const opened = openHsm({ dir: o.dir, ...(o.token ? { token: o.token } : {}), ...(o.pin ? { pin: o.pin } : {}), ...(o['so-pin'] ? { soPin: o['so-pin'] } : {}), ...(o.module ? { module: o.module } : {}) });
    if (!opened.ok) {
      console.error('smets hsm ' + action + ': ' + opened.reason);
      return EXIT_USAGE;
    }
    const p = opened.provider;
    try {
      if (action === 'init') {
        if (json) console.log(JSON.stringify({ token: p.name, created: opened.created, conf: softHsmConf(o.dir) }));
        else {
          console.log((opened.created ? 'initialised token ' : 'token exists: ') + p.name);
          console.log('export SOFTHSM2_CONF=' + softHsmConf(o.dir));
        }
        return EXIT_OK;
      }
      if (action === 'generate') {
        if (p.find(o.label!)) {
          console.error('smets hsm generate: refused: a key labelled "' + o.label + '" exists');
          return EXIT_CHECK_FAILED;
        }
        const k = p.generate(o.label!, o.use as 'ds' | 'ka');
        if (json) console.log(JSON.stringify({ label: k.label, use: k.use, publicKey: Buffer.from(k.publicKey).toString('hex') }));
        else console.log(k.label + ' ' + k.use + ' ' + Buffer.from(k.publicKey).toString('hex'));
        return EXIT_OK;
      }
      const keys = p.list();
      if (json) {
        for (const k of keys) console.log(JSON.stringify({ label: k.label, use: k.use, sensitive: k.sensitive, extractable: k.extractable, publicKey: Buffer.from(k.publicKey).toString('hex') }));
        return EXIT_OK;
      }
      for (const k of keys) console.log(k.label.padEnd(24) + ' ' + k.use + '  sensitive=' + k.sensitive + ' extractable=' + k.extractable + '  ' + Buffer.from(k.publicKey).toString('hex'));
      console.log(keys.length + ' key pair(s) in ' + p.name);
      return EXIT_OK;
    } finally {
      p.close();
    }
  },
};
