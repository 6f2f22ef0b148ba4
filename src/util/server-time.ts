/**
 * Clocks disagree by seconds, not minutes: a time a server reports further
 * than this after our now has not happened, whatever the server says.
 */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** A time from a server, as ms, if it parses and has come (within clock skew); else null. */
export function pastServerTime(text: string, now: number): number | null {
  const at = Date.parse(text);
  return Number.isFinite(at) && at <= now + CLOCK_SKEW_MS ? at : null;
}
