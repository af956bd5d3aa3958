/**
 * Values spliced into `gst_parse_launch` descriptions. A path or a name from outside is quoted, so it
 * can never add an element or a property of its own.
 * @since 0.1.0
 */

/** A double-quoted launch-string value: backslashes and quotes escaped. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `name=value` pairs for the properties given, skipping undefined ones. */
export function props(values: Record<string, string | number | boolean | undefined>): string {
  return Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : String(v)}`)
    .join(' ');
}
