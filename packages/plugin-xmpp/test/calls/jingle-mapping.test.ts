jest.mock('@xmpp/client', () => ({ xml: require('ltx').createElement }));
import { answerSdp, remoteFromSdp, type LocalDescription } from '@confab/media';
import { answerContents, asParsedSdp, directionOf, offerContents, readContents, sendersOf, transportKindOf, Unsupported } from '../../src/calls/jingle-contents';
import { readRawUdp } from '../../src/calls/raw-udp';
import { MalformedJingle, readDescription } from '../../src/calls/rtp-description';
import { stanza } from '../stanzas';

const LOCAL: LocalDescription = {
  transport: 'rtp', address: '127.0.0.1', port: 40000, rtcpPort: 40000, rtcpMux: true,
  codecs: [
    { name: 'opus', pt: 111, clockRate: 48000, channels: 2, fmtp: 'useinbandfec=1' },
    { name: 'G722', pt: 9, clockRate: 8000, channels: 1, fmtp: '' },
    { name: 'PCMU', pt: 0, clockRate: 8000, channels: 1, fmtp: '' },
    { name: 'telephone-event', pt: 101, clockRate: 48000, channels: 1, fmtp: '0-15' },
  ],
  video: { port: 40002, rtcpPort: 40002, rtcpMux: true, codecs: [{ name: 'VP8', pt: 96, clockRate: 90000, channels: 1, fmtp: '' }] },
};
const ids = (m: string, n: number) => `c${m}${n}`;
const jingleOf = (contents: Array<{ toString(): string }>) => stanza(`<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s1'>${contents.map(String).join('')}</jingle>`);

