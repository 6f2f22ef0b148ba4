import type { CheckId, RateCheckId } from './types';

/** Human names of the checks, as used in reasons and tables. */
export const CHECK_LABELS: Record<CheckId, string> = {
  'crash-free-users': 'crash-free users',
  'crash-free-sessions': 'crash-free sessions',
  'error-rate': 'error rate',
  'new-issues': 'new issues',
};

/** Which share people read for each built-in rate check. */
export const DISPLAY: Record<RateCheckId, Display> = {
  'crash-free-users': 'good',
  'crash-free-sessions': 'good',
  'error-rate': 'bad',
};

/** What n and k count for each rate check. */
export const UNIT_LABELS: Record<RateCheckId, { trials: string; bad: string }> = {
  'crash-free-users': { trials: 'users', bad: 'crashed' },
  'crash-free-sessions': { trials: 'sessions', bad: 'crashed' },
  'error-rate': { trials: 'sessions', bad: 'errored' },
};

/** Which share of a ratio check people read: the good one (crash-free 99.2%) or the bad one (error rate 0.8%). */
export type Display = 'good' | 'bad';

/** Crash-free checks are shown as the good fraction, the error rate as the bad one. */
export function showsGoodFraction(display: Display): boolean {
  return display === 'good';
}

/** The bad rate as people read it for this check (crash-free = 1 - bad). */
export function displayRate(display: Display, badRate: number): number {
  return showsGoodFraction(display) ? 1 - badRate : badRate;
}

/** A bad-rate interval as people read it for this check, low end first. */
export function displayInterval(display: Display, interval: [number, number]): [number, number] {
  return showsGoodFraction(display) ? [1 - interval[1], 1 - interval[0]] : interval;
}

/** A gauge's value with its unit: "3.2 s", "0.5%", "412". */
export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '–';
  if (unit === '%') return formatPercent(value);
  const text = String(Number(value.toPrecision(3)));
  return unit === '' ? text : `${text} ${unit}`;
}

/**
 * A fraction as a percentage with just enough decimals: 0.97 -> "97%",
 * 0.924 -> "92.4%", 0.9952 -> "99.52%". Near 0 and 100% it adds decimals
 * rather than round a crash-free 99.9996% up to a misleading "100%".
 */
export function formatPercent(fraction: number, decimals?: number): string {
  if (!Number.isFinite(fraction)) return '–';
  const pct = fraction * 100;
  let d = decimals ?? (pct >= 99.9 || pct <= 0.1 ? 3 : pct >= 99 || pct < 1 ? 2 : 1);
  let text = pct.toFixed(d);
  while (decimals === undefined && d < 8 && ((pct < 100 && Number(text) >= 100) || (pct > 0 && Number(text) <= 0))) {
    d += 1;
    text = pct.toFixed(d);
  }
  if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  return `${text}%`;
}

/** "91.0–96.4%": both ends to the same places, the most either end needs, so they read as a pair. */
export function formatPercentRange(range: [number, number]): string {
  const places = (text: string) => (text.split('.')[1] ?? '').replace('%', '').length;
  const d = Math.max(places(formatPercent(range[0])), places(formatPercent(range[1])));
  return `${(range[0] * 100).toFixed(d)}–${(range[1] * 100).toFixed(d)}%`;
}

/**
 * 1204 -> "1,204", the same on every runner. Not Intl: loading its locale data
 * costs the action about 8 MiB of memory for one comma.
 */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const digits = String(Math.round(Math.abs(n))).replace(/\B(?=(\d{3})+$)/g, ',');
  return n < 0 && Math.round(n) !== 0 ? `-${digits}` : digits;
}

/** An e-value for people: "0.31", "412", "18,204", "2.1e9". */
export function formatEValue(e: number): string {
  if (!Number.isFinite(e)) return e > 0 ? '∞' : '–';
  if (e < 10) return String(Number(e.toPrecision(2)));
  if (e < 1e6) return formatCount(e);
  return e.toExponential(1).replace('e+', 'e');
}

/**
 * A limit as the user typed it, to three decimals without trailing zeros:
 * 0.97 -> "97%", 0.97042 -> "97.042%" (a baseline limit is rarely round).
 */
export function formatLimitPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '–';
  const text = (fraction * 100).toFixed(3).replace(/\.?0+$/, '');
  return `${text}%`;
}

/** A p-value to two significant digits, in exponent form when tiny: "0.019", "2.3e-6". */
export function formatP(p: number): string {
  return p < 0.0001 ? p.toExponential(1) : String(Number(p.toPrecision(2)));
}
