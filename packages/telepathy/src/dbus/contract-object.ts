/**
 * One exported D-Bus interface instance, built from its contract spec: member names and signatures
 * come from the XML; the code supplies method handlers, property getters and, for readwrite
 * properties, setters. Every handler runs through the error map, so a Telepathy client always gets an
 * `org.freedesktop.Telepathy.Error.*` and never a stack trace. `refresh()` emits PropertiesChanged
 * with exactly the properties whose value changed, and hands them to `onChanged` (an Account also
 * says them in its own AccountPropertyChanged, which telepathy-glib 0.24 listens to).
 */
import dbus from 'dbus-next';
import type { Logger } from '@confab/sdk';
import type { InterfaceSpec } from './contract';
import { toTelepathyError, type Redact } from './errors';

type Variant = InstanceType<typeof dbus.Variant>;
type Handler = (...args: never[]) => unknown;

export interface Handlers {
  readonly methods?: Record<string, Handler>;
  readonly properties: Record<string, () => unknown>;
  /** For readwrite properties: applies a value a client Set (the object refreshes after). */
  readonly setters?: Record<string, (value: never) => void>;
}

export interface ObjectContext {
  readonly redact: Redact;
  readonly log: Logger;
}

type DynamicInterface = InstanceType<typeof dbus.interface.Interface> & {
  $owner: ContractObject;
  [member: string]: unknown;
};

const classes = new Map<string, new () => DynamicInterface>();

function interfaceClass(spec: InterfaceSpec): new () => DynamicInterface {
  const cached = classes.get(spec.name);
  if (cached) return cached;
  class Dynamic extends dbus.interface.Interface {
    constructor() {
      super(spec.name);
    }
  }
  const proto = Dynamic.prototype as unknown as Record<string, unknown>;
  for (const name of Object.keys(spec.methods)) {
    proto[name] = function (this: DynamicInterface, ...args: unknown[]) {
      return this.$owner.call(name, args);
    };
  }
  for (const name of Object.keys(spec.properties)) {
    Object.defineProperty(proto, name, {
      get(this: DynamicInterface) {
        return this.$owner.get(name);
      },
      set(this: DynamicInterface, value: unknown) {
        this.$owner.set(name, value);
      },
    });
  }
  for (const name of Object.keys(spec.signals)) {
    // dbus-next emits what the signal method returns as the signal's body.
    proto[name] = (...args: unknown[]) => (args.length === 1 ? args[0] : args);
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
  private readonly last = new Map<string, string>();

  constructor(
    readonly spec: InterfaceSpec,
    private readonly handlers: Handlers,
    private readonly ctx: ObjectContext,
    /** Told the properties that changed, as variants, after PropertiesChanged went out. */
    private readonly onChanged?: (changed: Record<string, Variant>) => void,
  ) {
    const Cls = interfaceClass(spec);
    this.iface = new Cls();
    this.iface.$owner = this;
    this.remember();
  }

  /** @internal a method call from the bus */
  call(name: string, args: unknown[]): unknown {
    const where = `${this.spec.name}.${name}`;
    const fn = this.handlers.methods?.[name] as ((...a: unknown[]) => unknown) | undefined;
    try {
      if (!fn) throw new dbus.DBusError('org.freedesktop.Telepathy.Error.NotImplemented', `${where} is not implemented by Confab yet`);
      const result = fn(...args);
      if (result instanceof Promise) return result.catch((err: unknown) => Promise.reject(this.error(err, where)));
      return result;
    } catch (err) {
      throw this.error(err, where);
    }
  }

  /** @internal a property read from the bus */
  get(name: string): unknown {
    const getter = this.handlers.properties[name];
    return getter ? getter() : undefined;
  }

  /** @internal a property write from the bus (dbus-next has checked its signature) */
  set(name: string, value: unknown): void {
    const where = `${this.spec.name}.${name}`;
    const setter = this.handlers.setters?.[name] as ((v: unknown) => void) | undefined;
    // dbus-next answers a Set of a read-only property with an error itself, then still assigns: ignore that.
    if (this.spec.properties[name]?.access === 'read') return;
    try {
      if (!setter) throw new dbus.DBusError('org.freedesktop.Telepathy.Error.PermissionDenied', `${where} cannot be set`);
      setter(value);
    } catch (err) {
      throw this.error(err, where);
    }
    this.refresh();
  }

  /** The current property values as variants, for a GetAll-like answer. */
  variants(): Record<string, Variant> {
    const out: Record<string, Variant> = {};
    for (const [name, value] of this.values()) out[name] = new dbus.Variant(this.spec.properties[name].signature, value);
    return out;
  }

  /**
   * Emits PropertiesChanged (and tells `onChanged`) for the properties whose value changed since the
   * last call. Never throws: it runs from event callbacks, and a getter that fails is logged.
   */
  refresh(): void {
    try {
      const changed: Record<string, unknown> = {};
      for (const [name, value] of this.values()) {
        const fp = fingerprint(value);
        if (this.last.get(name) === fp) continue;
        this.last.set(name, fp);
        changed[name] = value;
      }
      if (Object.keys(changed).length === 0) return;
      dbus.interface.Interface.emitPropertiesChanged(this.iface, changed, []);
      this.onChanged?.(Object.fromEntries(Object.entries(changed).map(([n, v]) => [n, new dbus.Variant(this.spec.properties[n].signature, v)])));
    } catch (err) {
      this.ctx.log.warn('refreshing %s failed: %s', this.spec.name, (err as Error).message);
    }
  }

  emit(signal: string, ...args: unknown[]): void {
    (this.iface[signal] as (...a: unknown[]) => void)(...args);
  }

  private remember(): void {
    try {
      for (const [name, value] of this.values()) this.last.set(name, fingerprint(value));
    } catch (err) {
      this.ctx.log.warn('reading %s failed: %s', this.spec.name, (err as Error).message);
    }
  }

  private error(err: unknown, where: string): InstanceType<typeof dbus.DBusError> {
    return toTelepathyError(err, this.ctx.redact, this.ctx.log, where);
  }

  private *values(): Generator<[string, unknown]> {
    for (const name of Object.keys(this.spec.properties)) {
      const getter = this.handlers.properties[name];
      if (getter) yield [name, getter()];
    }
  }
}

function fingerprint(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}
