import { describe, expect, it } from 'vitest';
import { Traffic } from '../../../src/local-tracker/traffic';
import { sessionsRange } from '../../../src/sources/sentry/sessions';
import { HOUR, MIN, adapterSetup, deployRelease, type AdapterSetup } from './fixtures';
import { querySessions, trackerTotals } from './ground-truth';

/**
 * What Sentry does with start/end/interval (metrics/utils.to_intervals, called
 * by sessions_v2.get_constrained_date_range): start moves back to an interval
 * boundary, end forward to one. Times in ms.
 */
function toIntervals(start: number, end: number, intervalMs: number) {
  const s = intervalMs * Math.floor(start / intervalMs);
  const buckets = Math.ceil((end - s) / intervalMs);
  return { start: s, end: s + buckets * intervalMs, buckets };
}
const intervalMs = (text: string) => Number(text.slice(0, -1)) * (text.endsWith('h') ? HOUR : MIN);

const T0 = Date.parse('2026-06-03T02:20:00Z');

/** Deterministic deploy times off the minute and window lengths from minutes to days. */
function cases(): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < 400; i++) {
    const since = T0 + ((i * 7_919_977) % HOUR);
    const length = i < 200 ? (i * 5 * MIN + i * 1_237) % (17 * HOUR) : 16 * HOUR + ((i * 977_123) % (60 * HOUR));
    out.push([since, since + length + 1]);
  }
  return out;
}

describe('sessionsRange', () => {
  it('asks on interval boundaries, by the minute up to about 16 hours, then by the smallest interval that fits', () => {
    expect(sessionsRange(T0 + 17_300, T0 + 10 * MIN + 5_000)).toEqual({ start: T0, end: T0 + 10 * MIN + 5_000, interval: '1m' });
    expect(sessionsRange(T0, T0 + 999 * MIN).interval).toBe('1m');
    expect(sessionsRange(T0, T0 + 1001 * MIN).interval).toBe('2m');
    expect(sessionsRange(T0, T0 + 3 * 24 * HOUR).interval).toBe('5m');
  });

  it("leaves Sentry's rounding of start nothing to move, covers deploy..now, within 1000 buckets", () => {
    for (const [since, until] of cases()) {
      const asked = sessionsRange(since, until);
      const step = intervalMs(asked.interval);
      const got = toIntervals(asked.start, asked.end, step);
      const label = `${new Date(since).toISOString()}..${new Date(until).toISOString()}`;
      expect(got.start, label).toBe(asked.start);
      expect(got.end - asked.end, label).toBeLessThan(step);
      expect(got.start, label).toBeLessThanOrEqual(since);
      expect(got.end, label).toBeGreaterThanOrEqual(until);
      expect(got.buckets, label).toBeLessThanOrEqual(1000);
      expect(86_400_000 % step).toBe(0);
    }
  });

  it('a span from mid-window starts at the next boundary: shorter by less than an interval, never reaching back', () => {
    for (const [since, until] of cases()) {
      const asked = sessionsRange(since, until, { cover: false });
      const step = intervalMs(asked.interval);
      const got = toIntervals(asked.start, asked.end, step);
      expect(got.start).toBe(asked.start);
      expect(got.start).toBeGreaterThanOrEqual(since);
      expect(got.start - since).toBeLessThan(step);
    }
    // asked as is, Sentry would count from up to one interval before mid-window
    const mid = T0 + 8 * HOUR + 17_300;
    expect(toIntervals(mid, mid + 8 * HOUR, HOUR).start).toBe(T0 + 7 * HOUR + 40 * MIN);
  });

  it('asks fewer buckets for many projects, so that Sentry keeps every project group (5,000 rows)', () => {
    for (const [since, until] of cases()) {
      const asked = sessionsRange(since, until, { groups: 12 });
      const got = toIntervals(asked.start, asked.end, intervalMs(asked.interval));
      expect(got.buckets * 12).toBeLessThanOrEqual(5000);
    }
    expect(sessionsRange(T0, T0 + 16 * HOUR, { groups: 12 }).interval).toBe('3m');
  });
});

/** Distinct users of `project` who started a session in [from, to), from the traffic model itself. */
function usersIn(s: AdapterSetup, anchor: number, from: number, to: number): number {
  const { scenario } = s.tracker;
  const traffic = new Traffic({ seed: scenario.seed, projects: [scenario.projects[0]!], minuteMs: 60_000 });
  const seen = new Set<number>();
  const visibleBefore = s.clock.now() - scenario.ingestionDelaySec * 1000;
  traffic.forEach({ role: 'current', project: 0, anchor, until: Infinity, from, to, visibleBefore }, (_t, user) => seen.add(user));
  return seen.size;
}

