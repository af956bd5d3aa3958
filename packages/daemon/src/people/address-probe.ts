/**
 * Asks connections for the addresses contacts give for themselves (ContactsFacet.addresses: IRC
 * WHOIS) each time a contact comes online (an IRC user can only change their realname by
 * reconnecting), never while they stay online — one question at a time per account, so a login with
 * hundreds of contacts online costs a queue, not a burst.
 */
import type { Logger } from '@confab/sdk';
import type { ContactKey } from '../storage/people';

export type Ask = (key: ContactKey) => Promise<readonly string[]> | undefined;

export class AddressProbe {
  private readonly asked = new Map<string, Set<string>>(); // account → contacts online and asked
  private readonly queues = new Map<string, string[]>();
  private readonly running = new Set<string>();
  private generation = new Map<string, number>(); // bumped by reset: answers of an old session are dropped

  constructor(
    private readonly ask: Ask,
    private readonly learned: (key: ContactKey, addresses: readonly string[]) => void,
    private readonly log: Logger,
  ) {}

  /** These contacts of the account are online now. */
  online(accountId: string, contactIds: readonly string[]): void {
    let asked = this.asked.get(accountId);
    if (!asked) this.asked.set(accountId, (asked = new Set()));
    const queue = this.queues.get(accountId) ?? [];
    for (const id of contactIds) {
      if (asked.has(id)) continue;
      asked.add(id);
      queue.push(id);
    }
    this.queues.set(accountId, queue);
    void this.drain(accountId);
  }

  /** These contacts of the account went offline: ask again when they are back. */
  offline(accountId: string, contactIds: readonly string[]): void {
    const asked = this.asked.get(accountId);
    for (const id of contactIds) asked?.delete(id);
  }

  /** The account's session ended: ask again in the next one. */
  reset(accountId: string): void {
    this.asked.delete(accountId);
    this.queues.delete(accountId);
    this.generation.set(accountId, (this.generation.get(accountId) ?? 0) + 1);
  }

  private async drain(accountId: string): Promise<void> {
    if (this.running.has(accountId)) return;
    this.running.add(accountId);
    const gen = this.generation.get(accountId) ?? 0;
    try {
      for (let id = this.queues.get(accountId)?.shift(); id !== undefined; id = this.queues.get(accountId)?.shift()) {
        const key = { accountId, contactId: id };
        const answer = this.ask(key);
        if (!answer) {
          this.queues.delete(accountId); // the protocol has nothing to tell, or the account is not connected
          break;
        }
        try {
          const addresses = await answer;
          if ((this.generation.get(accountId) ?? 0) !== gen) break;
          this.learned(key, addresses);
        } catch (err) {
          this.log.debug('people: no addresses for %s on %s: %s', id, accountId, (err as Error).message);
        }
      }
    } finally {
      this.running.delete(accountId);
    }
    if ((this.generation.get(accountId) ?? 0) !== gen && this.queues.get(accountId)?.length) void this.drain(accountId); // a new session's
  }
}
