/**
 * mIRC text formatting (https://modern.ircdocs.horse/formatting): control codes are taken out of the
 * text, and the formatting is kept as Pango markup for the frontends that show it (GTK renders it as
 * is; it is a small XML that any toolkit can map). A message without formatting has no markup.
 */

const BOLD = 0x02;
const COLOR = 0x03;
const HEX_COLOR = 0x04;
const RESET = 0x0f;
const MONOSPACE = 0x11;
const REVERSE = 0x16;
const ITALIC = 0x1d;
const STRIKETHROUGH = 0x1e;
const UNDERLINE = 0x1f;

/** Colours 0–15 (the mIRC palette) and 16–98 (the extended palette); 99 is "the default". */
const PALETTE = [
  'FFFFFF', '000000', '00007F', '009300', 'FF0000', '7F0000', '9C009C', 'FC7F00',
  'FFFF00', '00FC00', '009393', '00FFFF', '0000FC', 'FF00FF', '7F7F7F', 'D2D2D2',
  '470000', '472100', '474700', '324700', '004700', '00472C', '004747', '002747', '000047', '2E0047', '470047', '47002A',
  '740000', '743A00', '747400', '517400', '007400', '007449', '007474', '004074', '000074', '4B0074', '740074', '740045',
  'B50000', 'B56300', 'B5B500', '7DB500', '00B500', '00B571', '00B5B5', '0063B5', '0000B5', '7500B5', 'B500B5', 'B5006B',
  'FF0000', 'FF8C00', 'FFFF00', 'B2FF00', '00FF00', '00FFA0', '00FFFF', '008CFF', '0000FF', 'A500FF', 'FF00FF', 'FF0098',
  'FF5959', 'FFB459', 'FFFF71', 'CFFF60', '6FFF6F', '65FFC9', '6DFFFF', '59B4FF', '5959FF', 'C459FF', 'FF66FF', 'FF59BC',
  'FF9C9C', 'FFD39C', 'FFFF9C', 'E2FF9C', '9CFF9C', '9CFFDB', '9CFFFF', '9CD3FF', '9C9CFF', 'DC9CFF', 'FF9CFF', 'FF94D3',
  '000000', '131313', '282828', '363636', '4D4D4D', '656565', '818181', '9F9F9F', 'BCBCBC', 'E2E2E2', 'FFFFFF',
];

interface Style {
  bold: boolean;
  italic: boolean;
  underline: boolean;
  strikethrough: boolean;
  monospace: boolean;
  reverse: boolean;
  fg?: string;
  bg?: string;
}

const PLAIN: Style = { bold: false, italic: false, underline: false, strikethrough: false, monospace: false, reverse: false };

export interface Formatted {
  /** The text with every formatting code taken out. */
  readonly text: string;
  /** Pango markup of the same text, or undefined when the text had no formatting. */
  readonly markup?: string;
}

// Every formatting control character, for the fast path.
const CODES = /[\x02\x03\x04\x0f\x11\x16\x1d\x1e\x1f]/;

/** Splits IRC-formatted text into plain text and Pango markup. Never throws; bounded by the input. */
export function parseFormatting(input: string): Formatted {
  if (!CODES.test(input)) return { text: input };
  let text = '';
  let markup = '';
  let styled = false;
  let style: Style = { ...PLAIN };
  let run = '';
  const flush = () => {
    if (run === '') return;
    const attrs = pangoAttributes(style);
    if (attrs) styled = true;
    markup += attrs ? `<span${attrs}>${escapeMarkup(run)}</span>` : escapeMarkup(run);
    text += run;
    run = '';
  };
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    switch (c) {
      case BOLD: flush(); style.bold = !style.bold; break;
      case ITALIC: flush(); style.italic = !style.italic; break;
      case UNDERLINE: flush(); style.underline = !style.underline; break;
      case STRIKETHROUGH: flush(); style.strikethrough = !style.strikethrough; break;
      case MONOSPACE: flush(); style.monospace = !style.monospace; break;
      case REVERSE: flush(); style.reverse = !style.reverse; break;
      case RESET: flush(); style = { ...PLAIN }; break;
      case COLOR: {
        flush();
        // ^C, ^CF, ^CFF, ^CF,B, ^CFF,BB: one or two digits each; a bare ^C resets both colours.
        const m = /^(\d{1,2})(?:,(\d{1,2}))?/.exec(input.slice(i + 1, i + 6));
        if (!m) {
          style.fg = style.bg = undefined;
          break;
        }
        style.fg = paletteColor(m[1]);
        if (m[2] !== undefined) style.bg = paletteColor(m[2]);
        i += m[0].length;
        break;
      }
      case HEX_COLOR: {
        flush();
        const m = /^([0-9A-Fa-f]{6})(?:,([0-9A-Fa-f]{6}))?/.exec(input.slice(i + 1, i + 14));
        if (!m) {
          style.fg = style.bg = undefined;
          break;
        }
        style.fg = m[1].toUpperCase();
        if (m[2] !== undefined) style.bg = m[2].toUpperCase();
        i += m[0].length;
        break;
      }
      default:
        run += input[i];
    }
  }
  flush();
  return styled ? { text, markup } : { text };
}

function paletteColor(digits: string): string | undefined {
  return PALETTE[Number(digits)]; // 99 and anything past the palette: the default colour
}

function pangoAttributes(s: Style): string {
  let a = '';
  if (s.bold) a += ' weight="bold"';
  if (s.italic) a += ' style="italic"';
  if (s.underline) a += ' underline="single"';
  if (s.strikethrough) a += ' strikethrough="true"';
  if (s.monospace) a += ' font_family="monospace"';
  // Reverse swaps the colours; without colours it is the default pair swapped (white on black).
  const fg = s.reverse ? s.bg ?? PALETTE[0] : s.fg;
  const bg = s.reverse ? s.fg ?? PALETTE[1] : s.bg;
  if (fg) a += ` foreground="#${fg}"`;
  if (bg) a += ` background="#${bg}"`;
  return a;
}

function escapeMarkup(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}
