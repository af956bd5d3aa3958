/**
 * What only Telepathy has of an account, kept with it in the daemon's store (AccountState, under
 * `telepathy.` keys, removed with the account): its Enabled apart from its requested presence (in
 * Confab an account is enabled or not, and the presence is global), Icon, Service, the automatic
 * presence, the Telepathy-only parameters… Absent keys have the defaults below, which is how an
 * account made on Confab's own API looks on Telepathy.
 */
import type { AccountState } from '@confab/sdk';
import type { KeptParam } from '../params/mapping';
import type { TpPresence } from './presence';

/** What the account asks of its connection on Telepathy: to be online (at Confab's presence), offline, or nothing yet (unset). */
export type Requested = 'online' | 'offline' | 'unset';

export interface TpFields {
  /** Telepathy's Enabled; undefined: Confab's. */
  readonly enabled?: boolean;
  /** undefined: online when Confab's account is enabled, else offline. */
  readonly requested?: Requested;
  readonly nickname?: string;
  readonly icon: string;
  readonly service: string;
  readonly automatic?: TpPresence;
  readonly connectAutomatically: boolean;
  readonly hasBeenOnline: boolean;
  readonly kept: Record<string, KeptParam>;
  readonly uriSchemes: string[];
  readonly avatar: [string, string]; // base64, MIME type
  readonly supersedes: string[];
}

type Key = keyof TpFields;

const KEY = (k: Key) => `telepathy.${k}`;

export class TpState {
  constructor(private readonly state: AccountState) {}

  read(): TpFields {
    return {
      enabled: this.get<boolean>('enabled'),
      requested: this.get<Requested>('requested'),
      nickname: this.get<string>('nickname'),
      icon: this.get<string>('icon') ?? '',
      service: this.get<string>('service') ?? '',
      automatic: this.get<TpPresence>('automatic'),
      connectAutomatically: this.get<boolean>('connectAutomatically') ?? true,
      hasBeenOnline: this.get<boolean>('hasBeenOnline') ?? false,
      kept: this.get<Record<string, KeptParam>>('kept') ?? {},
      uriSchemes: this.get<string[]>('uriSchemes') ?? [],
      avatar: this.get<[string, string]>('avatar') ?? ['', ''],
      supersedes: this.get<string[]>('supersedes') ?? [],
    };
  }

  write<K extends Key>(key: K, value: TpFields[K]): void {
    this.state.set(KEY(key), JSON.stringify(value));
  }

  private get<T>(key: Key): T | undefined {
    const text = this.state.get(KEY(key));
    if (text === undefined || text === '') return undefined;
    try {
      return JSON.parse(text) as T;
    } catch {
      return undefined; // a value this code never wrote: the default stands
    }
  }
}