describe('counts against ground truth, deploy off the minute (local tracker rounding as Sentry does)', () => {
  it("the second half's users are those seen from mid-window on, none from before it", async () => {
    const s = await adapterSetup({ scenario: 'healthy' });
    try {
      s.clock.set(Date.parse('2026-06-03T02:20:17.300Z'));
      const since = await deployRelease(s);
      const q = { version: 'shop-web@2.0.0', projects: s.projects, environment: 'production' };
      const mid = since + 10 * MIN + 23_900;
      s.clock.set(since + 20 * MIN + 41_000);
      const until = s.clock.now();
      const span = await s.adapter.usersBetween({ ...q, since: mid, until });
      const boundary = Math.ceil(mid / MIN) * MIN;
      expect(span.users).toBe(usersIn(s, since, boundary, until));
      expect(span.users).toBeLessThanOrEqual(usersIn(s, since, mid, until));

      // The span asked as is: Sentry's rounding reaches back before mid-window and counts more users.
      const naive = await querySessions(s.tracker, [
        ['project', String(s.tracker.projectId('shop-web'))],
        ['query', 'release:"shop-web@2.0.0"'],
        ['field', 'count_unique(user)'],
        ['start', new Date(mid).toISOString()],
        ['end', new Date(until).toISOString()],
        ['interval', '1m'],
        ['includeSeries', '0'],
      ]);
      expect(naive.groups[0]!.totals['count_unique(user)']).toBeGreaterThan(usersIn(s, since, mid, until));
    } finally {
      await s.close();
    }
  });

  it('by the minute: deploy at 02:55:30, polls up to 03:04:10, every session since the deploy', async () => {
    const s = await adapterSetup({ scenario: 'healthy' });
    try {
      s.clock.set(Date.parse('2026-06-03T02:55:30Z'));
      const since = await deployRelease(s);
      for (const at of ['02:59:59', '03:00:00', '03:00:31', '03:04:10']) {
        s.clock.set(Date.parse(`2026-06-03T${at}Z`));
        const sample = await s.adapter.sample({ version: 'shop-web@2.0.0', projects: s.projects, environment: 'production', since, until: s.clock.now() });
        const truth = await trackerTotals(s.tracker, 'shop-web@2.0.0', 'shop-web', s.clock.now());
        expect(sample.sessions, at).toBe(truth.sessions);
        expect(sample.users, at).toBe(truth.users);
      }
    } finally {
      await s.close();
    }
  });

  it('a 17-hour window (2-minute buckets) keeps its first minutes as it grows', async () => {
    const s = await adapterSetup({ scenario: 'healthy' });
    try {
      s.clock.set(T0 + 17_300);
      const since = await deployRelease(s);
      let previous = 0;
      for (const after of [16 * HOUR + 39 * MIN, 16 * HOUR + 50 * MIN, 17 * HOUR, 17 * HOUR + 10 * MIN]) {
        s.clock.set(since + after);
        const until = s.clock.now();
        const sample = await s.adapter.sample({ version: 'shop-web@2.0.0', projects: s.projects, environment: 'production', since, until });
        const truth = await trackerTotals(s.tracker, 'shop-web@2.0.0', 'shop-web', until);
        const label = new Date(until).toISOString();
        expect(sample.sessions, label).toBe(truth.sessions);
        expect(sample.crashedSessions, label).toBe(truth.crashedSessions);
        expect(sample.users, label).toBe(truth.users);
        expect(sample.sessions, label).toBeGreaterThan(previous);
        previous = sample.sessions;
      }
      expect(s.tracker.requests.some((r) => r.path.endsWith('/sessions/') && r.query.interval === '2m')).toBe(true);
    } finally {
      await s.close();
    }
  });
});

describe('sessionsRange for a settled cut', () => {
  it("ends on the boundary at or before the cut, so Sentry's rounding of end adds nothing unsettled", () => {
    for (const [since, until] of cases()) {
      const asked = sessionsRange(since, until, { settled: true });
      const step = intervalMs(asked.interval);
      const got = toIntervals(asked.start, asked.end, step);
      const label = `${new Date(since).toISOString()}..${new Date(until).toISOString()}`;
      expect(got.end, label).toBe(asked.end);
      expect(asked.end, label).toBeLessThanOrEqual(until);
      expect(until - asked.end, label).toBeLessThan(step);
      expect(got.buckets, label).toBeLessThanOrEqual(1000);
    }
    // less than one interval after the start: nothing settled to ask
    expect(sessionsRange(T0 + 17_300, T0 + 50_000, { settled: true })).toMatchObject({ start: T0, end: T0 });
    // a span from mid-window: from the next boundary to the one before the cut
    expect(sessionsRange(T0 + 5 * MIN + 17_300, T0 + 10 * MIN + 59_000, { cover: false, settled: true })).toEqual({
      start: T0 + 6 * MIN,
      end: T0 + 10 * MIN,
      interval: '1m',
    });
  });
});
