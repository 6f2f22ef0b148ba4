import type { Clock } from './clock';
import type { PollRecord } from '../report/types';
import type { HealthPoll, HealthSource, Observation, RatioObservation } from '../sources/types';
import { TrackerSetupError } from '../sources/errors';
import { decide } from '../reasons/decide';
import { thresholdChecks, type CheckEvaluation, type GatePolicy, type PollInput, type ValuePoint, type Verdict } from '../gate/types';
import { errorMessage } from '../util/errors';

export interface Schedule {
  windowMs: number;
  intervalMs: number;
  initialDelayMs: number;
  /**
   * Each poll judges the data up to settleMs before it, and the last poll
   * comes settleMs after the window end (see the input `settle`). 0 or unset:
   * up to the poll.
   */
  settleMs?: number;
}

export interface WatchOptions {
  policy: GatePolicy;
  schedule: Schedule;
  clock: Clock;
  signal?: AbortSignal;
  /** The sources polled at each poll, each for the checks it serves. */
  sources: readonly HealthSource[];
  /** Epoch ms every count runs from (the deploy); the start of the watch when unset. */
  since?: number;
  onPoll?: (record: PollRecord) => void;
}

export interface WatchResult {
  verdict: Verdict;
  polls: PollRecord[];
  /** The last observation of each check (the sources' last good polls). */
  observations: Record<string, Observation>;
  /** Why a check had no observation, as its source last said. */
  missing: Record<string, string>;
  cancelled: boolean;
}

/**
 * The default initial delay (1m) is longer than the short windows people use to
 * try the gate; rather than refuse them, the first poll moves to mid-window.
 */
export function effectiveInitialDelay(s: Schedule): number {
  return s.initialDelayMs < s.windowMs ? s.initialDelayMs : Math.floor(s.windowMs / 2);
}

/** The poll whose counts start the recent span: the last one at or before mid-window. */
export function isRecentBase(pollAt: number, windowStart: number, windowMs: number): boolean {
  return pollAt <= windowStart + windowMs / 2;
}

/** A value observation's reading, or null (no data). */
const valueOf = (o: Observation | undefined): number | null => (o?.kind === 'value' ? o.value : null);

/**
 * Polls from the first poll time every interval until a verdict or the end of
 * the window. Each poll asks every source at once; their observations merge
 * by check id. A source that fails is skipped for that poll, never counted
 * as health data: its ratio and count checks keep their last (cumulative)
 * observations, its threshold-for checks read "no data", which breaks their
 * run. When every source fails the poll is recorded as skipped, and after
 * such failures the gap grows (up to 4 intervals) so an outage does not turn
 * into a flood of requests. The window end always gets a poll.
 */
