/**
 * Install codes against node:crypto (an independent AES): AES-MMO over random install codes of every
 * length, computed here from node's AES-128-ECB, equals hub/installCode.ts on the Node board's AES; and the
 * HAN-FACTS vector. zigbee-herdsman's zspec utils are not installed, so they are not the oracle here.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createCipheriv, randomBytes } from 'node:crypto';
import { nodeBoard } from '../boards/node/index.ts';
import { aesMmo, linkKey, parseInstallCode, withCrc } from '../hub/installCode.ts';

function nodeMmo(msg: Uint8Array): Buffer {
  const padLen = Math.ceil((msg.length + 3) / 16) * 16;
  const m = Buffer.alloc(padLen);
  Buffer.from(msg).copy(m);
  m[msg.length] = 0x80;
  m.writeUInt16BE(msg.length * 8, padLen - 2);
  let h = Buffer.alloc(16);
  for (let at = 0; at < padLen; at += 16) {
    const c = createCipheriv('aes-128-ecb', h, null).setAutoPadding(false);
    const e = Buffer.concat([c.update(m.subarray(at, at + 16)), c.final()]);
    for (let i = 0; i < 16; i++) e[i] ^= m[at + i];
    h = e;
  }
  return h;
}

const board = nodeBoard();

test('HAN-FACTS vector: link key 66B6900981E1EE3CA4206B6B861C02BB', () => {
  const ic = parseInstallCode('83FED3407A939723A5C639B26916D505C3B5');
  assert.ok(ic.ok);
  if (!ic.ok) return;
  assert.is(Buffer.from(linkKey(board.crypto.aes128EncryptBlock, ic)).toString('hex'), '66b6900981e1ee3ca4206b6b861c02bb');
});

test('AES-MMO equals a node:crypto AES-MMO for 200 random codes of every length, and for messages of 0..40 bytes', () => {
  for (let n = 0; n < 200; n++) {
    const code = new Uint8Array(randomBytes([6, 8, 12, 16][n % 4]));
    const ic = parseInstallCode(withCrc(code));
    assert.ok(ic.ok, 'parsed ' + n);
    if (!ic.ok) continue;
    assert.is(Buffer.from(linkKey(board.crypto.aes128EncryptBlock, ic)).toString('hex'), nodeMmo(withCrc(code)).toString('hex'), 'code ' + n);
  }
  for (let len = 0; len <= 40; len++) {
    const m = new Uint8Array(randomBytes(len));
    assert.is(Buffer.from(aesMmo(board.crypto.aes128EncryptBlock, m)).toString('hex'), nodeMmo(m).toString('hex'), 'length ' + len);
  }
});

test('the differential can fail: a one-bit change of the code changes the key', () => {
  const code = new Uint8Array(randomBytes(16));
  const other = new Uint8Array(code);
  other[3] ^= 0x10;
  assert.is.not(nodeMmo(withCrc(code)).toString('hex'), nodeMmo(withCrc(other)).toString('hex'));
});

test.run();
