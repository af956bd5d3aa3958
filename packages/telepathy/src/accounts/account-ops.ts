/**
 * What Telepathy clients do to an account, done on Confab's accounts feature: the logic behind the
 * Account object's methods and writable properties. Everything goes through the daemon's feature API
 * (ConfabFeatures); what only Telepathy has is kept with the account (TpState).
 *
 * Presence: a client requests a presence per account; Confab has one for all. A request for an online
 * presence makes it Confab's presence (when it differs) and enables the account on Confab; a request
 * for offline disables it on Confab while Telepathy's Enabled stays as it was. Polari asks
 * `(1, offline)` when it quits and `(2, available)` when it starts, and expects Enabled untouched.
 */
import { InvalidArgumentError, NotFoundError, validateParams, type Logger } from '@confab/sdk';
import type { ConfabAccountRun, ConfabFeatures } from '../confab';
import { parseParams, parseUnset } from '../params/mapping';
import { tableFor } from '../params';
import type { ProtocolTable } from '../params/table';
import { confabPresence, isOnline, type TpPresence } from './presence';
import { confabEnabled, requested, tpEnabled, type AccountSnapshot } from './properties';
import { TpState } from './tp-state';

export class AccountOps {
  constructor(
    private readonly f: Pick<ConfabFeatures, 'accounts'>,
    private readonly log: Logger,
    /** The path of the account's Telepathy connection while it has one (connections/); absent in unit tests. */
    private readonly connectionOf?: (id: string) => string | undefined,
  ) {}

  run(id: string): ConfabAccountRun {
    const run = this.f.accounts.find(id);
    if (!run) throw new NotFoundError(`no account '${id}'`);
    return run;
  }

  table(id: string): ProtocolTable {
    return tableFor(this.run(id).account.protocol);
  }

  state(id: string): TpState {
    return new TpState(this.f.accounts.services(id).state);
  }

  /**
   * The account as Telepathy sees it. With connections served, a Confab account counts as connected
   * only once its Connection object is on the bus: telepathy-glib makes a TpConnection of the path
   * as soon as it reads it, and resolves its name's owner at once (the notes' ordering trap).
   */
  snapshot(id: string): AccountSnapshot {
    let run = this.run(id);
    const connection = this.connectionOf?.(id);
    if (this.connectionOf && run.status === 'connected' && !connection) run = { ...run, status: 'connecting', reason: 'none' };
    return { run, presence: this.f.accounts.presence, identity: this.f.accounts.identity(id), tp: this.state(id).read(), connection };
  }

  // ---- Enabled and presence ------------------------------------------------------------------

  setEnabled(id: string, enabled: boolean): void {
    this.state(id).write('enabled', enabled);
    this.sync(id);
  }

  setRequestedPresence(id: string, value: unknown): void {
    const p = confabPresence(value);
    this.state(id).write('requested', p === 'unset' ? 'unset' : isOnline(p) ? 'online' : 'offline');
    const now = this.f.accounts.presence;
    if (isOnline(p) && (now.status !== p.status || now.message !== p.message)) this.f.accounts.setPresence(p.status, p.message);
    this.sync(id);
  }

  /** Confab's enabled made to match Telepathy's Enabled and requested presence. */
  sync(id: string): void {
    const s = this.snapshot(id);
    const want = confabEnabled(tpEnabled(s), requested(s));
    if (s.run.account.enabled !== want) this.f.accounts.setEnabled(id, want);
  }

  /**
   * The account changed on Confab: if something other than this adapter switched it (the CLI, the
   * native D-Bus API), Telepathy's view follows — enabled there is Enabled and online here; disabled
   * there is not Enabled here.
   */
  reconcile(id: string): void {
    const s = this.snapshot(id);
    if (s.run.status === 'connected' && !s.tp.hasBeenOnline) this.state(id).write('hasBeenOnline', true);
    if (s.run.account.enabled === confabEnabled(tpEnabled(s), requested(s))) return;
    if (s.run.account.enabled) {
      this.state(id).write('enabled', true);
      this.state(id).write('requested', 'online');
    } else {
      this.state(id).write('enabled', false);
    }
  }

