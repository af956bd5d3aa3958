/**
 * A copy of bytes to keep beyond the packet in hand. Not `.slice()`: on a Node Buffer (what a
 * caller may pass) `slice` returns a view, not a copy.
 * @since 0.1.0
 */
export function copyBytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}
