import { describe, expect, it } from 'vitest';
import { longestLeak } from './leaks';

// The checker behind every leak assertion: it must see the token in each form the
// property test writes it in, or those assertions pass whatever the action prints.
const SECRET = 'sntryu_Zq8vR2mK7pXw4LcN9tBf3HdJ6sGy1aE5';
const hex = (c: string) => c.charCodeAt(0).toString(16).padStart(2, '0');
const FORMS: [string, string][] = [
  ['plain', SECRET],
  ['JSON \\u escapes', [...SECRET].map((c) => `\\u00${hex(c)}`).join('')],
  ['markdown backslashes', SECRET.replace(/_/g, '\\_')],
  ['percent-encoded', [...SECRET].map((c) => `%${hex(c)}`).join('')],
  ['zero-width spaces between letters', [...SECRET].join('\u200b')],
  ['JSON \\u0000 between letters', [...SECRET].join('\\u0000')],
  ['JSON \\b between letters', SECRET.split('').join('\\b')],
  ['HTML entities', [...SECRET].map((c) => `&#${c.charCodeAt(0)};`).join('')],
  ['variation selectors', [...SECRET].join('\ufe0f')],
  ['fullwidth letters', Array.from(SECRET, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('')],
  ['upper case', SECRET.toUpperCase()],
  ['tag characters', Array.from(SECRET, (c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('')],
];

describe('longestLeak', () => {
  it.each(FORMS)('sees the whole token written as %s', (_, form) => {
    expect(longestLeak(`before ${form} after`, SECRET)).toBe(SECRET.length);
  });

  it('finds nothing in text without the token', () => {
    expect(longestLeak('an ordinary log line: 12 sessions, 0 crashed', SECRET)).toBeLessThan(4);
  });
});
