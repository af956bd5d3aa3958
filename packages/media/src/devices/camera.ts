/**
 * The camera of a video session as a launch fragment: a V4L2 camera found by the device monitor, or
 * videotestsrc's moving test picture — so that a machine with no camera and no display still makes
 * video calls. Decided when the session is created (a bad choice is refused before any socket is bound).
 * @since 0.2.0
 */
import { InvalidArgumentError, NotImplementedError } from '@confab/sdk';
import { gi, type GstDevice } from '../gst/gi';
import { quote } from '../gst/launch';
import { describeDevice } from './monitor';

/** videotestsrc's pattern nicks (GStreamer 1.22). */
const PATTERNS = [
  'smpte', 'snow', 'black', 'white', 'red', 'green', 'blue', 'checkers-1', 'checkers-2', 'checkers-4', 'checkers-8', 'circular', 'blink',
  'smpte75', 'zone-plate', 'gamut', 'chroma-zone-plate', 'solid-color', 'ball', 'smpte100', 'bar', 'pinwheel', 'spokes', 'gradient', 'colors', 'smpte-rp-219',
];

/** The picture every session sends when it has no camera: a moving ball, so frames differ. */
export const DEFAULT_TEST_PATTERN = 'ball';

/** The Video/Source devices the monitor sees now (probes the hardware: no running monitor needed). */
export function listCameras(): GstDevice[] {
  const { Gst } = gi();
  const m = new Gst.DeviceMonitor();
  m.addFilter('Video/Source', null);
  return m.getDevices();
}

/** A V4L2 device's node from its properties (`device.path` or `api.v4l2.path`). */
function v4l2Path(d: GstDevice): string | undefined {
  const props = d.getProperties()?.toString() ?? '';
  return /(?:^|[ ,])(?:device\.path|api\.v4l2\.path)=\(string\)"?([^",;]+)"?/.exec(props)?.[1];
}

function deviceFragment(d: GstDevice): string {
  const path = v4l2Path(d);
  if (!path) throw new NotImplementedError(`the camera ${d.getDisplayName()} is not a V4L2 device; only V4L2 cameras can be chosen yet`);
  return `v4l2src device=${quote(path)}`;
}

/** The launch fragment of a camera choice; InvalidArgument when unknown, NotImplemented when not V4L2. */
export function cameraFragment(choice: string, cameras: () => GstDevice[] = listCameras): string {
  if (choice === 'test' || choice.startsWith('test:')) {
    const pattern = choice === 'test' ? DEFAULT_TEST_PATTERN : choice.slice(5);
    if (!PATTERNS.includes(pattern)) throw new InvalidArgumentError(`no such test pattern: ${pattern} (one of ${PATTERNS.join(', ')})`);
    return `videotestsrc is-live=true pattern=${pattern}`;
  }
  if (choice === 'default') {
    const first = cameras().find((d) => v4l2Path(d) !== undefined);
    return first ? deviceFragment(first) : `videotestsrc is-live=true pattern=${DEFAULT_TEST_PATTERN}`;
  }
  if (choice.startsWith('device:')) {
    const d = cameras().find((c) => describeDevice(c).id === choice);
    if (!d) throw new InvalidArgumentError(`no such camera: ${choice} (see ListDevices)`);
    return deviceFragment(d);
  }
  throw new InvalidArgumentError(`no such camera: ${choice} (default, device:<id>, test or test:<pattern>)`);
}
