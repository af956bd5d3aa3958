/** Account.ListRooms on the wire: its options in, its signals' rooms out (docs/dbus.md, "Listing rooms"). */
import { InvalidArgumentError, type ListedRoom } from '@confab/sdk';
import type { ListingRequest } from '../rooms/room-listings';

const OPTIONS = ['server', 'filter', 'limit', 'timeout'] as const;

/** The options of ListRooms (a{sv}, unwrapped); an unknown one, or one of the wrong type, is InvalidArgument. */
export function listingRequest(o: Record<string, unknown>): ListingRequest {
  for (const k of Object.keys(o)) {
    if (!(OPTIONS as readonly string[]).includes(k)) throw new InvalidArgumentError(`unknown option '${k}' (known: ${OPTIONS.join(', ')})`);
  }
  return { server: text(o, 'server'), filter: text(o, 'filter'), limit: integer(o, 'limit'), timeout: integer(o, 'timeout') };
}

function text(o: Record<string, unknown>, k: string): string | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new InvalidArgumentError(`option '${k}' must be a string`);
  return v;
}

function integer(o: Record<string, unknown>, k: string): number | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new InvalidArgumentError(`option '${k}' must be an integer`);
  return v;
}

/** (id, name, topic, members or -1): the struct of RoomsListed. */
export function wireRoom(r: ListedRoom): [string, string, string, number] {
  return [r.id, r.name, r.topic, r.members !== undefined && r.members <= 0x7fffffff ? r.members : -1];
}
