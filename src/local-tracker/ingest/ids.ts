/**
 * A 53-bit hash of a user or session identifier: user counts need distinct values, not the
 * strings, so memory stays flat however many users an SDK reports (two FNV-1a passes with
 * different offsets; a collision among a million users has odds near 1 in 10^4).
 */
export function hash53(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

/** Epoch ms from an RFC 3339 string or a Unix timestamp in seconds, as Relay accepts both; else undefined. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value * 1000;
  if (typeof value === 'string' && value.length <= 64) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  return undefined;
}

export const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A short string field from hostile JSON, or undefined. */
export function str(v: unknown, max = 200): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;
}
