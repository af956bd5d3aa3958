/**
 * Listing the public rooms a server offers (IRC LIST, RFC 2812 §3.2.6; XMPP disco#items on a MUC
 * service, XEP-0030 §4 / XEP-0045 §6.3): an optional part of `RoomsFacet`. A server may answer with
 * 100,000 channels, so a listing is streamed in batches and bounded: the plugin hands each batch over
 * as it arrives and keeps none of it; the daemon counts, stops at its cap (`maxRooms`) and at its time
 * limit by aborting the signal. @since 0.6.0
 */

/** One room as the server described it. */
export interface ListedRoom {
  /** What `RoomsFacet.join` takes (IRC: `#channel`; XMPP: the room's bare JID). */
  readonly id: string;
  /** A name to show (the channel name; a MUC's disco name, else its JID's local part). */
  readonly name: string;
  /** The topic (IRC formatting removed); empty when the server gave none. */
  readonly topic: string;
  /** How many are in it, where the server says (IRC: visible members; XMPP: `muc#roominfo_occupants`). */
  readonly members?: number;
}

export interface RoomListOptions {
  /** Where to list: XMPP a MUC service's JID (else the first one the server's disco#items names); IRC ignores it. */
  readonly server?: string;
  /** Only rooms whose name contains this text (compared case-insensitively); IRC asks the server to filter where ISUPPORT ELIST has M. */
  readonly filter?: string;
  /** The most rooms the caller will take: the plugin may stop asking once it gave that many. */
  readonly maxRooms: number;
}

/** How a listing ended, when it ended by itself (an abort rejects with Cancelled instead). */
export interface RoomListEnd {
  /** The server that was listed (IRC: the server's name; XMPP: the MUC service's JID). */
  readonly server: string;
  /** Entries the server sent that could not be read (a malformed RPL_LIST, an item without a JID): skipped, counted. */
  readonly skipped: number;
}

/**
 * Lists the rooms: calls `onRooms` with each batch as it comes, resolves when the server said the
 * list is over, rejects with a ConfabError (Offline, NotAvailable when the server refuses or asks to
 * try later, NotCapable when it has no room service, Cancelled once `signal` aborted). Listings of one
 * connection may be asked concurrently; the plugin orders them if its protocol cannot tell answers apart.
 */
export type ListRooms = (options: RoomListOptions, onRooms: (batch: readonly ListedRoom[]) => void, signal: AbortSignal) => Promise<RoomListEnd>;
