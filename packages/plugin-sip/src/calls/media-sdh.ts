/**
 * sip.js's SessionDescriptionHandler on confab-media: one per call, SDP as strings (RFC 3264
 * offer/answer), the media in confab-media's `rtp` session — never a WebRTC peer connection.
 *
 * sip.js calls it as its Session needs: getDescription() for our offer (INVITE, re-INVITE) or, after
 * setDescription(offer), for our answer; setDescription(answer) for the answer to our offer
 * (a 183 with early media, the 2xx, or a re-INVITE's 2xx). Which of the two a call is comes from the
 * state kept here: an offer of ours waiting (`offered`) or an offer of theirs (`remoteOffer`).
 * The first remote description applied starts the media; later ones (re-INVITEs) change it in place.
 *
 * Video: the first description (our offer, or our answer to the INVITE's) has video when the user
 * asked for it (`host.wantsVideo()`); later ones follow `setVideo` (ours: confab-media's SetVideo, then
 * the re-offer sip.js asks for) and the peer's re-offers (media-lines.ts says which video we take).
 * Every offer keeps the call's m= lines (RFC 3264 §8.1): video removed or refused is `m=video 0`.
 * An answer without our video (port 0) frees the session's video sockets, so the call is audio-only
 * on both sides and our next offer says port 0.
 * sip.js closes the handler when its Session ends, and the call layer closes it on every other end:
 * the media session is closed exactly once, and an error closing it (confab-media gone) is ignored.
 *
 * Loads without sip.js (its types only), so it is unit-tested on a fake media session.
 */
import type { BodyAndContentType, SessionDescriptionHandler } from 'sip.js';
import { ConfabError } from '@confab/sdk';
import {
  answerSdp, parseSdp, remoteFromSdp, sdpAnswer,
  type LocalDescription, type MediaSessionClient, type ParsedSdp, type RemoteDescription, type SdpAudio,
} from '@confab/media';
import { NO_LINES, hasVideo, linesOfChoice, linesOfOffer, offerChoice, takeVideo, type MediaLines } from './media-lines';
import { SDP_TYPE, SdpOrigin, answerDirection, offerDirection } from './sdp-glue';

/** The part of a media session the handler drives (MediaSessionClient has it). */
export type SdhMedia = Pick<MediaSessionClient, 'localDescription' | 'setRemote' | 'start' | 'sendDtmf' | 'setVideo' | 'close'>;

/** What a handler needs of its call. */
export interface MediaSdhHost {
  /**
   * Opens the call's media session; with the offer's audio when we answer one (its SRTP and rtcp-mux
   * decide the session's); `video`: the session has a video stream from the start.
   */
  open(offer: SdpAudio | undefined, video: boolean): Promise<SdhMedia>;
  /** Whether the user wants video in the call's first description (start's or accept's options). */
  wantsVideo(): boolean;
  /** A remote description is now applied: the answer to our offer, or an offer we answer. */
  applied(remote: RemoteDescription, from: 'offer' | 'answer'): void;
}

export class MediaSdh implements SessionDescriptionHandler {
  /** We hold the call: our offers say sendonly and our answers never ask to receive (RFC 3264 §8.4). */
  holding = false;
  /** The audio codec we send, once negotiated. */
  codec?: string;
  private media?: SdhMedia;
  private opening?: Promise<SdhMedia>;
  private local?: LocalDescription;
  /** Their offer (with audio), answered by the next getDescription(). */
  private remoteOffer?: ParsedSdp & { readonly audio: SdpAudio };
  /** Our offer went out and waits for its answer. */
  private offered = false;
  private isStarted = false;
  private closing?: Promise<void>;
  private readonly origin = new SdpOrigin();
  /** The m= lines so far (RFC 3264 §8.1), and those of our offer waiting for its answer. */
  private lines: MediaLines = NO_LINES;
  private offeredLines?: MediaLines;
  /** The last remote description applied had video: the call has video. */
  private hasVideoNow = false;
  /** The peer's last description (offer or answer) had video with a port. */
  private peerVideo = false;

  constructor(private readonly host: MediaSdhHost) {}

  /** The media session, once open. */
  get session(): SdhMedia | undefined {
    return this.media;
  }

  /** The media runs: a remote description was applied and the session started. */
  get started(): boolean {
    return this.isStarted;
  }

  /** The call carries video: both sides agreed to a video stream in the last offer/answer. */
  get video(): boolean {
    return this.hasVideoNow;
  }

  get isClosed(): boolean {
    return this.closing !== undefined;
  }

  /** The call's media is SRTP keyed by SDES (RFC 4568). */
  get srtp(): boolean {
    return this.local?.crypto !== undefined;
  }

  hasDescription(contentType: string): boolean {
    return contentType.split(';')[0]!.trim().toLowerCase() === SDP_TYPE;
  }

