/** The handlers of one call's object (im.confab.Confab1.Call): a thin map over the Calls feature. */
import dbus from 'dbus-next';
import { InvalidArgumentError, type CallOptions, type CallStats } from '@confab/sdk';
import type { Features } from '../core';
import type { Handlers } from './contract-object';
import { accountPath, channelPath, unwrapVardict } from './wire';

const DEVICE_KEYS = ['microphone', 'speaker', 'camera'] as const;

/** Call options from a D-Bus a{sv}: audio and video (b), microphone, speaker and camera (s); anything else is refused. */
export function callOptions(dict: Record<string, { value: unknown }>, defaults: { audio: boolean; video: boolean }): CallOptions {
  const raw = unwrapVardict(dict);
  const out: { audio: boolean; video: boolean; microphone?: string; speaker?: string; camera?: string } = { ...defaults };
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'audio' || key === 'video') {
      if (typeof value !== 'boolean') throw new InvalidArgumentError(`option '${key}' must be a boolean`);
      out[key] = value;
    } else if ((DEVICE_KEYS as readonly string[]).includes(key)) {
      if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(`option '${key}' must be a non-empty string`);
      out[key as (typeof DEVICE_KEYS)[number]] = value;
    } else {
      throw new InvalidArgumentError(`unknown call option '${key}'`);
    }
  }
  if (!out.audio && !out.video) throw new InvalidArgumentError('a call carries audio, video or both');
  return out;
}

/** CallStats as a{sv}: counts as t, times as d (ms), the codec as s; empty before the first reading. */
function statsDict(s: CallStats | undefined): Record<string, InstanceType<typeof dbus.Variant>> {
  if (!s) return {};
  const out: Record<string, InstanceType<typeof dbus.Variant>> = {
    'packets-sent': new dbus.Variant('t', BigInt(s.packetsSent)),
    'packets-received': new dbus.Variant('t', BigInt(s.packetsReceived)),
    'packets-lost': new dbus.Variant('t', BigInt(Math.max(0, s.packetsLost))),
    'jitter-ms': new dbus.Variant('d', s.jitterMs),
    codec: new dbus.Variant('s', s.codec),
  };
  if (s.roundTripMs !== undefined) out['round-trip-ms'] = new dbus.Variant('d', s.roundTripMs);
  if (s.videoFramesSent !== undefined) out['video-frames-sent'] = new dbus.Variant('t', BigInt(s.videoFramesSent));
  if (s.videoFramesDecoded !== undefined) out['video-frames-decoded'] = new dbus.Variant('t', BigInt(s.videoFramesDecoded));
  if (s.encryption !== undefined) out.encryption = new dbus.Variant('s', s.encryption);
  return out;
}

export function callHandlers(f: Features, id: number): Handlers {
  const calls = f.calls;
  return {
    methods: {
      Accept: (options: Record<string, { value: unknown }>) => {
        const c = calls.get(id);
        return calls.accept(id, callOptions(options, { audio: c.audio, video: c.video }));
      },
      Reject: (reason: string) => calls.reject(id, reason),
      Hangup: () => calls.hangup(id),
      Hold: () => calls.hold(id, true),
      Resume: () => calls.hold(id, false),
      SetMuted: (muted: boolean) => calls.setMuted(id, muted),
      SendDtmf: (digits: string) => calls.sendDtmf(id, digits),
      AddVideo: () => calls.setVideo(id, true),
      RemoveVideo: () => calls.setVideo(id, false),
    },
    properties: {
      Account: () => accountPath(calls.get(id).accountId),
      Channel: () => channelPath(calls.get(id).channelId),
      Peer: () => calls.get(id).peer,
      Direction: () => calls.get(id).direction,
      Audio: () => calls.get(id).audio,
      Video: () => calls.get(id).video,
      State: () => calls.get(id).state,
      EndReason: () => calls.get(id).endReason,
      EndDetail: () => calls.get(id).endDetail,
      Muted: () => calls.get(id).muted,
      StartedAt: () => calls.get(id).startedAt,
      AnsweredAt: () => calls.get(id).answeredAt,
      EndedAt: () => calls.get(id).endedAt,
      Stats: () => statsDict(calls.get(id).stats),
    },
  };
}
