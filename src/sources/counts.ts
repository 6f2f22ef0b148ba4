import { TrackerAnswerError } from './errors';
import type { RatioCounts } from './types';

/**
 * Counts from a metrics query, as the ratio test needs them: whole numbers.
 * Prometheus's increase() (and Datadog's as_count() over rollups) extrapolate
 * to the edges of the range and return fractions such as 41.98 for 42
 * requests; each is rounded to the nearest whole number. A bad count above the
 * total by up to 1 after rounding is that extrapolation (bad is capped at the
 * total); by more it is two queries that do not count the same events, and
 * the poll is unusable.
 */
export function toCounts(check: { id: string }, bad: number, total: number): { counts: RatioCounts } | { why: string } {
  if (bad < -0.5 || total < -0.5)
    throw new TrackerAnswerError(
      `check "${check.id}": a negative count (bad ${fmt(bad)}, total ${fmt(total)}): a counter query must count events, such as sum(increase(...[$__range]))`,
    );
  const n = Math.max(0, Math.round(total));
  let k = Math.max(0, Math.round(bad));
  if (k > n) {
    if (k - n > 1)
      throw new TrackerAnswerError(`check "${check.id}": more bad events (${fmt(bad)}) than events (${fmt(total)}): bad must count a subset of total`);
    k = n;
  }
  if (n === 0) return { why: 'no data (no events in the range)' };
  return { counts: { n, k } };
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));

/**
 * Counts since the deploy can only grow. A query that returns fewer than the
 * last poll (a series that vanished from the aggregation, a replica behind the
 * others) is not evidence: that poll is skipped for the check and the reason
 * recorded; the last good counts stay the reference.
 */
export class CountsLedger {
  private readonly last = new Map<string, RatioCounts>();

  /** null when accepted; otherwise why the counts were skipped. */
  accept(id: string, counts: RatioCounts): string | null {
    const prev = this.last.get(id);
    if (prev && (counts.n < prev.n || counts.k < prev.k)) {
      const what = counts.n < prev.n ? `events ${prev.n} → ${counts.n}` : `bad events ${prev.k} → ${counts.k}`;
      return `skipped: the counts went backwards since the last poll (${what})`;
    }
    this.last.set(id, counts);
    return null;
  }
}
