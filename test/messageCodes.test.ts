/**
 * The message-code table against the DCC RTDS 4.5.0 sample (../shared/vectors/rtds/MANIFEST.tsv): every
 * code the sample uses is known, with the use case its name gives, and each message's wrapper and
 * signature agree with the table's protection and criticality. Expectations come from the manifest rows,
 * not from lists kept here.
 * @module
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { messageCodeInfo, messageCodesFor, roleFromNumber, roleNumber, type MessageCodeInfo, type Protection, type RemotePartyRole } from '../gbcs/messageCodes.ts';
import { messageTitle } from '../gbcs/messageTitles.ts';
import { isReadCode, readCodes } from '../gbcs/readCodes.ts';

const lines = readFileSync(new URL('../../shared/vectors/rtds/MANIFEST.tsv', import.meta.url), 'utf8').trim().split('\n');
const head = lines[0].split('\t');
const col = (name: string): number => head.indexOf(name);
const rows = lines.slice(1).map((l) => l.split('\t'));
const [FILE, KIND, WRAPPER, CODE, NAME, ORIG, SIG] = ['file', 'kind', 'wrapper', 'message_code', 'message_name', 'originator', 'signature'].map(col);

/** Test-PKI remote parties (GBCS-FACTS "Roles and identities"); device EUIs are not remote parties. */
const PARTY: Record<string, RemotePartyRole> = {
  '90b3d51f30010000': 'supplier', '90b3d51f30030000': 'supplier', '90b3d51f30020000': 'networkOperator',
  '90b3d51f30000002': 'acb', '90b3d51f30000001': 'recovery', '90b3d51f30000004': 'transCoS',
  '90b3d51f30000007': 'wanProvider', '90b3d51f30010008': 'loadController',
};

/** What a row shows: DD + 64-byte signature, DD + null signature, DF + signature, DF pre-command. */
function shown(r: string[]): Protection | 'precommand' {
  const dd = r[WRAPPER].startsWith('DD');
  const signed = r[SIG] === '64-byte';
  if (r[KIND] === 'PRECOMMAND') return 'precommand';
  if (dd) return signed ? 'signed-and-mac' : 'mac';
  return signed ? 'signed' : 'none';
}

interface Form { critical: boolean; originators: RemotePartyRole[]; command?: Protection; response?: Protection; alert?: Protection }
function forms(info: MessageCodeInfo): Form[] {
  return info.variant ? [info, info.variant] : [info];
}
function protectionOf(f: Form, kind: string): Protection | undefined {
  return kind === 'COMMAND' ? f.command : kind === 'RESPONSE' ? f.response : kind === 'ALERT' ? f.alert : f.command;
}

test('manifest has rows', () => {
  assert.ok(rows.length > 700, 'rows ' + rows.length);
  assert.ok(CODE >= 0 && SIG >= 0 && WRAPPER >= 0, 'columns');
});

test('every code in the manifest is known, under the use case its name gives', () => {
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r[CODE])) continue;
    seen.add(r[CODE]);
    const info = messageCodeInfo(parseInt(r[CODE], 16));
    assert.ok(info, `${r[CODE]} (${r[NAME]}) unknown`);
    const first = r[NAME].split(' ')[0];
    if (/^(E|G|C|P|H|PE|HE)?CS\d|^DBCH\d/i.test(first)) {
      const theirs = first.toUpperCase().split('/');
      const ours = info!.useCase.toUpperCase().split('/');
      assert.ok(theirs.some((u) => ours.includes(u)), `${r[CODE]}: manifest says ${first}, table ${info!.useCase}`);
      for (const u of theirs) assert.ok(messageCodesFor(u).includes(info!.code), `messageCodesFor(${u}) lacks ${r[CODE]}`);
    }
  }
  assert.ok(seen.size >= 150, 'codes seen ' + seen.size);
});

test('protection and criticality agree with each message of the manifest', () => {
  // Per code and form: does any of its messages carry a signature? That is what critical means.
  const signedSeen = new Map<string, boolean>();
  for (const r of rows) {
    const info = messageCodeInfo(parseInt(r[CODE], 16))!;
    const p = shown(r);
    const fs = forms(info);
    let k = -1;
    if (p === 'precommand') k = fs.findIndex((f) => f.command === 'signed-and-mac'); // only signed commands have one
    else k = fs.findIndex((f) => protectionOf(f, r[KIND]) === p);
    assert.ok(k >= 0, `${r[FILE]}: ${r[KIND]} shows ${p}, table has ${fs.map((f) => protectionOf(f, r[KIND])).join(' | ')}`);
    const key = r[CODE] + '/' + k;
    signedSeen.set(key, (signedSeen.get(key) ?? false) || p === 'signed' || p === 'signed-and-mac' || p === 'precommand');
  }
  for (const [key, signed] of signedSeen) {
    const [code, k] = key.split('/');
    const f = forms(messageCodeInfo(parseInt(code, 16))!)[Number(k)];
    assert.is(f.critical, signed, `${code} form ${k}: critical ${f.critical}, manifest shows signature ${signed}`);
  }
});

test('command originators in the manifest are allowed by the table', () => {
  for (const r of rows) {
    if (r[KIND] !== 'COMMAND' && r[KIND] !== 'PRECOMMAND') continue;
    const role = PARTY[r[ORIG]];
    const info = messageCodeInfo(parseInt(r[CODE], 16))!;
    if (!role) {
      assert.ok(info.hanOnly, `${r[FILE]}: device ${r[ORIG]} originates a non-HAN command`);
      continue;
    }
    const p = shown(r);
    const ok = forms(info).some((f) => f.originators.includes(role) && (p === 'precommand' || protectionOf(f, 'COMMAND') === p));
    assert.ok(ok, `${r[FILE]}: ${role} may not originate ${r[CODE]} (${info.useCase}) as ${p}`);
  }
});

