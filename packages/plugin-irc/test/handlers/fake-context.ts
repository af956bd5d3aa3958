/**
 * A context for the handler tables that records what the handlers do: the lines written back, the
 * room changes, invitations and messages emitted, the watch and registration calls, the log.
 */
import type { IncomingMessage, Logger, RoomChange, RoomInvitation } from '@confab/sdk';
import type { IrcContext } from '../../src/handlers';
import { Registration } from '../../src/handlers/registration';
import { PendingReplies } from '../../src/replies';
import { RoomLister } from '../../src/room-list';
import { RoomTracker } from '../../src/room-tracker';

export interface Recorded {
  ctx: IrcContext;
  written: string[][];
  roomChanges: RoomChange[];
  invitations: RoomInvitation[];
  received: IncomingMessage[];
  logged: string[];
  outcome: { welcomed: jest.Mock; failed: jest.Mock };
  watch: { want: jest.Mock; online: jest.Mock; offline: jest.Mock; away: jest.Mock };
}

/** Our nick is `me`; the registration waits (a test that uses it takes jest's fake timers for its 30 s timeout). */
export function fakeContext(over: Partial<IrcContext> = {}): Recorded {
  const written: string[][] = [];
  const roomChanges: RoomChange[] = [];
  const invitations: RoomInvitation[] = [];
  const received: IncomingMessage[] = [];
  const logged: string[] = [];
  const outcome = { welcomed: jest.fn(), failed: jest.fn() };
  const watch = { want: jest.fn(), online: jest.fn(), offline: jest.fn(), away: jest.fn() };
  let registration: Registration | undefined;
  const log: Logger = {
    debug: (msg, ...args) => logged.push(format(msg, args)),
    info: () => undefined,
    warn: (msg, ...args) => logged.push(format(msg, args)),
    error: () => undefined,
    child: () => log,
  };
  const ctx: IrcContext = {
    log,
    settings: { server: 'irc.test', port: 6667, nickname: 'me', pingTimeout: 90, sasl: 'none' },
    get registration() {
      return (registration ??= new Registration('irc.test', 30_000, outcome)); // its timer only when a test asks for it
    },
    ownNick: () => 'me',
    write: (...line) => written.push(line),
    changeNick: jest.fn(),
    isupport: () => ({}),
    socketError: () => undefined,
    quitRequested: () => false,
    lost: jest.fn(),
    tracker: new RoomTracker((c) => roomChanges.push(c)),
    joins: new Map(),
    parts: new Map(),
    invited: (i) => invitations.push(i),
    echoes: [],
    sends: new Map(),
    replies: new PendingReplies(),
    received: (m) => received.push(m),
    watch,
    startWatch: jest.fn(),
    whois: new Map(),
    roomList: new RoomLister({ write: (...line) => void written.push(line), isupport: () => ({}), serverName: () => 'irc.test' }),
    ...over,
  };
  return { ctx, written, roomChanges, invitations, received, logged, outcome, watch };
}

/** A Deferred whose settling is recorded. */
export function deferred<T>(): { resolve: jest.Mock<void, [T]>; reject: jest.Mock<void, [unknown]> } {
  return { resolve: jest.fn<void, [T]>(), reject: jest.fn<void, [unknown]>() };
}

function format(msg: string, args: unknown[]): string {
  let i = 0;
  return msg.replace(/%s/g, () => String(args[i++]));
}
