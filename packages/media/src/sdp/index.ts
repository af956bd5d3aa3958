/**
 * SDP for plugins that signal with it (SIP, and Jingle's RTP descriptions map onto the same pieces):
 * parse, offer/answer, write. No GStreamer, no daemon.
 * @since 0.1.0
 */
export { parseSdp, MAX_SDP_BYTES, type ParsedSdp, type SdpAudio, type SdpVideo, type SdpCrypto } from './parse';
export { sdpOffer, sdpAnswer, type SdpOrigin, type SdpMediaChoice, type SdpVideoChoice, type SdpRefusedStream } from './write';
export { answerOffer, remoteFromAnswer, answerSdp, remoteFromSdp, type Answer } from './negotiate';
