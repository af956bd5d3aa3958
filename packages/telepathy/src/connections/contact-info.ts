/**
 * spec 0.27 `Connection.Interface.ContactInfo`, read-only, over what the daemon's contacts feature asks
 * the network about a contact (IRC WHOIS, the XMPP roster item and what the contact publishes): the
 * same answer as the native `GetContactInfo`, as vCard-like fields (`Contact_Info_Field`: name,
 * parameters, values). `ContactInfoFlags` 0: nothing can be set, and nothing is pushed, so clients ask
 * with `RequestContactInfo` (Polari's user popover, `/whois`); `GetContactInfo` answers only what an
 * earlier request learnt (spec: it never goes to the network), and `RefreshContactInfo` asks again and
 * says `ContactInfoChanged`.
 */
import type { ContactInfo } from '@confab/sdk';
import type { ConfabFeatures } from '../confab';
import { specOf, type Contract } from '../dbus/contract';
import { ContractObject, type ObjectContext } from '../dbus/contract-object';
import { CONTACT_INFO_IFACE } from './constants';

/** spec Contact_Info_Field: (field name, parameters, values). */
export type InfoField = [string, string[], string[]];

/** Confab's keys as vCard fields (RFC 6350; `x-` for the rest, as telepathy-idle and gabble do). */
const FIELD: Readonly<Record<string, string>> = {
  realname: 'fn', // IRC RPL_WHOISUSER realname: what the user calls themselves
  nickname: 'nickname', // XMPP XEP-0172
  nick: 'nickname',
  jid: 'x-jabber',
};
/** Not information about the contact to show (a local file of ours). */
const LEFT_OUT = new Set(['avatar']);

export function infoFields(info: ContactInfo): InfoField[] {
  return Object.entries(info)
    .filter(([k]) => !LEFT_OUT.has(k))
    .map(([k, v]) => [FIELD[k] ?? `x-${k.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`, [], [v]]);
}

export interface ContactInfoHost {
  readonly f: ConfabFeatures;
  readonly accountId: string;
  readonly contract: Contract;
  readonly ctx: ObjectContext;
  /** The id of a contact handle; InvalidHandle for one never given out. */
  idOf(handle: number): string;
}

export class ContactInfoObject {
  readonly object: ContractObject;
  /** What RequestContactInfo learnt, per handle, for GetContactInfo and the `info` attribute. */
  private readonly known = new Map<number, InfoField[]>();

  constructor(private readonly host: ContactInfoHost) {
    this.object = new ContractObject(specOf(host.contract, CONTACT_INFO_IFACE), {
      methods: {
        GetContactInfo: (handles: number[]) => Object.fromEntries(handles.filter((h) => this.known.has(h)).map((h) => [h, this.known.get(h)!])),
        RequestContactInfo: (handle: number) => this.request(handle),
        RefreshContactInfo: (handles: number[]) => {
          for (const h of handles) host.idOf(h); // InvalidHandle before anything is asked
          void this.refresh(handles);
        },
        // SetContactInfo: not served (NotImplemented): ContactInfoFlags has no Can_Set
      },
      properties: { ContactInfoFlags: () => 0, SupportedFields: () => [] },
    }, host.ctx);
  }

  /** The fields known of a contact (undefined: never asked). */
  fieldsOf(handle: number): InfoField[] | undefined {
    return this.known.get(handle);
  }

  private async request(handle: number): Promise<InfoField[]> {
    const id = this.host.idOf(handle);
    const fields = infoFields(await this.host.f.contacts.info(this.host.accountId, id));
    this.known.set(handle, fields);
    return fields;
  }

  /** spec RefreshContactInfo: asked again, each answer said with ContactInfoChanged; failures only logged (the method returns at once). */
  private async refresh(handles: number[]): Promise<void> {
    for (const h of handles) {
      try {
        this.object.emit('ContactInfoChanged', h, await this.request(h));
      } catch (err) {
        this.host.ctx.log.debug('refreshing the contact information of %d: %s', h, (err as Error).message);
      }
    }
  }
}
