/**
 * `smets firmware package|verify`: the manufacturer's tool and the Supplier's check (seed ¶295-296).
 * `package` builds a signed OTA Upgrade File (device/firmwareUpdate/otaImage.ts) from a firmware binary and
 * prints the CPL fields; `verify` checks a package's structure, the manufacturer's certificate and
 * signature, and (with --cpl-dir) that its hash is the one listed.
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mustBeWritable, mustExist } from '../../userInput/files.ts';
import { readP256PrivateKey } from '../../userInput/p256KeyFile.ts';
import type { Command } from '../command.ts';
import { actionOptions } from '../options.ts';
import type { ActionSpec } from '../options.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE } from '../command.ts';
import { nodeCrypto } from '../../../boards/node/nodeCrypto.ts';
import { CertifiedProductsList, cplPath } from '../../cpl/certifiedProductsList.ts';
import { buildPackage } from '../../firmwarePackage/firmwarePackage.ts';
import { checkPackage } from '../../firmwarePackage/supplierCheck.ts';

const HELP = `Usage:
  smets firmware package --image FILE --key KEY.pem --manufacturer-code HEX4 --image-type HEX4 --version HEX8 --out FILE [--model TEXT]
  smets firmware verify --package FILE --cert MANUFACTURER.pem --ca ISSUING-OCA.pem [--cpl-dir DIR]
  either with --json: the result as one JSON object

package: wraps the firmware binary as a ZigBee OTA Upgrade File (OTA header, Upgrade Image sub-element
  holding the Manufacturer Image with its self-check descriptor, Manufacturer Signature sub-element F000),
  signs the Image Hash (SHA-256 over the OTA header and the Manufacturer Image) with the manufacturer's
  P-256 key, and prints model, version, firmware ID and image hash: what the CPL entry needs.
verify: the Supplier's check before Update Firmware: the package's sizes agree, the certificate was issued
  by the Issuing OCA to a manufacturer (OU 7F in the test lab), the signature verifies over the recomputed
  hash, and with --cpl-dir the hash is the one listed for that model and version, not expired.

Exit codes: 0 built / verified, 1 the package is refused (the reason is printed), 2 usage or file error.

Example:
  smets firmware package --image fw.bin --key mfr-ds.key --manufacturer-code 1234 --image-type 0001 --version 00020000 --out fw.ota
  smets firmware verify --package fw.ota --cert mfr-ds.pem --ca issuing-oca.pem --cpl-dir lab-pki`;

const EXIT_CODES = 'Exit codes: 0 built / verified, 1 the package is refused (the reason is printed), 2 usage or file error.';
const ACTIONS: Record<string, ActionSpec> = {
  package: {
    options: ['image', 'key', 'manufacturer-code', 'image-type', 'version', 'out', 'model'],
    flags: ['json'],
    help: 'Usage: smets firmware package --image FILE --key KEY.pem --manufacturer-code HEX4 --image-type HEX4 --version HEX8 --out FILE [--model TEXT]\n\n' +
      'Wraps the firmware binary as a signed ZigBee OTA Upgrade File and prints what the CPL entry needs\n(--json: as one JSON object).\n\n' + EXIT_CODES,
  },
  verify: {
    options: ['package', 'cert', 'ca', 'cpl-dir'],
    flags: ['json'],
    help: 'Usage: smets firmware verify --package FILE --cert MANUFACTURER.pem --ca ISSUING-OCA.pem [--cpl-dir DIR]\n\n' +
      'The Supplier\'s check before Update Firmware: sizes, the manufacturer\'s certificate and signature, and\nwith --cpl-dir the listed hash (--json: the verdict as one JSON object). On a lab folder:\n' +
      '  smets firmware verify --package DIR/firmware/good.ota --cert DIR/firmware/manufacturer.pem --ca DIR/firmware/issuing-oca.pem\n\n' + EXIT_CODES,
  },
};

export const firmware: Command = {
  name: 'firmware',
  summary: 'manufacturer packages (OTA Upgrade File, signed) and the Supplier\'s package check',
  help: HELP,
  actions: Object.keys(ACTIONS),
  async run(args: string[]): Promise<number> {
    const parsed = actionOptions('smets firmware', HELP, args, ACTIONS);
    if ('exit' in parsed) return parsed.exit;
    const action = parsed.action;
    const o = parsed.values;
    const crypto = nodeCrypto();
    const json = parsed.flags.json === true;
    try {
      if (action === 'package') {
        const missing = ['image', 'key', 'manufacturer-code', 'image-type', 'version', 'out'].filter((k) => !o[k]);
        if (missing.length) return console.error('smets firmware package: missing ' + missing.map((k) => '--' + k).join(', ')), EXIT_USAGE;
        const hex = (k: string, n: number) => (new RegExp('^[0-9a-fA-F]{' + n + '}$').test(o[k]) ? parseInt(o[k], 16) : undefined);
        const mc = hex('manufacturer-code', 4), it = hex('image-type', 4), v = hex('version', 8);
        if (mc === undefined || it === undefined || v === undefined) return console.error('smets firmware package: --manufacturer-code and --image-type are 4 hex digits, --version 8'), EXIT_USAGE;
        const absent = mustExist(o.image, '--image') ?? mustBeWritable(o.out, '--out');
        if (absent) return console.error('smets firmware package: ' + absent), EXIT_USAGE;
        const key = readP256PrivateKey(o.key, '--key');
        if (!key.ok) return console.error('smets firmware package: ' + key.message), EXIT_USAGE;
        const pkg = buildPackage(crypto, key.value.scalar, { manufacturerCode: mc, imageType: it, fileVersion: v, model: o.model ?? 'SMETS2 DEVICE', body: new Uint8Array(readFileSync(o.image)) });
        writeFileSync(o.out, pkg.bytes);
        if (json) console.log(JSON.stringify({ package: o.out, bytes: pkg.bytes.length, model: pkg.model, version: pkg.version, firmwareId: pkg.firmwareId, imageHash: pkg.imageHash }));
        else {
          console.log('package    ' + o.out + ' (' + pkg.bytes.length + ' bytes)');
          console.log('model      ' + pkg.model + '\nversion    ' + pkg.version + '\nfirmwareId ' + pkg.firmwareId + '\nimageHash  ' + pkg.imageHash);
        }
        return EXIT_OK;
      }
      if (action === 'verify') {
        const missing = ['package', 'cert', 'ca'].filter((k) => !o[k]);
        if (missing.length) return console.error('smets firmware verify: missing ' + missing.map((k) => '--' + k).join(', ')), EXIT_USAGE;
        for (const k of ['package', 'cert', 'ca']) {
          const absent = mustExist(o[k], '--' + k);
          if (absent) return console.error('smets firmware verify: ' + absent), EXIT_USAGE;
        }
        for (const k of ['cert', 'ca']) {
          if (!/-----BEGIN CERTIFICATE-----/.test(readFileSync(o[k], 'utf8'))) {
            return console.error('smets firmware verify: --' + k + ' ' + o[k] + ': expected a PEM certificate ("BEGIN CERTIFICATE")' + (/PRIVATE KEY/.test(readFileSync(o[k], 'utf8')) ? ', found a private key (the .pem beside it is the certificate)' : '')), EXIT_USAGE;
          }
        }
        // A CPL is opened, never created, by a check: a mistyped --cpl-dir must not make an empty one.
        if (o['cpl-dir'] && !existsSync(cplPath(o['cpl-dir']))) {
          return console.error('smets firmware verify: --cpl-dir ' + o['cpl-dir'] + ': holds no Certified Products List (' + cplPath(o['cpl-dir']) + ' does not exist)'), EXIT_USAGE;
        }
        const cpl = o['cpl-dir'] ? new CertifiedProductsList(o['cpl-dir']) : undefined;
        try {
          const v = checkPackage(crypto, new Uint8Array(readFileSync(o.package)), readFileSync(o.cert, 'utf8'), readFileSync(o.ca, 'utf8'), cpl);
          if (json) console.log(JSON.stringify({ ...v, cpl: !!cpl }));
          if (!v.ok) {
            if (!json) console.log('REFUSED ' + v.reason);
            return EXIT_CHECK_FAILED;
          }
          if (!json) console.log('OK ' + v.model + ' ' + v.version + ' firmwareId ' + v.firmwareId + ' imageHash ' + v.imageHash + (cpl ? ' (on the CPL)' : ' (no CPL given)'));
          return EXIT_OK;
        } finally {
          cpl?.close();
        }
      }
      throw new Error('smets firmware: action ' + action + ' is declared but not handled');
    } catch (e) {
      console.error('smets firmware ' + action + ': ' + (e as Error).message);
      return EXIT_USAGE;
    }
  },
};
