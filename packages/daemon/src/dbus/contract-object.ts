/**
 * One exported D-Bus interface instance, built from its contract spec: the method names and
 * signatures come from the XML; the code supplies handlers and property getters. Every handler runs
 * through the error map, so a caller always gets `im.confab.Error.*` and never a stack trace.
 * `refresh()` emits PropertiesChanged with exactly the properties whose value changed.
 */
import dbus from 'dbus-next';
import { ConfabError, type Logger } from '@confab/sdk';
import type { Redactor } from '../log';
import type { InterfaceSpec } from './contract';
import { toDBusError } from './errors';

type Handler = (...args: never[]) => unknown;
export interface Handlers {
  readonly methods: Record<string, Handler>;
  readonly properties: Record<string, () => unknown>;
}

export interface ErrorContext {
  readonly redactor: Redactor;
  readonly log: Logger;
}

type DynamicInterface = InstanceType<typeof dbus.interface.Interface> & {
  $handlers: Handlers;
  $ctx: ErrorContext;
  [member: string]: unknown;
};

const classes = new Map<string, new () => DynamicInterface>();

function interfaceClass(spec: InterfaceSpec): new () => DynamicInterface {
  const cached = classes.get(spec.name);
  if (cached) return cached;
  const Base = dbus.interface.Interface;
  class Dynamic extends Base {
    constructor() {
      super(spec.name);
    }
  }
  const proto = Dynamic.prototype as unknown as Record<string, unknown>;
  for (const name of Object.keys(spec.methods)) {
    proto[name] = function (this: DynamicInterface, ...args: unknown[]) {
      const where = `${spec.name}.${name}`;
      const fn = this.$handlers.methods[name] as ((...a: unknown[]) => unknown) | undefined;
      try {
        if (!fn) throw new ConfabError('NotImplemented', `${where} is not implemented yet`);
        const result = fn(...args);
        if (result instanceof Promise) return result.catch((err: unknown) => Promise.reject(toDBusError(err, this.$ctx.redactor, this.$ctx.log, where)));
        return result;
      } catch (err) {
        throw toDBusError(err, this.$ctx.redactor, this.$ctx.log, where);
      }
    };
  }
  for (const name of Object.keys(spec.properties)) {
    Object.defineProperty(proto, name, {
      get(this: DynamicInterface) {
        const getter = this.$handlers.properties[name];
        return getter ? getter() : undefined;
      },
    });
  }
  for (const name of Object.keys(spec.signals)) {
    // dbus-next emits what the signal method returns as the signal's body.
    proto[name] = function (...args: unknown[]) {
      return args.length === 1 ? args[0] : args;
    };
  }
  Dynamic.configureMembers({
    methods: Object.fromEntries(Object.entries(spec.methods).map(([n, m]) => [n, { inSignature: m.inSignature, outSignature: m.outSignature }])),
    properties: Object.fromEntries(Object.entries(spec.properties).map(([n, p]) => [n, { signature: p.signature, access: p.access }])),
    signals: Object.fromEntries(Object.entries(spec.signals).map(([n, s]) => [n, { signature: s.signature }])),
  });
  const ctor = Dynamic as unknown as new () => DynamicInterface;
  classes.set(spec.name, ctor);
  return ctor;
}

export class ContractObject {
  readonly iface: DynamicInterface;
  private last = new Map<string, string>();

  constructor(
    readonly spec: InterfaceSpec,
    handlers: Handlers,
    ctx: ErrorContext,
  ) {
    const Cls = interfaceClass(spec);
    this.iface = new Cls();
    this.iface.$handlers = handlers;
    this.iface.$ctx = ctx;
    for (const [name, value] of this.values()) this.last.set(name, fingerprint(value));
  }

  /** The current property values, for GetManagedObjects / InterfacesAdded. */
  variants(): Record<string, InstanceType<typeof dbus.Variant>> {
    const out: Record<string, InstanceType<typeof dbus.Variant>> = {};
    for (const [name, value] of this.values()) out[name] = new dbus.Variant(this.spec.properties[name].signature, value);
    return out;
  }

  /**
   * Emits PropertiesChanged for the properties whose value changed since the last call. Never throws:
   * it runs from event callbacks, and a getter that fails (an object being removed) is logged.
   */
  refresh(): void {
    try {
      this.emitChanged();
    } catch (err) {
      this.iface.$ctx.log.warn('refreshing %s failed: %s', this.spec.name, (err as Error).message);
    }
  }

  private emitChanged(): void {
    const changed: Record<string, unknown> = {};
    let any = false;
    for (const [name, value] of this.values()) {
      const fp = fingerprint(value);
      if (this.last.get(name) === fp) continue;
      this.last.set(name, fp);
      changed[name] = value;
      any = true;
    }
    if (any) dbus.interface.Interface.emitPropertiesChanged(this.iface, changed, []);
  }

  emit(signal: string, ...args: unknown[]): void {
    (this.iface[signal] as (...a: unknown[]) => void)(...args);
  }

  private *values(): Generator<[string, unknown]> {
    for (const name of Object.keys(this.spec.properties)) {
      const getter = (this.iface.$handlers.properties)[name];
      if (getter) yield [name, getter()];
    }
  }
}

function fingerprint(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}
