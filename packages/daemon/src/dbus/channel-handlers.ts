/** The handlers of one channel's object (im.confab.Confab1.Channel): a thin map over the features. */
import type { Features } from '../core';
import type { Handlers } from './contract-object';
import { accountPath, pageSize, toNumber, wireMessage } from './wire';

export function channelHandlers(f: Features, id: number): Handlers {
  const row = () => f.conversations.get(id);
  return {
    methods: {
      SendMessage: (body: string, kind: string) => f.messages.send(id, body, kind).id,
      SetChatState: (state: string) => f.messages.chatStates.set(id, state),
      GetHistory: (beforeId: bigint, limit: number) => f.messages.history(id, toNumber(beforeId, 'before_id'), pageSize(limit)).map(wireMessage),
      Leave: (message: string) => f.rooms.leave(id, message),
      SetTopic: (topic: string) => f.rooms.setTopic(id, topic),
      Kick: (member: string, reason: string) => f.rooms.kick(id, member, reason),
      Invite: (contact: string) => f.rooms.invite(id, contact),
      SetRole: (member: string, role: string) => f.rooms.setRole(id, member, role),
      SetModes: (modes: string) => f.rooms.setModes(id, modes),
    },
    properties: {
      Account: () => accountPath(row().accountId),
      Kind: () => row().kind,
      Target: () => row().target,
      Joined: () => row().kind === 'direct' || (f.rooms.state(id)?.joined ?? false),
      Topic: () => row().topic,
      Members: () => f.rooms.members(id).map((m) => [m.id, m.name, m.role]),
      Modes: () => f.rooms.state(id)?.modes ?? '',
      LastActivity: () => row().lastActivity,
      UnreadCount: () => f.messages.unreadIn(id),
    },
  };
}
