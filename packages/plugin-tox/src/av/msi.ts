/**
 * MSI, ToxAV's call signalling (c-toxcore 0.2.18 toxav/msi.c), in Messenger's lossless packet 69
 * (Messenger.h PACKET_ID_MSI; Messenger.c m_msi_packet sends it, handle_packet hands it to msi.c).
 *
 * A message is a list of headers `id (1 byte) | size (1 byte) | value (size bytes)` ended by a 0 byte
 * (msi.c, comment above MSIHeaderID). Three headers: request (1: init, push or pop), error (2: an
 * MSIError) and capabilities (3: MSICapabilities bits); each value is one byte. What the requests mean
 * depends on the call's state (msi.c handle_init/handle_push/handle_pop): init = invite; push = answer
 * (requesting → active) or a capabilities change (active: pause is capabilities 0, toxav.c
 * call_control_handle_pause); pop = hang up, reject or cancel, and with an error header an error.
 * @since 0.2.0
 */

/** Messenger.h PACKET_ID_MSI. */
export const PACKET_ID_MSI = 69;
/** msi.c MSI_MAXMSG_SIZE: what send_message builds at most. */
export const MSI_MAX_MESSAGE = 256;

/** msi.c MSIHeaderID. */
const ID_REQUEST = 1;
const ID_ERROR = 2;
const ID_CAPABILITIES = 3;

/** msi.c MSIRequest. */
export type MsiRequest = 'init' | 'push' | 'pop';
const REQUESTS: readonly MsiRequest[] = ['init', 'push', 'pop'];

/** msi.h MSIError; UNDISCLOSED (7) is the highest msg_parse_in accepts (check_enum_high). */
export const MsiError = { NONE: 0, INVALID_MESSAGE: 1, INVALID_PARAM: 2, INVALID_STATE: 3, STRAY_MESSAGE: 4, SYSTEM: 5, HANDLE: 6, UNDISCLOSED: 7 } as const;

/** msi.h MSICapabilities. */
export const MsiCaps = { SEND_AUDIO: 4, SEND_VIDEO: 8, RECEIVE_AUDIO: 16, RECEIVE_VIDEO: 32 } as const;

export interface MsiMessage {
  readonly request: MsiRequest;
  readonly error?: number;
  readonly capabilities?: number;
}

/** The capabilities of a call that sends and receives audio, and video when asked. */
export function callCapabilities(video: boolean): number {
  const audio = MsiCaps.SEND_AUDIO | MsiCaps.RECEIVE_AUDIO;
  return video ? audio | MsiCaps.SEND_VIDEO | MsiCaps.RECEIVE_VIDEO : audio;
}

/** The packet (id 69 first) for a message, as msi.c send_message lays it out: request, error, capabilities, 0. */
export function encodeMsi(m: MsiMessage): Uint8Array {
  const out: number[] = [PACKET_ID_MSI, ID_REQUEST, 1, REQUESTS.indexOf(m.request)];
  if (m.error !== undefined) out.push(ID_ERROR, 1, m.error & 0xff);
  if (m.capabilities !== undefined) out.push(ID_CAPABILITIES, 1, m.capabilities & 0xff);
  out.push(0);
  return Uint8Array.from(out);
}

/**
 * A message from a packet's payload (after id 69), judged as msi.c msg_parse_in judges it: the last
 * byte must be 0; every header of size 1 and within the packet; request and error values bounded;
 * an unknown header id, or no request, is malformed. `undefined`: malformed (c-toxcore answers it
 * with a pop carrying INVALID_MESSAGE).
 */
export function decodeMsi(data: Uint8Array): MsiMessage | undefined {
  if (data.length === 0 || data.length > MSI_MAX_MESSAGE || data[data.length - 1] !== 0) return undefined;
  let request: MsiRequest | undefined;
  let error: number | undefined;
  let capabilities: number | undefined;
  let i = 0;
  let room = data.length;
  while (data[i] !== 0) {
    room -= 3; // msi.c check_size: 2 + size, and at least the end byte left
    if (room < 1 || data[i + 1] !== 1) return undefined;
    const value = data[i + 2]!;
    switch (data[i]) {
      case ID_REQUEST:
        if (value >= REQUESTS.length) return undefined; // check_enum_high(REQU_POP)
        request = REQUESTS[value];
        break;
      case ID_ERROR:
        if (value > MsiError.UNDISCLOSED) return undefined;
        error = value;
        break;
      case ID_CAPABILITIES:
        capabilities = value;
        break;
      default:
        return undefined;
    }
    i += 3;
  }
  if (request === undefined) return undefined;
  return { request, ...(error !== undefined ? { error } : {}), ...(capabilities !== undefined ? { capabilities } : {}) };
}
