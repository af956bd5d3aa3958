/**
 * IRC names: case folding and validation.
 * RFC 2812 §2.2: "{}|^" are the lower case of "[]\~" (the `rfc1459` CASEMAPPING, the default until
 * a server's ISUPPORT says otherwise).
 */
import { InvalidArgumentError, type ChannelKind } from '@confab/sdk';

export function rfc1459Lower(s: string): string {
  return s.toLowerCase().replace(/[[\]\\~]/g, (c) => ({ '[': '{', ']': '}', '\\': '|', '~': '^' })[c]!);
}

/** RFC 2812 §1.3 channel prefixes (ISUPPORT CHANTYPES may narrow them). */
export const CHANNEL_PREFIXES = '#&+!';

export function isChannelName(name: string): boolean {
  return name.length > 0 && CHANNEL_PREFIXES.includes(name[0]);
}

/**
 * Room or direct, by the first character: a channel when it is one of `chantypes` — the server's
 * ISUPPORT CHANTYPES once connected (https://modern.ircdocs.horse/#chantypes-parameter), RFC 2812
 * §1.3's prefixes before. This is the plugin's answer to "is this a room" (Protocol.targetKind,
 * RoomsFacet.kindOf); no one else guesses it from the name.
 */
export function targetKind(name: string, chantypes: string | readonly string[] = CHANNEL_PREFIXES): ChannelKind {
  const first = name.trim()[0];
  return first !== undefined && chantypes.includes(first) ? 'room' : 'direct';
}

// RFC 2812 §2.3.1: nickname = ( letter / special ) *( letter / digit / special / "-" ).
const NICK = /^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]*$/;

export function nickProblem(nick: string): string | undefined {
  if (nick.length === 0) return 'is empty';
  if (nick.length > 64) return 'is longer than 64 characters';
  if (!NICK.test(nick)) return 'may hold only letters, digits and []\\`_^{|}- and not start with a digit or -';
  return undefined;
}

/** A nick or channel as Confab stores it; throws InvalidArgumentError when it is neither. */
export function normalizeTarget(raw: string): string {
  const name = raw.trim();
  if (isChannelName(name)) {
    // RFC 2812 §1.3: no space, comma or ^G in a channel name, at most 50 characters (servers allow more).
    if (/[\s,\x07]/.test(name) || name.length > 200) throw new InvalidArgumentError(`'${raw}' is not a valid IRC channel name`);
    return rfc1459Lower(name);
  }
  const problem = nickProblem(name);
  if (problem) throw new InvalidArgumentError(`'${raw}' is not a valid IRC nickname: it ${problem}`);
  return rfc1459Lower(name);
}
