import { TrackerAnswerError } from './errors';
import type { MetricCheck } from '../config/checks';
import type { Check, HealthPoll, Observation, PollWindow, RatioCounts, RatioObservation } from './types';

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
 * others) is not evidence: that poll's counts are skipped for the check and the
 * reason recorded; the last good counts stay the reference, and stand as the
 * check's observation (see `pollMetricChecks`), as they do when a later poll
 * has no data at all.
 */
export class CountsLedger {
  private readonly last = new Map<string, RatioCounts>();

  /** The last counts accepted for check `id`, if any. */
  reference(id: string): RatioCounts | undefined {
    return this.last.get(id);
  }

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

/** How one metrics backend reads a check: a gauge's value at `at`, or a ratio's counts from `from` to `at`. */
export interface MetricReader {
  value(check: MetricCheck, query: string, window: PollWindow, at: number): Promise<{ value: number } | { value: null; why: string }>;
  ratio(check: MetricCheck, from: number, at: number, signal?: AbortSignal): Promise<{ counts: RatioCounts } | { why: string }>;
}

/**
 * One poll of a metrics source (Prometheus, Datadog): every check it serves
 * read at once at the poll's `until`; a ratio's counts since the deploy, and
 * over the recent span as their own query; a check without data this poll is
 * missing with the reason, never zero traffic.
 */
export async function pollMetricChecks(
  checks: readonly Check[],
  byId: ReadonlyMap<string, MetricCheck>,
  window: PollWindow,
  ledger: CountsLedger,
  read: MetricReader,
): Promise<HealthPoll> {
  const at = window.until;
  const observations: Record<string, Observation> = {};
  const missing: Record<string, string> = {};
  const recent: Record<string, RatioObservation> = {};
  const mine = checks.map((c) => byId.get(c.id)).filter((c): c is MetricCheck => c !== undefined);
  await Promise.all(
    mine.map(async (check) => {
      if (check.kind === 'threshold-for') {
        if (check.query.kind !== 'value') return;
        const reading = await read.value(check, check.query.query, window, at);
        observations[check.id] = { kind: 'value', value: reading.value };
        if (reading.value === null) missing[check.id] = reading.why;
        return;
      }
      const [since, inRecent] = await Promise.all([
        read.ratio(check, window.since, at, window.signal),
        window.recentSince === undefined ? null : read.ratio(check, window.recentSince, at, window.signal),
      ]);
      // Counts since the deploy only grow, so the last good ones stand: without an observation the check
      // would go unjudged this poll, and at the last poll one empty or one-request-lower answer (an HA
      // replica a scrape behind, or restarted) left the gate inconclusive whatever the window had shown.
      const skip = (why: string) => {
        missing[check.id] = why;
        const held = ledger.reference(check.id);
        if (held) observations[check.id] = { kind: 'ratio', counts: held };
      };
      if ('why' in since) return skip(since.why);
      const backwards = ledger.accept(check.id, since.counts);
      if (backwards) return skip(backwards);
      observations[check.id] = { kind: 'ratio', counts: since.counts };
      if (inRecent && 'counts' in inRecent) recent[check.id] = { kind: 'ratio', counts: inRecent.counts };
    }),
  );
  return { at, observations, missing, ...(window.recentSince === undefined ? {} : { recent }) };
}
