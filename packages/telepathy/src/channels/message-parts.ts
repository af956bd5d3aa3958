/**
 * Messages as Telepathy spec 0.27 `Channel.Interface.Messages` carries them: a `Message_Part_List`
 * (`aa{sv}`), the header first (`message-sender`, `message-sender-id`, `message-received`,
 * `pending-message-id`, `message-type`, `message-token`), then one `text/plain` part. A Confab message
 * id is the `pending-message-id` and the token, so acknowledging on Telepathy acknowledges on Confab.
 */
import dbus from 'dbus-next';
import { InvalidArgumentError, NotImplementedError } from '@confab/sdk';
import type { ConfabMessage } from '../confab';
import { KIND_OF_TYPE, MESSAGE_TYPES } from '../connections/constants';

type Variant = InstanceType<typeof dbus.Variant>;
export type MessagePart = Record<string, Variant>;

const u = (n: number) => new dbus.Variant('u', n);
const s = (t: string) => new dbus.Variant('s', t);
const x = (n: number) => new dbus.Variant('x', BigInt(n));

export const seconds = (ms: number): number => Math.floor(ms / 1000);

/** A received message, pending until acknowledged (`sender`: its contact handle). */
export function receivedParts(m: ConfabMessage, sender: number): MessagePart[] {
  const header: MessagePart = {
    'message-sender': u(sender),
    'message-sender-id': s(m.senderId),
    'message-received': x(seconds(Date.now())),
    'message-sent': x(seconds(m.serverTime)),
    'pending-message-id': u(m.id),
    'message-token': s(String(m.id)),
  };
  const type = MESSAGE_TYPES[m.kind] ?? 0;
  if (type !== 0) header['message-type'] = u(type);
  return [header, { 'content-type': s('text/plain'), content: s(m.body) }];
}

/** A message this connection sent, as MessageSent says it. */
export function sentParts(body: string, kind: string, self: number, token: string): MessagePart[] {
  const header: MessagePart = { 'message-sender': u(self), 'message-sent': x(seconds(Date.now())), 'message-token': s(token) };
  const type = MESSAGE_TYPES[kind] ?? 0;
  if (type !== 0) header['message-type'] = u(type);
  return [header, { 'content-type': s('text/plain'), content: s(body) }];
}

/** The Text.ListPendingMessages tuple `(u id, u timestamp, u sender, u type, u flags, s text)`. */
export function pendingTuple(m: ConfabMessage, sender: number): [number, number, number, number, number, string] {
  return [m.id, seconds(m.serverTime), sender, MESSAGE_TYPES[m.kind] ?? 0, 0, m.body];
}

/**
 * What SendMessage asks to send: the kind from the header's `message-type`, the body from the text/plain
 * parts. InvalidArgument for a list that is not one, NotImplemented for a type or content Confab cannot send.
 */
export function parseOutgoing(parts: unknown): { body: string; kind: string } {
  if (!Array.isArray(parts) || parts.length < 2) throw new InvalidArgumentError('a message is a header and at least one content part (aa{sv})');
  const header = parts[0] as Record<string, { value?: unknown }>;
  const typeValue = header['message-type']?.value ?? 0;
  const kind = typeof typeValue === 'number' ? KIND_OF_TYPE[typeValue] : undefined;
  if (!kind) throw new NotImplementedError(`message type ${String(typeValue)} cannot be sent (0 normal, 1 action, 2 notice)`);
  const texts: string[] = [];
  for (const part of parts.slice(1) as Array<Record<string, { value?: unknown }>>) {
    const type = part['content-type']?.value;
    const content = part.content?.value;
    if (type === 'text/plain' && typeof content === 'string') texts.push(content);
  }
  if (texts.length === 0) throw new NotImplementedError('only text/plain content can be sent');
  return { body: texts.join('\n'), kind };
}
