/**
 * The Telepathy clients the dispatcher knows (spec 0.27 `Client`, "Discovery"): those running, found
 * on the bus by their names (`org.freedesktop.Telepathy.Client.*`: ListNames at start, then
 * NameOwnerChanged), their filters read from them (`Get(Client, Interfaces)`, `GetAll` of Handler,
 * Observer, Approver); and those that can be started, described by `.client` files (client-file.ts) —
 * a call to one of those makes the bus start it (D-Bus activation), or fails with ServiceUnknown.
 *
 * A running client's own properties win over its file. Reading them is bounded in time: a client that
 * does not answer is known by its file, if it has one, and otherwise wants nothing.
 */
import type dbus from 'dbus-next';
import { Emitter, type Logger } from '@confab/sdk';
import { filtersFromVariants, quality, type ChannelFilter, type ChannelProperties } from './channel-filter';
import { readClientFiles, type ClientDescription } from './client-file';
import { clientProperties } from './client-calls';
import { APPROVER_IFACE, CLIENT_BUS_PREFIX, CLIENT_IFACE, HANDLER_IFACE, OBSERVER_IFACE } from './constants';

type Bus = ReturnType<typeof dbus.sessionBus>;

/** A client that could take a channel, best first. */
export interface Candidate {
  readonly busName: string;
  readonly bypassApproval: boolean;
  readonly quality: number;
  readonly running: boolean;
}

export interface DBusNames {
  ListNames(): Promise<string[]>;
  GetNameOwner(name: string): Promise<string>;
  on(signal: 'NameOwnerChanged', fn: (name: string, oldOwner: string, newOwner: string) => void): void;
  removeListener(signal: 'NameOwnerChanged', fn: (name: string, oldOwner: string, newOwner: string) => void): void;
}

export class ClientRegistry {
  /** Running clients by bus name: their description once read (a promise while it is being read). */
  private readonly running = new Map<string, Promise<ClientDescription | undefined>>();
  private files = new Map<string, ClientDescription>();
  private readonly appeared = new Emitter<string>();
  private readonly gone = new Emitter<string>();
  /** A running client whose description has been read (its bus name). */
  readonly onClientAppeared = this.appeared.event;
  /** A unique name left the bus (a process, with every name it held). */
  readonly onUniqueNameGone = this.gone.event;
  private readonly listener = (name: string, oldOwner: string, newOwner: string) => this.ownerChanged(name, oldOwner, newOwner);

  constructor(
    private readonly bus: Bus,
    private readonly names: DBusNames,
    private readonly dirs: readonly string[],
    private readonly log: Logger,
    private readonly callTimeoutMs: number,
  ) {}

  async start(): Promise<void> {
    this.reloadFiles();
    this.names.on('NameOwnerChanged', this.listener);
    for (const name of await this.names.ListNames()) if (name.startsWith(CLIENT_BUS_PREFIX)) this.track(name);
  }

  stop(): void {
    this.names.removeListener('NameOwnerChanged', this.listener);
    this.appeared.dispose();
    this.gone.dispose();
  }

  /** Reads the `.client` files again (a client installed since). */
  reloadFiles(): void {
    this.files = readClientFiles(this.dirs, (file, why) => this.log.warn('ignoring Telepathy client file %s: %s', file, why));
  }

  /** Who owns `name` now (a unique name), or undefined. */
  async ownerOf(name: string): Promise<string | undefined> {
    try {
      return await this.names.GetNameOwner(name);
    } catch {
      return undefined;
    }
  }

  /** The running handler whose name the process `unique` owns (a Claim's caller, known by its client name), or undefined. */
  async handlerOwnedBy(unique: string): Promise<string | undefined> {
    for (const busName of [...this.running.keys()]) {
      const d = await this.running.get(busName);
      if (d?.interfaces.includes(HANDLER_IFACE) && (await this.ownerOf(busName)) === unique) return busName;
    }
    return undefined;
  }

  isRunning(busName: string): boolean {
    return this.running.has(busName);
  }

