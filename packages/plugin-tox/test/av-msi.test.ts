/**
 * msi.ts against c-toxcore 0.2.18 toxav/msi.c: the byte layout of send_message (request, error,
 * capabilities, end byte 0, each header `id | size 1 | value`), and every input msg_parse_in refuses
 * (end byte not 0, a header running over the length, a size other than 1, a request above REQU_POP,
 * an error above MSI_E_UNDISCLOSED, an unknown header id, no request).
 */
import { callCapabilities, decodeMsi, encodeMsi, MsiCaps, MsiError, PACKET_ID_MSI, type MsiMessage } from '../src/av/msi';

const b = (...x: number[]) => Uint8Array.from(x);

describe('encodeMsi: msi.c send_message / msg_parse_header_out layout', () => {
  it.each<[string, MsiMessage, number[]]>([
    // msi_invite: REQU_INIT (0) + capabilities
    ['init with audio capabilities', { request: 'init', capabilities: 20 }, [69, 1, 1, 0, 3, 1, 20, 0]],
    // msi_answer / msi_change_capabilities: REQU_PUSH (1) + capabilities
    ['push (answer)', { request: 'push', capabilities: 60 }, [69, 1, 1, 1, 3, 1, 60, 0]],
    ['push with capabilities 0 (toxav pause)', { request: 'push', capabilities: 0 }, [69, 1, 1, 1, 3, 1, 0, 0]],
    // msi_hangup: REQU_POP (2) alone
    ['pop (hang up)', { request: 'pop' }, [69, 1, 1, 2, 0]],
    // send_error: REQU_POP + error
    ['pop with INVALID_MESSAGE (send_error)', { request: 'pop', error: MsiError.INVALID_MESSAGE }, [69, 1, 1, 2, 2, 1, 1, 0]],
    // all three: request, then error, then capabilities (send_message's order)
    ['request, error, capabilities', { request: 'pop', error: MsiError.UNDISCLOSED, capabilities: 255 }, [69, 1, 1, 2, 2, 1, 7, 3, 1, 255, 0]],
  ])('%s', (_name, m, bytes) => {
    const p = encodeMsi(m);
    expect([...p]).toEqual(bytes);
    expect(p[0]).toBe(PACKET_ID_MSI);
    expect(decodeMsi(p.subarray(1))).toEqual(m); // round trip
  });

  it('round-trips every request, every error code and every capabilities byte', () => {
    for (const request of ['init', 'push', 'pop'] as const) {
      expect(decodeMsi(encodeMsi({ request }).subarray(1))).toEqual({ request });
      for (const error of Object.values(MsiError)) expect(decodeMsi(encodeMsi({ request, error }).subarray(1))).toEqual({ request, error });
      for (let capabilities = 0; capabilities < 256; capabilities++) {
        expect(decodeMsi(encodeMsi({ request, capabilities }).subarray(1))).toEqual({ request, capabilities });
      }
    }
  });

  it('callCapabilities: msi.h MSICapabilities bits', () => {
    expect(callCapabilities(false)).toBe(MsiCaps.SEND_AUDIO | MsiCaps.RECEIVE_AUDIO);
    expect(callCapabilities(false)).toBe(20);
    expect(callCapabilities(true)).toBe(60);
  });
});

describe('decodeMsi: what msi.c msg_parse_in accepts', () => {
  it('headers in any order', () => {
    expect(decodeMsi(b(3, 1, 20, 2, 1, 4, 1, 1, 1, 0))).toEqual({ request: 'push', error: 4, capabilities: 20 });
  });

  it('a duplicated header is not refused: the last one counts (msg_parse_in overwrites dest->request/error/capabilities)', () => {
    expect(decodeMsi(b(1, 1, 0, 1, 1, 2, 0))).toEqual({ request: 'pop' });
    expect(decodeMsi(b(1, 1, 0, 3, 1, 4, 3, 1, 16, 0))).toEqual({ request: 'init', capabilities: 16 });
    expect(decodeMsi(b(2, 1, 1, 1, 1, 2, 2, 1, 5, 0))).toEqual({ request: 'pop', error: 5 });
  });

  it('bytes after the first end byte are not read (the loop stops at the 0; only the last byte is checked)', () => {
    expect(decodeMsi(b(1, 1, 2, 0, 9, 9, 0))).toEqual({ request: 'pop' });
  });

  it('error MSI_E_UNDISCLOSED (7) is the highest (check_enum_high), REQU_POP (2) the highest request', () => {
    expect(decodeMsi(b(1, 1, 2, 2, 1, 7, 0))).toEqual({ request: 'pop', error: 7 });
  });

  it('the smallest message: a request and the end byte, exactly the length check_size allows', () => {
    // check_size: constraint = length − (2 + 1) must stay ≥ 1 → 4 bytes for one header
    expect(decodeMsi(b(1, 1, 0, 0))).toEqual({ request: 'init' });
  });
});

describe('decodeMsi: every input msg_parse_in refuses is refused', () => {
  it.each<[string, number[]]>([
    ['empty (length == 0)', []],
    ['end byte not 0', [1, 1, 0, 5]],
    ['end byte missing (a pop, unterminated)', [1, 1, 2]],
    ['truncated: an id, then the end', [1, 0]],
    ['truncated: id and size, the value is the end byte', [1, 1, 0]],
    ['truncated second header', [1, 1, 0, 3, 1, 0]],
    ['unknown header id 4', [4, 1, 0, 0]],
    ['unknown header id 255 after a request', [1, 1, 0, 255, 1, 0, 0]],
    ['request header of size 0', [1, 0, 0, 0]],
    ['request header of size 2', [1, 2, 0, 0, 0]],
    ['error header of size 2', [1, 1, 2, 2, 2, 1, 1, 0]],
    ['capabilities header of size 0', [1, 1, 0, 3, 0, 0, 0]],
    ['request 3 (above REQU_POP)', [1, 1, 3, 0]],
    ['request 255', [1, 1, 255, 0]],
    ['error 8 (above MSI_E_UNDISCLOSED)', [1, 1, 2, 2, 1, 8, 0]],
    ['no request: end byte only', [0]],
    ['no request: capabilities only', [3, 1, 20, 0]],
    ['no request: error only', [2, 1, 1, 0]],
  ])('%s', (_name, bytes) => {
    expect(decodeMsi(Uint8Array.from(bytes))).toBeUndefined();
  });

  it('a later bad header refuses the message even after a good request', () => {
    expect(decodeMsi(b(1, 1, 0, 3, 1, 20, 2, 1, 9, 0))).toBeUndefined();
  });

  it('works on a subarray of a larger buffer (the packet after its id 69)', () => {
    const whole = b(69, 1, 1, 1, 3, 1, 36, 0);
    expect(decodeMsi(whole.subarray(1))).toEqual({ request: 'push', capabilities: 36 });
  });

  // msg_parse_in has no upper length bound (MSI_MAXMSG_SIZE only sizes send_message's buffer); decodeMsi
  // refuses payloads over 256 bytes, so a long but well-formed message (e.g. 100 capabilities headers, then
  // a request) that c-toxcore accepts is answered here with pop + INVALID_MESSAGE. Harmless in practice
  // (msi.c never sends more than 10 bytes), but not "as msg_parse_in judges it".
  it.todo('a well-formed MSI payload longer than 256 bytes is accepted, as msg_parse_in accepts it (decodeMsi refuses it)');
});
