/** Account parameters: which are secret, the account's id, its identity. Pure functions over the protocol's parameter specs. */
import { withDefaults, type AccountParams, type Protocol } from '@confab/sdk';

/** The parameters split into those stored with the account and the secret ones (for the secret store). */
export function splitSecrets(protocol: Protocol, params: AccountParams): { plain: AccountParams; secret: Record<string, string> } {
  const plain: AccountParams = {};
  const secret: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    const spec = protocol.parameters.find((s) => s.name === name);
    if (spec?.secret) secret[name] = String(value);
    else plain[name] = value;
  }
  return { plain, secret };
}

/**
 * A new account's id from its protocol and identity, usable as a D-Bus object path element
 * ([A-Za-z0-9_] only), numbered when `taken`.
 */
export function newAccountId(protocol: string, identity: string, taken: (id: string) => boolean): string {
  const base = `${protocol}_${identity}`.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 64) || protocol;
  for (let n = 0; ; n++) {
    const id = n === 0 ? base : `${base}_${n}`;
    if (!taken(id)) return id;
  }
}

/** Who the account is: what its connection last said (`told`), else the protocol's name for it, else its id. */
export function accountIdentity(protocol: Protocol, account: { id: string; params: AccountParams }, told: string | undefined): string {
  if (told) return told;
  try {
    return protocol.identifyAccount(withDefaults(protocol.parameters, account.params));
  } catch {
    return account.id; // the protocol could not name it; the id still identifies it
  }
}
