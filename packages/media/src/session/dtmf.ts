/**
 * DTMF as RFC 4733 telephone-events: digits to event codes and back, and the custom events that make
 * rtpdtmfsrc send them (a start, the tone's duration on a timer, a stop).
 * @since 0.1.0
 */
import { gstExtras, type GstElement } from '../gst/gi';

/** RFC 4733 § 3.2, table 1: 0–9, * = 10, # = 11, A–D = 12–15. */
const DIGITS = '0123456789*#ABCD';

export function dtmfCode(digit: string): number {
  const i = DIGITS.indexOf(digit.toUpperCase());
  if (i < 0 || digit.length !== 1) throw new RangeError(`not a DTMF digit: ${JSON.stringify(digit)}`);
  return i;
}

export function dtmfDigit(code: number): string | undefined {
  return DIGITS[code];
}

export function checkDigits(digits: string): void {
  if (digits.length === 0 || digits.length > 64) throw new RangeError('send 1 to 64 DTMF digits');
  for (const d of digits) dtmfCode(d);
}

function event(start: boolean, code?: number): unknown {
  const { Structure, Event, EventType } = gstExtras();
  // volume: 10 means -10 dBm0 (RFC 4733 § 2.3.4)
  const text = start ? `dtmf-event, type=(int)1, number=(int)${code ?? 0}, volume=(int)10, start=(boolean)true` : 'dtmf-event, type=(int)1, start=(boolean)false';
  const [s] = Structure.fromString(text);
  if (!s) throw new Error('could not make a dtmf-event');
  return Event.newCustom(EventType.CUSTOM_UPSTREAM, s);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Sends the digits one after the other: each `toneMs` long, 50 ms apart. The events go to rtpdtmfsrc's
 * src pad: `gst_element_send_event` on the element returns false and nothing is sent (GStreamer 1.22).
 */
export async function sendDigits(source: GstElement, digits: string, toneMs: number, alive: () => boolean): Promise<void> {
  const pad = source.getStaticPad('src');
  if (!pad) throw new Error('rtpdtmfsrc has no src pad');
  for (const d of digits) {
    if (!alive()) return;
    pad.sendEvent(event(true, dtmfCode(d)));
    await sleep(toneMs);
    if (!alive()) return;
    pad.sendEvent(event(false));
    await sleep(50);
  }
}

/**
 * The digit of rtpdtmfdepay's bus message (`dtmf-event, number=N, …, method=1`: one per received
 * event). Messages of other methods (dtmfdetect's in-band detection, posted every block) are ignored.
 */
export function detectedDigit(text: string): string | undefined {
  if (!/method=\(int\)1\b/.test(text)) return undefined;
  const m = /number=\(int\)(\d+)/.exec(text);
  return m ? dtmfDigit(Number(m[1])) : undefined;
}
