/**
 * Accounts: the configured identities, one runner each (supervisor/), their parameters and secrets,
 * and the presence the user asks of all of them. Owns the accounts table, the settings kept per
 * account (`account/<id>/…`: AccountState, the identity a connection told) and the `presence` setting,
 * the account cache folders and the secret store.
 *
 * The runners report here (RunnerHost). What an account's connection and lifecycle mean to the
 * other features — its events, its status, being ready, being removed — is the router's (core.ts).
 *
 * Secrets never enter the accounts table, events or errors, and every secret value is given to the
 * Redactor the moment it is read or written.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConfabError, Emitter, InvalidArgumentError, NotFoundError, PRESENCE_STATUSES, validateParams, withDefaults,
  type Account, type AccountConfig, type AccountParams, type AccountState, type Connection, type Logger, type Presence,
  type MediaService, type PresenceStatus, type Protocol,
} from '@confab/sdk';
import type { Config } from '../config';
import type { Redactor } from '../log';
import type { SecretStore } from '../secrets';
import type { Store } from '../storage/store';
import { AccountRunner, type RunnerHost, type Subscribe } from '../supervisor/account-runner';
import { accountIdentity, newAccountId, splitSecrets } from './params';

export type { AccountRunner } from '../supervisor/account-runner';

/** What an account's connection and lifecycle mean to the other features (implemented by core.ts). */
export interface AccountRouter {
  /** A new connection: subscribe the features to its events. */
  attach(runner: AccountRunner, conn: Connection, on: Subscribe): void;
  /** The status changed; told before it is announced. */
  statusChanged(runner: AccountRunner): void;
  /** Connected, with the presence applied. */
  ready(runner: AccountRunner): void;
  /** The account's rows are gone (its channels, messages, contacts went by cascade); `channels` were its channels. */
  removed(accountId: string, channels: readonly number[]): void;
}

/**
 * Asks, for one connection attempt, the secret parameters an account has no value for (`missing`):
 * the values for that attempt only — never stored, given to the Redactor —, or undefined to go on
 * without them. A rejection fails the attempt with its error. Set by the Telepathy adapter (a client's
 * password prompt, docs/telepathy.md).
 */
export type SecretPrompt = (accountId: string, missing: readonly string[]) => Promise<Record<string, string> | undefined>;

export interface AccountChange {
  readonly id: string;
  readonly change: 'added' | 'removed' | 'changed';
}

export class Accounts implements RunnerHost {
  private readonly runners = new Map<string, AccountRunner>();
  private presenceValue: Presence;
  private secretPrompt: SecretPrompt | undefined;

  private readonly changedEmitter = new Emitter<AccountChange>();
  /** An account was added or removed, or something shown of it changed (its status, its outbox, its contacts are announced apart). */
  readonly onChanged = this.changedEmitter.event;
  private readonly statusEmitter = new Emitter<AccountRunner>();
  readonly onStatusChanged = this.statusEmitter.event;
  private readonly presenceEmitter = new Emitter<Presence>();
  readonly onPresenceChanged = this.presenceEmitter.event;

  constructor(
    private readonly store: Store,
    readonly protocols: ReadonlyMap<string, Protocol>,
    private readonly secrets: SecretStore,
    private readonly redactor: Redactor,
    public config: Config,
    private readonly router: AccountRouter,
    private readonly log: Logger,
  ) {
    this.presenceValue = store.settings.get<Presence>('presence', { status: 'available', message: '' });
  }

  /** Creates runners for the stored accounts, without connecting them (before D-Bus export). */
  load(): void {
    for (const account of this.store.accounts.all()) {
      const protocol = this.protocols.get(account.protocol);
      if (!protocol) {
        this.log.warn('account %s uses protocol %s, which no loaded plugin provides', account.id, account.protocol);
        continue;
      }
      this.addRunner(account, protocol);
    }
  }

  /** Connects the enabled accounts (once the bus name is owned). */
  start(): void {
    for (const r of this.runners.values()) r.sync();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
  }

  // ---- reading ------------------------------------------------------------------------------

  protocol(id: string): Protocol {
    const p = this.protocols.get(id);
    if (!p) throw new NotFoundError(`no protocol '${id}' (available: ${[...this.protocols.keys()].join(', ') || 'none'})`);
    return p;
  }

  /** The account's runner; NotFound if there is no such account. */
  runner(accountId: string): AccountRunner {
    const r = this.runners.get(accountId);
    if (!r) throw new NotFoundError(`no account '${accountId}'`);
    return r;
  }

