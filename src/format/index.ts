/**
 * One way to print each quantity, for the reasons, the job summary, the alert
 * and the log alike: a percentage, an e-value or a count reads the same
 * wherever it appears.
 */

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

/** "91.0–96.4%": both ends to the same places, the most either end needs, so they read as a pair; `suffix: ''` for compact log lines. */
export function formatPercentRange(range: [number, number], suffix = '%'): string {
  if (!Number.isFinite(range[0]) || !Number.isFinite(range[1])) return '–';
  const places = (text: string) => (text.split('.')[1] ?? '').replace('%', '').length;
  const d = Math.max(places(formatPercent(range[0])), places(formatPercent(range[1])));
  return `${(range[0] * 100).toFixed(d)}–${(range[1] * 100).toFixed(d)}${suffix}`;
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

/**
 * The observed value, with enough places that it never prints equal to the limit it
 * is compared with ("99.5% below 99.5%" would make an on-call doubt the tool).
 */
export function formatObservedPercent(fraction: number, limit: number | null): string {
  let text = formatPercent(fraction);
  let d = (text.split('.')[1] ?? '').replace('%', '').length;
  while (limit !== null && d < 8 && fraction !== limit && text === formatPercent(limit, d)) {
    d += 1;
    text = formatPercent(fraction, d);
  }
  return text;
}

/** "≥ 99.5% crash-free" or "≤ 2% errors". */
export function formatLimit(display: Display, maxBadRate: number): string {
  return showsGoodFraction(display) ? `≥ ${formatLimitPercent(1 - maxBadRate)}` : `≤ ${formatLimitPercent(maxBadRate)}`;
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

/** "Crash-free users": a check's label at the start of a table cell or line. */
export function checkName(label: string): string {
  return label.charAt(0).toUpperCase() + label.slice(1);
}
