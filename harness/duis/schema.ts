/**
 * DUIS 5.4 schema validation with `xmllint-wasm` (libxml2's own validator compiled to WebAssembly:
 * the reference XSD implementation, no native build, runs in a worker). The schema is read from where
 * the caller says (default `../shared/vectors/duis/schema`, the DCC's published `DUIS Schema V5.4.xsd`
 * and the W3C `xmldsig-core-schema.xsd`).
 *
 * Written here, because the sample lacks it: the DUIS schema imports the ResponseAndAlert namespace from
 * "MMC Schema V5.4.xsd", which is not published with it and is used only by the SMETS1 response types.
 * We supply a stand-in that declares those three types as open content (lax), so every SMETS2 request
 * and response is validated in full and SMETS1 responses only loosely. File names are given without
 * spaces, as libxml2 resolves schemaLocation as a URI.
 *
 * Called only on text `parseXml` (xml.ts) accepted: no DOCTYPE reaches libxml2.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';

export const DEFAULT_SCHEMA_DIR = new URL('../../../shared/vectors/duis/schema/', import.meta.url).pathname;

const MMC_STANDIN = `<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.dccinterface.co.uk/ResponseAndAlert">
${['HeaderType', 'ResponsePayload', 'DeviceAlertMessageType'].map((t) => `  <xs:complexType name="${t}"><xs:sequence><xs:any processContents="lax" minOccurs="0" maxOccurs="unbounded"/></xs:sequence></xs:complexType>`).join('\n')}
</xs:schema>`;

export type SchemaVerdict = { ok: true } | { ok: false; reason: 'schema'; detail: string; errors: string[] };

export class DuisSchema {
  private duis: string;
  private dsig: string;
  constructor(dir = DEFAULT_SCHEMA_DIR) {
    this.duis = readFileSync(join(dir, 'DUIS Schema V5.4.xsd'), 'utf8').replace('schemaLocation="MMC Schema V5.4.xsd"', 'schemaLocation="mmc.xsd"');
    this.dsig = readFileSync(join(dir, 'xmldsig-core-schema.xsd'), 'utf8');
  }

  async validate(xml: string): Promise<SchemaVerdict> {
    return this.validateMany([xml]);
  }

  /** Several documents in one libxml2 run (each run costs ~0.4 s of worker start and schema compile). */
  async validateMany(xmls: string[]): Promise<SchemaVerdict> {
    const r = await validateXML({
      xml: xmls.map((x, i) => ({ fileName: i ? 'request' + i + '.xml' : 'request.xml', contents: x })),
      schema: [{ fileName: 'duis.xsd', contents: this.duis }],
      preload: [
        { fileName: 'xmldsig-core-schema.xsd', contents: this.dsig },
        { fileName: 'mmc.xsd', contents: MMC_STANDIN },
      ],
    });
    if (r.valid) return { ok: true };
    const errors = r.errors.map((e) => (e.message ?? e.rawMessage).replace(/^request\.xml:/, 'line '));
    return { ok: false, reason: 'schema', detail: errors[0] ?? 'invalid', errors };
  }
}
