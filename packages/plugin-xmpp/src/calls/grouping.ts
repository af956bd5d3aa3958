/**
 * XEP-0338 (Jingle Grouping Framework): `<group xmlns='urn:xmpp:jingle:apps:grouping:0'
 * semantics='BUNDLE'>` naming the contents that share one transport (RFC 8843 BUNDLE). On the webrtc
 * transport confab-media always bundles audio and video on one ICE/DTLS transport
 * (max-bundle), so we write the group in our offers and answers; a peer's group is read for its
 * semantics only — its contents' transports are the same credentials, which trickle.ts merges.
 */
import { xml, type Element } from '@xmpp/client';
import { NS_GROUPING } from './jingle-ns';

/** XEP-0338 §3: the BUNDLE group of our contents. */
export function bundleGroup(names: readonly string[]): Element {
  return xml('group', { xmlns: NS_GROUPING, semantics: 'BUNDLE' }, ...names.map((name) => xml('content', { name })));
}

/** Whether a `<jingle/>` bundles its contents (XEP-0338 §3). */
export function isBundled(jingle: Element): boolean {
  return jingle.getChildren('group', NS_GROUPING).some((g) => g.attrs.semantics === 'BUNDLE');
}
