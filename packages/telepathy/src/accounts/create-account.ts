/**
 * AccountManager.CreateAccount(cm, protocol, display name, parameters, properties): a Confab account
 * made through the daemon (its secrets into the secret store like any account's), then given the
 * Telepathy properties the client asked for. Like Mission Control, an account is created disabled
 * unless the properties say `Enabled` (mc-tool's `add` does not; Polari's does), and offline until a
 * presence is requested.
 */
import { InvalidArgumentError, NotImplementedError } from '@confab/sdk';
import type { ConfabFeatures } from '../confab';
import { parseParams } from '../params/mapping';
import { tableByName } from '../params';
import type { AccountOps } from './account-ops';

const ACCOUNT = 'org.freedesktop.Telepathy.Account.';

/** The properties CreateAccount takes, with their D-Bus types (AccountManager.SupportedAccountProperties). */
export const SUPPORTED_PROPERTIES: Readonly<Record<string, string>> = {
  [`${ACCOUNT}Enabled`]: 'b',
  [`${ACCOUNT}RequestedPresence`]: '(uss)',
  [`${ACCOUNT}AutomaticPresence`]: '(uss)',
  [`${ACCOUNT}ConnectAutomatically`]: 'b',
  [`${ACCOUNT}Nickname`]: 's',
  [`${ACCOUNT}Icon`]: 's',
  [`${ACCOUNT}Service`]: 's',
  [`${ACCOUNT}Supersedes`]: 'ao',
};

type Variants = Record<string, { signature?: string; value: unknown }>;

/** The properties as `{short name: value}`; InvalidArgument for one not supported or of the wrong type. */
export function parseProperties(raw: Variants): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(raw)) {
    const signature = SUPPORTED_PROPERTIES[name];
    if (!signature) throw new InvalidArgumentError(`property '${name}' cannot be given to CreateAccount`);
    if (v.signature !== signature) throw new InvalidArgumentError(`property '${name}' must be of type ${signature}, not ${v.signature ?? '?'}`);
    out[name.slice(ACCOUNT.length)] = v.value;
  }
  return out;
}

/** Creates the account; returns its Confab id once the Telepathy properties are applied. */
export async function createAccount(
  f: Pick<ConfabFeatures, 'accounts'>, ops: AccountOps,
  cm: string, protocol: string, displayName: string, params: Variants, properties: Variants,
): Promise<string> {
  const table = tableByName(cm, protocol, f.accounts.protocols.keys());
  if (!table) throw new NotImplementedError(`Confab has no protocol for ${cm}/${protocol} (it serves ${[...f.accounts.protocols.keys()].join(', ') || 'none'})`);
  const specs = f.accounts.protocols.get(table.confab)!.parameters;
  const props = parseProperties(properties);
  const parsed = parseParams(table, specs, params); // checked before anything is made
  const account = await f.accounts.create(table.confab, displayName, parsed.set);
  const id = account.id;
  const state = ops.state(id);
  state.write('enabled', props.Enabled === true);
  state.write('requested', 'unset');
  if (Object.keys(parsed.kept).length > 0) state.write('kept', parsed.kept);
  if (typeof props.Icon === 'string') state.write('icon', props.Icon);
  if (typeof props.Service === 'string') state.write('service', props.Service);
  if (typeof props.ConnectAutomatically === 'boolean') state.write('connectAutomatically', props.ConnectAutomatically);
  if (Array.isArray(props.Supersedes)) state.write('supersedes', props.Supersedes as string[]);
  if (props.AutomaticPresence) ops.setAutomaticPresence(id, props.AutomaticPresence);
  ops.sync(id); // disabled on Confab until Enabled and an online presence are asked
  if (props.RequestedPresence) ops.setRequestedPresence(id, props.RequestedPresence);
  if (typeof props.Nickname === 'string') ops.setNickname(id, props.Nickname);
  return id;
}
