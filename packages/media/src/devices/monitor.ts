/**
 * Devices: what Gst.DeviceMonitor sees (audio sources and sinks, video sources), with hot-plug as
 * events, plus the kinds every machine has — a WAV file as the microphone, a WAV recording of the far
 * end, test sources — so that a machine with no sound card still makes calls.
 * @since 0.1.0
 */
import { createHash } from 'node:crypto';
import { Emitter, type Event } from '@confab/sdk';
import { gi, type GstDevice, type GstDeviceMonitor, type GstMessage } from '../gst/gi';
import { safe, type ErrorSink } from '../gst/safe';

export interface DeviceInfo {
  /** `device:<hash>` for monitored devices; `file:`, `tone:440`, `silence`, `none` for the others. */
  readonly id: string;
  /** GStreamer's class: Audio/Source, Audio/Sink, Video/Source. */
  readonly deviceClass: string;
  readonly name: string;
  readonly kind: 'device' | 'file' | 'test';
}

export const BUILTIN_DEVICES: readonly DeviceInfo[] = [
  { id: 'file:', deviceClass: 'Audio/Source', name: 'A WAV file as the microphone (file:PATH)', kind: 'file' },
  { id: 'file:', deviceClass: 'Audio/Sink', name: 'A WAV recording of the far end (file:PATH)', kind: 'file' },
  { id: 'tone:440', deviceClass: 'Audio/Source', name: 'Test tone (tone:HZ)', kind: 'test' },
  { id: 'silence', deviceClass: 'Audio/Source', name: 'Silence', kind: 'test' },
  { id: 'none', deviceClass: 'Audio/Sink', name: 'Nowhere (the far end is not played)', kind: 'test' },
];

type MonitorMessage = GstMessage & { parseDeviceAdded(): GstDevice; parseDeviceRemoved(): GstDevice };

export function describeDevice(d: GstDevice): DeviceInfo {
  const props = d.getProperties()?.toString() ?? '';
  const hash = createHash('sha256').update(`${d.getDeviceClass()}\n${d.getDisplayName()}\n${props}`).digest('hex').slice(0, 16);
  return { id: `device:${hash}`, deviceClass: d.getDeviceClass(), name: d.getDisplayName(), kind: 'device' };
}

export class Devices {
  private monitor?: GstDeviceMonitor;
  private readonly added = new Emitter<DeviceInfo>();
  private readonly removed = new Emitter<DeviceInfo>();
  readonly onAdded: Event<DeviceInfo> = this.added.event;
  readonly onRemoved: Event<DeviceInfo> = this.removed.event;

  constructor(private readonly report: ErrorSink) {}

  /** Starts watching; false when no device provider runs (no sound server: only the built-in kinds). */
  start(): boolean {
    const { Gst } = gi();
    const m = new Gst.DeviceMonitor();
    for (const cls of ['Audio/Source', 'Audio/Sink', 'Video/Source']) m.addFilter(cls, null);
    const bus = m.getBus();
    bus.addSignalWatch();
    bus.on('message', safe('device monitor', this.report, undefined, (raw: unknown) => {
      const msg = raw as MonitorMessage;
      if (msg.type === Gst.MessageType.DEVICE_ADDED) this.added.fire(describeDevice(msg.parseDeviceAdded()));
      else if (msg.type === Gst.MessageType.DEVICE_REMOVED) this.removed.fire(describeDevice(msg.parseDeviceRemoved()));
    }));
    this.monitor = m;
    return m.start();
  }

  list(): DeviceInfo[] {
    return [...(this.monitor?.getDevices() ?? []).map(describeDevice), ...BUILTIN_DEVICES];
  }

  stop(): void {
    this.monitor?.stop();
    this.added.dispose();
    this.removed.dispose();
  }
}