test('alerts and device-originated codes name no originator', () => {
  for (let c = 0; c <= 0xffff; c++) {
    const info = messageCodeInfo(c);
    if (!info) continue;
    if (info.alert) {
      assert.equal(info.originators, [], `${c.toString(16)} alert with originators`);
      assert.ok(!info.command && !info.response, `${c.toString(16)} alert with command protection`);
    } else if (!info.hanOnly) {
      assert.ok(info.originators.length > 0 && info.command && info.response, `${c.toString(16)} command without originators/protection`);
    }
    assert.ok(info.devices.length > 0, `${c.toString(16)} without devices`);
    assert.ok(info.code === c, 'code echoed');
  }
});

test('look-ups: examples, reverse look-up, unknown codes', () => {
  const cs06 = messageCodeInfo(0x0012)!;
  assert.is(cs06.useCase, 'CS06');
  assert.is(cs06.critical, true);
  assert.is(cs06.command, 'signed-and-mac');
  assert.is(cs06.response, 'signed');
  assert.equal(cs06.originators, ['supplier']);
  assert.is(messageCodeInfo(0x0059)!.useCase, 'ECS52');
  assert.is(messageCodeInfo(0x0059)!.critical, false);
  assert.is(messageCodeInfo(0x00cc)!.alert, 'signed');
  assert.is(messageCodeInfo(0x1001)!.alert, 'mac');
  assert.is(messageCodeInfo(0x0108)!.command, 'signed');
  assert.equal(messageCodeInfo(0x0103)!.originators, ['networkOperator', 'acb']);
  assert.equal(messageCodesFor('CS02b'), [0x00cb, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104, 0x0105, 0x0106, 0x0107, 0x0108, 0x0109]);
  assert.equal(messageCodesFor('cs03a2'), [0x00ab]);
  assert.equal(messageCodesFor('CCS04'), [0x0004]);
  assert.equal(messageCodesFor('CCS05'), [0x0004]);
  assert.equal(messageCodesFor('ECS99'), []);
  for (const c of [0x0000, 0x0005, 0x0125, 0x0127, 0x2000, 0xffff, -1, 0x10012, 1.5]) assert.is(messageCodeInfo(c), undefined, 'code ' + c);
  for (const n of [0, 1, 2, 3, 4, 5, 6, 7, 8, 0x7f]) assert.is(roleNumber(roleFromNumber(n)!), n);
  assert.is(roleFromNumber(9), undefined);
});

test('every code has a title and every title a code', () => {
  let n = 0;
  for (let c = 0; c <= 0xffff; c++) {
    const info = messageCodeInfo(c);
    const title = messageTitle(c);
    assert.is(!!info, !!title, `code ${c.toString(16)}: info ${!!info}, title ${title}`);
    if (info) n++;
  }
  assert.is(messageTitle(0x0012), 'Activate Firmware');
  assert.is(messageTitle(0x1001), 'Generic Non Critical Alert');
  assert.is(messageTitle(0x0125), undefined);
  console.log(`  message codes known: ${n}`);
});

test('every message among the gbcs-parser spec vectors has a known code whose protection its wrapper shows', () => {
  const vectors = JSON.parse(readFileSync(new URL('../../shared/vectors/gbcs-parser-inline/inline-vectors.json', import.meta.url), 'utf8')) as Record<string, { hex?: string; base64?: string }>;
  let n = 0;
  for (const [name, v] of Object.entries(vectors)) {
    if (name.startsWith('malformed') || (!v.hex && !v.base64)) continue;
    const b = v.hex ? Buffer.from(v.hex, 'hex') : Buffer.from(v.base64 as string, 'base64');
    if (b[0] !== 0xdd && b[0] !== 0xdf) continue;
    const gs = b[0] === 0xdd ? b.indexOf(0xdf) : 0;
    const cra = b[gs + 2];
    const otherInfo = gs + 3 + 8 + 9 + 9 + 1; // DF 09 CRA, counter, originator, recipient, date-time 00
    const code = (b[otherInfo + 1] << 8) | b[otherInfo + 2];
    const info = messageCodeInfo(code);
    assert.ok(info, name + ': code 0x' + code.toString(16) + ' unknown');
    if (cra === 1 && b[0] === 0xdd) assert.ok(forms(info!).some((f) => f.command === 'mac' || f.command === 'signed-and-mac'), name + ': DD command, table ' + info!.command);
    if (cra === 2 && b[0] === 0xdd) assert.ok(forms(info!).some((f) => f.response === 'mac'), name + ': DD response, table ' + info!.response);
    n++;
  }
  assert.ok(n >= 8, 'vectors checked ' + n);
});

test('the read codes are exactly the codes whose GBCS title begins "Read "', () => {
  const fromTitles: number[] = [];
  for (let c = 0; c < 0x10000; c++) {
    const t = messageTitle(c);
    if (t && t.indexOf('Read ') === 0) fromTitles.push(c);
  }
  assert.equal(readCodes(), fromTitles);
  assert.ok(isReadCode(0x0059) && isReadCode(0x0004), 'ECS52 and CCS04... reads');
  assert.not.ok(isReadCode(0x0050), 'ECS43 disable supply is no read');
  assert.not.ok(isReadCode(0x10004), 'a code above 16 bits is none');
});

test.run();
