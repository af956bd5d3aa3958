/**
 * The STUN/TURN servers of every call (docs/install.md, `calls.iceServers`): URLs and TURN user names
 * from confabd's configuration, each TURN password from the secret store — never from the config file
 * — under the account `calls` and the name `turn/<username>` (Secret Service attributes
 * {application: im.confab.Confab1, account: calls, name: turn/<username>}). A password read is added to
 * the log's redactor before it goes anywhere, so no log line can show it. Plugins get them through
 * MediaService.iceServers() after their account's own.
 */
import type { IceServerConfig } from '@confab/sdk';
import type { Config } from '../config';
import type { Redactor } from '../log';
import type { SecretStore } from '../secrets/secret-store';

/** The secret store's account for what is not any one account's. */
export const CALLS_SECRETS = 'calls';

/** The secret's name of a TURN user's password. */
export const turnSecretName = (username: string): string => `turn/${username}`;

export async function configuredIceServers(config: Config, secrets: SecretStore, redactor: Redactor): Promise<IceServerConfig[]> {
  const out: IceServerConfig[] = [];
  for (const s of config.calls.iceServers) {
    let credential: string | undefined;
    if (s.username) {
      credential = await secrets.get(CALLS_SECRETS, turnSecretName(s.username)).catch(() => undefined); // a store that cannot answer: the server without a password (TURN refuses; STUN works)
      if (credential) redactor.add(credential);
    }
    out.push({ urls: s.urls, ...(s.username ? { username: s.username } : {}), ...(credential ? { credential } : {}) });
  }
  return out;
}
