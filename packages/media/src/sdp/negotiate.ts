/**
 * Offer/answer (RFC 3264) between a parsed SDP and a session: what to answer an offer with, and the
 * remote description to give the session from an offer or an answer.
 * @since 0.1.0
 */
import { ConfabError, InvalidArgumentError } from '@confab/sdk';
import type { Codec } from '../codecs/codecs';
import type { Direction, LocalDescription, RemoteDescription } from '../session/types';
import type { SdpAudio } from './parse';
import type { SdpMediaChoice } from './write';

/** RFC 3264 § 6.1: the answer's direction mirrors the offer's. */
const MIRROR: Record<Direction, Direction> = { sendrecv: 'sendrecv', sendonly: 'recvonly', recvonly: 'sendonly', inactive: 'inactive' };

export interface Answer {
  /** What the session is told about the peer. */
  readonly remote: RemoteDescription;
  /** What the answer lists (the offer's payload types). */
  readonly choice: SdpMediaChoice;
}

const same = (a: Codec, b: Codec) => a.name === b.name && a.clockRate === b.clockRate;

/**
 * The answer to an offer: the offer's codecs we also have, in the offer's order, with its payload
 * types; telephone-event at the chosen codec's rate. NotCapable (a SIP 488) when none is common or
 * the offer asks for SRTP and the session has none (or the other way round).
 */
export function answerOffer(offer: SdpAudio, local: LocalDescription, ourDirection: Direction = 'sendrecv'): Answer {
  const audio = offer.codecs.filter((c) => c.name !== 'telephone-event' && local.codecs.some((l) => same(l, c)));
  if (audio.length === 0) throw new ConfabError('NotCapable', 'no codec in common (488)');
  const te = offer.codecs.find((c) => c.name === 'telephone-event' && c.clockRate === audio[0]!.clockRate);
  const savp = offer.profile === 'RTP/SAVP';
  if (savp !== (local.crypto !== undefined)) throw new ConfabError('NotCapable', savp ? 'the offer needs SRTP' : 'the session needs SRTP');
  const key = savp ? offer.crypto.find((k) => k.suite === local.crypto!.suite) ?? offer.crypto[0] : undefined;
  if (savp && !key) throw new ConfabError('NotCapable', 'no usable crypto attribute');
  const codecs = te ? [...audio, te] : audio;
  const rtcpMux = offer.rtcpMux && local.rtcpMux;
  const peer = offer.direction;
  const direction = ourDirection === 'sendrecv' ? MIRROR[peer] : ourDirection;
  return {
    remote: { address: offer.address, port: offer.port, rtcpPort: offer.rtcpPort, rtcpMux, codecs, ...(key ? { crypto: { suite: key.suite, keySalt: key.keySalt } } : {}), direction: peer },
    choice: { codecs, rtcpMux, direction, cryptoTag: key?.tag },
  };
}

/** The remote description from the answer to our offer. */
export function remoteFromAnswer(answer: SdpAudio, local: LocalDescription): RemoteDescription {
  if (answer.port === 0) throw new ConfabError('NotCapable', 'the peer refused the audio stream');
  const codecs = answer.codecs.filter((c) => local.codecs.some((l) => same(l, c)));
  if (!codecs.some((c) => c.name !== 'telephone-event')) throw new InvalidArgumentError('the answer has no codec we offered');
  const key = local.crypto ? answer.crypto[0] : undefined;
  if (local.crypto && !key) throw new ConfabError('NotCapable', 'the answer has no crypto attribute');
  return { address: answer.address, port: answer.port, rtcpPort: answer.rtcpPort, rtcpMux: answer.rtcpMux && local.rtcpMux, codecs, ...(key ? { crypto: { suite: key.suite, keySalt: key.keySalt } } : {}), direction: answer.direction };
}
