/**
 * A client of the Secret Service API (freedesktop.org Secret Service API 0.2: GNOME Keyring, KWallet,
 * KeePassXC) with dbus-next. Each secret is one item in the `default` collection with the attributes
 * {application: im.confab.Confab1, account, name} under the schema `im.confab.Confab1.Secret`.
 *
 * The session uses the `plain` algorithm ("Transfer of Secrets": no transport encryption): the
 * session bus is already private to the user, which is what libsecret assumes as well when it cannot
 * negotiate. Every call is bounded by CALL_TIMEOUT_MS; a Prompt (a locked keyring, a new collection)
 * is shown and waited for up to PROMPT_TIMEOUT_MS, and a dismissed one is a clear error.
 */
import dbus, { type MessageBus } from 'dbus-next';
import { ConfabError } from '@confab/sdk';
import type { SecretStore } from './secret-store';

const BUS_NAME = 'org.freedesktop.secrets';
const SERVICE_PATH = '/org/freedesktop/secrets';
const SERVICE = 'org.freedesktop.Secret.Service';
const COLLECTION = 'org.freedesktop.Secret.Collection';
const ITEM = 'org.freedesktop.Secret.Item';
const PROMPT = 'org.freedesktop.Secret.Prompt';
const APPLICATION = 'im.confab.Confab1';
const CALL_TIMEOUT_MS = 10_000;
const PROMPT_TIMEOUT_MS = 120_000;
const NO_PROMPT = '/';

type Iface = ReturnType<Awaited<ReturnType<MessageBus['getProxyObject']>>['getInterface']>;
/** A secret as the API sends it: (session, parameters, value, content type). */
type WireSecret = [string, Buffer, Buffer, string];

