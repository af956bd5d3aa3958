/**
 * The launch description of one call: both directions in one pipeline, so the canceller sees the far
 * end (DESIGN.md § Media).
 *
 *   microphone → webrtcdsp → volume(mute) → encoder → payloader → rtpdtmfmux ← rtpdtmfsrc (RFC 4733)
 *     → rtpbin send → [srtpenc] → udpsink (the session's socket)
 *   udpsrc (the same socket) → [srtpdec] → rtpbin recv (jitter buffer)
 *     → (linked from pad-added, see receive-pads.ts) depayloader → decoder → webrtcechoprobe → level
 *     → volume(hold) → speaker;   telephone-event → rtpdtmfdepay (a bus message per digit)
 *
 * With video, its stream is rtpbin's second session in the same pipeline (video-pipeline.ts).
 * Sockets, hosts and ports are set on the named elements before the pipeline starts (rtp-session.ts).
 * @since 0.1.0
 */
import { InvalidArgumentError, NotImplementedError } from '@confab/sdk';
import { elementsOf, type Codec } from '../codecs/codecs';
import { dspCaps, dspElement, probeElement, type DspSettings } from '../aec/dsp-settings';
import { quote } from '../gst/launch';
import { keyHex, srtpParams } from '../rtp/srtp';
import type { SdesKey } from './types';
import { videoPipeline, type VideoPipelineSpec } from './video-pipeline';

export interface CallPipelineSpec {
  /** Unique in the process: echo probes are found by name across pipelines. */
  readonly id: string;
  readonly send: Codec;
  readonly telephoneEvent?: Codec;
  readonly dsp: DspSettings;
  readonly microphone: string;
  readonly speaker: string;
  /**
   * RTCP is received on the RTP socket (the session bound no RTCP socket of its own, RFC 5761), whatever
   * the peer does: two udpsrc on one socket would share its datagrams, and RTP read as RTCP is lost.
   */
  readonly rtcpMux: boolean;
  /** Our sending key and the peer's, both or neither. */
  readonly srtp?: { readonly local: SdesKey; readonly remote: SdesKey };
  /** Jitter buffer, ms. */
  readonly latencyMs: number;
  /** The video stream, when both sides have one. @since 0.2.0 */
  readonly video?: VideoPipelineSpec;
}

/**
 * Refuses a device choice this session cannot build, before any socket is bound: `device:<id>` is
 * listed by ListDevices but not yet placed in a call (the device's element is made by
 * gst_device_create_element and linked from code; next step).
 */
