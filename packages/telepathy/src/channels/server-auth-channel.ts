/**
 * The password prompt of a connecting account: one channel of type ServerAuthentication with the
 * SASLAuthentication interface (spec 0.27 `Channel.Type.ServerAuthentication`,
 * `Channel.Interface.SASLAuthentication`), offering the one mechanism `X-TELEPATHY-PASSWORD` — the
 * spec's pseudo-mechanism whose initial data is the password — as telepathy-idle makes one for its
 * `password-prompt` parameter and Polari answers it (`StartMechanismWithData`, then `AcceptSASL`).
 *
 * SASLStatus (spec SASL_Status): Not_Started → StartMechanismWithData → In_Progress while the password
 * is tried on the server → Server_Succeeded once the account connected with it → AcceptSASL →
 * Succeeded; or Server_Failed with the Telepathy error of the failure (AuthenticationFailed for a
 * refused password). An AcceptSASL during In_Progress is Client_Accepted, and Succeeded follows the
 * server's success. AbortSASL or Close before a password came: Client_Failed (Cancelled).
 * Unlike idle's TpBasePasswordChannel, which says Server_Succeeded as soon as it has a password, the
 * server's verdict is waited for, so a wrong password is told on this channel too.
 *
 * The password is handed to `events.password` once and kept nowhere: not in a property, a signal, an
 * error or the log.
 */
import dbus from 'dbus-next';
import { InvalidArgumentError, NotImplementedError } from '@confab/sdk';
import { specOf } from '../dbus/contract';
import { ContractObject } from '../dbus/contract-object';
import { CHANNEL_IFACE, HANDLE_NONE, TP } from '../connections/constants';
import type { Bus } from './channel-host';
import type { Contract } from '../dbus/contract';
import type { ObjectContext } from '../dbus/contract-object';

type Variant = InstanceType<typeof dbus.Variant>;

export const SERVER_AUTH_TYPE = `${TP}.Channel.Type.ServerAuthentication`;
export const SASL_IFACE = `${TP}.Channel.Interface.SASLAuthentication`;
/** spec SASLAuthentication: "X-TELEPATHY-PASSWORD … the initial data is the password". */
export const PASSWORD_MECHANISM = 'X-TELEPATHY-PASSWORD';

/** spec SASL_Status. */
export const SASL = {
  NOT_STARTED: 0,
  IN_PROGRESS: 1,
  SERVER_SUCCEEDED: 2,
  CLIENT_ACCEPTED: 3,
  SUCCEEDED: 4,
  SERVER_FAILED: 5,
  CLIENT_FAILED: 6,
} as const;

/** The longest password taken, in bytes (an IRC line is 512 bytes in all: RFC 2812 §2.3). */
const MAX_PASSWORD_BYTES = 400;

export interface ServerAuthEvents {
  /** The client gave the password (StartMechanismWithData): for this connection attempt only. */
  password(value: string): void;
  /** The client gave up before giving one (AbortSASL, or Close while Not_Started). */
  aborted(): void;
  /** The channel closed (the client's Close, or the prompt's end): Closed was said, the object is withdrawn. */
  closed(path: string): void;
}

export interface ServerAuthOptions {
  readonly bus: Bus;
  readonly contract: Contract;
  readonly ctx: ObjectContext;
  readonly path: string;
  /** Who the user is on the network (spec DefaultUsername, AuthorizationIdentity: idle gives its nick). */
  readonly username: string;
}

export class ServerAuthChannel {
  readonly path: string;
  private status: number = SASL.NOT_STARTED;
  private error = '';
  private details: Record<string, Variant> = {};
  private closed = false;
  private readonly channel: ContractObject;
  private readonly sasl: ContractObject;
  private readonly objects: ContractObject[];

