/**
 * Secrets out of text a user can see. The runner masks registered secrets in
 * its log, but only whole and only verbatim: not in files we write (summary,
 * report), not a piece of one, and not one a server sends back escaped
 * (`sntrys\_…` in markdown, `\u0073ntrys…` in JSON, `%73ntrys…` in a URL), which
 * a renderer or a parser turns back into the token. So a secret is matched by
 * its pieces: any run of text that reads, once escapes are decoded and
 * invisible characters, whitespace and backslashes are skipped, as
 * PIECE characters in a row of a secret is replaced by `***`. A piece that
 * short cannot be a coincidence in practice (it is 8 characters of a random
 * token), and no 8 characters of a secret survive anywhere, whatever was cut.
 */

/** Characters of a secret in a row that count as a leak. */
export const PIECE = 8;
const MIN_SECRET = 4;

interface Matcher {
  /** Piece lengths in use (8, or the whole length of a shorter secret), each with its pieces. */
  pieces: Map<number, Set<string>>;
  longest: number;
  /** Code units that occur in some secret: anything else ends a run at once. */
  alphabet: Set<number>;
  /** Code units (below 0x3000) that can be part of a written piece: secret characters, escapes, gaps. */
  candidate: Uint8Array;
  shortest: number;
}

const matchers = new Map<string, Matcher | null>();

function matcherFor(secrets: readonly (string | null | undefined)[]): Matcher | null {
  const usable = secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET);
  const key = usable.join('\u0000');
  const cached = matchers.get(key);
  if (cached !== undefined) return cached;
  let matcher: Matcher | null = null;
  if (usable.length > 0) {
    const pieces = new Map<number, Set<string>>();
    const alphabet = new Set<number>();
    for (const secret of usable) {
      const n = Math.min(PIECE, secret.length);
      const set = pieces.get(n) ?? new Set<string>();
      for (let i = 0; i + n <= secret.length; i += 1) set.add(secret.slice(i, i + n));
      pieces.set(n, set);
      for (let i = 0; i < secret.length; i += 1) alphabet.add(secret.charCodeAt(i));
    }
    const candidate = new Uint8Array(CANDIDATE_TABLE);
    for (let c = 0; c < candidate.length; c += 1) if (alphabet.has(c) || isGap(c) || ESCAPE_CHARS.test(String.fromCharCode(c))) candidate[c] = 1;
    matcher = { pieces, longest: Math.max(...pieces.keys()), alphabet, candidate, shortest: Math.min(...pieces.keys()) };
  }
  // A process sees a handful of secret sets; the bound only guards against misuse.
  if (matchers.size > 32) matchers.clear();
  matchers.set(key, matcher);
  return matcher;
}

/** What escapes are written with. */
const ESCAPE_CHARS = /[\\%&#;xXuU0-9a-fA-F]/;
const CANDIDATE_TABLE = 0x3000;

/** Skipped between the characters of a secret: what renderers, parsers and oneLine drop or a reader overlooks. */
function isGap(c: number): boolean {
  return (
    c <= 0x20 ||
    (c >= 0x7f && c <= 0xa0) ||
    c === 0x5c || // backslash: markdown and JSON escapes
    c === 0xad ||
    c === 0x034f ||
    c === 0x061c ||
    c === 0x1680 ||
    c === 0x180e ||
    (c >= 0x2000 && c <= 0x200f) ||
    (c >= 0x2028 && c <= 0x202f) ||
    (c >= 0x205f && c <= 0x206f) ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

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
    if (hex.length === 4 && HEX.test(hex)) return { code: parseInt(hex, 16), end: i + 6 };
  } else if (c === 0x25) {
    const hex = text.slice(i + 1, i + 3);
    if (hex.length === 2 && HEX.test(hex)) return { code: parseInt(hex, 16), end: i + 3 };
  } else if (c === 0x26) {
    ENTITY.lastIndex = i;
    const m = ENTITY.exec(text);
    if (m) {
      const code = m[1] !== undefined ? parseInt(m[1], 16) : Number(m[2]);
      if (code <= 0xffff) return { code, end: i + m[0].length };
    }
  }
  return null;
}

/** [start, end) ranges of `text` that hold a piece of a secret, merged and in order. */
function leakedRanges(text: string, m: Matcher): [number, number][] {
  const ranges: [number, number][] = [];
  // The last characters of the current run of secret characters, and where each starts in `text`.
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
    }
    i = end;
    if (isGap(code)) continue;
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
    if (c >= 0 && (c >= CANDIDATE_TABLE ? isGap(c) : m.candidate[c] === 1)) continue;
    if (i - runStart >= m.shortest) {
      for (const [from, to] of leakedRanges(text.slice(runStart, i), m)) ranges.push([runStart + from, runStart + to]);
    }
    runStart = i + 1;
  }
  if (ranges.length === 0) return text;
  let out = '';
  let at = 0;
  for (const [from, to] of ranges) {
    out += `${text.slice(at, from)}***`;
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
