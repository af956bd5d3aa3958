/**
 * The video stream of a call: launch fragments added to the call's pipeline (call-pipeline.ts) as
 * rtpbin's second RTP session, on its own socket(s).
 *
 *   camera → 320x240 I420 @ 15 fps → valve(vsend) → vp8enc → tee ─→ rtpvp8pay → rtpbin session 1
 *     → [vsrtpenc] → udpsink(vrtp_out)         └→ fakesink(vframes_sent: counts what was encoded)
 *   udpsrc(vrtp_in, the same socket) → [vsrtpdec] → rtpbin (jitter buffer)
 *     → (pad-added, receive-pads.ts) rtpvp8depay → vp8dec → fakesink(vframes_decoded)
 *                                                         └→ queue → valve(vhold) → autovideosink
 *
 * Frames are counted by GStreamer, not JavaScript: a fakesink counts every buffer it renders in its
 * `stats` structure (GstBaseSink, `rendered`), read when statistics are asked for. No handoff signal,
 * no pad probe: nothing here calls into JavaScript per frame (README, Traps).
 * @since 0.2.0
 */
import { videoElementsOf, type Codec } from '../codecs/codecs';
import { keyHex, srtpParams } from '../rtp/srtp';
import type { SdesKey, VideoSinkChoice } from './types';

/** The size and rate a call sends: modest, so two video calls fit on a small machine. */
export const VIDEO_CAPS = 'video/x-raw,format=I420,width=320,height=240,framerate=15/1,pixel-aspect-ratio=1/1';

export interface VideoPipelineSpec {
  readonly send: Codec;
  /** The camera's launch fragment (devices/camera.ts). */
  readonly camera: string;
  readonly sink: VideoSinkChoice;
  readonly rtcpMux: boolean;
  readonly srtp?: { readonly local: SdesKey; readonly remote: SdesKey };
}

/** rtpbin's session for video: audio is 0. */
export const VIDEO_SESSION = 1;

function sendPath(v: VideoPipelineSpec): string[] {
  const e = videoElementsOf(v.send.name);
  const n = VIDEO_SESSION;
  const out = [
    // videorate/videoscale/videoconvert pass the test picture through untouched; a camera is scaled and paced
    `${v.camera} ! videoconvert ! videoscale ! videorate ! ${VIDEO_CAPS} ! valve name=vsend drop=false ! ${e.encoder} ! tee name=vencoded` +
      ` ! ${e.payloader} pt=${v.send.pt} ! rtpbin.send_rtp_sink_${n}`,
    'vencoded. ! fakesink name=vframes_sent sync=false async=false',
  ];
  if (v.srtp) {
    const p = srtpParams(v.srtp.local);
    out.push(`srtpenc name=vsrtpenc key=${keyHex(v.srtp.local)} rtp-cipher=${p.cipher} rtp-auth=${p.auth} rtcp-cipher=${p.cipher} rtcp-auth=${p.rtcpAuth}`);
    out.push(`rtpbin.send_rtp_src_${n} ! vsrtpenc.rtp_sink_0 vsrtpenc.rtp_src_0 ! udpsink name=vrtp_out sync=false async=false`);
    out.push(`rtpbin.send_rtcp_src_${n} ! vsrtpenc.rtcp_sink_0 vsrtpenc.rtcp_src_0 ! udpsink name=vrtcp_out sync=false async=false`);
  } else {
    out.push(`rtpbin.send_rtp_src_${n} ! udpsink name=vrtp_out sync=false async=false`);
    out.push(`rtpbin.send_rtcp_src_${n} ! udpsink name=vrtcp_out sync=false async=false`);
  }
  return out;
}

function receivePath(v: VideoPipelineSpec): string[] {
  const e = videoElementsOf(v.send.name);
  const n = VIDEO_SESSION;
  const out: string[] = [];
  // as for audio (call-pipeline.ts): no payload type in the socket's caps; rtpbin asks (request-pt-map)
  if (v.srtp) {
    out.push(`udpsrc name=vrtp_in caps=application/x-srtp ! vsrtpdec.rtp_sink srtpdec name=vsrtpdec vsrtpdec.rtp_src ! rtpbin.recv_rtp_sink_${n}`);
    if (v.rtcpMux) out.push(`vsrtpdec.rtcp_src ! rtpbin.recv_rtcp_sink_${n}`);
    else out.push(`udpsrc name=vrtcp_in caps="application/x-srtcp" ! vsrtpdec.rtcp_sink vsrtpdec.rtcp_src ! rtpbin.recv_rtcp_sink_${n}`);
  } else {
    out.push(`udpsrc name=vrtp_in caps=application/x-rtp ! rtpbin.recv_rtp_sink_${n}`);
    if (!v.rtcpMux) out.push(`udpsrc name=vrtcp_in caps="application/x-rtcp" ! rtpbin.recv_rtcp_sink_${n}`);
  }
  const decoded = `${e.depayloader} name=vdepay ! ${e.decoder} name=vdec`;
  if (v.sink === 'none') {
    out.push(`${decoded} ! fakesink name=vframes_decoded sync=false async=false`);
  } else {
    // the window gets its own thread (queue), and drops frames rather than hold the decoder up
    out.push(
      `${decoded} ! tee name=vdecoded ! fakesink name=vframes_decoded sync=false async=false` +
        ' vdecoded. ! queue max-size-buffers=3 leaky=downstream ! valve name=vhold drop=false ! videoconvert ! autovideosink sync=false async=false',
    );
  }
  return out;
}

/** The video stream's fragments, to join to the call's launch description. */
export function videoPipeline(v: VideoPipelineSpec): string[] {
  return [...sendPath(v), ...receivePath(v)];
}