export async function watch(opts: WatchOptions): Promise<WatchResult> {
  const { clock, schedule, policy, signal, sources } = opts;
  const start = clock.now();
  const since = opts.since ?? start;
  const settle = schedule.settleMs ?? 0;
  // Polls run until the window's data has settled; `until` trails each poll by
  // the settle time, and the last one judges the window up to its end exactly.
  const windowEnd = start + schedule.windowMs;
  const end = windowEnd + settle;
  const polls: PollRecord[] = [];
  const lastGood: (HealthPoll | null)[] = sources.map(() => null);
  // Per source, the `at` of its last poll at or before mid-window: the last poll tests what came after it on its own.
  const half: (number | null)[] = sources.map(() => null);
  const series: Record<string, ValuePoint[]> = Object.fromEntries(thresholdChecks(policy).map((c) => [c.id, []]));
  const missing: Record<string, string> = {};
  let lastEvaluations: CheckEvaluation[] = [];
  let failures = 0;
  let next = start + effectiveInitialDelay(schedule);

  const merged = (use: readonly (HealthPoll | null)[]): Record<string, Observation> => Object.assign({}, ...use.map((p) => p?.observations ?? {}));
  const conclude = (verdict: Verdict, cancelled = false): WatchResult => ({ verdict, polls, observations: merged(lastGood), missing, cancelled });
  const undecided = (reason: string): Verdict => ({
    outcome: 'inconclusive',
    reason,
    decidedAt: clock.now(),
    check: null,
    project: null,
    evaluations: lastEvaluations,
  });

  for (;;) {
    try {
      await clock.sleep(next - clock.now(), signal);
    } catch {
      return conclude(undecided('cancelled before the gate could decide'), true);
    }
    const final = next >= end;
    const at = clock.now();
    const until = settle > 0 ? (final ? windowEnd : at - settle) : at;
    const answers = await Promise.allSettled(
      sources.map((source, i) => {
        const recentSince = final ? (half[i] ?? null) : null;
        return source.poll(policy.checks, {
          since,
          until,
          settled: settle > 0,
          ...(recentSince === null ? {} : { recentSince }),
          ...(signal ? { signal } : {}),
        });
      }),
    );
    const errors = answers.flatMap((a) => (a.status === 'rejected' ? [a.reason as unknown] : []));
    if (errors.length > 0 && signal?.aborted) return conclude(undecided('cancelled before the gate could decide'), true);
    // A refused token or an unknown project will not fix itself by the next poll: say so now.
    const setup = errors.find((e) => e instanceof TrackerSetupError);
    if (setup) throw setup;
    const fresh = answers.map((a) => (a.status === 'fulfilled' ? a.value : null));
    const anyFresh = fresh.some((p) => p !== null);
    if (anyFresh) failures = 0;
    else {
      failures += 1;
      const record: PollRecord = { at, sample: null, error: errors.map(errorMessage).join('; ') || 'no health source', evaluations: [], newIssues: 0 };
      polls.push(record);
      opts.onPoll?.(record);
    }
    // Threshold-for checks: this poll's reading, or no data (a failed source breaks the run).
    for (const [id, points] of Object.entries(series)) {
      const answered = fresh.find((p) => p && id in p.observations);
      points.push({ at: answered?.at ?? at, value: valueOf(answered?.observations[id]) });
    }
    // A failed source's ratio and count checks stand on its last good poll (counts are cumulative), never on its recent span.
    const use = fresh.map((p, i) => p ?? (anyFresh || final ? (lastGood[i] ?? null) : null));
    if (use.some((p) => p !== null)) {
      const ats = (anyFresh ? fresh : use).flatMap((p) => (p ? [p.at] : []));
      const recent: NonNullable<PollInput['recent']> = {};
      fresh.forEach((p, i) => {
        const base = half[i] ?? null;
        if (!final || !p?.recent || base === null) return;
        for (const [id, observation] of Object.entries(p.recent) as [string, RatioObservation][]) recent[id] = { since: base, observation };
      });
      const totals = use.find((p) => p?.totals)?.totals;
      const observations = merged(use);
      const dataAt = Math.min(...ats);
      const { evaluations, thresholds, verdict } = decide(policy, {
        observations,
        ...(Object.keys(recent).length > 0 ? { recent } : {}),
        series,
        sessions: totals ? totals.sessions : null,
        at: dataAt,
        final,
      });
      fresh.forEach((p, i) => {
        if (!p) return;
        lastGood[i] = p;
        for (const [id, why] of Object.entries(p.missing ?? {})) missing[id] = why;
        if (!final && isRecentBase(at - settle, start, schedule.windowMs)) half[i] = p.at;
      });
      lastEvaluations = evaluations;
      if (anyFresh) {
        const items = Object.values(observations).reduce((sum, o) => sum + (o.kind === 'count' ? o.items.length : 0), 0);
        const failed = sources.flatMap((source, i) => (answers[i]!.status === 'rejected' ? [source.name] : []));
        const record: PollRecord = {
          at: dataAt,
          sample: totals ?? null,
          evaluations,
          newIssues: items,
          ...(thresholds.length > 0 ? { thresholds } : {}),
          ...(failed.length > 0 ? { error: `${failed.join(', ')}: ${errors.map(errorMessage).join('; ')}` } : {}),
        };
        polls.push(record);
        opts.onPoll?.(record);
      }
      if (verdict) return conclude(verdict);
    } else if (final) {
      const skipped = polls.filter((p) => !p.sample).length;
      return conclude(undecided(`no health data: all ${skipped} polls of the tracker failed (last error: ${polls.at(-1)?.error ?? 'unknown'})`));
    }
    if (final) return conclude(undecided('the window ended without a decision'));
    const gap = schedule.intervalMs * Math.min(4, 2 ** failures);
    next = Math.min(Math.max(next + gap, clock.now()), end);
  }
}
