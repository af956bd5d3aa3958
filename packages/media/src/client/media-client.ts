/**
 * The client side of im.confab.Media1, for plugins and confabd: typed calls over the session bus,
 * no GStreamer loaded. Options and descriptions are the session's own types (session/types.ts).
 * @since 0.1.0
 */
import dbus from 'dbus-next';
import { ConfabError, type ErrorCode } from '@confab/sdk';
import type { LocalDescription, RemoteDescription, SessionOptions, SessionState } from '../session/types';
import { ERROR_PREFIX } from '../service/errors';
import { localDescriptionFromDict, putIceDtls, type VariantDict } from '../service/variants';

export const MEDIA_BUS_NAME = 'im.confab.Media1';
export const MEDIA_ROOT_PATH = '/im/confab/Media1';

type Bus = ReturnType<typeof dbus.sessionBus>;
type Call = (...args: unknown[]) => Promise<unknown>;
type Iface = Record<string, Call> & { on(signal: string, fn: (...args: unknown[]) => void): void };

const v = (signature: string, value: unknown) => new dbus.Variant(signature, value);

/** A D-Bus error from confab-media back as the ConfabError it was. */
function fromDBus(err: unknown): unknown {
  const e = err as { type?: string; text?: string };
  if (typeof e.type === 'string' && e.type.startsWith(ERROR_PREFIX)) return new ConfabError(e.type.slice(ERROR_PREFIX.length) as ErrorCode, e.text ?? '');
  return err;
}

async function call(iface: Iface, method: string, ...args: unknown[]): Promise<unknown> {
  try {
    return await iface[method]!(...args);
  } catch (err) {
    throw fromDBus(err);
  }
}

function optionsDict(o: SessionOptions): VariantDict {
  const d: VariantDict = { audio: v('b', o.audio), video: v('b', o.video), transport: v('s', o.transport), address: v('s', o.address) };
  if (o.codecs) d.codecs = v('as', [...o.codecs]);
  if (o.microphone) d.microphone = v('s', o.microphone);
  if (o.speaker) d.speaker = v('s', o.speaker);
  if (o.rtcpMux !== undefined) d['rtcp-mux'] = v('b', o.rtcpMux);
  if (o.srtp !== undefined) d.srtp = v('b', o.srtp);
  if (o.echoSuppression) d['echo-suppression'] = v('s', o.echoSuppression);
  if (o.gainControl !== undefined) d['gain-control'] = v('b', o.gainControl);
  if (o.noiseSuppression !== undefined) d['noise-suppression'] = v('b', o.noiseSuppression);
  if (o.rtpTimeoutMs !== undefined) d['rtp-timeout-ms'] = v('u', o.rtpTimeoutMs);
  if (o.videoCodecs) d['video-codecs-offered'] = v('as', [...o.videoCodecs]);
  if (o.camera) d.camera = v('s', o.camera);
  if (o.videoSink) d['video-sink'] = v('s', o.videoSink);
  if (o.iceServers) d['ice-servers'] = v('a(asss)', o.iceServers.map((s) => [[...s.urls], s.username ?? '', s.credential ?? '']));
  if (o.encryption) d.encryption = v('s', o.encryption);
  return d;
}

export function remoteDict(r: RemoteDescription): VariantDict {
  const d: VariantDict = {
    address: v('s', r.address),
    port: v('u', r.port),
    'rtcp-mux': v('b', r.rtcpMux),
    codecs: v('a(suuus)', r.codecs.map((c) => [c.name, c.pt, c.clockRate, c.channels, c.fmtp])),
  };
  if (r.rtcpPort !== undefined) d['rtcp-port'] = v('u', r.rtcpPort);
  if (r.crypto) {
    d['crypto-suite'] = v('s', r.crypto.suite);
    d['crypto-key'] = v('s', r.crypto.keySalt);
  }
  if (r.direction) d.direction = v('s', r.direction);
  const rv = r.video;
  if (rv) {
    if (rv.address) d['video-address'] = v('s', rv.address);
    d['video-port'] = v('u', rv.port);
    d['video-rtcp-mux'] = v('b', rv.rtcpMux);
    d['video-codecs'] = v('a(suuus)', rv.codecs.map((c) => [c.name, c.pt, c.clockRate, c.channels, c.fmtp]));
    if (rv.rtcpPort !== undefined) d['video-rtcp-port'] = v('u', rv.rtcpPort);
    if (rv.crypto) {
      d['video-crypto-suite'] = v('s', rv.crypto.suite);
      d['video-crypto-key'] = v('s', rv.crypto.keySalt);
    }
    if (rv.direction) d['video-direction'] = v('s', rv.direction);
  }
  putIceDtls(d, r.ice, r.dtls);
  return d;
}

