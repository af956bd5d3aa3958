/**
 * The Jingle actions that change a session in progress (XEP-0166 §7.2), once jingle-session.ts let
 * them through: session-info (XEP-0167 §7 ringing, hold, mute; empty: a ping), transport-info
 * (XEP-0177 §4: new candidates; XEP-0176 §5.3: trickled ICE candidates), content-modify (§7.2.5 `senders`: the peer's hold) and
 * content-remove (§7.2.8). Each returns the IQ's answer: true for an empty result, or an `<error/>`.
 */
import type { Element } from '@xmpp/client';
import type { Logger } from '@confab/sdk';
import { contentsOf, type CallBook, type JingleCall } from './call-book';
import { directionOf, other, type Senders } from './jingle-contents';
import { readIceUdp } from './ice-udp';
import { iqError } from './jingle-errors';
import { NS_ICE_UDP, NS_RTP_INFO } from './jingle-ns';
import { readRawUdp } from './raw-udp';
import type { Media } from './rtp-description';

/** XEP-0166 §7.2.11, XEP-0167 §7: ringing, hold/unhold, active, mute/unmute; an empty one is a ping. */
export function sessionInfo(book: CallBook, call: JingleCall, jingle: Element): Element | true {
  const payload = jingle.children.find((c): c is Element => typeof c !== 'string');
  if (!payload) return true;
  if (payload.attrs.xmlns !== NS_RTP_INFO) return iqError('unsupported-info', `${payload.name} is not understood`); // XEP-0166 §7.2.11
  switch (payload.name) {
    case 'ringing':
      if (call.direction === 'outgoing' && call.state === 'dialing') book.setState(call, 'ringing');
      return true;
    case 'hold': case 'unhold': case 'active':
      call.remoteHold = payload.name === 'hold';
      if (call.phase === 'active') book.setState(call, book.heldState(call));
      return true;
    case 'mute': case 'unmute':
      return true;
    default:
      return iqError('unsupported-info', `${payload.name} is not understood`);
  }
}

/**
 * XEP-0176 §5.3: the peer's trickled candidates (and XEP-0371's `<gathering-complete/>`), collected
 * for its description (trickle.ts). All of it is read before any of it is taken: a malformed or
 * oversized transport-info is a bad-request and changes nothing; candidates that come after the
 * description was applied are acknowledged and dropped (confab-media has no AddRemoteCandidate yet).
 */
function iceTransportInfo(call: JingleCall, contents: readonly Element[], log: Logger): Element | true {
  const taken: Array<{ candidates: ReturnType<typeof readIceUdp>['candidates']; complete: boolean }> = [];
  for (const c of contents) {
    const t = c.getChild('transport', NS_ICE_UDP);
    if (!t || !contentsOf(call).some((k) => k.name === c.attrs.name)) return iqError('bad-request', 'no such content or no ice-udp transport');
    try {
      const ice = readIceUdp(t);
      // a new ufrag is an ICE restart (XEP-0176 §6, RFC 8445 § 9): not done by confab-media yet
      if (ice.ufrag && call.remote?.ice && ice.ufrag !== call.remote.ice.ufrag) return iqError('feature-not-implemented', 'ICE restart is not supported');
      taken.push({ candidates: ice.candidates, complete: ice.complete });
    } catch (err) {
      return iqError('bad-request', (err as Error).message);
    }
  }
  for (const t of taken) {
    const result = call.candidates.add(t.candidates, t.complete);
    if (result === 'too-many') return iqError('bad-request', 'too many candidates for one session');
    if (result === 'late' && t.candidates.length > 0) log.debug('call %s: %d candidate(s) after the description was applied: dropped', call.id, t.candidates.length);
  }
  return true;
}

/** XEP-0177 §4: new candidates (a higher generation) for a content: its media goes there; XEP-0176 §5.3 for ICE. */
export function transportInfo(call: JingleCall, jingle: Element, log: Logger): Element | true {
  const contents = jingle.getChildren('content');
  if (contents.length === 0 || contents.length > 4) return iqError('bad-request', `${contents.length} contents`);
  if (call.transport === 'webrtc' || (!call.transport && contents.some((c) => c.getChild('transport', NS_ICE_UDP)))) return iceTransportInfo(call, contents, log);
  const updates: Array<{ media: Media; endpoint: NonNullable<ReturnType<typeof readRawUdp>> }> = [];
  for (const c of contents) {
    const t = c.getChild('transport');
    const known = contentsOf(call).find((k) => k.name === c.attrs.name);
    if (!t || !known) return iqError('bad-request', 'no such content or transport');
    try {
      const e = readRawUdp(t);
      if (e) updates.push({ media: known.media, endpoint: e });
    } catch (err) {
      return iqError('bad-request', (err as Error).message);
    }
  }
  if (call.remote && updates.length > 0) {
    let r = call.remote;
    for (const u of updates) {
      if (u.media === 'audio') r = { ...r, address: u.endpoint.address, port: u.endpoint.port, rtcpPort: u.endpoint.rtcpPort };
      else if (r.video) r = { ...r, video: { ...r.video, address: u.endpoint.address, port: u.endpoint.port, rtcpPort: u.endpoint.rtcpPort } };
    }
    call.remote = r;
    void call.media?.setRemote(r).catch((err: unknown) => log.debug('call %s: transport-info: %s', call.id, (err as Error).message));
  }
  return true;
}

/** XEP-0166 §7.2.5: new `senders` — the peer's direction changes (RFC 3264 §8.4: sendonly or inactive is its hold). */
export function contentModify(book: CallBook, call: JingleCall, jingle: Element, log: Logger): Element | true {
  const contents = jingle.getChildren('content');
  if (contents.length === 0 || contents.length > 4) return iqError('bad-request', 'content-modify needs one content');
  const senders = contents.map((c) => c.attrs.senders ?? 'both');
  if (!senders.every((s) => ['both', 'initiator', 'responder', 'none'].includes(s))) return iqError('bad-request', 'bad senders');
  let r = call.remote;
  for (const [i, c] of contents.entries()) {
    const known = contentsOf(call).find((k) => k.name === c.attrs.name);
    if (!known) return iqError('bad-request', 'no such content');
    const peerDirection = directionOf(senders[i] as Senders, other(call.role));
    if (r && known.media === 'audio') {
      r = { ...r, direction: peerDirection };
      call.remoteHold = peerDirection === 'sendonly' || peerDirection === 'inactive';
    } else if (r?.video) r = { ...r, video: { ...r.video, direction: peerDirection } };
  }
  if (r && r !== call.remote) {
    call.remote = r;
    void call.media?.setRemote(r).catch((err: unknown) => log.debug('call %s: content-modify: %s', call.id, (err as Error).message));
  }
  book.setState(call, book.heldState(call));
  return true;
}

/** XEP-0166 §7.2.8: the peer removes a content; removing the audio ends the call (nothing would be left of it). */
export function contentRemove(book: CallBook, call: JingleCall, jingle: Element): Element | true {
  const names = jingle.getChildren('content').slice(0, 4).map((c) => c.attrs.name);
  const removed = contentsOf(call).filter((k) => names.includes(k.name));
  if (removed.length === 0) return iqError('bad-request', 'no such content');
  if (removed.some((k) => k.media === 'audio')) {
    setImmediate(() => book.end(call, 'remote-hangup', 'content-remove of the audio'));
    return true;
  }
  if (call.remote?.video) {
    const { video: _gone, ...rest } = call.remote;
    call.remote = rest;
    void call.media?.setRemote(rest).then(() => call.media?.setVideo(false)).catch(() => undefined);
    book.videoChanged(call, false);
  }
  return true;
}
