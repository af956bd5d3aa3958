/**
 * The introspection XML in `packages/media/dbus/` is the contract of im.confab.Media1: the exported
 * interfaces are built from it (names and signatures from the XML, handlers from the code), as
 * confabd does with its own (packages/daemon/src/dbus/contract.ts), so code and contract cannot drift.
 * @since 0.1.0
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseStringPromise } from 'xml2js';

export interface MethodSpec { readonly inSignature: string; readonly outSignature: string }
export interface PropertySpec { readonly signature: string; readonly access: 'read' | 'write' | 'readwrite' }
export interface InterfaceSpec {
  readonly name: string;
  readonly methods: Record<string, MethodSpec>;
  readonly properties: Record<string, PropertySpec>;
  readonly signals: Record<string, { readonly signature: string }>;
}

export const CONTRACT_FILE = join(__dirname, '..', '..', 'dbus', 'im.confab.Media1.xml');

interface XmlArg { $: { type: string; direction?: string } }
interface XmlMember { $: { name: string; type?: string; access?: string }; arg?: XmlArg[] }
interface XmlInterface { $: { name: string }; method?: XmlMember[]; property?: XmlMember[]; signal?: XmlMember[] }

export async function loadContract(file = CONTRACT_FILE): Promise<Map<string, InterfaceSpec>> {
  const doc = (await parseStringPromise(readFileSync(file, 'utf8'))) as { node: { interface?: XmlInterface[] } };
  const out = new Map<string, InterfaceSpec>();
  for (const x of doc.node.interface ?? []) {
    const methods: Record<string, MethodSpec> = {};
    for (const m of x.method ?? []) {
      const args = m.arg ?? [];
      methods[m.$.name] = {
        inSignature: args.filter((a) => (a.$.direction ?? 'in') === 'in').map((a) => a.$.type).join(''),
        outSignature: args.filter((a) => a.$.direction === 'out').map((a) => a.$.type).join(''),
      };
    }
    const properties: Record<string, PropertySpec> = {};
    for (const p of x.property ?? []) properties[p.$.name] = { signature: p.$.type ?? 's', access: (p.$.access ?? 'read') as PropertySpec['access'] };
    const signals: Record<string, { signature: string }> = {};
    for (const s of x.signal ?? []) signals[s.$.name] = { signature: (s.arg ?? []).map((a) => a.$.type).join('') };
    out.set(x.$.name, { name: x.$.name, methods, properties, signals });
  }
  return out;
}