/** Statistics as numbers (see the contract's GetStats). */
export type StatsRecord = Record<string, number>;

export class MediaSessionClient {
  constructor(readonly path: string, private readonly iface: Iface, private readonly props: Iface) {}

  async localDescription(): Promise<LocalDescription> {
    return localDescriptionFromDict((await call(this.iface, 'GetLocalDescription')) as VariantDict);
  }
  async setRemote(r: RemoteDescription): Promise<void> {
    await call(this.iface, 'SetRemote', remoteDict(r));
  }
  async start(): Promise<void> { await call(this.iface, 'Start'); }
  async hold(): Promise<void> { await call(this.iface, 'Hold'); }
  async resume(): Promise<void> { await call(this.iface, 'Resume'); }
  async setMuted(muted: boolean): Promise<void> { await call(this.iface, 'SetMuted', muted); }
  /** Adds or removes our video stream; re-offer `localDescription()` afterwards. @since 0.2.0 */
  async setVideo(enabled: boolean): Promise<void> { await call(this.iface, 'SetVideo', enabled); }
  async sendDtmf(digits: string, toneMs = 100): Promise<void> { await call(this.iface, 'SendDtmf', digits, toneMs); }
  async close(): Promise<void> { await call(this.iface, 'Close'); }

  async stats(): Promise<StatsRecord> {
    const d = (await call(this.iface, 'GetStats')) as VariantDict;
    return Object.fromEntries(Object.entries(d).map(([k, x]) => [k, Number(x.value)]));
  }

  async state(): Promise<SessionState> {
    const x = (await call(this.props, 'Get', 'im.confab.Media1.Session', 'State')) as { value: SessionState };
    return x.value;
  }

  onStateChanged(fn: (state: SessionState, reason: string) => void): void {
    this.iface.on('StateChanged', (s, r) => fn(s as SessionState, r as string));
  }

  onDtmf(fn: (digit: string) => void): void {
    this.iface.on('DtmfReceived', (d) => fn(d as string));
  }
}

export class MediaClient {
  private constructor(private readonly bus: Bus, private readonly manager: Iface) {}

  /** Connects to confab-media on the session bus (it must be running: confabd starts it). */
  static async connect(bus: Bus = dbus.sessionBus()): Promise<MediaClient> {
    const obj = await bus.getProxyObject(MEDIA_BUS_NAME, MEDIA_ROOT_PATH);
    return new MediaClient(bus, obj.getInterface('im.confab.Media1.Manager') as unknown as Iface);
  }

  async createSession(o: SessionOptions): Promise<MediaSessionClient> {
    const path = (await call(this.manager, 'CreateSession', optionsDict(o))) as string;
    const obj = await this.bus.getProxyObject(MEDIA_BUS_NAME, path);
    return new MediaSessionClient(path, obj.getInterface('im.confab.Media1.Session') as unknown as Iface, obj.getInterface('org.freedesktop.DBus.Properties') as unknown as Iface);
  }

  async diagnostics(): Promise<Record<string, number | string>> {
    const d = (await call(this.manager, 'GetDiagnostics')) as VariantDict;
    return Object.fromEntries(Object.entries(d).map(([k, x]) => [k, x.value as number | string]));
  }

  async devices(): Promise<{ id: string; deviceClass: string; name: string; kind: string }[]> {
    const list = (await call(this.manager, 'ListDevices')) as [string, string, string, string][];
    return list.map(([id, deviceClass, name, kind]) => ({ id, deviceClass, name, kind }));
  }

  disconnect(): void {
    this.bus.disconnect();
  }
}
