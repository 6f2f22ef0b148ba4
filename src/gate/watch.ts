import type { Clock } from '../pipeline/clock';
import type { PollRecord } from '../report/types';
import type { HealthSample, NewIssue, UserCounts } from '../tracker/types';
import { TrackerSetupError } from '../tracker/errors';
import { decide } from './decide';
import { isRecentBase, recentCounts } from './recent';
import type { CheckEvaluation, GatePolicy, Verdict } from './types';
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
  /**
   * One poll: health since the deploy up to `until` (now minus the settle
   * time), and the new issues (when that check is on). Given `usersSince` (at
   * the last poll), also the users counted from then to `until`, when the
   * tracker could count them.
   */
  poll: (signal?: AbortSignal, usersSince?: number, until?: number) => Promise<PollResult>;
  onPoll?: (record: PollRecord) => void;
}

export interface PollResult {
  sample: HealthSample;
  newIssues: NewIssue[];
  users?: UserCounts;
}

export interface WatchResult {
  verdict: Verdict;
  polls: PollRecord[];
  newIssues: NewIssue[];
  cancelled: boolean;
}

/**
 * The default initial delay (1m) is longer than the short windows people use to
 * try the gate; rather than refuse them, the first poll moves to mid-window.
 */
export function effectiveInitialDelay(s: Schedule): number {
  return s.initialDelayMs < s.windowMs ? s.initialDelayMs : Math.floor(s.windowMs / 2);
}


/**
 * Polls from the first poll time every interval until a verdict or the end of
 * the window. A poll that fails is recorded and skipped, never counted as
 * health data; after failures the gap grows (up to 4 intervals) so an outage
 * does not turn into a flood of requests. The window end always gets a poll.
 */
export async function watch(opts: WatchOptions): Promise<WatchResult> {
  const { clock, schedule, policy, signal } = opts;
  const start = clock.now();
  const settle = schedule.settleMs ?? 0;
  // Polls run until the window's data has settled; `until` trails each poll by
  // the settle time, and the last one judges the window up to its end exactly.
  const windowEnd = start + schedule.windowMs;
  const end = windowEnd + settle;
  const polls: PollRecord[] = [];
  let lastGood: PollResult | null = null;
  // The last sample at or before mid-window: the last poll tests what came after it on its own.
  let half: HealthSample | null = null;
  let lastEvaluations: CheckEvaluation[] = [];
  let failures = 0;
  let next = start + effectiveInitialDelay(schedule);

  const conclude = (verdict: Verdict, cancelled = false): WatchResult => ({ verdict, polls, newIssues: lastGood?.newIssues ?? [], cancelled });
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
    let result: PollResult | null = null;
    try {
      result = await opts.poll(signal, final && half ? half.at : undefined, settle > 0 ? (final ? windowEnd : at - settle) : undefined);
      lastGood = result;
      failures = 0;
    } catch (error) {
      if (signal?.aborted) return conclude(undecided('cancelled before the gate could decide'), true);
      // A refused token or an unknown project will not fix itself by the next poll: say so now.
      if (error instanceof TrackerSetupError) throw error;
      failures += 1;
      const record: PollRecord = { at, sample: null, error: errorMessage(error), evaluations: [], newIssues: 0 };
      polls.push(record);
      opts.onPoll?.(record);
    }
    const data = result ?? (final ? lastGood : null);
    if (data) {
      const recent = final && result && half ? recentCounts(half.at, result.sample, half, result.users) : undefined;
      const { evaluations, verdict } = decide(policy, {
        counts: data.sample,
        projects: data.sample.projects,
        newIssues: data.newIssues,
        at: data.sample.at,
        final,
        ...(recent ? { recent } : {}),
      });
      if (result && !final && isRecentBase(at - settle, start, schedule.windowMs)) half = result.sample;
      lastEvaluations = evaluations;
      if (result) {
        const record: PollRecord = { at: data.sample.at, sample: data.sample, evaluations, newIssues: data.newIssues.length };
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
