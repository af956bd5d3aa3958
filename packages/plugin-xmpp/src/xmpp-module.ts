/** The plugin's entry (named in package.json `confab.plugin`): binds the XMPP protocol. */
import { ContainerModule, Protocol } from '@confab/sdk';
import { XmppProtocol } from './xmpp-protocol';

export default new ContainerModule((bind) => {
  bind<Protocol>(Protocol).toConstantValue(new XmppProtocol());
});
