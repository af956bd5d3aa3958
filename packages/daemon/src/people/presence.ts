/** A person's presence: the most available of their contacts' (the order of Telepathy's presence types). */
import type { ContactPresence } from '@confab/sdk';

export type ContactStatus = ContactPresence['status'];

const RANK: Record<ContactStatus, number> = { available: 5, busy: 4, away: 3, invisible: 2, offline: 1, unknown: 0 };

/** How available a status is: higher is more. */
export function availability(status: ContactStatus): number {
  return RANK[status] ?? 0;
}

/** The most available of the presences (the first of equals), or unknown for none. */
export function mostAvailable(presences: Iterable<{ status: ContactStatus; message: string }>): { status: ContactStatus; message: string } {
  let best: { status: ContactStatus; message: string } = { status: 'unknown', message: '' };
  for (const p of presences) if (availability(p.status) > availability(best.status)) best = p;
  return { status: best.status, message: best.message };
}
