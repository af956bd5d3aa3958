/**
 * A request for a channel (spec 0.27 `Connection.Interface.Requests.CreateChannel/EnsureChannel`,
 * `Qualified_Property_Value_Map`): only Text channels to a contact (TargetHandleType 1) or a room (2),
 * named by TargetID or TargetHandle (not both). Anything else is refused with the spec's errors:
 * NotImplemented for a channel type or handle type not served, InvalidArgument for a property of the
 * wrong type or one Confab does not know, InvalidHandle for a handle never given out.
 */
import { InvalidArgumentError, NotImplementedError } from '@confab/sdk';
import { CHANNEL_IFACE, HANDLE_CONTACT, HANDLE_ROOM, TEXT_TYPE, type HandleType } from '../connections/constants';
import type { Handles } from '../connections/handles';

export interface ChannelRequest {
  readonly handleType: HandleType;
  /** The target as the client named it (an id, or the id of the handle it gave). */
  readonly targetId: string;
}

type Variants = Record<string, { signature?: string; value: unknown }>;

const P = (name: string) => `${CHANNEL_IFACE}.${name}`;
const KNOWN = new Set([P('ChannelType'), P('TargetHandleType'), P('TargetHandle'), P('TargetID')]);

function typed(req: Variants, name: string, signature: string): unknown {
  const v = req[P(name)];
  if (v === undefined) return undefined;
  if (v.signature !== signature) throw new InvalidArgumentError(`${P(name)} must be of type ${signature}, not ${v.signature ?? '?'}`);
  return v.value;
}

export function parseRequest(req: Variants, handles: Handles, canRooms: boolean): ChannelRequest {
  if (typeof req !== 'object' || req === null) throw new InvalidArgumentError('a request is a{sv}');
  const type = typed(req, 'ChannelType', 's');
  if (type === undefined) throw new InvalidArgumentError(`${P('ChannelType')} is required`);
  if (type !== TEXT_TYPE) throw new NotImplementedError(`channel type '${String(type)}' is not served (only ${TEXT_TYPE})`);
  for (const key of Object.keys(req)) if (!KNOWN.has(key)) throw new NotImplementedError(`property '${key}' cannot be requested`);
  const handleType = typed(req, 'TargetHandleType', 'u') as number | undefined;
  if (handleType !== HANDLE_CONTACT && handleType !== HANDLE_ROOM) throw new NotImplementedError(`a Text channel's TargetHandleType is 1 (contact) or 2 (room), not ${String(handleType)}`);
  if (handleType === HANDLE_ROOM && !canRooms) throw new NotImplementedError('this protocol has no rooms');
  const handle = typed(req, 'TargetHandle', 'u') as number | undefined;
  const id = typed(req, 'TargetID', 's') as string | undefined;
  if (handle !== undefined && id !== undefined) throw new InvalidArgumentError('give TargetHandle or TargetID, not both');
  if (id !== undefined) {
    if (id.trim() === '') throw new InvalidArgumentError('TargetID is empty');
    return { handleType, targetId: id };
  }
  if (handle === undefined) throw new InvalidArgumentError('TargetHandle or TargetID is required');
  return { handleType, targetId: handles.repo(handleType).inspect(handle) };
}
