/**
 * What a session offers and what it accepts from the peer's description.
 * @since 0.1.0
 */
import { ConfabError, InvalidArgumentError } from '@confab/sdk';
import { isIP } from 'node:net';
import { DEFAULT_CODECS, VIDEO_CODECS, hasEncoder, isAudioCodec, matchVideoFormat, telephoneEvent, type Codec } from '../codecs/codecs';
import { checkSdesKey } from '../rtp/srtp';
import type { RemoteDescription, RemoteVideoDescription } from './types';

/** RFC 3551 § 6: 96–127 are dynamic; our telephone-event defaults. */
const TE_PT_48K = 101;
const TE_PT_8K = 100;

/** The codecs we offer, in the order asked (names from DEFAULT_CODECS), with telephone-event per clock rate. */
export function offeredCodecs(names: readonly string[] | undefined, available: (c: Codec) => boolean = hasEncoder): Codec[] {
  const wanted = names && names.length > 0 ? names : DEFAULT_CODECS.map((c) => c.name);
  const audio: Codec[] = [];
  for (const n of wanted) {
    const c = DEFAULT_CODECS.find((d) => d.name.toLowerCase() === n.toLowerCase());
    if (!c) throw new InvalidArgumentError(`unknown codec ${n}`);
    if (available(c) && !audio.includes(c)) audio.push(c);
  }
  if (audio.length === 0) throw new InvalidArgumentError('none of the codecs asked for is available');
  const rates = new Set(audio.map((c) => c.clockRate));
  const te: Codec[] = [];
  if (rates.has(48000)) te.push(telephoneEvent(TE_PT_48K, 48000));
  if (rates.has(8000)) te.push(telephoneEvent(TE_PT_8K, 8000));
  return [...audio, ...te];
}

function checkPort(p: number, what: string): void {
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new InvalidArgumentError(`${what} must be 1..65535`);
}

export interface Accepted {
  readonly send: Codec;
  readonly telephoneEvent?: Codec;
}

/** Checks the peer's description; the first audio codec it lists is sent. */
export function acceptRemote(r: RemoteDescription, srtp: boolean, available: (c: Codec) => boolean = hasEncoder): Accepted {
  if (isIP(r.address) === 0) throw new InvalidArgumentError('the remote address must be an IP address');
  checkPort(r.port, 'the remote port');
  if (r.rtcpPort !== undefined) checkPort(r.rtcpPort, 'the remote RTCP port');
  const send = r.codecs.find((c) => isAudioCodec(c) && available(c));
  if (!send) throw new InvalidArgumentError('no codec in common');
  if (!Number.isInteger(send.pt) || send.pt < 0 || send.pt > 127) throw new InvalidArgumentError('payload types are 0..127');
  // RFC 4733 § 7.1.1: the event stream's clock is the audio codec's
  const te = r.codecs.find((c) => c.name === 'telephone-event' && c.clockRate === send.clockRate && c.pt !== send.pt);
  checkKey(r.crypto, srtp, 'the remote description');
  return { send, telephoneEvent: te };
}

function checkKey(key: RemoteDescription['crypto'], srtp: boolean, what: string): void {
  if (srtp) {
    if (!key) throw new InvalidArgumentError(`SRTP was offered: ${what} needs its key`);
    try {
      checkSdesKey(key);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  } else if (key) {
    throw new InvalidArgumentError(`${what} has a key but this session has no SRTP`);
  }
}

/**
 * The video codecs a session offers, in the order asked (names from VIDEO_CODECS: VP8, H264; default
 * all, VP8 first), each only when this GStreamer has its encoder and decoder: VP8 needs vp8enc/vp8dec
 * (gstreamer1.0-plugins-good), H.264 openh264enc (gstreamer1.0-plugins-bad) and avdec_h264
 * (gstreamer1.0-libav). An unknown name is InvalidArgument; none available is NotCapable.
 * @since 0.2.0
 */
export function offeredVideoCodecs(names?: readonly string[], available: (c: Codec) => boolean = hasEncoder): Codec[] {
  const wanted = names && names.length > 0 ? names : VIDEO_CODECS.map((c) => c.name);
  const out: Codec[] = [];
  for (const n of wanted) {
    const c = VIDEO_CODECS.find((d) => d.name.toLowerCase() === n.toLowerCase());
    if (!c) throw new InvalidArgumentError(`unknown video codec ${n}`);
    if (available(c) && !out.includes(c)) out.push(c);
  }
  if (out.length === 0) throw new ConfabError('NotCapable', `no video codec asked for is available (${wanted.join(', ')}; VP8: vp8enc/vp8dec, gstreamer1.0-plugins-good; H264: openh264enc, gstreamer1.0-plugins-bad, and avdec_h264, gstreamer1.0-libav)`);
  return out;
}

export interface AcceptedVideo {
  readonly address: string;
  readonly port: number;
  readonly rtcpPort: number;
  readonly rtcpMux: boolean;
  readonly send: Codec;
}

/**
 * Checks the peer's video stream against ours; undefined when the peer has none or refused it (port 0,
 * RFC 3264 § 6): the call is then audio-only. The first video codec it lists that we offered is sent
 * (H.264: in a format we take, matchVideoFormat — packetization-mode 1).
 * @since 0.2.0
 */
export function acceptRemoteVideo(v: RemoteVideoDescription | undefined, audioAddress: string, ours: readonly Codec[] | undefined, srtp: boolean): AcceptedVideo | undefined {
  if (!v || v.port === 0) return undefined;
  if (!ours) throw new InvalidArgumentError('the remote description has video but this session has none');
  const address = v.address ?? audioAddress;
  if (isIP(address) === 0) throw new InvalidArgumentError('the remote video address must be an IP address');
  checkPort(v.port, 'the remote video port');
  if (v.rtcpPort !== undefined) checkPort(v.rtcpPort, 'the remote video RTCP port');
  const send = v.codecs.find((c) => ours.some((o) => matchVideoFormat(o, c) !== undefined));
  if (!send) throw new InvalidArgumentError('no video codec in common');
  if (!Number.isInteger(send.pt) || send.pt < 0 || send.pt > 127) throw new InvalidArgumentError('payload types are 0..127');
  checkKey(v.crypto, srtp, 'the remote video description');
  return { address, port: v.port, rtcpPort: v.rtcpPort ?? (v.rtcpMux ? v.port : v.port + 1), rtcpMux: v.rtcpMux, send };
}
