/**
 * Every callback handed to node-gtk goes through `safe`: an exception thrown inside a GObject signal
 * callback ends the whole process (node-gtk 4.1.1), so a bug in one session's handler would end every
 * call. The error is reported to the given sink instead, and the callback returns `fallback`.
 * @since 0.1.0
 */
export type ErrorSink = (where: string, err: unknown) => void;

export function safe<A extends unknown[], R>(where: string, report: ErrorSink, fallback: R, fn: (...args: A) => R): (...args: A) => R {
  return (...args: A): R => {
    try {
      return fn(...args);
    } catch (err) {
      try {
        report(where, err);
      } catch {
        // the reporter itself failed: nothing is left to report to, and throwing here ends the process
      }
      return fallback;
    }
  };
}
