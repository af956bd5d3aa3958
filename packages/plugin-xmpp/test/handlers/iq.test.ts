jest.mock('@xmpp/client', () => ({ xml: require('ltx').createElement }));
import type { Element } from '@xmpp/client';
import { discoHandlers, rosterHandlers, serveIqs } from '../../src/handlers';
import { capsElement } from '../../src/handlers/disco';
import { ME, stanza } from '../stanzas';

/** @xmpp/iq's callee as far as serveIqs uses it: handlers by type, namespace and child name. */
function callee() {
  const handlers = new Map<string, (iq: { stanza: Element; element: Element }) => unknown>();
  const register = (type: string) => (xmlns: string, name: string, h: (iq: { stanza: Element; element: Element }) => unknown) => void handlers.set(`${type} ${name} ${xmlns}`, h);
  return {
    get: register('get'),
    set: register('set'),
    /** What the handler for this IQ answers. */
    answer(text: string): string {
      const iq = stanza(text);
      const element = iq.children.find((c): c is Element => typeof c !== 'string')!;
      const h = handlers.get(`${iq.attrs.type} ${element.name} ${element.attrs.xmlns}`);
      return String(h!({ stanza: iq, element }));
    },
  };
}

describe('roster pushes (RFC 6121 §2.1.6, handlers/roster.ts)', () => {
  it('applies a push from our own account and refuses one from anyone else', () => {
    const applied: string[] = [];
    const c = callee();
    serveIqs(c, rosterHandlers, { jid: ME, applyRoster: (query: Element, full: boolean) => void applied.push(`${full} ${query.getChild('item')?.attrs.jid}`) });
    expect(c.answer(`<iq type='set' from='${ME}' id='p1'><query xmlns='jabber:iq:roster'><item jid='bob@example.org'/></query></iq>`)).toBe('true');
    expect(c.answer(`<iq type='set' id='p2'><query xmlns='jabber:iq:roster'><item jid='carol@example.org'/></query></iq>`)).toBe('true');
    expect(c.answer(`<iq type='set' from='evil@example.org' id='p3'><query xmlns='jabber:iq:roster'><item jid='planted@example.org'/></query></iq>`))
      .toBe(`<error type="cancel"><forbidden xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error>`);
    expect(applied).toEqual(['false bob@example.org', 'false carol@example.org']);
  });
});

describe('service discovery of this client (XEP-0030, XEP-0115; disco.ts)', () => {
  it('says what we are and do, also under our caps node, and nothing under any other node', () => {
    const c = callee();
    serveIqs(c, discoHandlers, undefined);
    const info = c.answer(`<iq type='get' from='bob@example.org/r' id='d1'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`);
    expect(info).toContain(`<identity category="client" type="pc" name="Confab"/>`);
    expect(info).toContain(`<feature var="urn:xmpp:receipts"/>`);
    const node = `https://confab.im#${capsElement().attrs.ver}`;
    expect(c.answer(`<iq type='get' id='d2'><query xmlns='http://jabber.org/protocol/disco#info' node='${node}'/></iq>`)).toContain(`node="${node}"`);
    expect(c.answer(`<iq type='get' id='d3'><query xmlns='http://jabber.org/protocol/disco#info' node='other'/></iq>`)).toContain('item-not-found');
  });
});
