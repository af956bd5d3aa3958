/**
 * What a session offers and what it accepts from the peer's description.
 * @since 0.1.0
 */
import { InvalidArgumentError } from '@confab/sdk';
import { isIP } from 'node:net';
import { DEFAULT_CODECS, hasEncoder, telephoneEvent, type Codec } from '../codecs/codecs';
import { checkSdesKey } from '../rtp/srtp';
import type { RemoteDescription } from './types';

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
  const send = r.codecs.find((c) => c.name !== 'telephone-event' && available(c));
  if (!send) throw new InvalidArgumentError('no codec in common');
  if (!Number.isInteger(send.pt) || send.pt < 0 || send.pt > 127) throw new InvalidArgumentError('payload types are 0..127');
  // RFC 4733 § 7.1.1: the event stream's clock is the audio codec's
  const te = r.codecs.find((c) => c.name === 'telephone-event' && c.clockRate === send.clockRate && c.pt !== send.pt);
  if (srtp) {
    if (!r.crypto) throw new InvalidArgumentError('SRTP was offered: the remote description needs its key');
    try {
      checkSdesKey(r.crypto);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  } else if (r.crypto) {
    throw new InvalidArgumentError('the remote description has a key but this session has no SRTP');
  }
  return { send, telephoneEvent: te };
}
