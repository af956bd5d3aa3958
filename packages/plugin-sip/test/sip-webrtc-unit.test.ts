/**
 * SIP's SDP for ICE + DTLS-SRTP (sdp-webrtc.ts) and the STUN/TURN servers of a call (ice-servers.ts):
 * what is read from a peer's offer, what is refused (never in clear), what we write, and the TURN REST
 * API's credentials.
 */
import { createHmac } from 'node:crypto';
import { callIceServers, iceServerProblem, restCredentials } from '../src/calls/ice-servers';
import { checkOffer } from '../src/calls/sdp-glue';
import { isWebRtcSdp, readTransport, writeWebRtcSdp } from '../src/calls/sdp-webrtc';

const FP = Array.from({ length: 32 }, (_, i) => (i + 16).toString(16).toUpperCase()).join(':');
const offer = (extra: string[] = [], profile = 'UDP/TLS/RTP/SAVP') => [
  'v=0', 'o=- 1 1 IN IP4 198.18.2.2', 's=-', 'c=IN IP4 198.18.2.2', 't=0 0', 'a=group:BUNDLE 0',
  `m=audio 4000 ${profile} 96 0`, 'a=mid:0', 'a=rtpmap:96 opus/48000/2', 'a=ice-ufrag:abcd', 'a=ice-pwd:abcdefghijklmnopqrstuvwx',
  `a=fingerprint:sha-256 ${FP}`, 'a=setup:actpass', 'a=rtcp-mux',
  'a=candidate:1 1 UDP 2130706431 198.18.2.2 4000 typ host', 'a=candidate:2 1 UDP 1694498815 198.18.0.12 4000 typ srflx raddr 198.18.2.2 rport 4000',
  'a=candidate:3 2 UDP 2130706430 198.18.2.2 4001 typ host', 'a=end-of-candidates', ...extra, '',
].join('\r\n');

it('reads ICE and DTLS from an offer: component 1 UDP candidates, the fingerprint, setup, BUNDLE', () => {
  expect(isWebRtcSdp(offer())).toBe(true);
  const t = readTransport(offer());
  expect(t.ice?.ufrag).toBe('abcd');
  expect(t.ice?.candidates.map((c) => `${c.type} ${c.address}`)).toEqual(['host 198.18.2.2', 'srflx 198.18.0.12']);
  expect(t.ice?.candidates[1]).toMatchObject({ relAddress: '198.18.2.2', relPort: 4000 });
  expect(t.dtls).toEqual({ fingerprint: { hash: 'sha-256', value: FP }, setup: 'actpass' });
  expect([t.bundle, t.mid, t.complete]).toEqual([true, '0', true]);
});

it('answers a DTLS offer on webrtc (PCMU: Opus on 96 is not our payload type); refuses one that cannot be kept encrypted', () => {
  expect(checkOffer('application/sdp', offer(), 'confab')).toMatchObject({ ok: true, webrtc: true });
  expect(checkOffer('application/sdp', offer().replace(/a=fingerprint:sha-256/, 'a=fingerprint:sha-1'), 'confab')).toMatchObject({ ok: false, statusCode: 488 });
  expect(checkOffer('application/sdp', offer().replace(/a=ice-pwd:.*\r\n/, ''), 'confab')).toMatchObject({ ok: false, statusCode: 488 });
  expect(checkOffer('application/sdp', offer([], 'RTP/AVP'), 'confab')).toMatchObject({ ok: false, statusCode: 488 });
  expect(checkOffer('application/sdp', offer().replace('96 0', '96'), 'confab')).toMatchObject({ ok: false, statusCode: 488 });
});

it('writes our side: profile, credentials, fingerprint, setup, candidates, end-of-candidates, rtcp-mux, mid/BUNDLE', () => {
  const sdp = writeWebRtcSdp({
    origin: { sessionId: '7', sessionVersion: 0 }, profile: 'UDP/TLS/RTP/SAVPF', direction: 'sendrecv', mid: '0',
    codecs: [{ name: 'opus', pt: 111, clockRate: 48000, channels: 2, fmtp: 'useinbandfec=1' }],
    ice: { ufrag: 'wxyz', pwd: 'p'.repeat(22), candidates: [{ foundation: '1', component: 1, protocol: 'udp', priority: 1, address: '198.18.1.2', port: 5000, type: 'host' }] },
    dtls: { fingerprint: { hash: 'sha-256', value: FP }, setup: 'actpass' },
  });
  for (const line of ['m=audio 5000 UDP/TLS/RTP/SAVPF 111', 'a=group:BUNDLE 0', 'a=mid:0', 'a=ice-ufrag:wxyz', `a=fingerprint:sha-256 ${FP}`, 'a=setup:actpass',
    'a=candidate:1 1 UDP 1 198.18.1.2 5000 typ host', 'a=end-of-candidates', 'a=rtcp-mux', 'a=rtpmap:111 opus/48000/2']) expect(sdp).toContain(`${line}\r\n`);
  const t = readTransport(sdp);
  expect(t.ice?.candidates).toHaveLength(1);
});

it('makes the TURN REST API credentials (coturn use-auth-secret) and orders the servers: the account first', () => {
  const c = restCredentials('s3cret', 'bob', 1_000_000_000_000, 60);
  expect(c.username).toBe('1000000060:bob');
  expect(c.credential).toBe(createHmac('sha1', 's3cret').update('1000000060:bob').digest('base64'));
  const servers = callIceServers({ stunServer: '198.18.0.1:3478', turnServer: 'turn:198.18.0.1:3479', turnSecret: 's3cret' }, [{ urls: ['stun:global'] }], 'alice', 1_000_000_000_000);
  expect(servers.map((s) => s.urls)).toEqual([['stun:198.18.0.1:3478'], ['turn:198.18.0.1:3479'], ['stun:global']]);
  expect(servers[1]!.username).toMatch(/^\d+:alice$/);
  expect(iceServerProblem('turns:turn.example.org:443?transport=tcp', 'turn')).toBeUndefined();
  expect(iceServerProblem('http://x', 'turn')).toBeDefined();
});
