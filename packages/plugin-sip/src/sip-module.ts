/** The plugin's entry (named in package.json `confab.plugin`): binds the SIP protocol. */
import { ContainerModule, Protocol } from '@confab/sdk';
import { SipProtocol } from './sip-protocol';

export default new ContainerModule((bind) => {
  bind<Protocol>(Protocol).toConstantValue(new SipProtocol());
});
