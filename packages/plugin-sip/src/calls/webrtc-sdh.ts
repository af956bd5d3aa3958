/**
 * sip.js's SessionDescriptionHandler for calls on confab-media's `webrtc` transport: ICE (RFC 8445)
 * and DTLS-SRTP (RFC 5763/5764) in SIP's SDP (sdp-webrtc.ts), audio only.
 *
 * confab-media takes its role from the order of calls (docs/calls.md, the webrtc transport): as
 * offerer we ask for the local description first (it gathers, then `a=setup:actpass`) and give it the
 * answer; as answerer we give it the offer first and then ask for the local description (`active`).
 * So unlike MediaSdh, the session is opened and driven in the order the SIP offer/answer goes.
 * Later offers and answers (hold by re-INVITE, RFC 3264 § 8.4) keep the ICE credentials, the
 * fingerprint and the DTLS roles of the association (RFC 5763 § 5): only the direction changes.
 *
 * Never silently unencrypted: an answer or re-offer without usable ICE/DTLS attributes is refused
 * (`failure` says why: `media-security`), and a fingerprint that does not match the certificate of the
 * DTLS handshake ends the session `media-security` in confab-media, which sip-calls.ts passes on.
 */
import type { BodyAndContentType, SessionDescriptionHandler } from 'sip.js';
import { ConfabError, type CallEndReason } from '@confab/sdk';
import { parseSdp, type Codec, type DtlsSetup, type LocalDescription, type RemoteDescription, type SdpAudio } from '@confab/media';
import type { SdhMedia } from './media-sdh';
import { SDP_TYPE, SdpOrigin, answerDirection, offerDirection } from './sdp-glue';
import { OUR_PROFILE, readTransport, videoLine, webRtcCodec, webRtcProblem, writeWebRtcSdp, type SdpTransportAttrs } from './sdp-webrtc';

/** What the handler needs of its call. */
export interface WebRtcSdhHost {
  /** Opens the call's webrtc session sending `codec` (the offer's, when we answer; ours by default). */
  open(codec: Codec | undefined): Promise<SdhMedia>;
  /** A remote description is now applied: the answer to our offer, or an offer we answer. */
  applied(remote: RemoteDescription, from: 'offer' | 'answer'): void;
}

interface PeerOffer {
  readonly sdp: string;
  readonly audio: SdpAudio;
  readonly transport: SdpTransportAttrs;
}

export class WebRtcSdh implements SessionDescriptionHandler {
  holding = false;
  codec?: string;
  /** Why the peer's SDP could not be taken (the call ends with it rather than `network-error`). */
  failure?: { readonly reason: CallEndReason; readonly detail: string };
  private media?: SdhMedia;
  private local?: LocalDescription;
  private remoteOffer?: PeerOffer;
  private offered = false;
  private isStarted = false;
  private closing?: Promise<void>;
  /** Our DTLS role once the first offer/answer is done (RFC 4145 § 4, RFC 5763 § 5). */
  private setup?: DtlsSetup;
  /** The profile agreed for the audio line (the offer's, RFC 3264 § 6). */
  private profile = OUR_PROFILE;
  private readonly origin = new SdpOrigin();

  constructor(private readonly host: WebRtcSdhHost) {}

  get session(): SdhMedia | undefined {
    return this.media;
  }

  get started(): boolean {
    return this.isStarted;
  }

  /** Video is not carried on this transport by SIP yet. */
  get video(): boolean {
    return false;
  }

  get isClosed(): boolean {
    return this.closing !== undefined;
  }

  hasDescription(contentType: string): boolean {
    return contentType.split(';')[0]!.trim().toLowerCase() === SDP_TYPE;
  }

  async getDescription(): Promise<BodyAndContentType> {
    this.ensureOpen();
    const offer = this.remoteOffer;
    if (offer) {
      this.remoteOffer = undefined;
      return this.answer(offer);
    }
    const media = this.media ?? (await this.open(undefined));
    const local = await media.localDescription(); // offerer: webrtcbin's offer, gathered (≤ 5 s)
    this.local = local;
    this.offered = true;
    const codec = local.codecs[0]!;
    return {
      contentType: SDP_TYPE,
      body: this.origin.describe((o) => writeWebRtcSdp({
        origin: o, ice: local.ice!, profile: this.profile, codecs: [codec], direction: offerDirection(this.holding), mid: '0',
        // RFC 5763 § 5: a first offer says actpass; a later one keeps the association's roles
        dtls: { ...local.dtls!, setup: this.setup ?? 'actpass' },
      })),
    };
  }

