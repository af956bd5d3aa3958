/**
 * sip.js's SessionDescriptionHandler on confab-media: one per call, SDP as strings (RFC 3264
 * offer/answer), the media in confab-media's `rtp` session — never a WebRTC peer connection.
 *
 * sip.js calls it as its Session needs: getDescription() for our offer (INVITE, re-INVITE) or, after
 * setDescription(offer), for our answer; setDescription(answer) for the answer to our offer
 * (a 183 with early media, the 2xx, or a re-INVITE's 2xx). Which of the two a call is comes from the
 * state kept here: an offer of ours waiting (`offered`) or an offer of theirs (`remoteOffer`).
 * The first remote description applied starts the media; later ones (re-INVITEs) change it in place.
 * sip.js closes the handler when its Session ends, and the call layer closes it on every other end:
 * the media session is closed exactly once, and an error closing it (confab-media gone) is ignored.
 *
 * Loads without sip.js (its types only), so it is unit-tested on a fake media session.
 */
import type { BodyAndContentType, SessionDescriptionHandler } from 'sip.js';
import { ConfabError } from '@confab/sdk';
import {
  answerSdp, parseSdp, remoteFromSdp, sdpAnswer, sdpOffer,
  type LocalDescription, type MediaSessionClient, type ParsedSdp, type RemoteDescription, type SdpAudio,
} from '@confab/media';
import { SDP_TYPE, SdpOrigin, answerDirection, offerDirection } from './sdp-glue';

/** The part of a media session the handler drives (MediaSessionClient has it). */
export type SdhMedia = Pick<MediaSessionClient, 'localDescription' | 'setRemote' | 'start' | 'sendDtmf' | 'close'>;

/** What a handler needs of its call. */
export interface MediaSdhHost {
  /** Opens the call's media session; with the offer when we answer one (its SRTP and rtcp-mux decide the session's). */
  open(offer?: SdpAudio): Promise<SdhMedia>;
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

  constructor(private readonly host: MediaSdhHost) {}

  /** The media session, once open. */
  get session(): SdhMedia | undefined {
    return this.media;
  }

  /** The media runs: a remote description was applied and the session started. */
  get started(): boolean {
    return this.isStarted;
  }

  get isClosed(): boolean {
    return this.closing !== undefined;
  }

  hasDescription(contentType: string): boolean {
    return contentType.split(';')[0]!.trim().toLowerCase() === SDP_TYPE;
  }

  async getDescription(): Promise<BodyAndContentType> {
    const offer = this.remoteOffer;
    await this.ensure(offer?.audio);
    const local = this.local!;
    if (offer) {
      this.remoteOffer = undefined;
      // RFC 3264 §6.1: the answer lists the offer's payload types, its direction mirrors the offer's;
      // §6: a stream we do not take (video: our sessions have none) is answered with port 0
      const answer = answerSdp(offer, local, answerDirection(offer.audio.direction, this.holding));
      await this.apply(answer.remote, 'offer');
      return { contentType: SDP_TYPE, body: this.origin.describe((o) => sdpAnswer(local, o, answer.choice)) };
    }
    this.offered = true;
    // RFC 3264 §5: everything we can receive; §8.4: sendonly while we hold
    return { contentType: SDP_TYPE, body: this.origin.describe((o) => sdpOffer(local, o, offerDirection(this.holding))) };
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
    await this.apply(remoteFromSdp(parsed, this.local!), 'answer'); // RFC 3264 §7
  }

  /** A re-INVITE of ours was refused (RFC 3261 §14.1): the session stays as it was. */
  async rollbackDescription(): Promise<void> {
    this.offered = false;
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

  private ensure(offer?: SdpAudio): Promise<SdhMedia> {
    if (this.isClosed) return Promise.reject(new ConfabError('NotAvailable', 'the call has ended'));
    this.opening ??= this.host.open(offer).then(async (m) => {
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
    this.host.applied(remote, from);
  }
}
