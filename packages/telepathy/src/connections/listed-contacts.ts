/**
 * The account's contacts as the daemon lists them (any protocol: an XMPP roster, IRC MONITOR, SIP
 * presence, Tox friends), kept to answer spec 0.27 SimplePresence and Aliasing for them and to say
 * what changed: `PresencesChanged` for a presence, `AliasesChanged` for a name. Re-read whenever the
 * daemon says the account's contacts changed.
 */
import type { ConfabContact, ConfabContacts } from '../confab';

export interface ListedChanges {
  readonly presence: ConfabContact[];
  readonly alias: ConfabContact[];
}

export class ListedContacts {
  private byId = new Map<string, ConfabContact>();

  constructor(private readonly contacts: ConfabContacts, private readonly accountId: string) {
    this.byId = this.read();
  }

  get(id: string): ConfabContact | undefined {
    return this.byId.get(id);
  }

  /** Re-reads the list; what changed of the contacts still on it (a contact gone says nothing: its entry does). */
  changed(): ListedChanges {
    const before = this.byId;
    this.byId = this.read();
    const presence: ConfabContact[] = [];
    const alias: ConfabContact[] = [];
    for (const [id, c] of this.byId) {
      const was = before.get(id);
      if (!was ? c.status !== 'unknown' : was.status !== c.status || was.message !== c.message) presence.push(c);
      if (was && was.alias !== c.alias) alias.push(c);
    }
    // a contact off the list: its presence is no longer followed (spec SimplePresence: unknown)
    for (const [id, c] of before) if (!this.byId.has(id) && c.status !== 'unknown') presence.push({ ...c, status: 'unknown', message: '' });
    return { presence, alias };
  }

  private read(): Map<string, ConfabContact> {
    try {
      return new Map(this.contacts.list(this.accountId).map((c) => [c.id, c]));
    } catch {
      return new Map(); // the account was removed: its connection goes
    }
  }
}