  reconnect(id: string): void {
    const s = this.snapshot(id);
    // Mission Control's Reconnect does nothing to an account that is not meant to be online.
    if (!confabEnabled(tpEnabled(s), requested(s)) || this.f.accounts.presence.status === 'offline') return;
    this.f.accounts.reconnect(id);
  }

  setDisplayName(id: string, name: string): void {
    this.f.accounts.setDisplayName(id, name);
  }

  remove(id: string): Promise<void> {
    return this.f.accounts.remove(id);
  }

  // ---- parameters and the rest ---------------------------------------------------------------

  /** UpdateParameters: Confab applies or reconnects by itself, so no client needs to reconnect (an empty list). */
  async updateParameters(id: string, set: Record<string, unknown>, unset: readonly string[]): Promise<string[]> {
    const run = this.run(id);
    const table = tableFor(run.account.protocol);
    const parsed = parseParams(table, run.protocol.parameters, set);
    const gone = parseUnset(table, run.protocol.parameters, unset);
    // Only what changes: Polari sets `account` to the same nick on every connect, and a change reconnects the account
    // (a request for a channel made meanwhile would find it disconnected, and Polari would try again, for ever).
    const params = run.account.params as Record<string, unknown>;
    const changed = Object.fromEntries(Object.entries(parsed.set).filter(([k, v]) => !sameValue(params[k], v)));
    const toUnset = [...parsed.unset, ...gone.confab].filter((k) => params[k] !== undefined || run.protocol.parameters.some((p) => p.name === k && p.secret));
    if (Object.keys(changed).length > 0 || toUnset.length > 0) await this.f.accounts.update(id, changed, toUnset);
    if (Object.keys(parsed.kept).length > 0 || gone.kept.length > 0) {
      const kept = { ...this.state(id).read().kept, ...parsed.kept };
      for (const name of gone.kept) delete kept[name];
      this.state(id).write('kept', kept);
    }
    return [];
  }

  /** Nickname: the protocol's nick parameter where it has one (an IRC nick change reconnects), else kept. */
  setNickname(id: string, nick: string): void {
    const run = this.run(id);
    const param = tableFor(run.account.protocol).nickname;
    if (!param || !run.protocol.parameters.some((p) => p.name === param)) {
      this.state(id).write('nickname', nick);
      return;
    }
    if (run.account.params[param] === nick) return;
    validateParams(run.protocol.parameters, { [param]: nick }, true); // refused now, not after the reply
    this.f.accounts.update(id, { [param]: nick }, []).catch((err: unknown) => this.log.warn('setting the nickname of %s failed: %s', id, (err as Error).message));
  }

  setAutomaticPresence(id: string, value: unknown): void {
    const p = confabPresence(value);
    if (p === 'unset' || !isOnline(p)) throw new InvalidArgumentError('the automatic presence must be an online one');
    this.state(id).write('automatic', value as TpPresence);
  }

  setUriScheme(id: string, scheme: string, on: boolean): void {
    const schemes = this.state(id).read().uriSchemes.filter((s) => s !== scheme);
    this.state(id).write('uriSchemes', on ? [...schemes, scheme] : schemes);
  }

  setAvatar(id: string, value: unknown): void {
    const [data, mime] = value as [Buffer, string];
    if (data.length > 1024 * 1024) throw new InvalidArgumentError('an avatar must be at most 1 MiB');
    this.state(id).write('avatar', [Buffer.from(data).toString('base64'), mime]);
  }
}

/** Whether a parameter keeps its value (numbers compared as numbers: clients send `port` as u or q). */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'bigint' || typeof b === 'bigint') return a !== undefined && b !== undefined && String(a) === String(b);
  return a === b;
}
