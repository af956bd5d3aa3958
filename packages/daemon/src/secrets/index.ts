/**
 * Opens the secret store: the Secret Service (org.freedesktop.secrets) when the session has one,
 * otherwise the encrypted file, with a warning. `prefer` (the config's `secretStore`) can force either.
 */
import type { MessageBus } from 'dbus-next';
import type { Logger } from '@confab/sdk';
import { FileSecretStore } from './file-store';
import { SecretServiceStore, secretServiceAvailable } from './secret-service';
import type { SecretStore } from './secret-store';

export type { SecretStore } from './secret-store';

export interface OpenOptions {
  readonly bus: MessageBus | null;
  readonly dataDir: string;
  readonly log: Logger;
  readonly prefer?: 'auto' | 'file' | 'secret-service';
}

export async function openSecretStore(opts: OpenOptions): Promise<SecretStore> {
  const prefer = opts.prefer ?? 'auto';
  if (prefer !== 'file' && opts.bus) {
    try {
      if (prefer === 'secret-service' || (await secretServiceAvailable(opts.bus))) {
        const store = await SecretServiceStore.open(opts.bus);
        opts.log.info('secrets are kept in the Secret Service');
        return store;
      }
    } catch (err) {
      if (prefer === 'secret-service') throw err;
      opts.log.warn('the Secret Service cannot be used (%s)', (err as Error).message);
    }
  }
  if (prefer === 'auto') {
    opts.log.warn('no Secret Service on this session: secrets are kept in %s/secrets, encrypted under a key file next to it (mode 0600)', opts.dataDir);
  }
  return new FileSecretStore(opts.dataDir);
}