  /** The account's runner, if there is such an account (with its plugin loaded). */
  find(accountId: string): AccountRunner | undefined {
    return this.runners.get(accountId);
  }

  ids(): string[] {
    return [...this.runners.keys()];
  }

  /** Who the account is, as Account.Identity shows it. */
  identity(accountId: string): string {
    const r = this.runner(accountId);
    return accountIdentity(r.protocol, r.account, this.store.settings.get<string | undefined>(`account/${accountId}/identity`, undefined));
  }

  /** Names of the secret parameters that have a value. */
  secretNames(id: string): Promise<string[]> {
    return this.secrets.list(id);
  }

  get secretStoreKind(): string {
    return this.secrets.kind;
  }

  get presence(): Presence {
    return this.presenceValue;
  }

  /** Something shown of the account changed (its outbox size): announce it. */
  changed(id: string): void {
    this.changedEmitter.fire({ id, change: 'changed' });
  }

  /** Who is asked the secrets an account lacks when it connects (undefined: nobody). */
  setSecretPrompt(prompt: SecretPrompt | undefined): void {
    this.secretPrompt = prompt;
  }

  // ---- what the user does -------------------------------------------------------------------

  async create(protocolId: string, displayName: string, raw: Record<string, unknown>): Promise<Account> {
    const protocol = this.protocol(protocolId);
    const params = validateParams(protocol.parameters, raw);
    const { plain, secret } = this.split(protocol, params);
    const identity = protocol.identifyAccount(withDefaults(protocol.parameters, params));
    const id = newAccountId(protocol.id, identity, (taken) => this.store.accounts.exists(taken) || this.runners.has(taken));
    const account: Account = { id, protocol: protocol.id, displayName: displayName || identity, params: plain, enabled: true };
    for (const [name, value] of Object.entries(secret)) await this.secrets.set(id, name, value);
    this.store.accounts.insert(account);
    const runner = this.addRunner(account, protocol);
    this.log.info('account %s created (%s)', id, protocol.id);
    this.changedEmitter.fire({ id, change: 'added' });
    runner.sync();
    return account;
  }

  async update(id: string, set: Record<string, unknown>, unset: readonly string[]): Promise<void> {
    const runner = this.runner(id);
    const protocol = runner.protocol;
    const changes = validateParams(protocol.parameters, set, true);
    const { plain, secret } = this.split(protocol, changes);
    const params: AccountParams = { ...runner.account.params, ...plain };
    for (const name of unset) {
      const spec = protocol.parameters.find((s) => s.name === name);
      if (!spec) throw new InvalidArgumentError(`unknown parameter '${name}'`);
      if (spec.required) throw new InvalidArgumentError(`parameter '${name}' is required and cannot be unset`);
      if (spec.secret) await this.secrets.delete(id, name);
      delete params[name];
    }
    for (const [name, value] of Object.entries(secret)) await this.secrets.set(id, name, value);
    this.save(runner, { params });
    if (await runner.applyParams(changes, unset)) {
      this.changedEmitter.fire({ id, change: 'changed' }); // the identity may be new (a Tox nospam)
      return;
    }
    if (runner.status !== 'disconnected' || runner.reason !== 'requested') {
      if (runner.account.enabled && this.presenceValue.status !== 'offline') runner.start();
    }
  }

  setDisplayName(id: string, displayName: string): void {
    this.save(this.runner(id), { displayName });
  }

  setEnabled(id: string, enabled: boolean): void {
    const runner = this.runner(id);
    if (runner.account.enabled === enabled) return;
    this.save(runner, { enabled });
    if (enabled && this.presenceValue.status !== 'offline') runner.start();
    else runner.sync();
  }

  reconnect(id: string): void {
    const runner = this.runner(id);
    if (!runner.account.enabled) throw new ConfabError('NotAvailable', `account '${id}' is disabled`);
    if (this.presenceValue.status === 'offline') throw new ConfabError('NotAvailable', 'the presence is offline');
    runner.start();
  }

  async remove(id: string): Promise<void> {
    const runner = this.runner(id);
    await runner.stop();
    // Gone from the model and the bus first; the secrets after, so that nothing can see an account
    // that is half removed.
    this.runners.delete(id);
    const channels = this.store.channels.forAccount(id).map((ch) => ch.id); // what the cascade takes, for those who keep something per channel
    this.store.accounts.delete(id); // channels, messages, pending and outbox rows, contacts and their memberships cascade
    this.store.settings.deletePrefix(`account/${id}/`); // what its connections kept (AccountState)
    const cache = this.cacheDir(id);
    if (cache) rmSync(cache, { recursive: true, force: true }); // and the files they fetched
    this.router.removed(id, channels);
    this.changedEmitter.fire({ id, change: 'removed' });
    await this.secrets.deleteAccount(id);
    this.log.info('account %s removed', id);
  }

