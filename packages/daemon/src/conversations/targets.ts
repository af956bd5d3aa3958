/**
 * Targets (issue 14): how the daemon compares the conversations' targets, and who says whether a
 * target is a room. Neither question is answered by syntax here, nor in the CLI: the protocol
 * answers both, through the SDK.
 *
 * - One normalization for every channel target, those the network names and those the user types,
 *   so that they meet: the live connection's own (Connection.normalizeTarget: IRC casemapping, SIP's
 *   bare user on the account's domain), then the protocol's (Protocol.normalizeContact: a Tox key in
 *   upper case, a bare JID in lower case).
 * - Room or direct, for a target with no channel yet: the connection's server (RoomsFacet.kindOf:
 *   IRC's CHANTYPES, XMPP's service discovery), then the protocol's syntax (Protocol.targetKind:
 *   IRC's channel prefixes), else direct — also for a protocol without rooms, and for what cannot be
 *   told while offline.
 */
import type { ChannelKind, Logger, Protocol } from '@confab/sdk';
import type { AccountRunner } from '../supervisor/account-runner';

/** A contact id the network named, normalized; kept as given when the protocol cannot read it. */
export function normalizeId(protocol: Protocol, id: string): string {
  try {
    return protocol.normalizeContact(id);
  } catch {
    return id; // the server named it; keep its spelling rather than drop the message
  }
}

/**
 * A channel target as the account stores it. `strict`: a target the protocol cannot read is
 * InvalidArgument (the user typed it to open a conversation); otherwise it is kept as given (the
 * server named it, or it is only looked up).
 */
export function channelTarget(runner: AccountRunner, kind: ChannelKind, raw: string, strict: boolean): string {
  let target = raw;
  const conn = runner.connection; // only while connected
  if (conn?.normalizeTarget) {
    try {
      target = conn.normalizeTarget({ kind, target: raw }).target;
    } catch (err) {
      if (strict) throw err; // else the protocol's normalization below decides
    }
  }
  return strict ? runner.protocol.normalizeContact(target) : normalizeId(runner.protocol, target);
}

export function hasRooms(protocol: Protocol): boolean {
  return protocol.capabilities.channelClasses.some((c) => c.kind === 'room');
}

/** Room or direct for a target the user typed, as the protocol tells (see the header). */
export async function kindOfTarget(runner: AccountRunner, raw: string, log: Logger): Promise<ChannelKind> {
  if (!hasRooms(runner.protocol)) return 'direct';
  const target = channelTarget(runner, 'room', raw, true);
  const rooms = runner.connection?.rooms;
  let told: ChannelKind | undefined;
  if (rooms?.kindOf) {
    try {
      told = await rooms.kindOf(target);
    } catch (err) {
      // not the caller's error: the protocol's syntax decides instead, and the log keeps why
      log.debug('account %s: could not tell what %s is: %s', runner.account.id, target, (err as Error).message);
    }
  }
  return told ?? runner.protocol.targetKind?.(target) ?? 'direct';
}
