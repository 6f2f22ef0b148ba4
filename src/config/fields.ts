import * as z from 'zod';
import { parseDuration } from './duration';

/**
 * Field parsers for raw input strings. Each takes the raw text (undefined or ''
 * means unset) and either returns a typed value or records one issue whose
 * message says what is allowed; the schema adds the input's name and value.
 */
type Ctx = z.core.$RefinementCtx<string | undefined>;

function fail(ctx: Ctx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER as never;
}

const raw = z.string().optional();
const isUnset = (v: string | undefined): v is undefined | '' => v === undefined || v.trim() === '';

export function text<D extends string | null>(fallback: D, check?: (v: string) => string | null) {
  return raw.transform((v, ctx): string | D => {
    if (isUnset(v)) return fallback;
    const value = v.trim();
    const problem = check?.(value);
    return problem ? fail(ctx, problem) : value;
  });
}

export function required(what: string, check?: (v: string) => string | null) {
  return raw.transform((v, ctx): string => {
    if (isUnset(v)) return fail(ctx, `is required: ${what}`);
    const value = v.trim();
    const problem = check?.(value);
    return problem ? fail(ctx, problem) : value;
  });
}

export function oneOf<const T extends readonly string[]>(values: T, fallback: T[number]) {
  return raw.transform((v, ctx): T[number] => {
    if (isUnset(v)) return fallback;
    const value = v.trim().toLowerCase();
    return (values as readonly string[]).includes(value) ? (value as T[number]) : fail(ctx, `expected one of: ${values.join(', ')}`);
  });
}

const TRUE = ['true', 'yes', 'on', '1'];
const FALSE = ['false', 'no', 'off', '0'];
export function bool(fallback: boolean) {
  return raw.transform((v, ctx): boolean => {
    if (isUnset(v)) return fallback;
    const value = v.trim().toLowerCase();
    if (TRUE.includes(value)) return true;
    if (FALSE.includes(value)) return false;
    return fail(ctx, 'expected true or false');
  });
}

export function duration(fallback: string, minMs: number) {
  return raw.transform((v, ctx): number => {
    const ms = parseDuration(isUnset(v) ? fallback : v);
    if (ms === null) return fail(ctx, 'expected a duration such as 90s, 10m, 1h or a whole number of seconds');
    if (ms < minMs) return fail(ctx, `must be at least ${minMs / 1000}s`);
    return ms;
  });
}

/**
 * A rate written as a fraction (0.995) or a percentage (99.5%). A bare number
 * above 1 is refused rather than guessed: "99.5" could be a typo for either.
 */
function parseRate(v: string, ctx: Ctx, what: string): number {
  const value = v.trim().toLowerCase();
  const percent = value.endsWith('%');
  const num = Number(percent ? value.slice(0, -1) : value);
  const fraction = percent ? num / 100 : num;
  if (!Number.isFinite(num) || value === '' || (!percent && num > 1)) {
    return fail(ctx, `expected ${what} as a fraction such as 0.995 or a percentage such as 99.5%`);
  }
  if (!(fraction > 0 && fraction < 1)) return fail(ctx, `must be between 0 and 1 (exclusive): ${what}`);
  return fraction;
}

export function rate(fallback: number, what: string) {
  return raw.transform((v, ctx): number => (isUnset(v) ? fallback : parseRate(v, ctx, what)));
}

/** A threshold that "off" (or "none") turns off. */
export function threshold(fallback: number | null, what: string) {
  return raw.transform((v, ctx): number | null => {
    if (isUnset(v)) return fallback;
    return ['off', 'none'].includes(v.trim().toLowerCase()) ? null : parseRate(v, ctx, what);
  });
}

export function count<D extends number | null>(fallback: D) {
  return raw.transform((v, ctx): number | D => {
    if (isUnset(v)) return fallback;
    const value = v.trim();
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) return fail(ctx, 'expected a whole number, 0 or more');
    return Number(value);
  });
}

export function httpUrl<D extends string | null>(fallback: D) {
  return text(fallback, (v) => {
    try {
      const url = new URL(v);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.username || url.password ? 'must not contain credentials' : null;
    } catch {
      // fall through to the message below
    }
    return 'expected an http:// or https:// URL';
  });
}

export function list(what: string) {
  return raw.transform((v, ctx): string[] => {
    const items = (v ?? '').split(/[\s,]+/).filter(Boolean);
    if (items.length === 0) return fail(ctx, `is required: ${what}`);
    const bad = items.find((p) => !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(p));
    if (bad !== undefined) return fail(ctx, `"${bad}" is not a project slug (letters, digits, -, _ and .)`);
    return [...new Set(items)];
  });
}

/**
 * A multiple above 1 written as "2x", "1.5x" or "2"; "off" (or "none") turns it off.
 */
export function multiple(fallback: number | null, what: string) {
  return raw.transform((v, ctx): number | null => {
    if (isUnset(v)) return fallback;
    const value = v.trim().toLowerCase();
    if (['off', 'none'].includes(value)) return null;
    const m = /^(\d+(?:\.\d+)?)\s*[x×]?$/.exec(value);
    const num = m ? Number(m[1]) : NaN;
    if (!(num > 1) || !Number.isFinite(num)) return fail(ctx, `expected ${what} as a multiple above 1 such as 2x or 1.5x, or off`);
    return num;
  });
}
