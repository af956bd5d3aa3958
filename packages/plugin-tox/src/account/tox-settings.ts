/**
 * The account parameters of a Tox account and what a connection makes of them. The identity is a
 * profile (c-toxcore's savedata), kept encrypted with `profile-password` (profile-store.ts); the
 * network is reached through bootstrap nodes (Tox spec § "DHT": bootstrapping).
 */
import { InvalidArgumentError, type AccountParams, type ParamSpec } from '@confab/sdk';
import { MAX_NAME_LENGTH, MAX_STATUS_MESSAGE_LENGTH } from '../savedata';

/** A bootstrap node as written in the `bootstrap-nodes` parameter: `host:port:DHTKEY` (64 hex). */
export interface BootstrapNode {
  readonly host: string;
  readonly port: number;
  readonly publicKey: string;
}

/**
 * Long-running public nodes (from the community's nodes list); a user with better ones gives
 * `bootstrap-nodes`. Names are resolved at connect time.
 */
export const DEFAULT_BOOTSTRAP_NODES: readonly string[] = [
  'tox.abilinski.com:33445:10C00EB250C3233E343E2AEBA07115A5C28920E9C8D29492F6D00B29049EDC7E',
  '144.217.167.73:33445:7E5668E0EE09E19F320AD47902419331FFEE147BB3606769CFBE921A2A2FD34C',
  'tox.novg.net:33445:D527E5847F8330D628DAB1814F0A422F6DC9D0A300E6C357634EE2DA88C35463',
  '78.46.73.141:33445:02807CF4F8BB8FB390CC3794BDF1E8449E9A8392C5D3F2200019DA9F1E812E46',
  'tox.verdict.gg:33445:1C5293AEF2114717547B39DA8EA6F1E331E5E358B35F9B6B5F19317911C5F976',
  '95.31.18.227:33445:257744DBF57BE3E117FE05D145B5F806089428D4DCE4E3D0D50616AA16D9417E',
];

export function parseBootstrapNode(text: string): BootstrapNode {
  // host may be an IPv6 literal in brackets: [::1]:33445:KEY
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5}):([0-9A-Fa-f]{64})$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`bootstrap node '${text}' is not host:port:DHTKEY (64 hex digits)`);
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new InvalidArgumentError(`bootstrap node '${text}': bad port`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port, publicKey: m[3].toUpperCase() };
}

const problemOf = (f: () => unknown) => {
  try {
    f();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
};
const bytesAtMost = (max: number) => (v: unknown) => (Buffer.byteLength(String(v)) <= max ? undefined : `must be at most ${max} bytes of UTF-8`);

export const TOX_PARAMETERS: readonly ParamSpec[] = [
  {
    name: 'profile-password', type: 'string', secret: true, required: true,
    description: "the passphrase of the account's profile: Confab keeps the profile encrypted with it (c-toxcore's tox_pass_encrypt format, which qTox, toxic and uTox load); an imported encrypted profile must use it too",
  },
  { name: 'import', type: 'string', description: 'a profile written by qTox, toxic, uTox or c-toxcore (savedata, plain or encrypted with profile-password) to take the identity and friends from, on first connect' },
  {
    name: 'nospam', type: 'string', live: true, description: "the nospam part of the Tox ID (8 hex digits): a new one makes the Tox ID handed out so far useless for friend requests; friends stay",
    validate: (v) => (/^[0-9A-Fa-f]{8}$/.test(String(v)) ? undefined : 'must be 8 hex digits'),
  },
  { name: 'name', type: 'string', live: true, description: 'the name friends see', validate: bytesAtMost(MAX_NAME_LENGTH) },
  { name: 'status-message', type: 'string', live: true, description: 'the status message friends see', validate: bytesAtMost(MAX_STATUS_MESSAGE_LENGTH) },
  {
    name: 'bootstrap-nodes', type: 'strings', default: [...DEFAULT_BOOTSTRAP_NODES],
    description: 'nodes to join the network through, each host:port:DHTKEY (default: public nodes)',
    validate: (v) => problemOf(() => (v as string[]).forEach(parseBootstrapNode)),
  },
  { name: 'bind-address', type: 'string', default: '0.0.0.0', description: 'the address to receive on (127.0.0.1 for a local network only)', validate: (v) => (/^[0-9A-Fa-f:.]+$/.test(String(v)) ? undefined : 'must be an IP address') },
  { name: 'udp-port', type: 'int', default: 0, description: 'the UDP port; 0 for the first free one of 33445–33545, as c-toxcore', validate: (v) => (typeof v === 'number' && v >= 0 && v <= 65535 ? undefined : 'must be from 0 to 65535') },
  {
    name: 'tcp-relays', type: 'strings', default: [],
    description: 'TCP relays to reach friends through when UDP does not get through, each host:port:KEY (the relay\'s DHT key); friends learn them from us (share-relays), and theirs are added',
    validate: (v) => problemOf(() => (v as string[]).forEach(parseBootstrapNode)),
  },
  { name: 'local-discovery', type: 'bool', default: true, description: 'find peers on the local network by broadcast (LAN discovery)' },
  { name: 'friend-request-message', type: 'string', default: 'Hello! I would like to add you as a friend on Tox.', description: 'the message sent with a friend request', validate: bytesAtMost(1016) },
];

export interface ToxSettings {
  readonly password: string;
  readonly importPath?: string;
  readonly nospam?: number;
  readonly name?: string;
  readonly statusMessage?: string;
  readonly bootstrap: readonly BootstrapNode[];
  /** The `tcp-relays` parameter: host:port:KEY, as bootstrap nodes are written. */
  readonly tcpRelays: readonly BootstrapNode[];
  readonly bindAddress: string;
  readonly udpPort: number;
  readonly localDiscovery: boolean;
  readonly requestMessage: string;
}

/** The nospam parameter (8 hex digits, as the Tox ID shows it) as the u32 of `tox_self_set_nospam`. */
export function parseNospam(text: string): number {
  return parseInt(text, 16) >>> 0;
}

export function accountSettings(params: AccountParams): ToxSettings {
  const password = params['profile-password'];
  if (typeof password !== 'string' || password === '') throw new InvalidArgumentError('the profile-password is missing: it encrypts the profile');
  const text = (k: string) => (typeof params[k] === 'string' && params[k] !== '' ? (params[k] as string) : undefined);
  const nodes = Array.isArray(params['bootstrap-nodes']) ? (params['bootstrap-nodes'] as string[]) : [...DEFAULT_BOOTSTRAP_NODES];
  return {
    password,
    importPath: text('import'),
    nospam: text('nospam') === undefined ? undefined : parseNospam(text('nospam')!),
    name: text('name'),
    statusMessage: text('status-message'),
    bootstrap: nodes.map(parseBootstrapNode),
    tcpRelays: (Array.isArray(params['tcp-relays']) ? (params['tcp-relays'] as string[]) : []).map(parseBootstrapNode),
    bindAddress: text('bind-address') ?? '0.0.0.0',
    udpPort: typeof params['udp-port'] === 'number' ? params['udp-port'] : 0,
    localDiscovery: params['local-discovery'] !== false,
    requestMessage: text('friend-request-message') ?? 'Hello! I would like to add you as a friend on Tox.',
  };
}
