/** The plugin's entry (named in package.json `confab.plugin`): binds the IRC protocol. */
import { ContainerModule, Protocol } from '@confab/sdk';
import { IrcProtocol } from './irc-protocol';

export default new ContainerModule((bind) => {
  bind<Protocol>(Protocol).toConstantValue(new IrcProtocol());
});