export function checkDeviceChoices(microphone: string, speaker: string): void {
  if (microphone.startsWith('device:') || speaker.startsWith('device:')) throw new NotImplementedError('choosing a device by id is not implemented yet: use default, file:, tone: or silence/none');
  try {
    sourceFragment(microphone, 48000);
    sinkFragment(speaker);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

export function sourceFragment(choice: string, rate: number): string {
  if (choice.startsWith('file:')) return `filesrc location=${quote(choice.slice(5))} ! wavparse ! audioconvert ! audioresample ! ${dspCaps(rate)} ! identity sync=true`;
  if (choice.startsWith('tone:')) {
    const hz = Number(choice.slice(5));
    if (!Number.isFinite(hz) || hz <= 0 || hz >= rate / 2) throw new RangeError(`no such tone: ${choice}`);
    return `audiotestsrc is-live=true wave=sine freq=${hz} volume=0.3`;
  }
  if (choice === 'silence') return 'audiotestsrc is-live=true wave=silence';
  if (choice === 'default') return 'autoaudiosrc';
  throw new RangeError(`no such microphone: ${choice}`);
}

export function sinkFragment(choice: string): string {
  if (choice.startsWith('file:')) return `wavenc ! filesink location=${quote(choice.slice(5))} async=false`;
  if (choice === 'none') return 'fakesink sync=false async=false';
  if (choice === 'default') return 'autoaudiosink';
  throw new RangeError(`no such speaker: ${choice}`);
}

function sendPath(s: CallPipelineSpec): string[] {
  const e = elementsOf(s.send.name);
  const out = [
    `${sourceFragment(s.microphone, e.rate)} ! audioconvert ! audioresample ! ${dspCaps(e.rate)} ! ${dspElement(s.dsp, 'dsp', `probe_${s.id}`)}` +
      ` ! volume name=mute ! audioconvert ! audioresample ! ${e.encoder} ! ${e.payloader} pt=${s.send.pt} ! rtpdtmfmux name=dtmfmux ! rtpbin.send_rtp_sink_0`,
  ];
  // RFC 4733 § 2.3: events go on the audio stream's SSRC and clock; rtpdtmfmux rewrites both streams to one SSRC
  if (s.telephoneEvent) out.push(`rtpdtmfsrc name=dtmf pt=${s.telephoneEvent.pt} clock-rate=${s.telephoneEvent.clockRate} ! dtmfmux.`);
  if (s.srtp) {
    const p = srtpParams(s.srtp.local);
    out.push(`srtpenc name=srtpenc key=${keyHex(s.srtp.local)} rtp-cipher=${p.cipher} rtp-auth=${p.auth} rtcp-cipher=${p.cipher} rtcp-auth=${p.rtcpAuth}`);
    out.push('rtpbin.send_rtp_src_0 ! srtpenc.rtp_sink_0 srtpenc.rtp_src_0 ! udpsink name=rtp_out sync=false async=false');
    out.push('rtpbin.send_rtcp_src_0 ! srtpenc.rtcp_sink_0 srtpenc.rtcp_src_0 ! udpsink name=rtcp_out sync=false async=false');
  } else {
    out.push('rtpbin.send_rtp_src_0 ! udpsink name=rtp_out sync=false async=false');
    out.push('rtpbin.send_rtcp_src_0 ! udpsink name=rtcp_out sync=false async=false');
  }
  return out;
}

function receivePath(s: CallPipelineSpec): string[] {
  const e = elementsOf(s.send.name);
  // no payload type in the socket's caps: with one there, the jitter buffer refuses the telephone-event
  // packets of the same SSRC (not-negotiated, and the pipeline stops); rtpbin asks for each type's caps
  const caps = s.srtp ? 'application/x-srtp' : 'application/x-rtp';
  const out: string[] = [];
  if (s.srtp) {
    out.push(`udpsrc name=rtp_in caps=${caps} ! srtpdec.rtp_sink srtpdec name=srtpdec srtpdec.rtp_src ! rtpbin.recv_rtp_sink_0`);
    // multiplexed (RFC 5761), srtpdec sends the SRTCP it finds on its RTP input out of rtcp_src: left
    // unlinked, the first RTCP packet stops the socket's thread (not-linked) and the call
    if (s.rtcpMux) out.push('srtpdec.rtcp_src ! rtpbin.recv_rtcp_sink_0');
    else out.push('udpsrc name=rtcp_in caps="application/x-srtcp" ! srtpdec.rtcp_sink srtpdec.rtcp_src ! rtpbin.recv_rtcp_sink_0');
  } else {
    out.push(`udpsrc name=rtp_in caps=${caps} ! rtpbin.recv_rtp_sink_0`);
    if (!s.rtcpMux) out.push('udpsrc name=rtcp_in caps="application/x-rtcp" ! rtpbin.recv_rtcp_sink_0');
  }
  out.push(
    `${e.depayloader} name=depay ! ${e.decoder} ! audioconvert ! audioresample ! ${dspCaps(e.rate)} ! ${probeElement(`probe_${s.id}`)}` +
      ` ! level name=farlevel interval=1000000000 ! volume name=hold ! audioconvert ! audioresample ! ${sinkFragment(s.speaker)}`,
  );
  // rtpdtmfdepay sets the caps downstream allows without fixating them: with audioconvert right after
  // it, unfixed caps (a CRITICAL), then not-negotiated all the way up to the socket, so fixed caps first
  if (s.telephoneEvent) {
    out.push(
      // rtpdtmfdepay posts a `dtmf-event` message (method 1) at the start of each event: that is the digit
      `rtpdtmfdepay name=dtmfdepay ! audio/x-raw,format=S16LE,layout=interleaved,channels=1,rate=${s.telephoneEvent.clockRate} ! fakesink sync=false async=false`,
    );
  }
  return out;
}

export function callPipeline(s: CallPipelineSpec): string {
  // rtpbin: the jitter buffer's latency; lost packets reported to the decoder for concealment
  return [`rtpbin name=rtpbin latency=${s.latencyMs} do-lost=true autoremove=true`, ...sendPath(s), ...receivePath(s), ...(s.video ? videoPipeline(s.video) : [])].join(' ');
}
