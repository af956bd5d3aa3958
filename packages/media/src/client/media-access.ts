/**
 * confab-media for one plugin connection (SIP, XMPP, Tox alike): started through the daemon's
 * MediaService on the first call, reached with a MediaClient on the session bus, one bus connection per
 * plugin connection. confab-media closes every session of a bus client that leaves, so disposing of
 * this on disconnect leaves no pipeline behind.
 * @since 0.4.0
 */
import type { MediaService } from '@confab/sdk';
import type { IceServer, SessionOptions } from '../session/types';
import { MediaClient, type MediaSessionClient } from './media-client';

export class MediaAccess {
  private client?: Promise<MediaClient>;

  constructor(private readonly service: MediaService, private readonly connect: () => Promise<MediaClient> = () => MediaClient.connect()) {}

  /** A new media session; confab-media is started first when it does not run. */
  async createSession(options: SessionOptions): Promise<MediaSessionClient> {
    const client = await this.ready();
    try {
      return await client.createSession(options);
    } catch (err) {
      if (!(err instanceof Error && 'code' in err)) this.drop(); // not confab-media's refusal: the bus link may be broken, connect again next time
      throw err;
    }
  }

  /** Resolves once confab-media runs and we are connected to it; NotAvailable when it cannot start. */
  async ready(): Promise<MediaClient> {
    await this.service.ensure();
    this.client ??= this.connect().catch((err: unknown) => {
      this.client = undefined;
      throw err;
    });
    return this.client;
  }

  /** The daemon's STUN/TURN servers for every call (`calls.iceServers`), none when it has none. */
  async iceServers(): Promise<IceServer[]> {
    return [...((await this.service.iceServers?.()) ?? [])];
  }

  /** Leaves the bus: confab-media ends every session we still had. */
  dispose(): void {
    this.drop();
  }

  private drop(): void {
    const c = this.client;
    this.client = undefined;
    void c?.then((m) => m.disconnect(), () => undefined);
  }
}
