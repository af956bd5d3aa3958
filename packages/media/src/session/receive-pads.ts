/**
 * Linking what rtpbin receives: once per new stream (SSRC and payload type), never per packet.
 * rtpbin asks for the caps of each payload type (`request-pt-map`): the negotiated ones get theirs,
 * any other type caps that no depayloader accepts. The first stream of the audio
 * type is played; a second one (another SSRC: a peer that restarted, or someone injecting) goes to a
 * fakesink and is counted — it is played once the first has timed out and its pad is gone.
 * @since 0.1.0
 */
import { rtpCaps, type Codec } from '../codecs/codecs';
import { gstExtras, type GstCaps, type GstPad } from '../gst/gi';
import type { Pipeline } from '../gst/pipeline';
import { safe, type ErrorSink } from '../gst/safe';

export interface ReceiveSpec {
  readonly audio: Codec;
  readonly telephoneEvent?: Codec;
  /** The caps srtpdec gets for every SSRC, when SRTP is on. */
  readonly srtpCaps?: string;
}

export class ReceivePads {
  foreignStreams = 0;
  private keep?: Map<number, GstCaps>;
  private keepKey?: GstCaps;

  constructor(private readonly pipeline: Pipeline, private readonly spec: ReceiveSpec, private readonly report: ErrorSink) {}

  attach(): void {
    const rtpbin = this.pipeline.element('rtpbin');
    const caps = new Map<number, Codec>([[this.spec.audio.pt, this.spec.audio]]);
    if (this.spec.telephoneEvent) caps.set(this.spec.telephoneEvent.pt, this.spec.telephoneEvent);
    // The caps objects are made once and kept for the pipeline's life: a GstCaps returned from a
    // signal callback and then collected by node-gtk's GC left rtpbin with freed caps (a CRITICAL, then
    // not-negotiated on the socket: the whole pipeline stopped at the first payload type change).
    const made = new Map<number, GstCaps>();
    for (const [pt, codec] of caps) made.set(pt, gstExtras().Caps.fromString(rtpCaps(codec)));
    this.keep = made;
    // Never null: node-gtk throws "Cannot convert value null to type GstCaps" outside any callback's
    // try (the process ends) — one datagram of an unknown payload type was enough. An unknown type gets
    // caps no depayloader takes, so its stream lands on a fakesink (onPad).
    const forPt = (pt: number): GstCaps => {
      let caps = made.get(pt);
      if (!caps) {
        caps = gstExtras().Caps.fromString(`application/x-rtp,media=audio,clock-rate=8000,encoding-name=X-CONFAB-UNNEGOTIATED,payload=${pt}`);
        made.set(pt, caps);
      }
      return caps;
    };
    const fallback = gstExtras().Caps.fromString('application/x-rtp,media=audio,clock-rate=8000,encoding-name=X-CONFAB-UNNEGOTIATED');
    made.set(-1, fallback);
    rtpbin.on('request-pt-map', safe('request-pt-map', this.report, fallback, (_session: unknown, pt: unknown) => forPt(Number(pt) & 0x7f)));
    rtpbin.on('pad-added', safe('pad-added', this.report, undefined, (pad: unknown) => this.onPad(pad as GstPad)));
    const srtpCaps = this.spec.srtpCaps;
    if (srtpCaps) {
      const srtpdec = this.pipeline.element('srtpdec');
      const keyCaps = gstExtras().Caps.fromString(srtpCaps);
      this.keepKey = keyCaps;
      srtpdec.on('request-key', safe('request-key', this.report, null, () => keyCaps));
    }
  }

  private onPad(pad: GstPad): void {
    // recv_rtp_src_<session>_<ssrc>_<pt>
    const m = /^recv_rtp_src_0_(\d+)_(\d+)$/.exec(pad.getName());
    if (!m) return;
    const pt = Number(m[2]);
    const target = pt === this.spec.audio.pt ? 'depay' : pt === this.spec.telephoneEvent?.pt ? 'dtmfdepay' : undefined;
    const sink = target ? this.pipeline.element(target).getStaticPad('sink') : null;
    if (sink && !sink.isLinked() && pad.link(sink) === 0) return;
    this.foreignStreams++;
    const drop = this.pipeline.addElement('fakesink', { sync: false, async: false });
    const dropPad = drop.getStaticPad('sink');
    if (dropPad) pad.link(dropPad);
  }
}
