/** The store's tables behind one object. */
import { AccountsTable } from './accounts';
import { CallsTable } from './calls';
import { ChannelsTable } from './channels';
import { ContactsTable } from './contacts';
import { openDatabase, openMemoryDatabase, type Db } from './database';
import { MessagesTable } from './messages';
import { PeopleTable } from './people';
import { SettingsTable } from './settings';

export class Store {
  readonly accounts: AccountsTable;
  readonly calls: CallsTable;
  readonly channels: ChannelsTable;
  readonly contacts: ContactsTable;
  readonly messages: MessagesTable;
  readonly people: PeopleTable;
  readonly settings: SettingsTable;

  constructor(
    readonly db: Db,
    /** The data folder (undefined for an in-memory store). */
    readonly dir?: string,
  ) {
    this.accounts = new AccountsTable(db, () => this.channels.reload());
    this.channels = new ChannelsTable(db);
    this.contacts = new ContactsTable(db);
    this.messages = new MessagesTable(db, (id, time) => this.channels.touched(id, time));
    this.calls = new CallsTable(db, this.messages); // each call's entry in its conversation is a row of messages
    this.settings = new SettingsTable(db);
    this.people = new PeopleTable(db);
  }

  static open(dataDir: string): Store {
    return new Store(openDatabase(dataDir), dataDir);
  }

  static memory(): Store {
    return new Store(openMemoryDatabase());
  }

  close(): void {
    this.db.close();
  }
}

export type { CallRow } from './calls';
export type { ChannelRow } from './channels';
export type { ContactRow } from './contacts';
export type { MessageRow, NewReceived, QueuedRow, StoredKind, StoredState } from './messages';
export type { ContactKey, MemberRow, PersonRow } from './people';
