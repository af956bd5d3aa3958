/**
 * The CONFERENCES section (type 20) inside a Tox profile (savedata/profile.ts keeps it among the
 * sections it does not model): read for the connection, and put back where c-toxcore 0.2.18 writes
 * it — after PATH_NODE (11) and before any section of a higher type (tox.c / Messenger.c save order).
 * c-toxcore writes the section even with no conference (length 0); so do we.
 *
 * c-toxcore refuses a whole profile whose conferences do not load (load_conferences: the state
 * loader fails, tox_new says TOX_ERR_NEW_LOAD_BAD_FORMAT). We keep the account instead: an
 * unreadable section is reported, no conference is joined from it, and it is written back as it
 * was until there are conferences of our own to save.
 * @since 0.3.0
 */
import { SectionType, type RawSection, type ToxProfile } from '../savedata';
import { Malformed, Truncated } from '../wire/bytes';
import { readConferences, writeConferences, type SavedConference } from './saved-conferences';

export interface ProfileConferences {
  readonly saved: readonly SavedConference[];
  /** Why the section could not be read, with its bytes. */
  readonly error?: string;
  readonly raw?: Uint8Array;
}

/** The conferences of a profile: none when it has no CONFERENCES section. @since 0.3.0 */
export function conferencesOf(profile: ToxProfile): ProfileConferences {
  const section = profile.otherSections.find((s) => s.type === SectionType.CONFERENCES);
  if (!section) return { saved: [] };
  try {
    return { saved: readConferences(section.data) };
  } catch (e) {
    if (e instanceof Malformed || e instanceof Truncated) return { saved: [], error: e.message, raw: section.data };
    throw e;
  }
}

/**
 * `sections` with the CONFERENCES section holding `saved` (or `unread`, kept as it was, when there is
 * nothing of ours to save), in its place. @since 0.3.0
 */
export function withConferences(sections: readonly RawSection[], saved: readonly SavedConference[], unread?: Uint8Array): RawSection[] {
  const data = saved.length === 0 && unread ? unread : writeConferences(saved);
  const section: RawSection = { type: SectionType.CONFERENCES, data };
  const out = sections.filter((s) => s.type !== SectionType.CONFERENCES);
  const at = out.findIndex((s) => s.type > SectionType.CONFERENCES);
  out.splice(at === -1 ? out.length : at, 0, section);
  return out;
}
