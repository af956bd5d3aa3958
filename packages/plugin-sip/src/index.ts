export { SipProtocol } from './sip-protocol';
export { SIP_PARAMETERS, accountSettings } from './sip-settings';
export { normalizeSipAddress, parseSipAddress } from './sip-uri';
export { NodeTransport } from './node-transport';
