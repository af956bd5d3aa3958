/**
 * What a Tox connection adds for calls: the ToxCalls facet when the daemon gives confab-media, and the
 * routing of a friend's packets to it — lossless 69 (Messenger.c handle_packet: PACKET_ID_MSI) and
 * lossy 192/193 (Messenger.c handle_custom_lossy_packet hands these to the RTP handlers).
 * @since 0.2.0
 */
import { MediaAccess } from '@confab/media';
import type { ConnectionServices, Disposable, Logger } from '@confab/sdk';
import type { MessengerFriend } from '../messenger/messenger';
import { RTP_TYPE_AUDIO, RTP_TYPE_VIDEO } from './av-rtp';
import { PACKET_ID_MSI } from './msi';
import { ToxCalls } from './tox-calls';

export type { ToxCalls } from './tox-calls';

export function connectionCalls(services: ConnectionServices, friendOf: (id: string) => MessengerFriend | undefined, log: Logger): ToxCalls | undefined {
  if (!services.media) return undefined;
  return new ToxCalls(
    (id) => {
      const f = friendOf(id);
      if (!f) return undefined;
      return {
        get online() {
          return f.online;
        },
        sendLossless: (p) => f.connection.send(p) !== undefined,
        sendLossy: (p) => f.connection.sendLossy(p),
      };
    },
    new MediaAccess(services.media),
    log,
  );
}

/**
 * A friend's MSI and ToxAV RTP packets to the calls (the messenger counts 69 as unknown, as before);
 * its connection going down ends its call (msi.c on_peer_status), and so does the account's teardown
 * (which disposes this).
 */
export function routeAvPackets(friend: MessengerFriend, id: string, calls: ToxCalls): Disposable {
  const data = friend.connection.onData((d) => {
    if (d[0] === PACKET_ID_MSI && friend.online) calls.onMsiPacket(id, d.subarray(1));
  });
  const lossy = friend.connection.onLossy((d) => {
    if ((d[0] === RTP_TYPE_AUDIO || d[0] === RTP_TYPE_VIDEO) && friend.online) calls.onLossyPacket(id, d);
  });
  const status = friend.connection.onStatus((e) => {
    if (!e.online) calls.friendOffline(id);
  });
  return {
    dispose: () => {
      for (const s of [data, lossy, status]) s.dispose();
      calls.friendGone(id);
    },
  };
}
