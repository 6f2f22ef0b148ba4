import { describe, expect, it } from 'vitest';
import { redact, redactDeep } from '../../src/util/redact';

const T = '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';
const secrets = [T, 'ghs_16C7e42F292c6912E7710c838347Ae178B4a'];

describe('redact', () => {
  it.each([
    ['whole', `auth failed for Bearer ${T}.`],
    ['cut at the start', `…${T.slice(5)}`],
    ['cut at the end', `${T.slice(0, 20)}…`],
    ['a piece from the middle', `x${T.slice(30, 40)}x`],
    ['markdown-escaped', T.replace(/_/g, '\\_')],
    ['JSON \\u escapes', [...T].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')],
    ['URL-encoded', [...T].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')],
    ['HTML entities', [...T].map((c) => `&#${c.charCodeAt(0)};`).join('')],
    ['zero-width spaces between', [...T].join('\u200b')],
    ['control characters and line breaks between', [...T].join('\u0000\n')],
    // Each of these renders as the token itself (or its letters in another form).
    ['variation selectors between', [...T].join('\ufe0f')],
    ['tag characters between', [...T].join('\u{e0001}')],
    ['combining marks between', [...T].join('\u0301')],
    ['Mongolian variation selectors and Hangul fillers between', [...T].join('\u180b\u3164')],
    ['braille blanks between', [...T].join('\u2800')],
    ['fullwidth letters', Array.from(T, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('')],
    ['mathematical bold letters', Array.from(T, (c) => (/[a-z]/.test(c) ? String.fromCodePoint(0x1d41a + c.charCodeAt(0) - 97) : c)).join('')],
    ['upper case (a hex token is the same token)', T.toUpperCase()],
    ['hidden in tag characters', Array.from(T, (c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('')],
    ['fullwidth letters as JSON escapes', Array.from(T, (c) => `\\u${(c.charCodeAt(0) + 0xfee0).toString(16)}`).join('')],
  ])('%s: no 8 characters of the secret survive', (_what, text) => {
    const out = redact(text, secrets);
    expect(out).toContain('***');
    const plain = out
      .replace(/\\/g, '')
      .normalize('NFKD')
      .replace(/[\p{Default_Ignorable_Code_Point}\p{M}\p{Cf}\s\u2800]/gu, '')
      .normalize('NFKC')
      .toLowerCase()
      .replace(/[\u{e0020}-\u{e007e}]/gu, (c) => String.fromCharCode(c.codePointAt(0)! - 0xe0000));
    for (let i = 0; i + 8 <= T.length; i += 1) expect(plain).not.toContain(T.slice(i, i + 8));
  });

  it('leaves ordinary text alone, including 7 characters of a secret', () => {
    const text = `{"groups":[{"by":{"session.status":"healthy"},"totals":{"sum(session)":1234}}]} ${T.slice(0, 7)} release shop-web@2.0.0`;
    expect(redact(text, secrets)).toBe(text);
  });

  it('keeps JSON parseable: an echoed token inside a string becomes *** in place', () => {
    const body = JSON.stringify({ detail: `Authorization: Bearer ${T}`, n: 1 });
    expect(JSON.parse(redact(body, secrets))).toEqual({ detail: 'Authorization: Bearer ***', n: 1 });
  });

  it('leaves accented and non-Latin text alone', () => {
    const text = 'Déploiement échoué: ＨＴＴＰ 500 — 服务不可用 — 𝐞𝐫𝐫𝐨𝐫 🚀👍🏽';
    expect(redact(text, secrets)).toBe(text);
  });

  it('ignores empty and very short secrets', () => {
    expect(redact('abc abc', ['', 'abc', null, undefined])).toBe('abc abc');
  });

  it('redactDeep redacts keys and values, and a "__proto__" key stays a key', () => {
    const parsed = JSON.parse(`{"${T}": ["${T.slice(3)}"], "__proto__": {"x": 1}}`) as object;
    const out = redactDeep(parsed, secrets) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['***', '__proto__']);
    expect(out['***']).toEqual(['***']);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });
});
