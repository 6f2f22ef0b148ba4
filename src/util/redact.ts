/**
 * Secrets out of text a user can see. The runner masks registered secrets in
 * its log, but only whole and only verbatim: not in files we write (summary,
 * report), not a piece of one, and not one a server sends back escaped
 * (`sntrys\_…` in markdown, `\u0073ntrys…` in JSON, `%73ntrys…` in a URL), which
 * a renderer or a parser turns back into the token. So a secret is matched by
 * its pieces: any run of text that reads, once escapes are decoded,
 * characters that render as nothing (zero-width, variation selectors, tag
 * characters, combining marks), whitespace and backslashes are skipped, and
 * look-alike forms (fullwidth, mathematical, accented letters, either case)
 * are read as the letters they show, as PIECE characters in a row of a
 * secret, or of its base64 (see `base64Forms`), is replaced by `***`. A piece that
 * short cannot be a coincidence in practice (it is 8 characters of a random
 * token), and no 8 characters of a secret survive anywhere, whatever was cut.
 */

/** Characters of a secret in a row that count as a leak. */
export const PIECE = 8;
const MIN_SECRET = 4;

/** In `shownTable`: a character a reader does not see (or sees as blank), skipped between a secret's characters. */
const GAP = 0xffff;

/**
 * Renders as nothing or as blank space: invisible format characters (zero-width,
 * bidi, variation selectors, tag characters), combining marks, spaces and
 * controls. Put between a token's letters, the token still reads as itself.
 */
const NOTHING = /^[\p{Default_Ignorable_Code_Point}\p{M}\p{Cf}\p{Cc}\p{Z}\u2800\\]$/u;

/**
 * The character `ch` reads as: GAP, or the ASCII letter it is a form of
 * (fullwidth ｓ, mathematical 𝐬, accented ś, circled ⓢ all read as s), in lower
 * case (an upper-cased hex token is the same token), or -1 for anything else.
 */
function readAs(ch: string): number {
  if (NOTHING.test(ch)) return GAP;
  const base = ch.normalize('NFKD').replace(/\p{M}/gu, '');
  const lower = base.length === 1 ? base.toLowerCase() : '';
  return lower.length === 1 && lower.charCodeAt(0) < 0x80 ? lower.charCodeAt(0) : -1;
}

let shownTable: Uint16Array | null = null;

/** `readAs` for every UTF-16 code unit (surrogates stand for themselves: pairs are read in `leakedRanges`), built once (about 40 ms). */
function shown(): Uint16Array {
  if (shownTable) return shownTable;
  const table = new Uint16Array(0x10000);
  for (let c = 0; c < 0x10000; c += 1) {
    const as = c >= 0xd800 && c <= 0xdfff ? -1 : readAs(String.fromCharCode(c));
    table[c] = as === -1 ? c : as;
  }
  shownTable = table;
  return table;
}

const astral = new Map<number, number>();

/** `readAs` for a code point beyond the BMP (mathematical letters, tag characters), or the code point itself. */
function shownAstral(cp: number): number {
  let as = astral.get(cp);
  if (as === undefined) {
    as = readAs(String.fromCodePoint(cp));
    if (as === -1) as = cp;
    if (astral.size < 4096) astral.set(cp, as);
  }
  return as;
}

interface Matcher {
  /** Piece lengths in use (8, or the whole length of a shorter secret), each with its pieces as they read. */
  pieces: Map<number, Set<string>>;
  longest: number;
  /** Characters (as they read) that occur in some secret: anything else ends a run at once. */
  alphabet: Set<number>;
  /** Code units that can be part of a written piece: secret characters in any form, escapes, gaps, surrogates. */
  candidate: Uint8Array;
  shortest: number;
}

const matchers = new Map<string, Matcher | null>();