export async function timed<T>(p: Promise<T>, what: string, ms = CALL_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConfabError('NotAvailable', `the Secret Service did not answer ${what} within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether the session has a Secret Service (running, or activatable). */
export async function secretServiceAvailable(bus: MessageBus): Promise<boolean> {
  const d = (await timed(bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus'), 'introspection')).getInterface('org.freedesktop.DBus');
  if ((await timed(d.NameHasOwner(BUS_NAME) as Promise<boolean>, 'NameHasOwner'))) return true;
  return ((await timed(d.ListActivatableNames() as Promise<string[]>, 'ListActivatableNames'))).includes(BUS_NAME);
}

export class SecretServiceStore implements SecretStore {
  readonly kind = 'secret-service' as const;

  private constructor(
    private readonly bus: MessageBus,
    private readonly service: Iface,
    private readonly session: string,
    private readonly collection: string,
  ) {}

  static async open(bus: MessageBus): Promise<SecretServiceStore> {
    const service = (await timed(bus.getProxyObject(BUS_NAME, SERVICE_PATH), 'introspection')).getInterface(SERVICE);
    // Secret Service API "Sessions": OpenSession(algorithm, input) -> (output, session).
    const [, session] = (await timed(service.OpenSession('plain', new dbus.Variant('s', '')), 'OpenSession')) as [unknown, string];
    // "Collection Aliases": the default collection; created (with a prompt) when there is none.
    let collection = (await timed(service.ReadAlias('default'), 'ReadAlias')) as string;
    const store = new SecretServiceStore(bus, service, session, collection);
    if (collection === NO_PROMPT) {
      const [created, prompt] = (await timed(service.CreateCollection({ 'org.freedesktop.Secret.Collection.Label': new dbus.Variant('s', 'Default keyring') }, 'default'), 'CreateCollection')) as [string, string];
      collection = created !== NO_PROMPT ? created : String(await store.prompt(prompt));
      return new SecretServiceStore(bus, service, session, collection);
    }
    return store;
  }

  async get(accountId: string, name: string): Promise<string | undefined> {
    const items = await this.search({ application: APPLICATION, account: accountId, name });
    if (items.length === 0) return undefined;
    const secrets = (await timed(this.service.GetSecrets(items, this.session), 'GetSecrets')) as Record<string, WireSecret>;
    const secret = secrets[items[0]];
    return secret ? Buffer.from(secret[2]).toString('utf8') : undefined;
  }

  async set(accountId: string, name: string, value: string): Promise<void> {
    await this.unlock([this.collection]);
    const col = (await timed(this.bus.getProxyObject(BUS_NAME, this.collection), 'introspection')).getInterface(COLLECTION);
    const props = {
      'org.freedesktop.Secret.Item.Label': new dbus.Variant('s', `Confab: ${accountId} ${name}`),
      'org.freedesktop.Secret.Item.Attributes': new dbus.Variant('a{ss}', { application: APPLICATION, account: accountId, name, 'xdg:schema': 'im.confab.Confab1.Secret' }),
    };
    const secret: WireSecret = [this.session, Buffer.alloc(0), Buffer.from(value, 'utf8'), 'text/plain; charset=utf8'];
    // "org.freedesktop.Secret.Collection.CreateItem" with replace = true: one item per attribute set.
    const [, prompt] = (await timed(col.CreateItem(props, secret, true), 'CreateItem')) as [string, string];
    if (prompt !== NO_PROMPT) await this.prompt(prompt);
  }

  async delete(accountId: string, name: string): Promise<void> {
    await this.deleteItems(await this.search({ application: APPLICATION, account: accountId, name }));
  }

  async deleteAccount(accountId: string): Promise<void> {
    await this.deleteItems(await this.search({ application: APPLICATION, account: accountId }));
  }

  async list(accountId: string): Promise<string[]> {
    const names: string[] = [];
    for (const path of await this.search({ application: APPLICATION, account: accountId })) {
      const props = (await timed(this.bus.getProxyObject(BUS_NAME, path), 'introspection')).getInterface('org.freedesktop.DBus.Properties');
      const attrs = ((await timed(props.Get(ITEM, 'Attributes'), 'Get Attributes')) as { value: Record<string, string> }).value;
      if (attrs.name) names.push(attrs.name);
    }
    return [...new Set(names)].sort();
  }

  async close(): Promise<void> {
    try {
      const s = (await this.bus.getProxyObject(BUS_NAME, this.session)).getInterface('org.freedesktop.Secret.Session');
      await timed(s.Close(), 'Close');
    } catch {
      // the service may be gone already; the session dies with our connection anyway
    }
  }

  private async search(attributes: Record<string, string>): Promise<string[]> {
    const [unlocked, locked] = (await timed(this.service.SearchItems(attributes), 'SearchItems')) as [string[], string[]];
    if (locked.length > 0) await this.unlock(locked);
    return [...unlocked, ...locked];
  }

  private async unlock(paths: string[]): Promise<void> {
    const [, prompt] = (await timed(this.service.Unlock(paths), 'Unlock')) as [string[], string];
    if (prompt !== NO_PROMPT) await this.prompt(prompt);
  }

  private async deleteItems(paths: string[]): Promise<void> {
    for (const path of paths) {
      const item = (await timed(this.bus.getProxyObject(BUS_NAME, path), 'introspection')).getInterface(ITEM);
      const prompt = (await timed(item.Delete(), 'Delete')) as string;
      if (prompt !== NO_PROMPT) await this.prompt(prompt);
    }
  }

  /** "Prompts and Prompting": show it, wait for Completed; a dismissal is an error. */
  private async prompt(path: string): Promise<unknown> {
    const p = (await timed(this.bus.getProxyObject(BUS_NAME, path), 'introspection')).getInterface(PROMPT);
    const completed = new Promise<unknown>((resolve, reject) => {
      p.once('Completed', (dismissed: boolean, result: { value: unknown }) => {
        if (dismissed) reject(new ConfabError('PermissionDenied', 'the keyring prompt was dismissed'));
        else resolve(result?.value);
      });
    });
    await timed(p.Prompt(''), 'Prompt');
    return timed(completed, 'the prompt', PROMPT_TIMEOUT_MS);
  }
}