  setPresence(status: string, message: string): void {
    if (!PRESENCE_STATUSES.includes(status as PresenceStatus)) {
      throw new InvalidArgumentError(`presence must be one of ${PRESENCE_STATUSES.join(', ')}, not '${status}'`);
    }
    this.presenceValue = { status: status as PresenceStatus, message };
    this.store.settings.set('presence', this.presenceValue);
    this.presenceEmitter.fire(this.presenceValue);
    for (const r of this.runners.values()) {
      r.sync();
      void r.applyPresence();
    }
  }

  /** Routes an exception thrown where nobody could catch it to the account whose code threw it. */
  crash(accountId: string, err: unknown): boolean {
    const runner = this.runners.get(accountId);
    if (!runner) return false;
    runner.crashed(err);
    return true;
  }

  // ---- RunnerHost: what the runners ask and report ------------------------------------------

  policy(): Config['reconnect'] {
    return this.config.reconnect;
  }

  requestedPresence(): Presence {
    return this.presenceValue;
  }

  async resolveConfig(account: Account): Promise<AccountConfig> {
    const protocol = this.protocol(account.protocol);
    const params: AccountParams = withDefaults(protocol.parameters, account.params);
    const missing: string[] = [];
    for (const spec of protocol.parameters) {
      if (!spec.secret) continue;
      const value = await this.secrets.get(account.id, spec.name);
      if (value === undefined) {
        missing.push(spec.name);
        continue;
      }
      this.redactor.add(value);
      params[spec.name] = value;
    }
    // For this attempt only: a value given here is never written to the secret store.
    const given = missing.length > 0 && this.secretPrompt ? await this.secretPrompt(account.id, missing) : undefined;
    for (const [name, value] of Object.entries(given ?? {})) {
      if (!missing.includes(name) || typeof value !== 'string' || value === '') continue;
      this.redactor.add(value);
      params[name] = value;
    }
    return { id: account.id, protocol: account.protocol, params };
  }

  /** confab-media, given to connections for calls (set by the composition root; absent in some tests). */
  media?: MediaService;

  services(accountId: string): { state: AccountState; cacheDir: string | undefined; media: MediaService | undefined } {
    const prefix = `account/${accountId}/`;
    const settings = this.store.settings;
    return {
      state: { get: (k) => settings.get<string | undefined>(prefix + k, undefined), set: (k, v) => settings.set(prefix + k, v) },
      cacheDir: this.cacheDir(accountId),
      media: this.media,
    };
  }

  identified(accountId: string, identity: string): void {
    this.store.settings.set(`account/${accountId}/identity`, identity);
  }

  attach(runner: AccountRunner, conn: Connection, on: Subscribe): void {
    this.router.attach(runner, conn, on);
  }

  statusChanged(runner: AccountRunner): void {
    this.log.info('account %s: %s (%s)%s', runner.account.id, runner.status, runner.reason, runner.detail ? `: ${runner.detail}` : '');
    this.router.statusChanged(runner);
    this.statusEmitter.fire(runner);
    this.changedEmitter.fire({ id: runner.account.id, change: 'changed' });
  }

  ready(runner: AccountRunner): void {
    this.router.ready(runner);
  }

  // ---- internals ----------------------------------------------------------------------------

  private addRunner(account: Account, protocol: Protocol): AccountRunner {
    const runner = new AccountRunner(account, protocol, this, this.log.child(account.id));
    this.runners.set(account.id, runner);
    return runner;
  }

  private save(runner: AccountRunner, change: Partial<Account>): void {
    runner.account = { ...runner.account, ...change };
    this.store.accounts.update(runner.account);
    this.changedEmitter.fire({ id: runner.account.id, change: 'changed' });
  }

  private split(protocol: Protocol, params: AccountParams): ReturnType<typeof splitSecrets> {
    const parts = splitSecrets(protocol, params);
    for (const value of Object.values(parts.secret)) this.redactor.add(value);
    return parts;
  }

  /** Where the account's fetched files live: <data>/accounts/<id> (ids are [A-Za-z0-9_] only). */
  private cacheDir(accountId: string): string | undefined {
    return this.store.dir ? join(this.store.dir, 'accounts', accountId) : undefined;
  }
}