  constructor(private readonly opts: ServerAuthOptions, private readonly events: ServerAuthEvents) {
    this.path = opts.path;
    const { contract, ctx } = opts;
    this.channel = new ContractObject(specOf(contract, CHANNEL_IFACE), {
      methods: {
        Close: () => this.close(true),
        GetChannelType: () => SERVER_AUTH_TYPE,
        GetHandle: () => [HANDLE_NONE, 0],
        GetInterfaces: () => [SASL_IFACE],
      },
      properties: {
        ChannelType: () => SERVER_AUTH_TYPE,
        Interfaces: () => [SASL_IFACE],
        TargetHandle: () => 0,
        TargetID: () => '',
        TargetHandleType: () => HANDLE_NONE,
        Requested: () => false,
        InitiatorHandle: () => 0,
        InitiatorID: () => '',
      },
    }, ctx);
    const type = new ContractObject(specOf(contract, SERVER_AUTH_TYPE), {
      properties: { AuthenticationMethod: () => SASL_IFACE },
    }, ctx);
    this.sasl = new ContractObject(specOf(contract, SASL_IFACE), {
      methods: {
        StartMechanism: (mechanism: string) => this.start(mechanism, undefined),
        StartMechanismWithData: (mechanism: string, data: Buffer) => this.start(mechanism, data),
        Respond: () => {
          throw new dbus.DBusError(`${TP}.Error.NotAvailable`, `${PASSWORD_MECHANISM} has no challenges to respond to`);
        },
        AcceptSASL: () => this.accept(),
        AbortSASL: (_reason: number, message: string) => this.abort(message),
      },
      properties: {
        ...this.fixed(),
        SASLStatus: () => this.status,
        SASLError: () => this.error,
        SASLErrorDetails: () => this.details,
      },
    }, ctx);
    this.objects = [this.channel, type, this.sasl];
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Whether a password was given (StartMechanismWithData went through). */
  get answered(): boolean {
    return this.status !== SASL.NOT_STARTED && this.status !== SASL.CLIENT_FAILED;
  }

  /** spec Channel immutable properties, as NewChannels and HandleChannels carry them (TpBasePasswordChannel's set). */
  immutable(): Record<string, Variant> {
    const v = (sig: string, value: unknown) => new dbus.Variant(sig, value);
    const out: Record<string, Variant> = {
      [`${CHANNEL_IFACE}.ChannelType`]: v('s', SERVER_AUTH_TYPE),
      [`${CHANNEL_IFACE}.Interfaces`]: v('as', [SASL_IFACE]),
      [`${CHANNEL_IFACE}.TargetHandle`]: v('u', 0),
      [`${CHANNEL_IFACE}.TargetHandleType`]: v('u', HANDLE_NONE),
      [`${CHANNEL_IFACE}.TargetID`]: v('s', ''),
      [`${CHANNEL_IFACE}.Requested`]: v('b', false),
      [`${CHANNEL_IFACE}.InitiatorHandle`]: v('u', 0),
      [`${CHANNEL_IFACE}.InitiatorID`]: v('s', ''),
      [`${SERVER_AUTH_TYPE}.AuthenticationMethod`]: v('s', SASL_IFACE),
    };
    const sigs = this.sasl.spec.properties;
    for (const [name, get] of Object.entries(this.fixed())) out[`${SASL_IFACE}.${name}`] = v(sigs[name].signature, get());
    return out;
  }

  export(): void {
    for (const o of this.objects) this.opts.bus.export(this.path, o.iface);
  }

  /** The account connected with the password: spec Server_Succeeded (Succeeded if the client accepted already). */
  serverSucceeded(): void {
    if (this.status === SASL.IN_PROGRESS) this.setStatus(SASL.SERVER_SUCCEEDED);
    else if (this.status === SASL.CLIENT_ACCEPTED) this.setStatus(SASL.SUCCEEDED);
  }

  /** The attempt failed: spec Server_Failed with the Telepathy error (AuthenticationFailed for a refused password). */
  serverFailed(error: string, message: string): void {
    if (this.status !== SASL.IN_PROGRESS && this.status !== SASL.CLIENT_ACCEPTED && this.status !== SASL.SERVER_SUCCEEDED) return;
    this.details = message ? { 'debug-message': new dbus.Variant('s', message) } : {};
    this.setStatus(SASL.SERVER_FAILED, error);
  }

  /** Closed for the dispatcher (no handler took it, its handler left): as the client's Close. */
  closeQuietly(): void {
    this.close(true);
  }

  /** spec Channel.Close; before a password came it is an abort (Client_Failed, Cancelled), as in TpBasePasswordChannel. */
  close(byClient: boolean): void {
    if (this.closed) return;
    this.closed = true; // first: whoever hears the abort may close it too
    if (byClient && this.status === SASL.NOT_STARTED) this.abort('the channel was closed');
    this.channel.emit('Closed');
    (this.opts.bus.unexport as (path: string) => void).call(this.opts.bus, this.path);
    this.events.closed(this.path);
  }

  // ---- SASLAuthentication -----------------------------------------------------------------------

  /** The properties that never change (spec: immutable, so in NewChannels). */
  private fixed(): Record<string, () => unknown> {
    return {
      AvailableMechanisms: () => [PASSWORD_MECHANISM],
      HasInitialData: () => true,
      CanTryAgain: () => false,
      AuthorizationIdentity: () => this.opts.username,
      DefaultUsername: () => this.opts.username,
      DefaultRealm: () => '',
      MaySaveResponse: () => true, // Confab does not keep it: the client may (Polari keeps it in its keyring)
    };
  }

  /** spec StartMechanism(WithData): only X-TELEPATHY-PASSWORD, only once, only with the password as initial data. */
  private start(mechanism: string, data: Buffer | undefined): void {
    if (mechanism !== PASSWORD_MECHANISM) throw new NotImplementedError(`the mechanism '${String(mechanism)}' is not offered: only ${PASSWORD_MECHANISM}`);
    if (this.closed || this.status !== SASL.NOT_STARTED) {
      throw new dbus.DBusError(`${TP}.Error.NotAvailable`, `StartMechanism cannot be called in SASLStatus ${this.status}`);
    }
    const password = passwordOf(data);
    this.setStatus(SASL.IN_PROGRESS);
    this.events.password(password);
  }

  /** spec AcceptSASL: after Server_Succeeded it is Succeeded; during In_Progress the client accepts early (Client_Accepted). */
  private accept(): void {
    if (this.status === SASL.SERVER_SUCCEEDED) return this.setStatus(SASL.SUCCEEDED);
    if (this.status === SASL.IN_PROGRESS) return this.setStatus(SASL.CLIENT_ACCEPTED);
    throw new dbus.DBusError(`${TP}.Error.NotAvailable`, `AcceptSASL cannot be called in SASLStatus ${this.status}`);
  }

  /** spec AbortSASL: before a password came, Client_Failed (Cancelled); once it is being tried, too late (NotAvailable). */
  private abort(message: string): void {
    if (this.status === SASL.CLIENT_FAILED || this.status === SASL.SERVER_FAILED) return;
    if (this.status !== SASL.NOT_STARTED) {
      throw new dbus.DBusError(`${TP}.Error.NotAvailable`, `AbortSASL cannot be called in SASLStatus ${this.status}`);
    }
    this.details = { 'debug-message': new dbus.Variant('s', String(message).slice(0, 200)) };
    this.setStatus(SASL.CLIENT_FAILED, `${TP}.Error.Cancelled`);
    this.events.aborted();
  }

  /** spec SASLStatusChanged(Status, Reason, Details), and PropertiesChanged of the three properties. */
  private setStatus(status: number, error = ''): void {
    this.status = status;
    this.error = error;
    this.sasl.emit('SASLStatusChanged', status, error, this.details);
    this.sasl.refresh();
  }
}

/** The password in X-TELEPATHY-PASSWORD's initial data: UTF-8, not empty, one line (it goes into a protocol line such as IRC's PASS). */
function passwordOf(data: Buffer | undefined): string {
  if (!data || data.length === 0) throw new InvalidArgumentError(`${PASSWORD_MECHANISM} needs the password as initial data (StartMechanismWithData)`);
  if (data.length > MAX_PASSWORD_BYTES) throw new InvalidArgumentError(`the password is longer than ${MAX_PASSWORD_BYTES} bytes`);
  const text = Buffer.from(data).toString('utf8');
  if (/[\r\n\0]/.test(text)) throw new InvalidArgumentError('the password has a line break or a NUL in it');
  return text;
}
