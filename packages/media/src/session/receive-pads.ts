/**
 * Linking what rtpbin receives: once per new stream (SSRC and payload type), never per packet.
 * rtpbin asks for the caps of each payload type (`request-pt-map`): the negotiated ones get theirs,
 * any other type caps that no depayloader accepts. The first stream of the audio
 * type is played; a second one (another SSRC: a peer that restarted, or someone injecting) goes to a
 * fakesink and is counted — it is played once the first has timed out and its pad is gone. Video is
 * rtpbin's session 1, with its own payload types (its own m= line) and its own SRTP key.
 * @since 0.1.0
 */
import { rtpCaps, type Codec } from '../codecs/codecs';
import { gstExtras, type GstCaps, type GstPad } from '../gst/gi';
import type { Pipeline } from '../gst/pipeline';
import { safe, type ErrorSink } from '../gst/safe';
import { VIDEO_SESSION } from './video-pipeline';

export interface ReceiveSpec {
  readonly audio: Codec;
  readonly telephoneEvent?: Codec;
  /** The caps srtpdec gets for every SSRC, when SRTP is on. */
  readonly srtpCaps?: string;
  /** The video codec received, when the call has video (session 1). @since 0.2.0 */
  readonly video?: Codec;
  /** The caps vsrtpdec gets (the peer's video key). @since 0.2.0 */
  readonly videoSrtpCaps?: string;
}

export class ReceivePads {
  foreignStreams = 0;
  private keep?: Map<string, GstCaps>;
  private keepKeys: GstCaps[] = [];

  constructor(private readonly pipeline: Pipeline, private readonly spec: ReceiveSpec, private readonly report: ErrorSink) {}

  attach(): void {
    const rtpbin = this.pipeline.element('rtpbin');
    // keyed `<session>/<pt>`: audio and video number their payload types each on their own m= line
    const caps = new Map<string, Codec>([[`0/${this.spec.audio.pt}`, this.spec.audio]]);
    if (this.spec.telephoneEvent) caps.set(`0/${this.spec.telephoneEvent.pt}`, this.spec.telephoneEvent);
    if (this.spec.video) caps.set(`${VIDEO_SESSION}/${this.spec.video.pt}`, this.spec.video);
    // The caps objects are made once and kept for the pipeline's life: a GstCaps returned from a
    // signal callback and then collected by node-gtk's GC left rtpbin with freed caps (a CRITICAL, then
    // not-negotiated on the socket: the whole pipeline stopped at the first payload type change).
    const made = new Map<string, GstCaps>();
    for (const [key, codec] of caps) made.set(key, gstExtras().Caps.fromString(rtpCaps(codec)));
    this.keep = made;
    // Never null: node-gtk throws "Cannot convert value null to type GstCaps" outside any callback's
    // try (the process ends) — one datagram of an unknown payload type was enough. An unknown type gets
    // caps no depayloader takes, so its stream lands on a fakesink (onPad).
    const forPt = (session: number, pt: number): GstCaps => {
      const key = `${session}/${pt}`;
      let caps = made.get(key);
      if (!caps) {
        const media = session === VIDEO_SESSION ? 'media=video,clock-rate=90000' : 'media=audio,clock-rate=8000';
        caps = gstExtras().Caps.fromString(`application/x-rtp,${media},encoding-name=X-CONFAB-UNNEGOTIATED,payload=${pt}`);
        made.set(key, caps);
      }
      return caps;
    };
    const fallback = gstExtras().Caps.fromString('application/x-rtp,media=audio,clock-rate=8000,encoding-name=X-CONFAB-UNNEGOTIATED');
    made.set('fallback', fallback);
    this.pipeline.connect(rtpbin, 'request-pt-map', safe('request-pt-map', this.report, fallback, (session: unknown, pt: unknown) => forPt(Number(session), Number(pt) & 0x7f)), fallback);
    this.pipeline.connect(rtpbin, 'pad-added', safe('pad-added', this.report, undefined, (pad: unknown) => this.onPad(pad as GstPad)));
    this.answerKeys('srtpdec', this.spec.srtpCaps);
    this.answerKeys('vsrtpdec', this.spec.videoSrtpCaps);
  }

  private answerKeys(element: string, text: string | undefined): void {
    if (!text) return;
    const srtpdec = this.pipeline.element(element);
    const keyCaps = gstExtras().Caps.fromString(text);
    this.keepKeys.push(keyCaps);
    this.pipeline.connect(srtpdec, 'request-key', safe('request-key', this.report, null, () => keyCaps), null);
  }

  /** The element that takes a stream of this session and payload type, or none (a fakesink then). */
  private target(session: number, pt: number): string | undefined {
    if (session === VIDEO_SESSION) return pt === this.spec.video?.pt ? 'vdepay' : undefined;
    if (session !== 0) return undefined;
    if (pt === this.spec.audio.pt) return 'depay';
    return pt === this.spec.telephoneEvent?.pt ? 'dtmfdepay' : undefined;
  }

  private onPad(pad: GstPad): void {
    // recv_rtp_src_<session>_<ssrc>_<pt>
    const m = /^recv_rtp_src_(\d+)_(\d+)_(\d+)$/.exec(pad.getName());
    if (!m) return;
    const session = Number(m[1]);
    const pt = Number(m[3]);
    const target = this.target(session, pt);
    const sink = target ? this.pipeline.element(target).getStaticPad('sink') : null;
    if (sink && !sink.isLinked() && pad.link(sink) === 0) return;
    this.foreignStreams++;
    const drop = this.pipeline.addElement('fakesink', { sync: false, async: false });
    const dropPad = drop.getStaticPad('sink');
    if (dropPad) pad.link(dropPad);
  }
}
