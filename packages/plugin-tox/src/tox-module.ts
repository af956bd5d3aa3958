/** The plugin's entry (named in package.json `confab.plugin`): binds the Tox protocol. */
import { ContainerModule, Protocol } from '@confab/sdk';
import { ToxProtocol } from './account/tox-protocol';

export default new ContainerModule((bind) => {
  bind<Protocol>(Protocol).toConstantValue(new ToxProtocol());
});
