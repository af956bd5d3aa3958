/**
 * What a Jingle action may do to a session in the state it is in (XEP-0166 §6, §7.2, §8): the
 * state machine of one session as a pure function, so that every action that is not its turn gets
 * the IQ error XEP-0166 §8 names and never reaches the call.
 *
 *   proposed  — XEP-0353: a propose went out (ours) or came in (theirs); no Jingle yet
 *   proceeded — we answered a propose with `proceed` and wait for the caller's session-initiate
 *   pending   — XEP-0166 §6.2: the session-initiate went out or came in, no session-accept yet
 *   active    — §6.3: accepted; media flows
 *   ended     — §6.7: terminated (kept briefly so late actions are answered, not unknown)
 *
 * A session is the peer's full JID and the sid (§7.1: the sid is unique to the initiator); an action
 * for a sid from anyone but that peer is for a session that does not exist for them (§8,
 * unknown-session: a forged `from` learns nothing).
 */
import { other, type Role } from './jingle-contents';
import type { JingleIqError } from './jingle-errors';

export type Phase = 'proposed' | 'proceeded' | 'pending' | 'active' | 'ended';

/** XEP-0166 §7.2: every action there is. */
export const ACTIONS = [
  'content-accept', 'content-add', 'content-modify', 'content-reject', 'content-remove', 'description-info', 'security-info',
  'session-accept', 'session-info', 'session-initiate', 'session-terminate', 'transport-accept', 'transport-info', 'transport-reject',
  'transport-replace',
] as const;
export type Action = typeof ACTIONS[number];

export interface SessionView {
  /** Our role in it. */
  readonly role: Role;
  readonly phase: Phase;
  /** The peer's full JID. */
  readonly peer: string;
}

export type Verdict = { readonly ok: true; readonly action: Action } | { readonly ok: false; readonly error: JingleIqError; readonly text: string };

const CONTENT_ACTIONS: readonly string[] = ['content-accept', 'content-add', 'content-modify', 'content-reject', 'content-remove'];
/** Known actions we do not do (yet): answered feature-not-implemented, the session goes on. */
const NOT_DONE: readonly string[] = ['description-info', 'security-info', 'transport-accept', 'transport-reject', 'transport-replace'];

/** Whether `action` from `from` may act on `session` (undefined: no session with its sid). */
export function checkAction(action: string | undefined, session: SessionView | undefined, from: string): Verdict {
  const no = (error: JingleIqError, text: string): Verdict => ({ ok: false, error, text });
  if (!action || !(ACTIONS as readonly string[]).includes(action)) return no('bad-request', `unknown action '${String(action).slice(0, 30)}'`); // §7.2
  const a = action as Action;
  if (a === 'session-initiate') {
    if (!session) return { ok: true, action: a };
    if (session.peer !== from) return no('bad-request', 'the sid is in use');
    // XEP-0353 §3.2: after our proceed the caller's initiate is expected; any other repeat is out of order (§8)
    return session.phase === 'proceeded' && session.role === 'responder' ? { ok: true, action: a } : no('out-of-order', 'the session exists');
  }
  if (!session || session.peer !== from) return no('unknown-session', 'no such session'); // §8
  if (a === 'session-terminate') return { ok: true, action: a };
  if (session.phase === 'ended') return no('unknown-session', 'the session has ended');
  if (session.phase === 'proposed' || session.phase === 'proceeded') return no('out-of-order', 'the session is not initiated'); // §8
  if (NOT_DONE.includes(a)) return no('feature-not-implemented', `${a} is not supported`);
  switch (a) {
    case 'session-accept':
      // §6.3: only the responder accepts, once, a pending session
      return session.role === 'initiator' && session.phase === 'pending' ? { ok: true, action: a } : no('out-of-order', 'nothing to accept');
    case 'session-info':
    case 'transport-info':
      return { ok: true, action: a };
    default:
      if (CONTENT_ACTIONS.includes(a)) return session.phase === 'active' ? { ok: true, action: a } : no('out-of-order', 'the session is not active'); // §7.2.1, §7.2.5: after the accept
      return no('bad-request', 'unexpected action');
  }
}

/** The role of the other side, for reading what it writes. */
export const peerRole = (s: SessionView): Role => other(s.role);