  async getDescription(): Promise<BodyAndContentType> {
    const offer = this.remoteOffer;
    if (offer) {
      this.remoteOffer = undefined;
      const first = this.opening === undefined;
      const take = takeVideo(offer, first ? this.host.wantsVideo() : undefined, this.hasVideoNow, this.peerVideo);
      await this.ensure(offer.audio, take);
      // a re-offer that adds or removes video: the session's follows before we answer (a camera that
      // cannot start leaves it without: the video is refused with port 0, the call goes on as it was)
      await this.haveVideo(take).catch(() => undefined);
      const local = this.local!;
      // RFC 3264 §6.1: the answer lists the offer's payload types, its direction mirrors the offer's;
      // §6: a stream we do not take (video we do not want or cannot decode) is answered with port 0
      const answer = answerSdp(offer, local, answerDirection(offer.audio.direction, this.holding));
      this.lines = linesOfOffer(this.lines, offer);
      this.peerVideo = hasVideo(offer);
      await this.apply(answer.remote, 'offer');
      return { contentType: SDP_TYPE, body: this.origin.describe((o) => sdpAnswer(this.local!, o, answer.choice)) };
    }
    await this.ensure(undefined, this.host.wantsVideo());
    const local = this.local!;
    // RFC 3264 §5: everything we can receive; §8.4: sendonly while we hold; §8.1: the call's m= lines kept
    const choice = offerChoice(local, offerDirection(this.holding), this.lines);
    this.offered = true;
    this.offeredLines = linesOfChoice(this.lines, choice);
    // an offer's body is written as an answer's is, from the choice (sdpOffer would leave out a removed video line)
    return { contentType: SDP_TYPE, body: this.origin.describe((o) => sdpAnswer(local, o, choice)) };
  }

  /**
   * Adds or removes the session's video before our re-offer (confab-media's SetVideo): adding binds
   * its sockets, removing stops it at once. The re-INVITE that follows tells the peer.
   */
  async setVideo(on: boolean): Promise<void> {
    if (!this.media) throw new ConfabError('NotAvailable', 'the call has no media yet');
    await this.haveVideo(on);
  }

  async setDescription(sdp: string): Promise<void> {
    if (this.isClosed) throw new ConfabError('NotAvailable', 'the call has ended');
    const parsed = parseSdp(sdp);
    const audio = parsed.audio;
    if (!audio) throw new ConfabError('NotCapable', 'the SDP has no audio stream');
    if (!this.offered) {
      this.remoteOffer = { ...parsed, audio }; // RFC 3264 §6: an offer, answered by getDescription()
      return;
    }
    this.offered = false;
    await this.ensure();
    const remote = remoteFromSdp(parsed, this.local!); // RFC 3264 §7
    this.lines = this.offeredLines ?? this.lines;
    this.offeredLines = undefined;
    this.peerVideo = remote.video !== undefined;
    await this.apply(remote, 'answer');
  }

  /** A re-INVITE of ours was refused (RFC 3261 §14.1): the session stays as it was. */
  async rollbackDescription(): Promise<void> {
    this.offered = false;
    this.offeredLines = undefined;
    this.remoteOffer = undefined;
  }

  /** Only sip.js's web SessionManager calls this; the call layer sends DTMF through the session itself. */
  sendDtmf(tones: string): boolean {
    if (!this.media || !this.isStarted) return false;
    void this.media.sendDtmf(tones).catch(() => undefined); // fire and forget, as the interface is synchronous
    return true;
  }

  close(): void {
    void this.closeMedia();
  }

  /** Closes the media session once; an error closing it is ignored (confab-media may be gone, and the session with it). */
  closeMedia(): Promise<void> {
    if (!this.closing) {
      const m = this.media;
      this.closing = m ? m.close().catch(() => undefined) : Promise.resolve();
    }
    return this.closing;
  }

  /** The media session, opened by the first description (`offer`, `video` matter then only). */
  private ensure(offer?: SdpAudio, video = false): Promise<SdhMedia> {
    if (this.isClosed) return Promise.reject(new ConfabError('NotAvailable', 'the call has ended'));
    this.opening ??= this.host.open(offer, video).then(async (m) => {
      if (this.isClosed) {
        await m.close().catch(() => undefined); // ended while it opened: nobody else will close it
        throw new ConfabError('NotAvailable', 'the call ended while its media was starting');
      }
      this.media = m;
      this.local = await m.localDescription();
      return m;
    });
    return this.opening;
  }

  private async apply(remote: RemoteDescription, from: 'offer' | 'answer'): Promise<void> {
    const media = this.media!;
    await media.setRemote(remote);
    this.codec = remote.codecs.find((c) => c.name !== 'telephone-event')?.name ?? this.codec;
    if (!this.isStarted) {
      this.isStarted = true;
      await media.start();
    }
    this.hasVideoNow = remote.video !== undefined;
    // our video refused (port 0, RFC 3264 §6) or removed: its sockets freed, our next offer says port 0
    if (!this.hasVideoNow) await this.haveVideo(false).catch(() => undefined); // a session gone is the media's failure, reported by it
    this.host.applied(remote, from);
  }

  /** confab-media's session with video or without; the local description read again when it changed. */
  private async haveVideo(on: boolean): Promise<void> {
    const media = this.media!;
    if ((this.local?.video !== undefined) === on) return;
    try {
      await media.setVideo(on);
    } finally {
      this.local = await media.localDescription();
    }
  }
}
