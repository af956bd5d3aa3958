/**
 * A protocol and connection of the tests' own, and a daemon core over an in-memory store, for the
 * features' unit tests: no network, no bus. The connection records what the daemon asked of it and
 * lets a test play the network (emit messages, room changes, presence).
 */
import {
  Emitter, silentLogger,
  type CallChange, type CallsFacet, type IncomingCall, type ChatStateChange, type ChatStatesFacet, type Connection, type ContactPresence, type ContactsFacet, type DeliveryReport, type IncomingMessage,
  type OutgoingMessage, type Protocol, type ReceiptsFacet, type RoomChange, type RoomsFacet, type RosterUpdate, type SendReceipt, type StatusChange,
  type SubscriptionRequest,
} from '@confab/sdk';
import { DEFAULT_CONFIG } from '../src/config';
import { Core } from '../src/core';
import { Redactor } from '../src/log';
import type { SecretStore } from '../src/secrets';
import { Store } from '../src/storage/store';

export class FakeConnection implements Connection {
  status: Connection['status'] = 'disconnected';
  readonly statusE = new Emitter<StatusChange>();
  readonly onStatusChanged = this.statusE.event;
  readonly messagesE = new Emitter<readonly IncomingMessage[]>();
  readonly onMessages = this.messagesE.event;
  readonly chatStateE = new Emitter<ChatStateChange>();
  readonly deliveryE = new Emitter<readonly DeliveryReport[]>();
  readonly reachableE = new Emitter<string>();
  readonly roomE = new Emitter<RoomChange>();
  readonly presenceE = new Emitter<readonly ContactPresence[]>();
  readonly rosterE = new Emitter<RosterUpdate>();
  readonly requestE = new Emitter<SubscriptionRequest>();
  readonly incomingCallE = new Emitter<IncomingCall>();
  readonly callE = new Emitter<CallChange>();

  /** Every call the daemon made, in order, as `name arg…`. */
  readonly requests: string[] = []; // what the daemon asked of it, in order
  readonly sent: OutgoingMessage[] = [];
  /** How a send ends: the default confirms at once. */
  send: (m: OutgoingMessage) => Promise<SendReceipt> = () => Promise.resolve({});
  disposed = false;

  readonly rooms: RoomsFacet;
  readonly contacts: ContactsFacet;
  readonly chatStates?: ChatStatesFacet;
  readonly receipts?: ReceiptsFacet;
  readonly calls?: CallsFacet;

  constructor(without: FakeOptions['without'] = []) {
    this.rooms = {
      onRoomChanged: this.roomE.event,
      join: (room, key) => {
        this.requests.push(`join ${room}${key ? ` ${key}` : ''}`);
        return Promise.resolve({ kind: 'room', target: room });
      },
      leave: (room) => {
        this.requests.push(`leave ${room}`);
        return Promise.resolve();
      },
      setTopic: (room, topic) => {
        this.requests.push(`topic ${room} ${topic}`);
        return Promise.resolve();
      },
    };
    this.contacts = {
      onPresence: this.presenceE.event,
      onRoster: this.rosterE.event,
      onSubscriptionRequest: this.requestE.event,
      watch: (ids, on) => void this.requests.push(`watch ${on ? '+' : '-'}${ids.join(',')}`),
      info: (id) => Promise.resolve({ id, fields: [] } as unknown as Awaited<ReturnType<ContactsFacet['info']>>),
      answerSubscription: (id, allow) => {
        this.requests.push(`answer ${id} ${allow}`);
        return Promise.resolve();
      },
      onReachable: this.reachableE.event,
    } as ContactsFacet;
    if (!without.includes('chatStates')) {
      this.chatStates = {
        onChatState: this.chatStateE.event,
        set: (channel, state) => {
          this.requests.push(`chat-state ${channel.target} ${state}`);
          return Promise.resolve();
        },
      };
    }
    if (!without.includes('receipts')) this.receipts = { onDelivery: this.deliveryE.event };
    if (!without.includes('calls')) this.calls = this.fakeCalls();
  }

