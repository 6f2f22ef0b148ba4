import { describe, expect, it } from 'vitest';
import { sessionsRange } from '../../src/tracker/sentry/sessions';
import { HOUR, MIN, adapterSetup, deployRelease } from './fixtures';
import { querySessions, trackerTotals } from './ground-truth';

/**
 * What Sentry does with start/end/interval (get_constrained_date_range): the
 * range is rounded up to whole intervals, end is rounded up to the interval,
 * and start = end - range. Times in ms.
 */
function sentryRange(start: number, end: number, intervalMs: number) {
  const range = intervalMs * Math.ceil((end - start) / intervalMs);
  const roundedEnd = intervalMs * Math.ceil(end / intervalMs);
  return { start: roundedEnd - range, end: roundedEnd, buckets: range / intervalMs };
}
const intervalMs = (text: string) => ({ '1m': MIN, '1h': HOUR })[text] as number;

const T0 = Date.parse('2026-06-03T02:20:00Z');

describe('sessionsRange', () => {
  it('asks from one interval before the deploy to now, by the minute up to about 16 hours, then by the hour', () => {
    expect(sessionsRange(T0, T0 + 10 * MIN)).toEqual({ start: T0 - MIN, end: T0 + 10 * MIN, interval: '1m' });
    expect(sessionsRange(T0, T0 + 998 * MIN)).toEqual({ start: T0 - MIN, end: T0 + 998 * MIN, interval: '1m' });
    expect(sessionsRange(T0, T0 + 999 * MIN)).toEqual({ start: T0 - HOUR, end: T0 + 999 * MIN, interval: '1h' });
    expect(sessionsRange(T0, T0 + 3 * 24 * HOUR).interval).toBe('1h');
  });

  it('Sentry\'s rounding of the asked range always covers deploy..now, within 1000 buckets', () => {
    // deterministic spread of deploy times (off the minute) and window lengths, both sides of the switch
    const cases: [number, number][] = [];
    for (let i = 0; i < 400; i++) {
      const since = T0 + ((i * 7_919_977) % HOUR);
      const length = i < 200 ? (i * 5 * MIN + i * 1_237) % (17 * HOUR) : 16 * HOUR + ((i * 977_123) % (30 * HOUR));
      cases.push([since, since + length + 1]);
    }
    for (const [since, until] of cases) {
      const asked = sessionsRange(since, until);
      const got = sentryRange(asked.start, asked.end, intervalMs(asked.interval));
      expect(got.start, `${new Date(since).toISOString()}..${new Date(until).toISOString()}`).toBeLessThanOrEqual(since);
      expect(got.end).toBeGreaterThanOrEqual(until);
      expect(got.buckets).toBeLessThanOrEqual(1000);
    }
  });

  it('asking exactly deploy..now would lose the start of the window once it passes an hour (the regression)', () => {
    const until = T0 + 16 * HOUR + 50 * MIN;
    // rounded to 03:00, after the 02:20 deploy: 40 minutes of sessions gone
    expect(sentryRange(T0, until, HOUR).start).toBe(T0 + 40 * MIN);
    const asked = sessionsRange(T0, until);
    expect(sentryRange(asked.start, asked.end, HOUR).start).toBeLessThanOrEqual(T0);
  });
});

describe('a window crossing an hour boundary counts every session since the deploy (local tracker)', () => {
  it('by the minute: deploy at 02:55:30, polls up to 03:04:10', async () => {
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
      expect(s.tracker.requests.filter((r) => r.path.endsWith('/sessions/') && r.query.interval === '1m').length).toBe(4);
    } finally {
      await s.close();
    }
  });

  it('by the hour: a 17-hour window read after the hour still has its first 40 minutes', async () => {
    const s = await adapterSetup({ scenario: 'healthy' });
    try {
      const since = await deployRelease(s); // 02:20
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
        // cumulative counts never drop from one poll to the next
        expect(sample.sessions, label).toBeGreaterThan(previous);
        previous = sample.sessions;
      }
      const hourly = s.tracker.requests.filter((r) => r.path.endsWith('/sessions/') && r.query.interval === '1h' && r.query.field !== 'sum(session)');
      expect(hourly.length).toBeGreaterThan(0);

      // The same window asked naively (deploy..now by the hour) does lose sessions on this tracker:
      // the test above would catch the regression.
      s.clock.set(since + 16 * HOUR + 50 * MIN);
      const naive = await querySessions(s.tracker, [
        ['project', String(s.tracker.projectId('shop-web'))],
        ['query', 'release:"shop-web@2.0.0"'],
        ['field', 'sum(session)'],
        ['start', new Date(since).toISOString()],
        ['end', new Date(s.clock.now()).toISOString()],
        ['interval', '1h'],
        ['includeSeries', '0'],
      ]);
      const truth = await trackerTotals(s.tracker, 'shop-web@2.0.0', 'shop-web', s.clock.now());
      expect(naive.start).toBe('2026-06-03T03:00:00Z');
      expect(truth.sessions - (naive.groups[0]?.totals['sum(session)'] ?? 0)).toBeGreaterThan(35 * 120);
    } finally {
      await s.close();
    }
  });
});
