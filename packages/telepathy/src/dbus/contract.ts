/**
 * The introspection XML files in `packages/telepathy/dbus/` are the contract: Telepathy spec 0.27.3's
 * interfaces, cut to the members Confab serves. The exported interfaces are built from them at start
 * (names and signatures from the XML, handlers from the code), as the daemon's own service is, so the
 * code cannot drift from what telepathy-glib expects to read.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseStringPromise } from 'xml2js';

export interface MethodSpec { readonly inSignature: string; readonly outSignature: string }
export interface PropertySpec { readonly signature: string; readonly access: 'read' | 'write' | 'readwrite' }
export interface SignalSpec { readonly signature: string }

export interface InterfaceSpec {
  readonly name: string;
  readonly methods: Record<string, MethodSpec>;
  readonly properties: Record<string, PropertySpec>;
  readonly signals: Record<string, SignalSpec>;
}

export type Contract = ReadonlyMap<string, InterfaceSpec>;

/** The folder holding the XML files, next to `dist/` in the installed package. */
export const CONTRACT_DIR = join(__dirname, '..', '..', 'dbus');

interface XmlArg { $: { name?: string; type: string; direction?: string } }
interface XmlMember { $: { name: string; type?: string; access?: string }; arg?: XmlArg[] }
interface XmlInterface { $: { name: string }; method?: XmlMember[]; property?: XmlMember[]; signal?: XmlMember[] }

export async function loadContract(dir = CONTRACT_DIR): Promise<Map<string, InterfaceSpec>> {
  const out = new Map<string, InterfaceSpec>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.xml')).sort()) {
    const doc = (await parseStringPromise(readFileSync(join(dir, file), 'utf8'))) as { node: { interface?: XmlInterface[] } };
    for (const iface of doc.node.interface ?? []) out.set(iface.$.name, toSpec(iface));
  }
  return out;
}

/** The interface's spec; a missing one is a packaging bug. */
export function specOf(contract: Contract, name: string): InterfaceSpec {
  const spec = contract.get(name);
  if (!spec) throw new Error(`the Telepathy contract has no interface ${name}`);
  return spec;
}

function toSpec(x: XmlInterface): InterfaceSpec {
  const methods: Record<string, MethodSpec> = {};
  for (const m of x.method ?? []) {
    const args = m.arg ?? [];
    methods[m.$.name] = {
      inSignature: args.filter((a) => (a.$.direction ?? 'in') === 'in').map((a) => a.$.type).join(''),
      outSignature: args.filter((a) => a.$.direction === 'out').map((a) => a.$.type).join(''),
    };
  }
  const properties: Record<string, PropertySpec> = {};
  for (const p of x.property ?? []) properties[p.$.name] = { signature: p.$.type!, access: (p.$.access ?? 'read') as PropertySpec['access'] };
  const signals: Record<string, SignalSpec> = {};
  for (const s of x.signal ?? []) signals[s.$.name] = { signature: (s.arg ?? []).map((a) => a.$.type).join('') };
  return { name: x.$.name, methods, properties, signals };
}