  /** Calls that record what was asked (`call bob`, `hangup c1`, `hold c1 true`…); the test plays the far end with callE. */
  private fakeCalls(): CallsFacet {
    let n = 0;
    const asked = (name: string) => (id: string, arg?: boolean | string) => {
      this.requests.push(`${name} ${id}${arg === undefined ? '' : ` ${String(arg)}`}`);
      return Promise.resolve();
    };
    return {
      onIncoming: this.incomingCallE.event,
      onCallChanged: this.callE.event,
      start: (target) => {
        this.requests.push(`call ${target}`);
        return Promise.resolve(`c${++n}`);
      },
      accept: (id) => asked('accept')(id),
      reject: asked('reject'),
      hangup: (id) => asked('hangup')(id),
      hold: asked('hold'),
      setMuted: asked('mute'),
      sendDtmf: asked('dtmf'),
      stats: () => Promise.resolve({ packetsSent: 0, packetsReceived: 0, packetsLost: 0, jitterMs: 0, codec: 'none' }),
    };
  }

  connect(): Promise<void> {
    this.status = 'connected';
    this.statusE.fire({ status: 'connected', reason: 'requested' });
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    this.status = 'disconnected';
    return Promise.resolve();
  }

  setPresence(p: { status: string }): Promise<void> {
    this.requests.push(`presence ${p.status}`);
    return Promise.resolve();
  }

  sendMessage(m: OutgoingMessage): Promise<SendReceipt> {
    this.sent.push(m);
    return this.send(m);
  }

  /** The network dropped us. */
  drop(): void {
    this.status = 'disconnected';
    this.statusE.fire({ status: 'disconnected', reason: 'network-error', detail: 'gone' });
  }

  dispose(): void {
    this.disposed = true;
  }
}

export interface FakeOptions {
  /** The contact list is on the server (ProtocolCapabilities.serverRoster). */
  readonly serverRoster?: boolean;
  /** Facets the connection leaves out, as a protocol without the thing does. */
  readonly without?: readonly ('chatStates' | 'receipts' | 'calls')[];
}

/** A protocol with rooms (targets starting with #), a server roster when asked, lower-case contact ids. */
export function fakeProtocol(connections: FakeConnection[], opts: FakeOptions = {}): Protocol {
  return {
    id: 'fake',
    displayName: 'Fake',
    parameters: [
      { name: 'name', type: 'string', description: 'who', required: true },
      { name: 'password', type: 'string', description: 'secret', secret: true },
    ],
    capabilities: {
      channelClasses: [{ kind: 'direct', media: 'text' }, { kind: 'room', media: 'text' }],
      presenceStatuses: ['available', 'away', 'offline'],
      writableContactFields: ['alias'],
      serverRoster: opts.serverRoster,
    },
    normalizeContact: (id) => id.trim().toLowerCase(),
    targetKind: (target) => (target.startsWith('#') ? 'room' : undefined),
    identifyAccount: (params) => String(params.name),
    createConnection: () => {
      const conn = new FakeConnection(opts.without);
      connections.push(conn);
      return conn;
    },
  } as Protocol;
}

export class MemorySecrets implements SecretStore {
  readonly kind = 'file' as const;
  readonly values = new Map<string, string>();
  get(a: string, n: string) { return Promise.resolve(this.values.get(`${a}/${n}`)); }
  set(a: string, n: string, v: string) { this.values.set(`${a}/${n}`, v); return Promise.resolve(); }
  delete(a: string, n: string) { this.values.delete(`${a}/${n}`); return Promise.resolve(); }
  deleteAccount(a: string) { for (const k of [...this.values.keys()]) if (k.startsWith(`${a}/`)) this.values.delete(k); return Promise.resolve(); }
  list(a: string) { return Promise.resolve([...this.values.keys()].filter((k) => k.startsWith(`${a}/`)).map((k) => k.slice(a.length + 1))); }
  close() { return Promise.resolve(); }
}

/** Lets every pending promise callback run. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A core over an in-memory store with the fake protocol; `connections` are the fake connections it made, newest last. */
export function fakeCore(opts: FakeOptions = {}) {
  const connections: FakeConnection[] = [];
  const store = Store.memory();
  const secrets = new MemorySecrets();
  const redactor = new Redactor();
  const core = new Core(store, new Map([['fake', fakeProtocol(connections, opts)]]), secrets, redactor, { ...DEFAULT_CONFIG, reconnect: { initialDelayMs: 10, maxDelayMs: 10 } }, silentLogger);
  core.load();
  core.start();
  const conn = () => connections[connections.length - 1];
  /** Creates an account and waits until it is connected and ready. */
  const account = async (name = 'me') => {
    const a = await core.accounts.create('fake', '', { name });
    await settle();
    return a.id;
  };
  return { core, store, secrets, redactor, connections, conn, account };
}
