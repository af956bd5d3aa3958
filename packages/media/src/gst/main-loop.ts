/**
 * The GLib main loop. node-gtk 4.1.1 integrates libuv into GLib's loop while `MainLoop.run()` runs
 * (`gi.startLoop()` is gone): Node's timers, sockets and promises keep working inside it. Without it,
 * bus signal watches deliver nothing. `run()` blocks the JavaScript stack that calls it, so it is
 * called once, from the process's entry point, after everything has been set up.
 * @since 0.1.0
 */
import { gi, type GLibMainLoop } from './gi';

let loop: GLibMainLoop | undefined;

/** Runs the GLib main loop until `quitMainLoop()`; returns then. */
export function runMainLoop(): void {
  const { GLib } = gi();
  loop = new GLib.MainLoop(null, false);
  loop.run();
  loop = undefined;
}

export function quitMainLoop(): void {
  loop?.quit();
}

export function mainLoopRunning(): boolean {
  return loop?.isRunning() ?? false;
}