function matcherFor(secrets: readonly (string | null | undefined)[]): Matcher | null {
  const given = secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET);
  const key = given.join('\u0000');
  const cached = matchers.get(key);
  if (cached !== undefined) return cached;
  let matcher: Matcher | null = null;
  const usable = given.flatMap((s) => [s, ...base64Forms(s)]);
  if (usable.length > 0) {
    const table = shown();
    const pieces = new Map<number, Set<string>>();
    const alphabet = new Set<number>();
    for (const secret of usable) {
      const read = Array.from(secret, (ch) => {
        const cp = ch.codePointAt(0) as number;
        return cp < 0x10000 ? (table[cp] as number) : shownAstral(cp);
      }).filter((c) => c !== GAP);
      const text = String.fromCharCode(...read.map((c) => (c < 0x10000 ? c : 0xfffd)));
      const n = Math.min(PIECE, text.length);
      if (n === 0) continue;
      const set = pieces.get(n) ?? new Set<string>();
      for (let i = 0; i + n <= text.length; i += 1) set.add(text.slice(i, i + n));
      pieces.set(n, set);
      for (let i = 0; i < text.length; i += 1) alphabet.add(text.charCodeAt(i));
    }
    if (pieces.size > 0) {
      const candidate = new Uint8Array(0x10000);
      for (let c = 0; c < candidate.length; c += 1) {
        const as = table[c] as number;
        if (as === GAP || alphabet.has(as) || (c >= 0xd800 && c <= 0xdfff) || ESCAPE_CHARS.test(String.fromCharCode(c))) candidate[c] = 1;
      }
      matcher = { pieces, longest: Math.max(...pieces.keys()), alphabet, candidate, shortest: Math.min(...pieces.keys()) };
    }
  }
  // A process sees a handful of secret sets; the bound only guards against misuse.
  if (matchers.size > 32) matchers.clear();
  matchers.set(key, matcher);
  return matcher;
}

/**
 * A secret as base64 (standard and URL-safe) at each of the three byte
 * alignments it can have inside a longer encoded text, cut to the characters
 * that depend on the secret alone. A server that echoes an Authorization
 * header, a JWT or a basic-auth string base64-encoded hands it over as
 * plainly as the header: one decode away.
 */
