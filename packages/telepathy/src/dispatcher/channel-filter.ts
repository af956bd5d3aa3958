/**
 * Channel filters (spec 0.27 `Channel_Class`, as `Client.Handler.HandlerChannelFilter`,
 * `Client.Observer.ObserverChannelFilter` and `Client.Approver.ApproverChannelFilter` carry them): a
 * filter is a map of fully qualified property names to values; a channel matches when each of its
 * immutable properties named by the filter has that value. An empty filter matches every channel.
 * A client's filters are a list: it wants a channel when any one of them matches.
 */

/** One filter, its values as plain JavaScript (strings, numbers, booleans). */
export type ChannelFilter = ReadonlyMap<string, unknown>;

/** Immutable properties of a channel, as a{sv} variants (what NewChannels and HandleChannels carry). */
export type ChannelProperties = Readonly<Record<string, { readonly value: unknown }>>;

function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'bigint' || typeof b === 'bigint') return String(a) === String(b);
  return a === b;
}

/** Whether `props` match `filter`: every key of the filter present with an equal value. */
export function matches(filter: ChannelFilter, props: ChannelProperties): boolean {
  for (const [key, want] of filter) {
    const have = props[key];
    if (have === undefined || !same(have.value, want)) return false;
  }
  return true;
}

/**
 * How well a client's filters match (Mission Control's rule, followed by the spec's "more specific
 * filters win"): 1 + the number of keys of the best matching filter; 0 when none matches.
 */
export function quality(filters: readonly ChannelFilter[], props: ChannelProperties): number {
  let best = 0;
  for (const f of filters) if (matches(f, props)) best = Math.max(best, f.size + 1);
  return best;
}

/** Filters as a client's D-Bus property gives them (`aa{sv}`, each value a variant). */
export function filtersFromVariants(raw: unknown): ChannelFilter[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter((f): f is Record<string, { value: unknown }> => typeof f === 'object' && f !== null)
    .map((f) => new Map(Object.entries(f).map(([k, v]) => [k, (v as { value: unknown }).value])));
}
