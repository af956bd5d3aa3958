import { parseFormatting } from '../src/formatting';

describe('mIRC formatting', () => {
  it('leaves plain text alone, without markup', () => {
    expect(parseFormatting('hello <world> & co')).toEqual({ text: 'hello <world> & co' });
  });

  it('takes bold, italic, underline, strikethrough and monospace out, into markup', () => {
    expect(parseFormatting('a \x02bold\x02 \x1Dit\x1D \x1Fu\x1F \x1Es\x1E \x11m\x11 z')).toEqual({
      text: 'a bold it u s m z',
      markup: 'a <span weight="bold">bold</span> <span style="italic">it</span> <span underline="single">u</span> '
        + '<span strikethrough="true">s</span> <span font_family="monospace">m</span> z',
    });
  });

  it('reads colours with one or two digits, a background, and a bare ^C as a colour reset', () => {
    expect(parseFormatting('\x034red\x03 \x0312,01blue on black\x03 \x0399default')).toEqual({
      text: 'red blue on black default',
      markup: '<span foreground="#FF0000">red</span> <span foreground="#0000FC" background="#000000">blue on black</span> default',
    });
  });

  it('keeps digits that follow a two-digit colour, and a comma without digits', () => {
    expect(parseFormatting('\x03041234').text).toBe('1234');
    expect(parseFormatting('\x034,x').text).toBe(',x');
  });

  it('reads hex colours, reverse and reset', () => {
    expect(parseFormatting('\x04FF8800,000000hex\x0F plain \x16rev').markup).toBe(
      '<span foreground="#FF8800" background="#000000">hex</span> plain <span foreground="#FFFFFF" background="#000000">rev</span>');
  });

  it('escapes text for markup, and codes with no text after them cost nothing', () => {
    expect(parseFormatting('\x02<b>&\x02\x02\x03')).toEqual({ text: '<b>&', markup: '<span weight="bold">&lt;b&gt;&amp;</span>' });
    expect(parseFormatting('\x02\x0F\x034')).toEqual({ text: '' });
  });

  it('survives random input: never throws, the text has no codes left', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const alphabet = '\x02\x03\x04\x0F\x11\x16\x1D\x1E\x1F0123456789,abcDEF<&>';
    for (let n = 0; n < 2000; n++) {
      const s = Array.from({ length: Math.floor(rnd() * 40) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
      const r = parseFormatting(s);
      expect(r.text).not.toMatch(/[\x02\x03\x04\x0F\x11\x16\x1D\x1E\x1F]/);
    }
  });
});
