/**
 * A session of any transport, as the D-Bus layer drives it: `rtp` (rtp-session.ts), `webrtc`
 * (webrtc-session.ts, 0.3.0) or `frames` (frames-session.ts, 0.4.0). The local description and statistics of `webrtc` are asynchronous
 * (ICE gathering, webrtcbin's get-stats): callers await both.
 * @since 0.3.0
 */
import { NotImplementedError } from '@confab/sdk';
import type { ErrorSink } from '../gst/safe';
import { FramesSession } from './frames-session';
import { RtpSession } from './rtp-session';
import type { SessionOptions } from './types';
import { WebRtcSession } from './webrtc-session';

export type MediaSession = RtpSession | WebRtcSession;

export function createSession(id: string, options: SessionOptions, report: ErrorSink): MediaSession {
  if (options.transport === 'webrtc') return new WebRtcSession(id, options, report);
  if (options.transport === 'rtp') return new RtpSession(id, options, report);
  // issue 20: encoded frames handed to the plugin over loopback RTP (frames-session.ts)
  if (options.transport === 'frames') return new FramesSession(id, options, report);
  throw new NotImplementedError(`the ${options.transport} transport is not implemented yet`);
}