describe('XEP-0167 descriptions and XEP-0177 candidates', () => {
  it('writes our offer as contents and reads it back as confab-media\'s parsed SDP', () => {
    const contents = offerContents(LOCAL, 'sendrecv', 'initiator', ids);
    const text = contents.map(String).join('');
    expect(text).toContain("<payload-type id=\"111\" name=\"opus\" clockrate=\"48000\" channels=\"2\"><parameter name=\"useinbandfec\" value=\"1\"/></payload-type>");
    expect(text).toContain('<rtcp-mux/>');
    expect(text).toContain('<candidate component="1" generation="0" id="caudio1" ip="127.0.0.1" port="40000"/>');
    const read = readContents(jingleOf(contents));
    expect(read.map((c) => [c.name, c.creator, c.senders, c.description.media])).toEqual([['audio', 'initiator', 'both', 'audio'], ['video', 'initiator', 'both', 'video']]);
    const sdp = asParsedSdp(read, 'initiator', 's1');
    expect(sdp.audio).toMatchObject({ address: '127.0.0.1', port: 40000, rtcpMux: true, direction: 'sendrecv', codecs: LOCAL.codecs });
    expect(sdp.video).toMatchObject({ port: 40002, codecs: [{ name: 'VP8', pt: 96 }] });
  });

  it('answers an offer with the offer\'s ids and leaves out the video it does not take; the offerer reads the answer', () => {
    const offer = readContents(stanza(`<jingle xmlns='urn:xmpp:jingle:1'>
      <content creator='initiator' name='voice'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>
        <payload-type id='98' name='OPUS' clockrate='48000' channels='2'/><payload-type id='0'/><payload-type id='126' name='speex' clockrate='8000'/>
        <payload-type id='100' name='telephone-event' clockrate='48000'><parameter name='' value='0-15'/></payload-type></description>
        <transport xmlns='urn:xmpp:jingle:transports:raw-udp:1'><candidate component='1' generation='0' id='x' ip='10.0.0.2' port='5000'/><candidate component='2' generation='0' id='y' ip='10.0.0.2' port='5001'/></transport></content>
      <content creator='initiator' name='webcam'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='video'><payload-type id='99' name='VP8' clockrate='90000'/></description>
        <transport xmlns='urn:xmpp:jingle:transports:raw-udp:1'><candidate component='1' generation='0' id='z' ip='10.0.0.2' port='5002'/></transport></content></jingle>`));
    const parsed = asParsedSdp(offer, 'initiator', 's');
    expect(parsed.audio).toMatchObject({ port: 5000, rtcpPort: 5001, rtcpMux: false, codecs: [{ name: 'opus', pt: 98 }, { name: 'PCMU', pt: 0 }, { name: 'telephone-event', pt: 100, fmtp: '0-15' }] });
    const { video: _v, ...audioOnly } = LOCAL;
    const answer = answerSdp(parsed, audioOnly, 'sendrecv');
    const contents = answerContents(offer, audioOnly, answer.choice, ids);
    expect(contents).toHaveLength(1); // XEP-0166 §7.2.10: the refused video is not in the accept
    expect(String(contents[0])).toMatch(/^<content creator="initiator" name="voice" senders="both"><description xmlns="urn:xmpp:jingle:apps:rtp:1" media="audio"><payload-type id="98" name="opus"/);
    const back = remoteFromSdp(asParsedSdp(readContents(jingleOf(contents)), 'responder', 's'), { ...audioOnly, codecs: parsed.audio!.codecs });
    expect(back.video).toBeUndefined();
    expect(back.codecs[0]).toMatchObject({ name: 'opus', pt: 98 });
  });

  it('maps senders to RFC 3264 directions from the author\'s role', () => {
    expect(directionOf('initiator', 'initiator')).toBe('sendonly');
    expect(directionOf('initiator', 'responder')).toBe('recvonly');
    expect(directionOf('none', 'responder')).toBe('inactive');
    for (const d of ['sendrecv', 'sendonly', 'recvonly', 'inactive'] as const) for (const r of ['initiator', 'responder'] as const) expect(directionOf(sendersOf(d, r), r)).toBe(d);
  });

  it('refuses oversized and malformed input before it becomes a session', () => {
    const many = Array.from({ length: 40 }, (_, i) => `<payload-type id='${i}' name='PCMU' clockrate='8000'/>`).join('');
    expect(() => readDescription(stanza(`<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>${many}</description>`))).toThrow(MalformedJingle);
    expect(() => readDescription(stanza("<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='text'/>"))).toThrow(MalformedJingle);
    expect(() => readDescription(stanza("<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'><payload-type id='300' name='x'/></description>"))).toThrow(MalformedJingle);
    expect(() => readRawUdp(stanza("<transport><candidate component='1' ip='not-an-ip' port='1'/></transport>"))).toThrow(MalformedJingle);
    const contents = Array.from({ length: 5 }, (_, i) => `<content creator='initiator' name='c${i}'/>`).join('');
    expect(() => readContents(stanza(`<jingle>${contents}</jingle>`))).toThrow(MalformedJingle);
    expect(() => readContents(stanza("<jingle><content creator='initiator' name='f'><description xmlns='urn:xmpp:jingle:apps:file-transfer:5'/></content></jingle>"))).toThrow(Unsupported);
    // XEP-0176 without an XEP-0320 fingerprint: ICE with unencrypted RTP, which confab-media does not run
    expect(() => transportKindOf(readContents(stanza("<jingle><content creator='initiator' name='a'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'/><transport xmlns='urn:xmpp:jingle:transports:ice-udp:1'/></content></jingle>")))).toThrow(Unsupported);
    expect(() => readContents(stanza("<jingle><content creator='initiator' name='a'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'/><transport xmlns='urn:xmpp:jingle:transports:s5b:1'/></content></jingle>"))).toThrow(Unsupported);
  });

  it('takes the newest generation of raw-udp candidates', () => {
    expect(readRawUdp(stanza("<transport><candidate component='1' generation='0' ip='10.0.0.1' port='1000'/><candidate component='1' generation='1' ip='10.0.0.9' port='2000'/><candidate component='2' generation='1' ip='10.0.0.9' port='2001'/></transport>")))
      .toEqual({ address: '10.0.0.9', port: 2000, rtcpPort: 2001 });
  });
});
