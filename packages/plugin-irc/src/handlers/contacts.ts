/**
 * Contacts: presence from MONITOR (730/731) or ISON (303), which irc-framework both reports as
 * `users online`/`users offline`; away from IRCv3 away-notify and RPL_AWAY; WHOIS answers
 * (RFC 2812 §3.6.2) for the contact information asked for. The state is the PresenceWatch's.
 */
import type { WhoisEvent } from 'irc-framework';
import { NotFoundError, type ContactInfo } from '@confab/sdk';
import { rfc1459Lower } from '../casemap';
import type { Deferred } from '../pending';
import type { PresenceWatch } from '../presence-watch';
import type { HandlerTable } from './handler';

export interface ContactsContext {
  readonly watch: Pick<PresenceWatch, 'online' | 'offline' | 'away'>;
  /** WHOIS waiting for RPL_ENDOFWHOIS, by case-folded nick. */
  readonly whois: Map<string, Array<Deferred<ContactInfo>>>;
}

export const contactHandlers: HandlerTable<ContactsContext> = {
  'users online': (ctx, e: { nicks: string[] }) => ctx.watch.online(e.nicks),
  'users offline': (ctx, e: { nicks: string[] }) => ctx.watch.offline(e.nicks),
  away: (ctx, e: { nick: string; message?: string; self?: boolean }) => {
    if (!e.self) ctx.watch.away(e.nick, e.message ?? ''); // IRCv3 away-notify, RPL_AWAY
  },
  back: (ctx, e: { nick: string; self?: boolean }) => {
    if (!e.self) ctx.watch.away(e.nick, undefined);
  },
  whois: (ctx, e: WhoisEvent) => onWhois(ctx, e),
};

/** RPL_ENDOFWHOIS with everything irc-framework collected since RPL_WHOISUSER (RFC 2812 §3.6.2). */
function onWhois(ctx: ContactsContext, e: WhoisEvent): void {
  const nick = rfc1459Lower(e.nick);
  const waiting = ctx.whois.get(nick);
  ctx.whois.delete(nick);
  if (e.error) {
    for (const d of waiting ?? []) d.reject(new NotFoundError(`no one is using the nickname ${e.nick}`));
    return;
  }
  ctx.watch.away(e.nick, e.away || undefined);
  const info = contactInfo(e);
  for (const d of waiting ?? []) d.resolve(info);
}

function contactInfo(e: WhoisEvent): ContactInfo {
  const info: Record<string, string> = {};
  const put = (k: string, v: unknown) => {
    if (v !== undefined && v !== null && v !== '' && v !== false) info[k] = String(v);
  };
  put('nick', e.nick);
  put('username', e.ident);
  put('host', e.actual_hostname ?? e.hostname);
  put('realname', e.real_name);
  put('account', e.account); // 330, IRCv3 account via services
  put('server', e.server);
  put('server-info', e.server_info);
  put('channels', e.channels);
  put('idle-seconds', e.idle);
  put('signon', e.logon === undefined ? undefined : new Date(Number(e.logon) * 1000).toISOString());
  put('away', e.away);
  put('secure', e.secure ? 'yes' : undefined);
  put('operator', e.operator);
  put('bot', e.bot ? 'yes' : undefined);
  return info;
}
