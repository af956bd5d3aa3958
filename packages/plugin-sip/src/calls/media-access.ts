/**
 * confab-media for one connection: started through the daemon's MediaService on the first call,
 * reached with `@confab/media`'s MediaClient on the session bus (DBUS_SESSION_BUS_ADDRESS), one bus
 * connection per SIP connection. confab-media closes every session of a bus client that leaves, so
 * closing this connection's client on disconnect leaves no pipeline behind.
 */
import type { MediaService } from '@confab/sdk';
import { MediaClient, type MediaSessionClient, type SessionOptions } from '@confab/media';

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

  /** Resolves once confab-media runs and we are connected to it. */
  async ready(): Promise<MediaClient> {
    await this.service.ensure();
    this.client ??= this.connect().catch((err: unknown) => {
      this.client = undefined;
      throw err;
    });
    return this.client;
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
