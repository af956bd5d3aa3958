/**
 * One kind of object on the bus (accounts, channels, people; calls next): each exported at its path
 * with its handlers, announced on the ObjectManager (InterfacesAdded / InterfacesRemoved), refreshed
 * when its feature says it changed. Written once for every kind; a kind's own extras go in the hooks.
 */
import type dbus from 'dbus-next';
import type { InterfaceSpec } from './contract';
import { ContractObject, type ErrorContext, type Handlers } from './contract-object';

type Bus = Pick<ReturnType<typeof dbus.sessionBus>, 'export' | 'unexport'>;

export interface ObjectKind<K> {
  readonly spec: InterfaceSpec;
  path(id: K): string;
  handlers(id: K): Handlers;
  /** After the object is exported (announced or not). */
  added?(id: K): void;
  /** After the object is refreshed. */
  changed?(id: K): void;
  /** After the object is withdrawn. */
  removed?(id: K): void;
}

/** A feature's change of one of its things, as every feature reports it. */
export interface Change<K> {
  readonly id: K;
  readonly change: 'added' | 'removed' | 'changed';
}

export class ExportedObjects<K> {
  private readonly objects = new Map<K, ContractObject>();

  constructor(
    private readonly bus: Bus,
    private readonly objectManager: ContractObject,
    private readonly kind: ObjectKind<K>,
    private readonly ctx: ErrorContext,
  ) {}

  /** Exports the object; `announce` emits InterfacesAdded (not at start-up, before the name is owned). */
  add(id: K, announce: boolean): void {
    if (this.objects.has(id)) return;
    const obj = new ContractObject(this.kind.spec, this.kind.handlers(id), this.ctx);
    this.objects.set(id, obj);
    this.bus.export(this.kind.path(id), obj.iface);
    this.kind.added?.(id);
    if (announce) this.objectManager.emit('InterfacesAdded', this.kind.path(id), { [this.kind.spec.name]: obj.variants() });
  }

  remove(id: K): void {
    const obj = this.objects.get(id);
    if (!obj) return;
    this.objects.delete(id);
    this.kind.removed?.(id);
    this.bus.unexport(this.kind.path(id), obj.iface);
    this.objectManager.emit('InterfacesRemoved', this.kind.path(id), [this.kind.spec.name]);
  }

  /** Emits PropertiesChanged for what changed (nothing for an object not exported). */
  refresh(id: K): void {
    this.objects.get(id)?.refresh();
  }

  /** Emits one of the object's signals (nothing for an object not exported). */
  emit(id: K, signal: string, ...args: unknown[]): void {
    this.objects.get(id)?.emit(signal, ...args);
  }

  /** Follows the feature: added, removed, or changed (refreshed, then the `changed` hook). */
  follow({ id, change }: Change<K>): void {
    if (change === 'added') this.add(id, true);
    else if (change === 'removed') this.remove(id);
    else {
      this.refresh(id);
      this.kind.changed?.(id);
    }
  }

  /** The objects with their properties, for GetManagedObjects. */
  managed(into: Record<string, Record<string, Record<string, unknown>>>): void {
    for (const [id, obj] of this.objects) into[this.kind.path(id)] = { [this.kind.spec.name]: obj.variants() };
  }
}
