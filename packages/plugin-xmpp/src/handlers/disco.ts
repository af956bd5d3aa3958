/**
 * Service discovery (XEP-0030) of this client and its entity capabilities (XEP-0115): what we are
 * and do, answered to disco#info, also under our caps node#ver; the caps element that every
 * available presence carries. The identity and features are in ../caps.ts.
 */
import { xml, type Element } from '@xmpp/client';
import { CAPS_NODE, capsVersion, FEATURES, IDENTITY, NS_CAPS, NS_DISCO_INFO } from '../caps';
import type { IqHandler } from './handler';

const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const CAPS_VER = capsVersion(IDENTITY, FEATURES);

/** XEP-0115 §4: our capabilities, for an available presence. */
export function capsElement(): Element {
  return xml('c', { xmlns: NS_CAPS, hash: 'sha-1', node: CAPS_NODE, ver: CAPS_VER });
}

export const discoHandlers: ReadonlyArray<IqHandler<unknown>> = [
  {
    // XEP-0030 §3.1: what we are and do; XEP-0115 §6.2: also under our caps node#ver.
    type: 'get',
    name: 'query',
    xmlns: NS_DISCO_INFO,
    handle: (_ctx, { element }) => {
      const node = element.attrs.node;
      if (node && node !== `${CAPS_NODE}#${CAPS_VER}`) return xml('error', { type: 'cancel' }, xml('item-not-found', { xmlns: NS_STANZAS }));
      return xml('query', { xmlns: NS_DISCO_INFO, ...(node ? { node } : {}) }, xml('identity', IDENTITY), ...FEATURES.map((f) => xml('feature', { var: f })));
    },
  },
];
