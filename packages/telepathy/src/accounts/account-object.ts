/**
 * One Telepathy Account object: org.freedesktop.Telepathy.Account with its Storage, Addressing and
 * Avatar interfaces, at `/org/freedesktop/Telepathy/Account/<cm>/<protocol>/<id>`, a thin map over
 * AccountOps. A change of any Account property goes out as PropertiesChanged and as
 * AccountPropertyChanged (the signal telepathy-glib 0.24 and Polari follow: Connection,
 * ConnectionStatus, ConnectionError and CurrentPresence changes among them).
 */
import type dbus from 'dbus-next';
import type { Contract } from '../dbus/contract';
import { specOf } from '../dbus/contract';
import { ContractObject, type ObjectContext } from '../dbus/contract-object';
import { ACCOUNT_IFACE, ADDRESSING_IFACE, AVATAR_IFACE, STORAGE_IFACE, accountPath } from '../names';
import type { AccountOps } from './account-ops';
import { accountProperties, avatarProperty, storageProperties } from './properties';

type Bus = Pick<ReturnType<typeof dbus.sessionBus>, 'export' | 'unexport'>;

export class AccountObject {
  readonly path: string;
  private readonly account: ContractObject;
  private readonly others: ContractObject[];

  constructor(
    private readonly bus: Bus,
    contract: Contract,
    ops: AccountOps,
    readonly id: string,
    ctx: ObjectContext,
  ) {
    const table = ops.table(id);
    this.path = accountPath(table.cm, table.protocol, id);
    const props = (name: string) => () => accountProperties(ops.table(id), ops.snapshot(id))[name];
    const spec = specOf(contract, ACCOUNT_IFACE);
    this.account = new ContractObject(spec, {
      methods: {
        Remove: () => ops.remove(id),
        UpdateParameters: (set: Record<string, unknown>, unset: string[]) => ops.updateParameters(id, set, unset),
        Reconnect: () => ops.reconnect(id),
      },
      properties: Object.fromEntries(Object.keys(spec.properties).map((n) => [n, props(n)])),
      setters: {
        DisplayName: (v: string) => ops.setDisplayName(id, v),
        Icon: (v: string) => ops.state(id).write('icon', v),
        Enabled: (v: boolean) => ops.setEnabled(id, v),
        Nickname: (v: string) => ops.setNickname(id, v),
        Service: (v: string) => ops.state(id).write('service', v),
        AutomaticPresence: (v: unknown) => ops.setAutomaticPresence(id, v),
        ConnectAutomatically: (v: boolean) => ops.state(id).write('connectAutomatically', v),
        RequestedPresence: (v: unknown) => ops.setRequestedPresence(id, v),
        Supersedes: (v: string[]) => ops.state(id).write('supersedes', v),
      },
    }, ctx, (changed) => this.account.emit('AccountPropertyChanged', changed));
    this.others = [
      new ContractObject(specOf(contract, STORAGE_IFACE), { properties: fromRecord(() => storageProperties(id), ['StorageProvider', 'StorageIdentifier', 'StorageSpecificInformation', 'StorageRestrictions']) }, ctx),
      new ContractObject(specOf(contract, ADDRESSING_IFACE), {
        methods: { SetURISchemeAssociation: (scheme: string, on: boolean) => ops.setUriScheme(id, scheme, on) },
        properties: { URISchemes: () => ops.state(id).read().uriSchemes },
      }, ctx),
      new ContractObject(specOf(contract, AVATAR_IFACE), {
        properties: { Avatar: () => avatarProperty(ops.state(id).read()) },
        setters: { Avatar: (v: unknown) => ops.setAvatar(id, v) },
      }, ctx, () => this.others[2].emit('AvatarChanged')),
    ];
  }

  export(): void {
    this.bus.export(this.path, this.account.iface);
    for (const o of this.others) this.bus.export(this.path, o.iface);
  }

  /** All interfaces at once: dbus-next 0.10 drops the whole object when one of several is unexported (`interfaces.length` of an object), and the next then throws. */
  unexport(): void {
    (this.bus.unexport as (path: string) => void).call(this.bus, this.path); // typed as needing an interface; without one it removes the object
  }

  /** Emits the changes of what Confab or a client changed. */
  refresh(): void {
    this.account.refresh();
    for (const o of this.others) o.refresh();
  }

  /** The account is gone (before the object is withdrawn). */
  removed(): void {
    this.account.emit('Removed');
  }
}

function fromRecord(read: () => Record<string, unknown>, names: string[]): Record<string, () => unknown> {
  return Object.fromEntries(names.map((n) => [n, () => read()[n]]));
}