function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms: string[] = [];
  for (let skip = 0; skip < 3; skip += 1) {
    const whole = Math.floor((bytes.length - skip) / 3) * 3;
    // Shorter than a piece: it would blank every coincidence of a few characters.
    if ((whole / 3) * 4 < PIECE) continue;
    const b64 = bytes.subarray(skip, skip + whole).toString('base64');
    forms.push(b64);
    if (/[+/]/.test(b64)) forms.push(b64.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

/** What escapes are written with. */
const ESCAPE_CHARS = /[\\%&#;xXuU0-9a-fA-F]/;

const HEX = /^[0-9a-fA-F]+$/;
const ENTITY = /&#(?:[xX]([0-9a-fA-F]{1,6})|(\d{1,7}));/y;

/**
 * The escaped character at `i`, if an escape starts there: its code unit and
 * where the escape ends. JSON `\uXXXX`, URL `%XX`, HTML `&#…;`.
 */
function escapeAt(text: string, i: number): { code: number; end: number } | null {
  const c = text.charCodeAt(i);
  if (c === 0x5c && (text[i + 1] === 'u' || text[i + 1] === 'U')) {
    const hex = text.slice(i + 2, i + 6);
    if (hex.length === 4 && HEX.test(hex)) {
      const code = parseInt(hex, 16);
      // JSON writes a character beyond the BMP (𝐬, a mathematical letter) as two escaped surrogates: read them as one.
      const low =
        code >= 0xd800 && code <= 0xdbff && /^\\[uU][dD][c-fC-F][0-9a-fA-F]{2}$/.test(text.slice(i + 6, i + 12)) ? parseInt(text.slice(i + 8, i + 12), 16) : -1;
      return low === -1 ? { code, end: i + 6 } : { code: 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00), end: i + 12 };
    }
  } else if (c === 0x25) {
    const hex = text.slice(i + 1, i + 3);
    if (hex.length === 2 && HEX.test(hex)) return utf8Escape(text, i, parseInt(hex, 16)) ?? { code: parseInt(hex, 16), end: i + 3 };
  } else if (c === 0x26) {
    ENTITY.lastIndex = i;
    const m = ENTITY.exec(text);
    if (m) {
      const code = m[1] !== undefined ? parseInt(m[1], 16) : Number(m[2]);
      if (code <= 0x10ffff) return { code, end: i + m[0].length };
    }
  }
  return null;
}

/**
 * A URL writes a non-ASCII character (ｓ, fullwidth) as the %XX escapes of its
 * UTF-8 bytes: the character they spell, when `lead` at `i` starts a whole
 * sequence, or null.
 */
function utf8Escape(text: string, i: number, lead: number): { code: number; end: number } | null {
  const extra = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0;
  if (extra === 0) return null;
  const bytes = [lead];
  for (let k = 1; k <= extra; k += 1) {
    const at = i + 3 * k;
    const hex = text.slice(at + 1, at + 3);
    if (text[at] !== '%' || hex.length !== 2 || !HEX.test(hex)) return null;
    bytes.push(parseInt(hex, 16));
  }
  const decoded = Buffer.from(bytes).toString('utf8');
  const code = decoded.codePointAt(0) as number;
  return code === 0xfffd || decoded.length > 2 ? null : { code, end: i + 3 * (extra + 1) };
}

/** [start, end) ranges of `text` that hold a piece of a secret, merged and in order. */
function leakedRanges(text: string, m: Matcher, hiddenAscii = false): [number, number][] {
  const table = shown();
  const ranges: [number, number][] = [];
  // The last characters (as they read) of the current run of secret characters, and where each starts in `text`.
  let run = '';
  const starts: number[] = [];
  let i = 0;
  while (i < text.length) {
    const start = i;
    let code = text.charCodeAt(i);
    let end = i + 1;
    // JSON's short escapes (\n, \t, ...) decode to whitespace: skipped whole.
    if (code === 0x5c && /[bfnrt]/.test(text[i + 1] ?? '')) {
      i += 2;
      continue;
    }
    const escaped = escapeAt(text, i);
    if (escaped) {
      code = escaped.code;
      end = escaped.end;
    } else if (code >= 0xd800 && code <= 0xdbff) {
      const cp = text.codePointAt(i) as number;
      if (cp > 0xffff) {
        code = cp;
        end = i + 2;
      }
    }
    i = end;
    code = code < 0x10000 ? (table[code] as number) : hiddenAscii && code >= 0xe0020 && code <= 0xe007e ? code - 0xe0000 : shownAstral(code);
    if (code === GAP) continue;
    if (!m.alphabet.has(code)) {
      run = '';
      starts.length = 0;
      continue;
    }
    run += String.fromCharCode(code);
    starts.push(start);
    if (run.length > m.longest) {
      run = run.slice(1);
      starts.shift();
    }
    for (const [n, set] of m.pieces) {
      if (run.length < n) continue;
      if (!set.has(run.length === n ? run : run.slice(run.length - n))) continue;
      const from = starts[starts.length - n] as number;
      const last = ranges[ranges.length - 1];
      if (last && from <= last[1]) last[1] = Math.max(last[1], end);
      else ranges.push([from, end]);
    }
  }
  return ranges;
}

/** `text` with every piece of every secret (see above) replaced by `***`. */
export function redact(text: string, secrets: readonly (string | null | undefined)[]): string {
  const m = matcherFor(secrets);
  if (m === null || text.length === 0) return text;
  const ranges: [number, number][] = [];
  // A cheap pass finds the few runs long enough to hold a piece; only those get the full scan.
  let runStart = 0;
  for (let i = 0; i <= text.length; i += 1) {
    const c = i < text.length ? text.charCodeAt(i) : -1;
    if (c >= 0 && m.candidate[c] === 1) continue;
    if (i - runStart >= m.shortest) {
      const run = text.slice(runStart, i);
      for (const [from, to] of leakedRanges(run, m)) ranges.push([runStart + from, runStart + to]);
      // Tag characters (U+E0020-E007E) are invisible copies of ASCII: a token can hide in them
      // as well as behind them, so a run holding some is also read with them as the letters they copy.
      if (run.includes('\udb40')) for (const [from, to] of leakedRanges(run, m, true)) ranges.push([runStart + from, runStart + to]);
    }
    runStart = i + 1;
  }
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [from, to] of ranges) {
    if (to <= at) continue;
    out += `${text.slice(at, Math.max(at, from))}***`;
    at = to;
  }
  return out + text.slice(at);
}

/** Parsed JSON with `redact` applied to every string in it, object keys included. */
export function redactDeep(value: unknown, secrets: readonly (string | null | undefined)[]): unknown {
  if (typeof value === 'string') return redact(value, secrets);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets));
  if (value !== null && typeof value === 'object') {
    // fromEntries defines keys, so a "__proto__" key stays a key rather than setting the prototype.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k, secrets), redactDeep(v, secrets)]));
  }
  return value;
}
