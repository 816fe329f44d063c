/**
 * Keys in a PKCS#11 token (harness/hsm) against SoftHSM2 at Debian's path, each test with a token of its
 * own in a temp folder (SOFTHSM2_CONF): key pairs generated inside, ECDSA and ECDH done there, the
 * private keys refused for export; a handle given to plain crypto fails; the lab with `--hsm` runs every
 * step as expected with no party private key in its evidence, and the token holds the parties' keys.
 * Needs `apt-get install softhsm2` (.ci/run does it); without it these tests fail, they do not skip.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeCrypto } from '../boards/node/nodeCrypto.ts';
import { openHsm, SOFTHSM_MODULE, softwareKeys } from '../harness/hsm/index.ts';
import { tryExportPrivate } from '../harness/hsm/pkcs11Keys.ts';
import { TEST_ENTITIES } from '../harness/dcc/users.ts';
import { captureCli } from './helpers/captureCli.ts';

const crypto = nodeCrypto();
const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));

const cli = captureCli;

test('SoftHSM2 is at Debian\'s path (apt-get install softhsm2)', () => {
  assert.ok(existsSync(SOFTHSM_MODULE), SOFTHSM_MODULE + ' is missing');
});

test('token keys: generated inside, sign and agree there, refused for export; bad peer keys are values', () => {
  const opened = openHsm({ dir: tmp('hsm-keys-'), token: 'keys-test' });
  assert.ok(opened.ok, opened.ok ? '' : opened.reason);
  if (!opened.ok) return;
  assert.ok(opened.created);
  const p = opened.provider;
  try {
    const ds = p.generate('supplier-ds', 'ds');
    const ka = p.generate('supplier-ka', 'ka');
    const msg = new TextEncoder().encode('DF 09 ... a pre-command');
    const sig = ds.sign(msg);
    assert.is(sig.length, 64);
    assert.ok(crypto.p256Verify(ds.publicKey, msg, sig));
    const flipped = new Uint8Array(msg);
    flipped[0] ^= 1;
    assert.not.ok(crypto.p256Verify(ds.publicKey, flipped, sig));
    // ECDH in the token gives the same Z as the peer computes in software.
    const peer = crypto.randomBytes(32) as Uint8Array;
    assert.equal(ka.agree(crypto.p256PublicKey(peer)), crypto.ecdh(peer, ka.publicKey));
    assert.is(ka.agree(new Uint8Array(65).fill(4)), undefined);
    // Misuse is a programming error.
    assert.throws(() => ka.sign(msg), /key-agreement key/);
    assert.throws(() => ds.agree(ka.publicKey), /signing key/);
    // The token says the private keys are sensitive and not extractable, and refuses to give them.
    assert.equal(p.list().map((k) => [k.label, k.use, k.sensitive, k.extractable]).sort(), [['supplier-ds', 'ds', true, false], ['supplier-ka', 'ka', true, false]]);
    const exported = tryExportPrivate({ token: 'keys-test', pin: '1234' }, 'supplier-ds');
    assert.equal(exported, { exported: false, reason: 'CKR_ATTRIBUTE_SENSITIVE' });
    // Through the routing crypto, the handle works; given to plain crypto, it fails loudly.
    const routed = p.crypto(crypto);
    assert.ok(crypto.p256Verify(ds.publicKey, msg, routed.p256Sign(ds.handle, msg)));
    assert.equal(routed.ecdh(ka.handle, crypto.p256PublicKey(peer)), crypto.ecdh(peer, ka.publicKey));
    assert.throws(() => crypto.p256Sign(ds.handle, msg));
    assert.throws(() => crypto.ecdh(ka.handle, crypto.p256PublicKey(peer)));
    // A second key with the same label is refused; find gets the one there.
    assert.throws(() => p.generate('supplier-ds', 'ds'), /exists/);
    assert.equal(p.find('supplier-ka')!.publicKey, ka.publicKey);
  } finally {
    p.close();
  }
});

test('the token keeps its keys: reopened, the same key signs; a wrong PIN is refused as a value', () => {
  const dir = tmp('hsm-reopen-');
  const first = openHsm({ dir, token: 'reopen' });
  assert.ok(first.ok);
  if (!first.ok) return;
  const pub = first.provider.generate('acb-ds', 'ds').publicKey;
  first.provider.close();
  const wrong = openHsm({ dir, token: 'reopen', pin: '9999' });
  assert.equal(wrong.ok ? 'opened' : wrong.reason.split(':')[0], 'login-failed');
  const again = openHsm({ dir, token: 'reopen' });
  assert.ok(again.ok && !again.created);
  if (!again.ok) return;
  const k = again.provider.find('acb-ds')!;
  assert.equal(k.publicKey, pub);
  assert.ok(crypto.p256Verify(pub, new Uint8Array([1, 2, 3]), k.sign(new Uint8Array([1, 2, 3]))));
  assert.is(again.provider.find('nothing'), undefined);
  again.provider.close();
});

test('the software provider has the same interface (handles are the scalars)', () => {
  const p = softwareKeys(crypto);
  const k = p.generate('x-ds', 'ds');
  assert.ok(crypto.p256Verify(k.publicKey, new Uint8Array([7]), k.sign(new Uint8Array([7]))));
  assert.ok(crypto.p256Verify(k.publicKey, new Uint8Array([7]), crypto.p256Sign(k.handle, new Uint8Array([7]))));
  assert.is(p.inModule, false);
});

test('smets lab --hsm: every step as expected, keys generated in the token, no party private key in the evidence', async () => {
  const out = join(tmp('hsm-lab-'), 'run');
  const run = await cli(['lab', '--hsm', '--out', out, '--quiet']);
  assert.is(run.code, 0, run.stdout + '\n' + run.stderr);
  assert.match(run.stdout, /RESULT: every step as expected/);
  // The keystore holds the parties' certificates but none of their private keys (they are in the token).
  const keystore = readdirSync(join(out, 'keystore'));
  for (const id of Object.keys(TEST_ENTITIES)) {
    const eui = TEST_ENTITIES[id].eui.toLowerCase();
    assert.ok(keystore.includes(eui + '-ds.pem') && keystore.includes(eui + '-ka.pem'), id + ' certificates');
    assert.not.ok(keystore.includes(eui + '-ds.key') || keystore.includes(eui + '-ka.key'), id + ' private key left the token');
  }
  // The token in <out>/hsm holds every party's DS and KA key, sensitive and not extractable.
  const opened = openHsm({ dir: join(out, 'hsm') });
  assert.ok(opened.ok && !opened.created);
  if (!opened.ok) return;
  const keys = opened.provider.list();
  opened.provider.close();
  assert.is(keys.length, Object.keys(TEST_ENTITIES).length * 2);
  assert.ok(keys.every((k) => k.sensitive && !k.extractable));
  // The certificates certify the token's keys: the supplier's DS certificate carries the token's point.
  const supplier = TEST_ENTITIES.supplier.eui.toLowerCase();
  const pem = readFileSync(join(out, 'keystore', supplier + '-ds.pem'), 'utf8');
  const point = keys.find((k) => k.label === supplier + '-ds')!.publicKey;
  assert.ok(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64').includes(Buffer.from(point)), 'the certificate carries the token key');
});

test('smets hsm init | generate | keys, and a lab run reusing the token\'s keys', async () => {
  const dir = tmp('hsm-cli-');
  const init = await cli(['hsm', 'init', '--dir', dir]);
  assert.is(init.code, 0, init.stderr);
  assert.match(init.stdout, new RegExp('export SOFTHSM2_CONF=' + dir + '/softhsm2.conf'));
  assert.is((await cli(['hsm', 'generate', '--dir', dir, '--label', 'k1', '--use', 'ds'])).code, 0);
  const again = await cli(['hsm', 'generate', '--dir', dir, '--label', 'k1', '--use', 'ds']);
  assert.is(again.code, 1);
  assert.match(again.stderr, /refused: a key labelled "k1" exists/);
  assert.is((await cli(['hsm', 'keys'])).code, 2);
  assert.is((await cli(['hsm', 'generate', '--dir', dir, '--label', 'k2', '--use', 'xx'])).code, 2);
  const lab1 = await cli(['lab', '--hsm-dir', dir, '--out', join(tmp('hsm-lab-'), 'run'), '--quiet']);
  assert.is(lab1.code, 0, lab1.stdout + lab1.stderr);
  const after1 = (await cli(['hsm', 'keys', '--dir', dir])).stdout;
  assert.match(after1, new RegExp((Object.keys(TEST_ENTITIES).length * 2 + 1) + ' key pair\\(s\\)'));
  assert.match(after1, /sensitive=true extractable=false/);
  assert.not.match(after1, /extractable=true/);
  // A second lab run finds the parties' keys in the token instead of making new ones.
  const lab2 = await cli(['lab', '--hsm-dir', dir, '--out', join(tmp('hsm-lab-'), 'run'), '--quiet']);
  assert.is(lab2.code, 0, lab2.stdout + lab2.stderr);
  const sorted = (t: string) => t.split('\n').sort().join('\n');
  assert.is(sorted((await cli(['hsm', 'keys', '--dir', dir])).stdout), sorted(after1));
});

test('smets lab --hsm with a missing module: exit 2 with the reason', async () => {
  const run = await cli(['lab', '--hsm-module', '/nonexistent/libpkcs11.so', '--out', join(tmp('hsm-lab-'), 'run'), '--quiet']);
  assert.is(run.code, 2);
  assert.match(run.stderr, /no-pkcs11-module: \/nonexistent\/libpkcs11.so/);
});

test.run();
