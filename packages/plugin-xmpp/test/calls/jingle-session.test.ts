jest.mock('@xmpp/client', () => ({ xml: require('ltx').createElement }));
import { endReasonOf, conditionOf, readReason } from '../../src/calls/jingle-reasons';
import { checkAction, type SessionView } from '../../src/calls/jingle-session';
import { iqError } from '../../src/calls/jingle-errors';
import { jmiMessage, readJmi } from '../../src/calls/jmi';
import { stanza } from '../stanzas';

const PEER = 'bob@example.org/phone';
const s = (phase: SessionView['phase'], role: SessionView['role'] = 'initiator'): SessionView => ({ phase, role, peer: PEER });

describe('the Jingle session state machine (XEP-0166 §6-§8)', () => {
  it('takes each action only in its turn', () => {
    expect(checkAction('session-initiate', undefined, PEER)).toEqual({ ok: true, action: 'session-initiate' });
    expect(checkAction('session-initiate', s('proceeded', 'responder'), PEER).ok).toBe(true); // XEP-0353: after our proceed
    expect(checkAction('session-initiate', s('pending', 'responder'), PEER)).toMatchObject({ ok: false, error: 'out-of-order' });
    expect(checkAction('session-accept', s('pending'), PEER).ok).toBe(true);
    expect(checkAction('session-accept', s('active'), PEER)).toMatchObject({ ok: false, error: 'out-of-order' });
    expect(checkAction('session-accept', s('pending', 'responder'), PEER)).toMatchObject({ ok: false, error: 'out-of-order' });
    expect(checkAction('transport-info', s('proposed'), PEER)).toMatchObject({ ok: false, error: 'out-of-order' });
    expect(checkAction('content-modify', s('pending'), PEER)).toMatchObject({ ok: false, error: 'out-of-order' });
    expect(checkAction('content-modify', s('active'), PEER).ok).toBe(true);
    expect(checkAction('session-terminate', s('ended'), PEER).ok).toBe(true);
    expect(checkAction('session-info', s('ended'), PEER)).toMatchObject({ ok: false, error: 'unknown-session' });
    expect(checkAction('transport-replace', s('active'), PEER)).toMatchObject({ ok: false, error: 'feature-not-implemented' });
  });

  it('answers unknown sessions, forged senders and unknown actions with XEP-0166 §8 errors', () => {
    expect(checkAction('session-accept', undefined, PEER)).toMatchObject({ ok: false, error: 'unknown-session' });
    expect(checkAction('session-terminate', s('active'), 'mallory@example.org/x')).toMatchObject({ ok: false, error: 'unknown-session' });
    expect(checkAction('session-accept', s('pending'), 'bob@example.org/other')).toMatchObject({ ok: false, error: 'unknown-session' });
    expect(checkAction('dance', s('active'), PEER)).toMatchObject({ ok: false, error: 'bad-request' });
    expect(checkAction(undefined, undefined, PEER)).toMatchObject({ ok: false, error: 'bad-request' });
    expect(String(iqError('unknown-session'))).toBe('<error type="cancel"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><unknown-session xmlns="urn:xmpp:jingle:errors:1"/></error>');
    expect(String(iqError('out-of-order'))).toBe('<error type="wait"><unexpected-request xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><out-of-order xmlns="urn:xmpp:jingle:errors:1"/></error>');
  });
});

describe('reasons (XEP-0166 §7.4) and JMI (XEP-0353)', () => {
  it('maps reasons both ways', () => {
    expect(endReasonOf('success', true)).toBe('remote-hangup');
    expect(endReasonOf('decline', false)).toBe('declined');
    expect(endReasonOf('busy', false)).toBe('busy');
    expect(endReasonOf('timeout', false)).toBe('no-answer');
    expect(endReasonOf('cancel', false)).toBe('cancelled');
    expect(endReasonOf('incompatible-parameters', false)).toBe('codec-mismatch');
    expect(endReasonOf('failed-transport', true)).toBe('media-failed');
    expect(endReasonOf('connectivity-error', true)).toBe('media-failed');
    expect(conditionOf('hangup')).toBe('success');
    expect(conditionOf('declined')).toBe('decline');
    expect(conditionOf('no-answer')).toBe('timeout');
    expect(readReason(stanza("<jingle><reason><text>bye</text><decline/></reason></jingle>"))).toEqual({ condition: 'decline', text: 'bye' });
    expect(readReason(stanza('<jingle/>')).condition).toBe('success');
  });

  it('writes and reads JMI messages', () => {
    const m = stanza(String(jmiMessage('bob@example.org', 'm1', 'propose', 'sid-1', { media: ['audio', 'video'] })));
    expect(m.attrs).toMatchObject({ to: 'bob@example.org', type: 'chat' });
    expect(m.getChild('store', 'urn:xmpp:hints')).toBeDefined();
    expect(readJmi(m)).toEqual({ kind: 'propose', id: 'sid-1', media: ['audio', 'video'] });
    expect(readJmi(stanza(String(jmiMessage('a@b/c', 'm2', 'reject', 'sid-1', { reason: 'busy' }))))).toEqual({ kind: 'reject', id: 'sid-1', media: [], reason: 'busy' });
    expect(readJmi(stanza("<message><dance xmlns='urn:xmpp:jingle-message:0' id='x'/></message>"))).toBeUndefined();
    expect(readJmi(stanza("<message><propose xmlns='urn:xmpp:jingle-message:0'/></message>"))).toBeUndefined();
  });
});
