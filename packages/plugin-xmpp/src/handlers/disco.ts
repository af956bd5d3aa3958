/**
 * Service discovery (XEP-0030) of this client and its entity capabilities (XEP-0115): what we are
 * and do, answered to disco#info, also under our caps node#ver; the caps element that every
 * available presence carries. The identity and features are in ../caps.ts; a connection with calls
 * adds the Jingle features (calls/jingle-ns.ts CALL_FEATURES), and its caps hash says so.
 */
import { xml, type Element } from '@xmpp/client';
import { CAPS_NODE, capsVersion, FEATURES, IDENTITY, NS_CAPS, NS_DISCO_INFO } from '../caps';
import type { IqHandler } from './handler';

const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const versions = new Map<readonly string[], string>();
const versionOf = (features: readonly string[]) => versions.get(features) ?? versions.set(features, capsVersion(IDENTITY, features)).get(features)!;

/** XEP-0115 §4: our capabilities, for an available presence. */
export function capsElement(features: readonly string[] = FEATURES): Element {
  return xml('c', { xmlns: NS_CAPS, hash: 'sha-1', node: CAPS_NODE, ver: versionOf(features) });
}

/** The handlers' context: the features this connection announces (default: without calls). */
export const discoHandlers: ReadonlyArray<IqHandler<readonly string[] | undefined>> = [
  {
    // XEP-0030 §3.1: what we are and do; XEP-0115 §6.2: also under our caps node#ver.
    type: 'get',
    name: 'query',
    xmlns: NS_DISCO_INFO,
    handle: (ctx, { element }) => {
      const features = ctx ?? FEATURES;
      const node = element.attrs.node;
      if (node && node !== `${CAPS_NODE}#${versionOf(features)}`) return xml('error', { type: 'cancel' }, xml('item-not-found', { xmlns: NS_STANZAS }));
      return xml('query', { xmlns: NS_DISCO_INFO, ...(node ? { node } : {}) }, xml('identity', IDENTITY), ...features.map((f) => xml('feature', { var: f })));
    },
  },
];
