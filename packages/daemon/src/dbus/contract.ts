/**
 * The introspection XML files in `packages/daemon/dbus/` are the contract. The interfaces exported on
 * the bus are built from them at start-up (names and signatures come from the XML, handlers from the
 * code), so the code cannot drift from the files; the contract test then checks the live objects
 * against the files from the outside, with gdbus.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseStringPromise } from 'xml2js';

export interface MethodSpec { readonly inSignature: string; readonly outSignature: string; readonly inNames: string[] }
export interface PropertySpec { readonly signature: string; readonly access: 'read' | 'write' | 'readwrite' }
export interface SignalSpec { readonly signature: string }

export interface InterfaceSpec {
  readonly name: string;
  readonly methods: Record<string, MethodSpec>;
  readonly properties: Record<string, PropertySpec>;
  readonly signals: Record<string, SignalSpec>;
}

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

function toSpec(x: XmlInterface): InterfaceSpec {
  const methods: Record<string, MethodSpec> = {};
  for (const m of x.method ?? []) {
    const args = m.arg ?? [];
    const ins = args.filter((a) => (a.$.direction ?? 'in') === 'in');
    methods[m.$.name] = {
      inSignature: ins.map((a) => a.$.type).join(''),
      outSignature: args.filter((a) => a.$.direction === 'out').map((a) => a.$.type).join(''),
      inNames: ins.map((a) => a.$.name ?? ''),
    };
  }
  const properties: Record<string, PropertySpec> = {};
  for (const p of x.property ?? []) properties[p.$.name] = { signature: p.$.type!, access: (p.$.access ?? 'read') as PropertySpec['access'] };
  const signals: Record<string, SignalSpec> = {};
  for (const s of x.signal ?? []) signals[s.$.name] = { signature: (s.arg ?? []).map((a) => a.$.type).join('') };
  return { name: x.$.name, methods, properties, signals };
}
