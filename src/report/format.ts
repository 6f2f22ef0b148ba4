import { CHECK_LABELS, DISPLAY, displayInterval, displayRate, formatCount, formatLimitPercent, showsGoodFraction, type Display } from '../gate/format';

export { displayInterval, displayRate, formatCount, formatLimitPercent, showsGoodFraction };

/** Which share a built-in check shows, by id (a baseline names its check by id only). */
export const displayOf = (id: string): Display => (DISPLAY as Record<string, Display>)[id] ?? 'bad';

/**
 * Fraction to percent with `decimals` places, widened (up to 3) when rounding would
 * show a rate that is not exactly 0 or 1 as "0.0%" or "100.0%", which misleads.
 */
export function formatPercent(fraction: number, decimals = 1, suffix = '%'): string {
  if (!Number.isFinite(fraction)) return '–';
  return (fraction * 100).toFixed(placesFor(fraction, decimals)) + suffix;
}

function placesFor(fraction: number, decimals: number): number {
  let d = decimals;
  for (; d < 3; d += 1) {
    const shown = Number((fraction * 100).toFixed(d));
    if (!((fraction < 1 && shown >= 100) || (fraction > 0 && shown <= 0))) break;
  }
  return d;
}

/**
 * The observed value, with enough places that it never prints equal to the limit it
 * is compared with ("99.5% below 99.5%" would make an on-call doubt the tool).
 */
export function formatObservedPercent(fraction: number, limit: number | null): string {
  let d = 1;
  let text = formatPercent(fraction, d);
  while (limit !== null && d < 3 && fraction !== limit && text === formatPercent(limit, d)) {
    d += 1;
    text = formatPercent(fraction, d);
  }
  return text;
}

/** [0.971, 0.984] -> "97.1–98.4%", both bounds to the same places; `suffix: ''` for compact log lines. */
export function formatPercentRange(range: [number, number], suffix = '%'): string {
  if (!Number.isFinite(range[0]) || !Number.isFinite(range[1])) return '–';
  const d = Math.max(placesFor(range[0], 1), placesFor(range[1], 1));
  return `${(range[0] * 100).toFixed(d)}–${(range[1] * 100).toFixed(d)}${suffix}`;
}

/** "Crash-free users": the check's label at the start of a table cell or line. */
export function checkName(idOrLabel: string): string {
  const label = (CHECK_LABELS as Record<string, string>)[idOrLabel] ?? idOrLabel;
  return label.charAt(0).toUpperCase() + label.slice(1);
}

/** "≥ 99.5% crash-free" or "≤ 2% errors". */
export function formatLimit(display: Display, maxBadRate: number): string {
  return showsGoodFraction(display)
    ? `≥ ${formatLimitPercent(1 - maxBadRate)}`
    : `≤ ${formatLimitPercent(maxBadRate)}`;
}

/** E-values span many orders of magnitude; three significant digits, exponent form when huge. */
export function formatEValue(e: number): string {
  if (Number.isNaN(e)) return '–';
  if (e === Infinity) return '∞';
  if (e >= 1e4) return e.toExponential(1).replace('e+', 'e');
  if (e >= 100) return formatCount(Math.round(e));
  if (e > 0 && e < 0.01) return '<0.01';
  return trimZeros(e.toPrecision(3));
}

/** Elapsed time as "mm:ss" (or "h:mm:ss"), the clock a log reader counts in. */
export function formatElapsed(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const sign = ms < 0 ? '-' : '';
  const total = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${sign}${h}:${mm}:${ss}` : `${sign}${mm}:${ss}`;
}

/** A configured duration in words: "10 min", "90 s", "1 h 30 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const total = Math.round(ms / 1000);
  const parts: string[] = [];
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) parts.push(`${h} h`);
  if (m > 0) parts.push(`${m} min`);
  if (s > 0 || parts.length === 0) parts.push(`${s} s`);
  return parts.join(' ');
}

/** "6 min", rounded down (seen within the 7th minute); "under 1 min" rather than a puzzling "0 min". */
export function formatMinutesBetween(fromMs: number, toMs: number): string {
  const minutes = Math.floor((toMs - fromMs) / 60_000);
  return minutes < 1 ? 'under 1 min' : `${formatCount(minutes)} min`;
}

/** "2026-06-03T02:14Z": UTC at minute precision. */
export function formatUtcMinute(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '–';
  return `${d.toISOString().slice(0, 16)}Z`;
}

/** "02:08Z" when `ms` is on the same UTC day as `sameDayAs`, else the full minute stamp. */
export function formatUtcTime(ms: number, sameDayAs: number): string {
  const full = formatUtcMinute(ms);
  const other = formatUtcMinute(sameDayAs);
  return full.slice(0, 10) === other.slice(0, 10) ? full.slice(11) : full;
}

/** ISO-8601 or null for an invalid time (JSON has no NaN). */
export function isoOrNull(ms: number): string | null {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function shortSha(id: string): string {
  return /^[0-9a-f]{8,}$/i.test(id) ? id.slice(0, 7) : id;
}

/** The subject line of a commit message. */
export function firstLine(message: string): string {
  return (message.split(/\r\n|\r|\n/, 1)[0] ?? '').trim();
}

function trimZeros(text: string): string {
  return text.includes('.') && !text.includes('e') ? text.replace(/\.?0+$/, '') : text;
}
