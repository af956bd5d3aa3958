/**
 * confab-media for one Tox connection, as plugin-sip's calls/media-access.ts: started through the
 * daemon's MediaService on the first call, one MediaClient per connection; leaving the bus ends every
 * session we still had.
 * @since 0.2.0
 */
import type { MediaService } from '@confab/sdk';
import { MediaClient, type MediaSessionClient, type SessionOptions } from '@confab/media';

export class MediaAccess {
  private client?: Promise<MediaClient>;

  constructor(private readonly service: MediaService, private readonly connect: () => Promise<MediaClient> = () => MediaClient.connect()) {}

  async createSession(options: SessionOptions): Promise<MediaSessionClient> {
    await this.service.ensure();
    this.client ??= this.connect().catch((err: unknown) => {
      this.client = undefined;
      throw err;
    });
    return (await this.client).createSession(options);
  }

  dispose(): void {
    const c = this.client;
    this.client = undefined;
    void c?.then((m) => m.disconnect(), () => undefined);
  }
}
