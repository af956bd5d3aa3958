/**
 * Registration (RFC 2812 §3.1; 001 RPL_WELCOME, §5.1) and the end of the link. One connect() settles
 * once: with the welcome, or with the first failure — a refused password (464, or ngircd's ERROR),
 * a ban (465), a failed SASL login (never an unauthenticated fallback), the nick still taken after
 * nick_ and nick__, the socket closing, or no welcome in time. After the welcome: the contact watch
 * starts at the end of the MOTD, the nick we wanted is taken back when it is free, and a closed
 * socket says why the link ended.
 */
import type { IrcErrorEvent } from 'irc-framework';
import { ConfabError, type StatusReason } from '@confab/sdk';
import { rfc1459Lower } from '../casemap';
import { socketError } from '../errors';
import type { IrcSettings } from '../irc-settings';
import type { PresenceWatch } from '../presence-watch';
import { HANDLED, type HandlerTable } from './handler';

/** How long after the 001 the contact watch waits for the end of the MOTD. */
export const MOTD_WAIT_MS = 10_000;
/** Nick alternatives tried when the nick is taken during registration: nick_, nick__. */
const NICK_RETRIES = 2;

export type RegistrationSettings = Pick<IrcSettings, 'server' | 'port' | 'nickname' | 'pingTimeout' | 'sasl'>;

/** One connect()'s registration: settles once, with the welcome or with the first failure. */
export class Registration {
  settled = false;
  /** Why the server said it ends the link (ERROR, ping timeout): said again when the socket closes. */
  closingReason: string | undefined;
  nickTries = 0;
  /** Waiting for the end of the MOTD to start the contact watch. */
  motdTimer: NodeJS.Timeout | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    server: string,
    timeoutMs: number,
    private readonly outcome: { welcomed(): void; failed(err: ConfabError, reason: StatusReason): void },
  ) {
    this.timer = setTimeout(() => this.fail(new ConfabError('NetworkError', `no welcome from ${server} within ${timeoutMs / 1000} s`), 'network-error'), timeoutMs);
  }

  /** The 001; false when the registration had already ended. */
  welcome(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.timer);
    this.outcome.welcomed();
    return true;
  }

  fail(err: ConfabError, reason: StatusReason): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.outcome.failed(err, reason);
  }
}

export interface RegistrationContext {
  readonly settings: RegistrationSettings;
  readonly registration: Registration;
  readonly watch: Pick<PresenceWatch, 'want'>;
  /** Starts the contact watch (MONITOR or ISON), unless this client was dropped meanwhile. */
  startWatch(): void;
  /** NICK during registration (RFC 2812 §3.1.2), sent by irc-framework itself. */
  changeNick(nick: string): void;
  /** Why the socket failed, if it did (TLS verification, refused…). */
  socketError(): (Error & { code?: string }) | undefined;
  /** Whether disconnect() asked for the close. */
  quitRequested(): boolean;
  /** The link ended after the welcome. */
  lost(reason: StatusReason, detail: string): void;
}

export const registrationHandlers: HandlerTable<RegistrationContext> = {
  registered: (ctx, e: { nick: string }) => {
    const r = ctx.registration;
    if (!r.welcome()) return;
    // ISUPPORT (005, which says whether there is MONITOR) follows the 001; the MOTD ends the
    // registration burst (RFC 2812 §5.1: 376 or 422). A server that never ends it still gets watched.
    r.motdTimer = setTimeout(() => endOfMotd(ctx), MOTD_WAIT_MS).unref();
    // The nick the server gave us is the 001's target (RFC 2812 §5.1); irc-framework sets user.nick after this event.
    if (rfc1459Lower(e.nick) !== rfc1459Lower(ctx.settings.nickname)) ctx.watch.want(ctx.settings.nickname); // regain it when free
  },
  motd: (ctx) => {
    if (ctx.registration.motdTimer) endOfMotd(ctx);
  },
  'irc error': (ctx, e: IrcErrorEvent) => {
    const { server } = ctx.settings;
    const r = ctx.registration;
    if (e.error === 'password_mismatch') r.fail(new ConfabError('AuthenticationFailed', `${server} refused the password (464)`), 'auth-failed');
    else if (e.error === 'banned_from_network') r.fail(new ConfabError('PermissionDenied', `${server} bans this connection (465): ${e.reason ?? ''}`), 'protocol-error');
    else if (e.error === 'irc') {
      // RFC 2812 §3.7.4 ERROR: the server is closing the link. Servers without 464 (ngircd:
      // "Access denied: Bad password?") say why only here.
      if (!r.settled && /password|access denied/i.test(e.reason ?? '')) r.fail(new ConfabError('AuthenticationFailed', `${server} refused the login: ${e.reason}`), 'auth-failed');
      else r.closingReason = e.reason; // said again as the reason when the socket closes
    } else return; // not about the link: another table's
    return HANDLED;
  },
  // A SASL failure never falls through to an unauthenticated login (IRCv3 SASL 3.1: 904/905/902).
  'sasl failed': (ctx, e: { reason: string; message?: string }) => {
    const { server, sasl } = ctx.settings;
    const why = e.reason === 'capability_missing' ? `${server} does not offer SASL`
      : e.reason === 'unsupported_mechanism' ? `${server} does not offer SASL ${sasl.toUpperCase()}`
      : `${server} refused the SASL login${e.message ? `: ${e.message}` : ''}`;
    ctx.registration.fail(new ConfabError('AuthenticationFailed', why), 'auth-failed');
  },
  'ping timeout': (ctx) => {
    ctx.registration.closingReason = `no answer from the server for ${ctx.settings.pingTimeout} s (ping timeout)`;
  },
  'nick in use': (ctx) => {
    const r = ctx.registration;
    if (r.settled) return; // a NICK change refused after the welcome: nothing to do yet
    if (r.nickTries >= NICK_RETRIES) return r.fail(new ConfabError('NameInUse', `the nickname ${ctx.settings.nickname} is in use on ${ctx.settings.server}`), 'name-in-use');
    r.nickTries++;
    ctx.changeNick(ctx.settings.nickname + '_'.repeat(r.nickTries));
  },
  nick: (ctx, e: { nick: string; new_nick: string }) => {
    if (rfc1459Lower(e.new_nick) === rfc1459Lower(ctx.settings.nickname)) ctx.watch.want(undefined); // regained
  },
  'socket close': (ctx) => {
    const { server, port } = ctx.settings;
    const r = ctx.registration;
    const cause = ctx.socketError();
    const err = r.closingReason && !cause ? new ConfabError('NetworkError', `${server}: ${r.closingReason}`) : socketError(cause, server, port);
    if (!r.settled) return r.fail(err, err.code === 'CertificateInvalid' ? 'cert-invalid' : err.code === 'InvalidArgument' ? 'config-error' : 'network-error');
    ctx.lost(ctx.quitRequested() ? 'requested' : 'network-error', err.message); // e.g. "closed the link: Closing link: (…) [Excess Flood]"
  },
};

function endOfMotd(ctx: RegistrationContext): void {
  clearTimeout(ctx.registration.motdTimer);
  ctx.registration.motdTimer = undefined;
  ctx.startWatch();
}
