/**
 * A session on the bus: /im/confab/Media1/sessions/<n>, im.confab.Media1.Session.
 * @since 0.1.0
 */
import type { MediaSession } from '../session/media-session';
import type { InterfaceSpec } from './contract';
import { ContractObject, type Log } from './contract-object';
import { fromLocalDescription, fromStats, toRemoteDescription, type VariantDict } from './variants';

export function sessionObject(spec: InterfaceSpec, s: MediaSession, log: Log, onClosed: () => void): ContractObject {
  const obj: ContractObject = new ContractObject(
    spec,
    {
      methods: {
        GetLocalDescription: async () => fromLocalDescription(await s.localDescription()),
        SetRemote: (d: VariantDict) => s.setRemote(toRemoteDescription(d)),
        Start: () => s.start(),
        Hold: () => s.hold(),
        Resume: () => s.resume(),
        SetMuted: (muted: boolean) => {
          s.setMuted(muted);
          obj.propertiesChanged({ Muted: muted });
        },
        SetVideo: (enabled: boolean) => {
          s.setVideo(enabled);
          obj.propertiesChanged({ Video: enabled });
        },
        SendDtmf: (digits: string, toneMs: number) => s.sendDtmf(digits, toneMs),
        GetStats: async () => fromStats(await s.stats()),
        Close: () => s.close('closed'),
      },
      properties: { State: () => s.state, Muted: () => s.isMuted, Video: () => s.hasVideo },
    },
    log,
  );
  s.onStateChanged((c) => {
    obj.propertiesChanged({ State: c.state });
    obj.emit('StateChanged', c.state, c.reason);
    if (c.state === 'ended') onClosed();
  });
  s.onDtmf((digit) => obj.emit('DtmfReceived', digit));
  return obj;
}