  /** Every known client's description (running ones as they say, others from their files). */
  async all(): Promise<ClientDescription[]> {
    const out = new Map<string, ClientDescription>();
    for (const [name, d] of this.files) out.set(CLIENT_BUS_PREFIX + name, d);
    for (const [busName, p] of this.running) {
      const d = await p;
      if (d) out.set(busName, d);
    }
    return [...out.values()];
  }

  /** Handlers whose filters match, best first: BypassApproval first, then quality, then running before activatable. */
  async handlers(props: ChannelProperties): Promise<Candidate[]> {
    return this.candidates(props, (d) => d.interfaces.includes(HANDLER_IFACE) ? d.handlerFilters : [])
      .then((list) => list.sort((a, b) => Number(b.bypassApproval) - Number(a.bypassApproval) || b.quality - a.quality || Number(b.running) - Number(a.running)));
  }

  async observers(props: ChannelProperties): Promise<Candidate[]> {
    return this.candidates(props, (d) => d.interfaces.includes(OBSERVER_IFACE) ? d.observerFilters : []);
  }

  async approvers(props: ChannelProperties): Promise<Candidate[]> {
    return this.candidates(props, (d) => d.interfaces.includes(APPROVER_IFACE) ? d.approverFilters : []);
  }

  /** A client by bus name (running or from its file). */
  async describe(busName: string): Promise<ClientDescription | undefined> {
    const run = this.running.get(busName);
    const d = run ? await run : undefined;
    return d ?? this.files.get(busName.slice(CLIENT_BUS_PREFIX.length));
  }

  private async candidates(props: ChannelProperties, filtersOf: (d: ClientDescription) => readonly ChannelFilter[]): Promise<Candidate[]> {
    const out: Candidate[] = [];
    for (const d of await this.all()) {
      const q = quality(filtersOf(d), props);
      const busName = CLIENT_BUS_PREFIX + d.name;
      if (q > 0) out.push({ busName, bypassApproval: d.bypassApproval, quality: q, running: this.running.has(busName) });
    }
    return out;
  }

  private ownerChanged(name: string, oldOwner: string, newOwner: string): void {
    if (name.startsWith(':') && newOwner === '') {
      this.gone.fire(name);
      return;
    }
    if (!name.startsWith(CLIENT_BUS_PREFIX)) return;
    if (newOwner === '') {
      this.running.delete(name);
      return;
    }
    if (oldOwner === '') this.track(name);
  }

  /** A client came on the bus: its description read, then announced. */
  private track(busName: string): void {
    const read = this.read(busName);
    this.running.set(busName, read);
    void read.then((d) => {
      if (d && this.running.get(busName) === read) this.appeared.fire(busName);
    });
  }

  private async read(busName: string): Promise<ClientDescription | undefined> {
    const name = busName.slice(CLIENT_BUS_PREFIX.length);
    const file = this.files.get(name);
    try {
      const client = await clientProperties(this.bus, busName, CLIENT_IFACE, this.callTimeoutMs);
      const interfaces = Array.isArray(client.Interfaces) ? (client.Interfaces as string[]) : [];
      const part = async (iface: string): Promise<Record<string, unknown>> => (interfaces.includes(iface) ? clientProperties(this.bus, busName, iface, this.callTimeoutMs) : {});
      const [h, o, a] = await Promise.all([part(HANDLER_IFACE), part(OBSERVER_IFACE), part(APPROVER_IFACE)]);
      return {
        name,
        interfaces,
        handlerFilters: filtersFromVariants(h.HandlerChannelFilter),
        observerFilters: filtersFromVariants(o.ObserverChannelFilter),
        approverFilters: filtersFromVariants(a.ApproverChannelFilter),
        bypassApproval: h.BypassApproval === true,
        recover: o.Recover === true,
        delayApprovers: o.DelayApprovers === true,
        capabilities: Array.isArray(h.Capabilities) ? (h.Capabilities as string[]) : [],
      };
    } catch (err) {
      this.log.debug('reading Telepathy client %s failed (%s); %s', busName, (err as Error).message, file ? 'its .client file says what it wants' : 'it is given nothing');
      return file;
    }
  }
}