  async setDescription(sdp: string): Promise<void> {
    this.ensureOpen();
    const audio = parseSdp(sdp).audio;
    if (!audio || audio.port === 0) throw new ConfabError('NotCapable', 'the SDP has no audio stream');
    const transport = readTransport(sdp);
    const problem = webRtcProblem(audio, transport);
    if (problem) {
      // an encrypted call never goes on in clear (RFC 5763 § 5): the peer's SDP is refused
      this.failure = { reason: 'media-security', detail: problem };
      throw new ConfabError('NotCapable', problem);
    }
    if (!this.offered) {
      this.remoteOffer = { sdp, audio, transport }; // RFC 3264 § 6: answered by getDescription()
      return;
    }
    this.offered = false;
    const media = this.media!;
    const codec = audio.codecs.find((c) => c.name === this.local!.codecs[0]!.name);
    if (!codec) {
      this.failure = { reason: 'codec-mismatch', detail: 'the answer has no codec we offered' };
      throw new ConfabError('NotCapable', 'the answer has no codec we offered');
    }
    const remote = remoteOf(audio, transport, codec);
    await media.setRemote(remote);
    // RFC 5763 § 5: the answerer's active makes us passive, its passive makes us active (actpass: read as active)
    this.setup ??= transport.dtls!.setup === 'passive' ? 'active' : 'passive';
    this.profile = audio.profile;
    await this.begin(remote, 'answer');
  }

  async rollbackDescription(): Promise<void> {
    this.offered = false;
    this.remoteOffer = undefined;
  }

  /** DTMF over webrtc is not in confab-media yet: the call layer falls back to SIP INFO. */
  sendDtmf(): boolean {
    return false;
  }

  /** Adding video to a webrtc call is not done yet. */
  setVideo(on: boolean): Promise<void> {
    return on ? Promise.reject(new ConfabError('NotCapable', 'video is not carried on ICE/DTLS-SRTP SIP calls yet')) : Promise.resolve();
  }

  close(): void {
    void this.closeMedia();
  }

  closeMedia(): Promise<void> {
    if (!this.closing) {
      const m = this.media;
      this.closing = m ? m.close().catch(() => undefined) : Promise.resolve();
    }
    return this.closing;
  }

  private async answer(offer: PeerOffer): Promise<BodyAndContentType> {
    const first = this.media === undefined;
    const codec = first ? webRtcCodec(offer.audio.codecs) : offer.audio.codecs.find((c) => c.name === this.codec);
    if (!codec) {
      this.failure = { reason: 'codec-mismatch', detail: 'no codec in common' };
      throw new ConfabError('NotCapable', 'no audio codec in common with the same payload type');
    }
    const media = this.media ?? (await this.open(codec));
    const remote = remoteOf(offer.audio, offer.transport, codec);
    await media.setRemote(remote); // answerer: the offer first (a re-offer: the direction only)
    if (first) this.local = await media.localDescription(); // then webrtcbin's answer, gathered (setup active)
    const local = this.local!;
    this.setup ??= local.dtls!.setup;
    this.profile = offer.audio.profile; // RFC 3264 § 6: the answer's m= line has the offer's transport
    const video = videoLine(offer.sdp);
    const body = this.origin.describe((o) => writeWebRtcSdp({
      origin: o, ice: local.ice!, dtls: { ...local.dtls!, setup: this.setup! }, profile: this.profile, codecs: [codec],
      direction: answerDirection(offer.audio.direction, this.holding), // RFC 3264 § 6.1
      // RFC 8843 § 7.3: the answer groups what it takes of the offer's group (audio alone); RFC 5888 § 4: the offer's mid
      ...(offer.transport.mid !== undefined ? { mid: offer.transport.mid } : {}),
      ...(video ? { refusedVideo: video } : {}), // RFC 3264 § 6: port 0
    }));
    await this.begin(remote, 'offer');
    return { contentType: SDP_TYPE, body: offer.transport.bundle ? body : body.replace(/^a=group:BUNDLE .*\r\n/m, '') };
  }

  private async begin(remote: RemoteDescription, from: 'offer' | 'answer'): Promise<void> {
    this.codec = remote.codecs[0]?.name ?? this.codec;
    if (!this.isStarted) {
      this.isStarted = true;
      await this.media!.start();
    }
    this.host.applied(remote, from);
  }

  private async open(codec: Codec | undefined): Promise<SdhMedia> {
    const m = await this.host.open(codec);
    if (this.isClosed) {
      await m.close().catch(() => undefined); // ended while it opened: nobody else will close it
      throw new ConfabError('NotAvailable', 'the call ended while its media was starting');
    }
    this.media = m;
    return m;
  }

  private ensureOpen(): void {
    if (this.isClosed) throw new ConfabError('NotAvailable', 'the call has ended');
  }
}

/** The peer's side for confab-media: its address, the one codec, its direction, ICE and DTLS. */
function remoteOf(audio: SdpAudio, t: SdpTransportAttrs, codec: Codec): RemoteDescription {
  return { address: audio.address, port: audio.port, rtcpMux: true, codecs: [codec], direction: audio.direction, ice: t.ice!, dtls: t.dtls! };
}
