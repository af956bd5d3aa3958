/** Telepathy spec 0.27 names of the ChannelDispatcher side: the dispatcher's objects and the interfaces clients implement. */
export const TP = 'org.freedesktop.Telepathy';
export const CD_BUS_NAME = `${TP}.ChannelDispatcher`;
export const CD_PATH = '/org/freedesktop/Telepathy/ChannelDispatcher';
export const CD_IFACE = `${TP}.ChannelDispatcher`;
export const OPERATION_LIST_IFACE = `${TP}.ChannelDispatcher.Interface.OperationList`;
export const REQUEST_IFACE = `${TP}.ChannelRequest`;
export const CDO_IFACE = `${TP}.ChannelDispatchOperation`;
/** Where dispatch operations live (Mission Control's place; the spec leaves it free). */
export const CDO_PATH_BASE = '/org/freedesktop/Telepathy/DispatchOperation/do';

export const CLIENT_IFACE = `${TP}.Client`;
export const HANDLER_IFACE = `${TP}.Client.Handler`;
export const OBSERVER_IFACE = `${TP}.Client.Observer`;
export const APPROVER_IFACE = `${TP}.Client.Approver`;
/** spec Client.Interface.Requests: a handler told of requests it is predicted to handle (AddRequest, RemoveRequest). */
export const CLIENT_REQUESTS_IFACE = `${TP}.Client.Interface.Requests`;
/** Clients own `org.freedesktop.Telepathy.Client.<Name>` at `/org/freedesktop/Telepathy/Client/<Name>` (spec Client). */
export const CLIENT_BUS_PREFIX = `${TP}.Client.`;

export function clientPath(busName: string): string {
  return `/${busName.replace(/\./g, '/')}`;
}

/** spec ChannelRequest hint: hand an existing channel to the preferred handler rather than re-dispatching it to its own. */
export const DELEGATE_HINT = `${TP}.ChannelRequest.DelegateToPreferredHandler`;
