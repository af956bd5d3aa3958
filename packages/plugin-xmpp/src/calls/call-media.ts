/**
 * The media session of one Jingle call in confab-media: opened on the transport the call's Jingle
 * transport needs — `webrtc` for XEP-0176 ICE-UDP with XEP-0320 DTLS, `rtp` for XEP-0177 raw UDP —
 * with STUN/TURN from XEP-0215 and the daemon; ends that confab-media decides (ICE failed, the DTLS
 * fingerprint did not match) end the call; the negotiated remote description applied and started.
 */
import type { Element } from '@xmpp/client';
import { ConfabError, type CallEndReason } from '@confab/sdk';
import type { LocalDescription, MediaAccess, RemoteDescription } from '@confab/media';
import type { CallBook, JingleCall } from './call-book';
import { mediaEndOf } from './call-stats';
import type { ExternalServices } from './external-services';
import { bundleGroup } from './grouping';

/** What the media of a call needs of the calls. */
export interface CallMediaHost {
  readonly media: MediaAccess;
  readonly services: ExternalServices;
  readonly book: CallBook;
  localAddress(): string;
  /** The call cannot go on: the peer is told `condition` (XEP-0166 §7.4), the call ends `reason`. */
  fail(call: JingleCall, condition: string, reason: CallEndReason, detail: string): void;
  dtmf(id: string, digit: string): void;
}

/**
 * The call's media session, on the stream's address. Our local description is asked for at once,
 * except as a webrtc answerer (confab-media takes the offer first: its role comes from the order).
 */
export async function openCallMedia(h: CallMediaHost, call: JingleCall, video: boolean, rtcpMux: boolean, transport: 'rtp' | 'webrtc'): Promise<void> {
  const o = call.options;
  // XEP-0215: the account's server's STUN/TURN first, then the daemon's own (SDK MediaService.iceServers)
  const iceServers = transport === 'webrtc' ? [...(await h.services.iceServers()), ...(await h.media.iceServers())] : [];
  const media = await h.media.createSession({
    audio: true,
    video,
    camera: o?.camera ?? 'default',
    videoSink: 'none',
    transport,
    address: h.localAddress(),
    microphone: o?.microphone ?? 'default',
    speaker: o?.speaker ?? 'default',
    ...(transport === 'webrtc' ? { iceServers } : { rtcpMux }), // webrtc always multiplexes (RFC 5761)
  });
  call.transport = transport;
  if (call.ended) {
    await media.close().catch(() => undefined); // ended while it opened: nobody else will close it
    throw new ConfabError('NotAvailable', 'the call ended while its media was starting');
  }
  call.media = media;
  media.onStateChanged((state, reason) => {
    const end = state === 'ended' ? mediaEndOf(reason) : undefined;
    if (end) h.fail(call, end.condition, end.reason, reason);
  });
  media.onDtmf((digit) => h.dtmf(call.id, digit)); // RFC 4733 events received
  if (transport === 'rtp' || call.direction === 'outgoing') call.local = await media.localDescription();
}

/** XEP-0338 §3: with ICE our contents are one BUNDLE group (confab-media's webrtc bundles everything). */
export function bundleFor(local: LocalDescription, contents: readonly Element[]): Element[] {
  return local.ice ? [bundleGroup(contents.map((c) => String(c.attrs.name)))] : [];
}

/** The negotiated remote description applied (unless `remoteSet`: a webrtc answerer's) and the media started: the call is answered. */
export async function applyRemote(h: CallMediaHost, call: JingleCall, remote: RemoteDescription, remoteSet: boolean): Promise<void> {
  const media = call.media!;
  call.remote = remote;
  call.codec = remote.codecs.find((c) => c.name !== 'telephone-event')?.name ?? 'none';
  try {
    if (!remoteSet) await media.setRemote(remote);
    await media.start();
    if (!remote.video && call.local?.video && call.transport === 'rtp') await media.setVideo(false).catch(() => undefined); // our video refused: its sockets go
  } catch (err) {
    return h.fail(call, 'failed-application', 'media-failed', (err as Error).message);
  }
  call.remoteHold = remote.direction === 'sendonly' || remote.direction === 'inactive';
  h.book.videoChanged(call, remote.video !== undefined);
  h.book.setState(call, h.book.heldState(call));
}
