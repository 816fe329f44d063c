/**
 * `smets duis transform --now --acb-counter`: the DCC's state a request does not carry, given on the command
 * line — the clock (a GSME command's Issuer Event ID) and the ACB's counter (the commands the DCC sends as the
 * ACB). With the RTDS's values the pre-command is the RTDS's; without the ACB counter an ACB use case is not
 * built (exit 1); a malformed value is a usage error (exit 2).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureCli } from './helpers/captureCli.ts';

const V = new URL('../../shared/vectors/', import.meta.url).pathname;
const K = V + 'rtds/keystore/';

async function signed(template: string): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'duis-cli-')), 'signed.xml');
  const r = await captureCli(['duis', 'sign', V + 'duis/templates/' + template, '--key', K + '90b3d51f30010000-ds.key', '--cert', K + '90b3d51f30010000-ds.pem', '--out', out]);
  assert.is(r.code, 0, r.stderr);
  return out;
}

test('duis transform --now gives GCS07 as the RTDS; --acb-counter gives DBCH02 as the RTDS, refused without it, exit 2 on a bad value', async () => {
  const gcs07 = await signed('GCS07_3.1_SUCCESS_REQUEST_DUIS.XML');
  const a = await captureCli(['duis', 'transform', gcs07, '--now', '2015-01-01T00:00:00Z']);
  assert.is(a.code, 0, a.stdout + a.stderr);
  assert.ok(readFileSync(V + 'rtds/RTDS-4.5.0/3.1_GCS07/GCS07_3.1_SUCCESS_COMMAND_GBCS.HEX', 'utf8').toUpperCase().indexOf(a.stdout.trim()) > 0, 'GCS07 as in the RTDS command');
  const dbch02 = await signed('DBCH02_6.32_SUCCESS_REQUEST_DUIS.XML');
  assert.is((await captureCli(['duis', 'transform', dbch02])).code, 1, 'an ACB use case needs the ACB counter');
  const b = await captureCli(['duis', 'transform', dbch02, '--acb-counter', '1301']);
  assert.is(b.code, 0, b.stdout + b.stderr);
  assert.ok(readFileSync(V + 'rtds/RTDS-4.5.0/6.32_DBCH02/DBCH02_6.32_SUCCESS_COMMAND_GBCS.HEX', 'utf8').toUpperCase().indexOf(b.stdout.trim()) > 0, 'DBCH02 as in the RTDS command');
  assert.is((await captureCli(['duis', 'transform', dbch02, '--acb-counter', 'x'])).code, 2);
  assert.is((await captureCli(['duis', 'transform', gcs07, '--now', 'yesterday'])).code, 2);
});

test.run();
