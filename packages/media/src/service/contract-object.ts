/**
 * One exported interface built from its contract spec; every handler runs through the error map.
 * @since 0.1.0
 */
import dbus from 'dbus-next';
import { NotImplementedError } from '@confab/sdk';
import type { InterfaceSpec } from './contract';
import { toDBusError } from './errors';

type Handler = (...args: never[]) => unknown;
export interface Handlers {
  readonly methods: Record<string, Handler>;
  readonly properties: Record<string, () => unknown>;
}
export type Log = (where: string, err: unknown) => void;

type Dynamic = InstanceType<typeof dbus.interface.Interface> & { $handlers: Handlers; $log: Log; [member: string]: unknown };

const classes = new Map<string, new () => Dynamic>();

function callMethod(self: Dynamic, iface: string, name: string, args: unknown[]): unknown {
  const where = `${iface}.${name}`;
  const fn = self.$handlers.methods[name] as ((...a: unknown[]) => unknown) | undefined;
  try {
    if (!fn) throw new NotImplementedError(`${where} is not implemented`);
    const result = fn(...args);
    if (result instanceof Promise) return result.catch((err: unknown) => Promise.reject(toDBusError(err, where, self.$log)));
    return result;
  } catch (err) {
    throw toDBusError(err, where, self.$log);
  }
}

function interfaceClass(spec: InterfaceSpec): new () => Dynamic {
  const cached = classes.get(spec.name);
  if (cached) return cached;
  class Impl extends dbus.interface.Interface {
    constructor() {
      super(spec.name);
    }
  }
  const proto = Impl.prototype as unknown as Record<string, unknown>;
  for (const name of Object.keys(spec.methods)) {
    proto[name] = function (this: Dynamic, ...args: unknown[]) {
      return callMethod(this, spec.name, name, args);
    };
  }
  for (const name of Object.keys(spec.properties)) {
    Object.defineProperty(proto, name, { get(this: Dynamic) { return this.$handlers.properties[name]?.(); } });
  }
  // dbus-next emits what the signal method returns as the signal's body
  for (const name of Object.keys(spec.signals)) proto[name] = (...args: unknown[]) => (args.length === 1 ? args[0] : args);
  Impl.configureMembers({
    methods: Object.fromEntries(Object.entries(spec.methods).map(([n, m]) => [n, { inSignature: m.inSignature, outSignature: m.outSignature }])),
    properties: Object.fromEntries(Object.entries(spec.properties).map(([n, p]) => [n, { signature: p.signature, access: p.access }])),
    signals: Object.fromEntries(Object.entries(spec.signals).map(([n, s]) => [n, { signature: s.signature }])),
  });
  const ctor = Impl as unknown as new () => Dynamic;
  classes.set(spec.name, ctor);
  return ctor;
}

export class ContractObject {
  readonly iface: Dynamic;

  constructor(readonly spec: InterfaceSpec, handlers: Handlers, log: Log) {
    this.iface = new (interfaceClass(spec))();
    this.iface.$handlers = handlers;
    this.iface.$log = log;
  }

  emit(signal: string, ...args: unknown[]): void {
    (this.iface[signal] as (...a: unknown[]) => void)(...args);
  }

  propertiesChanged(changed: Record<string, unknown>): void {
    dbus.interface.Interface.emitPropertiesChanged(this.iface, changed, []);
  }
}
