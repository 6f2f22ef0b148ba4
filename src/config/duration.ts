const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/**
 * Parses `90s`, `10m`, `1h`, `1m30s` or a bare number of seconds into milliseconds.
 * Returns null when the text is not a duration, so the caller can name the input.
 */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1_000;
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) return null;
  let total = 0;
  for (const [, value, unit] of parts) total += Number(value) * UNIT_MS[unit as keyof typeof UNIT_MS];
  return Math.round(total);
}

/** `600000` → `10m`, `90000` → `1m30s`: the form users write. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1_000);
  if (seconds === 0) return ms > 0 ? `${ms}ms` : '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}
