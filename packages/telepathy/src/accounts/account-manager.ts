/**
 * The AccountManager object (`/org/freedesktop/Telepathy/AccountManager`) and the Account objects,
 * following Confab's accounts: an account added, changed or removed on Confab (by any client) is
 * added, refreshed or withdrawn here, with AccountValidityChanged / AccountRemoved.
 *
 * An account being created through CreateAccount appears on Confab before its Telepathy properties
 * are applied; its object is exported only once they are, so no client sees it enabled for a moment.
 */
import type dbus from 'dbus-next';
import type { ConfabFeatures } from '../confab';
import { specOf, type Contract } from '../dbus/contract';
import { ContractObject, type ObjectContext } from '../dbus/contract-object';
import { AM_IFACE, AM_PATH } from '../names';
import { AccountObject } from './account-object';
import type { AccountOps } from './account-ops';
import { SUPPORTED_PROPERTIES, createAccount } from './create-account';

type Bus = Pick<ReturnType<typeof dbus.sessionBus>, 'export' | 'unexport'>;
type Variants = Record<string, { signature?: string; value: unknown }>;

export class AccountManager {
  private readonly manager: ContractObject;
  private readonly accounts = new Map<string, AccountObject>();
  private creating = 0;
  private readonly held = new Set<string>();

  constructor(
    private readonly bus: Bus,
    private readonly contract: Contract,
    private readonly f: ConfabFeatures,
    private readonly ops: AccountOps,
    private readonly ctx: ObjectContext,
  ) {
    this.manager = new ContractObject(specOf(contract, AM_IFACE), {
      methods: { CreateAccount: (cm: string, protocol: string, name: string, params: Variants, props: Variants) => this.create(cm, protocol, name, params, props) },
      properties: {
        Interfaces: () => [],
        ValidAccounts: () => [...this.accounts.values()].map((a) => a.path),
        InvalidAccounts: () => [], // an account whose plugin is missing is not loaded by the daemon at all
        SupportedAccountProperties: () => Object.keys(SUPPORTED_PROPERTIES),
      },
    }, ctx);
  }

  /** Exports the manager and every account (before the bus name is asked for). */
  export(): void {
    this.bus.export(AM_PATH, this.manager.iface);
    for (const id of this.f.accounts.ids()) this.add(id, false);
  }

  unexport(): void {
    for (const a of this.accounts.values()) a.unexport();
    this.accounts.clear();
    this.bus.unexport(AM_PATH, this.manager.iface);
  }

  /** Follows a Confab account change. */
  follow(id: string, change: 'added' | 'removed' | 'changed'): void {
    if (change === 'removed') return this.remove(id);
    if (change === 'added' && this.creating > 0) {
      this.held.add(id); // CreateAccount exports it once its Telepathy properties are set
      return;
    }
    if (change === 'added') return this.add(id, true);
    this.refresh(id);
  }

  refresh(id: string): void {
    if (!this.accounts.has(id)) return;
    try {
      this.ops.reconcile(id);
    } catch (err) {
      this.ctx.log.warn('following account %s failed: %s', id, (err as Error).message); // it is being removed
      return;
    }
    this.accounts.get(id)?.refresh();
  }

  refreshAll(): void {
    for (const id of this.accounts.keys()) this.refresh(id);
  }

  private async create(cm: string, protocol: string, name: string, params: Variants, props: Variants): Promise<string> {
    this.creating++;
    let id = '';
    try {
      id = await createAccount(this.f, this.ops, cm, protocol, name, params, props);
      this.ctx.log.info('account %s created by a Telepathy client (%s/%s)', id, cm, protocol);
    } finally {
      this.creating--;
      for (const held of [...this.held]) {
        if (this.creating > 0 && held !== id) continue;
        this.held.delete(held);
        if (this.f.accounts.find(held)) this.add(held, true);
      }
    }
    const obj = this.accounts.get(id);
    if (!obj) throw new Error(`account ${id} was removed while it was being created`);
    return obj.path;
  }

  private add(id: string, announce: boolean): void {
    if (this.accounts.has(id) || !this.f.accounts.find(id)) return;
    const obj = new AccountObject(this.bus, this.contract, this.ops, id, this.ctx);
    this.accounts.set(id, obj);
    obj.export();
    if (!announce) return;
    this.manager.emit('AccountValidityChanged', obj.path, true);
    this.manager.refresh();
  }

  private remove(id: string): void {
    this.held.delete(id);
    const obj = this.accounts.get(id);
    if (!obj) return;
    this.accounts.delete(id);
    obj.removed();
    this.manager.emit('AccountRemoved', obj.path);
    obj.unexport();
    this.manager.refresh();
  }
}
