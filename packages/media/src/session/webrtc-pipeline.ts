/**
 * The launch description of a call on the `webrtc` transport: the same capture and playback processing
 * as `rtp` (call-pipeline.ts: webrtcdsp with its echo probe in the one pipeline), with webrtcbin in place
 * of rtpbin, the sockets and SRTP — it does ICE (libnice), DTLS-SRTP (RFC 5763/5764), rtcp-mux and
 * BUNDLE (bundle-policy=max-bundle: audio and video on one transport).
 *
 *   microphone → webrtcdsp → volume(mute) → opusenc → rtpopuspay → webrtcbin.sink_0
 *   camera → valve(vsend) → vp8enc → tee → rtpvp8pay → webrtcbin.sink_1   (└→ fakesink vframes_sent)
 *   webrtcbin src pads (pad-added, one per stream, linked by webrtc-session.ts):
 *     audio → rtpopusdepay(depay) → opusdec → webrtcechoprobe → level → volume(hold) → speaker
 *     video → rtpvp8depay(vdepay) → vp8dec → fakesink(vframes_decoded) [→ valve(vhold) → window]
 *
 * webrtcbin `latency` is its jitter buffers' (ms). No element here calls into JavaScript per buffer.
 * @since 0.3.0
 */
import { elementsOf, rtpCaps, videoElementsOf, type Codec } from '../codecs/codecs';
import { dspCaps, dspElement, probeElement, type DspSettings } from '../aec/dsp-settings';
import { sinkFragment, sourceFragment } from './call-pipeline';
import type { VideoSinkChoice } from './types';
import { VIDEO_CAPS } from './video-pipeline';

export interface WebRtcPipelineSpec {
  readonly id: string;
  /** The audio codec we send and receive (Opus). */
  readonly audio: Codec;
  readonly dsp: DspSettings;
  readonly microphone: string;
  readonly speaker: string;
  readonly latencyMs: number;
  readonly video?: { readonly codec: Codec; readonly camera: string; readonly sink: VideoSinkChoice };
}

export function webrtcPipeline(s: WebRtcPipelineSpec): string {
  const e = elementsOf(s.audio.name);
  const out = [
    // max-bundle: one ICE/DTLS transport for every m= section (RFC 8843)
    `webrtcbin name=webrtc bundle-policy=max-bundle latency=${s.latencyMs}`,
    `${sourceFragment(s.microphone, e.rate)} ! audioconvert ! audioresample ! ${dspCaps(e.rate)} ! ${dspElement(s.dsp, 'dsp', `probe_${s.id}`)}` +
      ` ! volume name=mute mute=true ! audioconvert ! audioresample ! ${e.encoder} ! ${e.payloader} pt=${s.audio.pt} ! ${rtpCaps(s.audio)} ! webrtc.sink_0`,
    `${e.depayloader} name=depay ! ${e.decoder} ! audioconvert ! audioresample ! ${dspCaps(e.rate)} ! ${probeElement(`probe_${s.id}`)}` +
      ` ! level name=farlevel interval=1000000000 ! volume name=hold mute=true ! audioconvert ! audioresample ! ${sinkFragment(s.speaker)}`,
  ];
  const v = s.video;
  if (v) {
    const ve = videoElementsOf(v.codec.name);
    out.push(
      `${v.camera} ! videoconvert ! videoscale ! videorate ! ${VIDEO_CAPS} ! valve name=vsend drop=false ! ${ve.encoder} ! tee name=vencoded` +
        ` ! ${ve.payloader} pt=${v.codec.pt} ! ${rtpCaps(v.codec)} ! webrtc.sink_1`,
      'vencoded. ! queue ! fakesink name=vframes_sent sync=false async=false',
    );
    const decoded = `${ve.depayloader} name=vdepay ! ${ve.decoder} name=vdec`;
    if (v.sink === 'none') out.push(`${decoded} ! fakesink name=vframes_decoded sync=false async=false`);
    else {
      out.push(
        `${decoded} ! tee name=vdecoded ! fakesink name=vframes_decoded sync=false async=false` +
          ' vdecoded. ! queue max-size-buffers=3 leaky=downstream ! valve name=vhold drop=false ! videoconvert ! autovideosink sync=false async=false',
      );
    }
  }
  return out.join(' ');
}
