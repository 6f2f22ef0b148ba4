import { describe, expect, it } from 'vitest';
import { codeBlock, escapeMarkdown, mdLink, oneLine, safeUrl, truncate } from '../../src/report/escape';

const Z = '\u200b';

describe('escapeMarkdown', () => {
  it('turns HTML into entities', () => {
    expect(escapeMarkdown('<script>alert(1)</script>')).toBe('&lt;script&gt;alert\\(1\\)&lt;/script&gt;');
    expect(escapeMarkdown('<img src=x onerror=alert(1)>')).toBe('&lt;img src=x onerror=alert\\(1\\)&gt;');
    expect(escapeMarkdown('&lt;b&gt;')).toBe('&amp;lt;b&amp;gt;');
  });

  it('breaks links, images and emphasis', () => {
    expect(escapeMarkdown('[click](javascript:alert(1))')).toBe('\\[click\\]\\(javascript:alert\\(1\\)\\)');
    expect(escapeMarkdown('![x](https://e.x/p.png)')).toBe(`\\!\\[x\\]\\(https:${Z}//e.x/p.png\\)`);
    expect(escapeMarkdown('*bold* _it_ ~~del~~ `code` $x$')).toBe('\\*bold\\* \\_it\\_ \\~\\~del\\~\\~ \\`code\\` \\$x\\$');
    expect(escapeMarkdown('a\\b')).toBe('a\\\\b');
  });

  it('keeps a table row one row with its cells', () => {
    expect(escapeMarkdown('a|b\nc')).toBe('a\\|b c');
    expect(escapeMarkdown('x\r\ny\u2028z\tw')).toBe('x y z w');
  });

  it('stops mentions, references and bare-URL autolinks', () => {
    expect(escapeMarkdown('@here ping @octocat')).toBe(`@${Z}here ping @${Z}octocat`);
    expect(escapeMarkdown('fixes #123 and GH-7')).toBe(`fixes \\#${Z}123 and GH${Z}-7`);
    expect(escapeMarkdown('see https://evil.example and www.evil.example')).toBe(`see https:${Z}//evil.example and www${Z}.evil.example`);
  });

  it('stops block syntax at the start', () => {
    expect(escapeMarkdown('- item')).toBe('\\- item');
    expect(escapeMarkdown('1. item')).toBe('1\\. item');
    expect(escapeMarkdown('# heading')).toBe('\\# heading');
    expect(escapeMarkdown('shop-web 1.2.3')).toBe('shop-web 1.2.3');
  });

  it('drops control and bidi characters', () => {
    expect(escapeMarkdown('safe\u202egnp.exe\u0000')).toBe('safegnp.exe');
  });

  it('truncates before escaping, so no entity is cut in half', () => {
    expect(escapeMarkdown('<<<<<<', 4)).toBe('&lt;&lt;&lt;…');
  });
});

describe('safeUrl', () => {
  it('allows http and https', () => {
    expect(safeUrl('https://acme.sentry.io/issues/1/')).toBe('https://acme.sentry.io/issues/1/');
    expect(safeUrl('http://127.0.0.1:9000/x?y=1')).toBe('http://127.0.0.1:9000/x?y=1');
  });

  it('refuses other schemes, credentials and junk', () => {
    for (const bad of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,<b>',
      'vbscript:x',
      'file:///etc/passwd',
      '//evil.example',
      'not a url',
      '',
      null,
      undefined,
    ]) {
      expect(safeUrl(bad), String(bad)).toBeNull();
    }
    expect(safeUrl('https://sentry.io@evil.example/')).toBeNull();
  });

  it('encodes what would end a link destination or a table cell', () => {
    expect(safeUrl('https://e.x/a(b)|c?q=x y\\z')).toBe('https://e.x/a%28b%29%7Cc?q=x%20y%5Cz');
  });
});

describe('mdLink', () => {
  it('links safe URLs and escapes the text', () => {
    expect(mdLink('SHOP-1 [x]', 'https://e.x/1')).toBe('[SHOP-1 \\[x\\]](https://e.x/1)');
    expect(mdLink('SHOP-1', 'javascript:alert(1)')).toBe('SHOP-1');
  });
});

describe('truncate', () => {
  it('cuts with an ellipsis and never splits a surrogate pair', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('😀😀😀😀', 3)).toBe('😀😀…');
    expect(truncate('abc', 0)).toBe('');
  });
});

describe('oneLine', () => {
  it('flattens and trims', () => {
    expect(oneLine('  a\n::error::b  ')).toBe('a ::error::b');
  });
});

describe('codeBlock', () => {
  it('uses a fence longer than any backtick run inside', () => {
    expect(codeBlock('plain')).toBe('```\nplain\n```');
    expect(codeBlock('x\n```\n<script>', 'text')).toBe('````text\nx\n```\n<script>\n````');
  });
});
