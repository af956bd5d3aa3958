/**
 * Two `webrtc` sessions of one confab-media calling each other as signalling would make them: A
 * offers (its local description first), B takes the offer and answers, A takes the answer.
 */
import type { MediaSessionClient } from '../../src/client/media-client';
import type { LocalDescription, RemoteDescription } from '../../src/session/types';

/** What the peer is told of a local description: its fields as they are (ICE, DTLS, codecs, video). */
export function webrtcRemoteOf(l: LocalDescription): RemoteDescription {
  const v = l.video;
  return {
    address: l.address,
    port: l.port,
    rtcpMux: true,
    codecs: l.codecs,
    ...(l.ice ? { ice: l.ice } : {}),
    ...(l.dtls ? { dtls: l.dtls } : {}),
    ...(v ? { video: { port: v.port, rtcpMux: true, codecs: v.codecs } } : {}),
  };
}

/** Offer, answer, start both; `tamper` changes what B is told of A (hostile tests). */
export async function connect(a: MediaSessionClient, b: MediaSessionClient, tamper: (r: RemoteDescription) => RemoteDescription = (r) => r): Promise<{ offer: LocalDescription; answer: LocalDescription }> {
  const offer = await a.localDescription();
  await b.setRemote(tamper(webrtcRemoteOf(offer)));
  const answer = await b.localDescription();
  await a.setRemote(webrtcRemoteOf(answer));
  await a.start();
  await b.start();
  return { offer, answer };
}
