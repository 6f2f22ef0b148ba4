import { describe, expect, it } from 'vitest';
import { formatPollLine } from '../../src/report/progress';
import { counts, evaluation, MIN, poll, T0 } from './fixtures';

const WINDOW = 10 * MIN;

describe('formatPollLine', () => {
  it('shows counts, evaluated rates with intervals, and the state', () => {
    const ev = evaluation({ n: 880, k: 7, observedBadRate: 7 / 880, interval: [0.003, 0.021], status: 'watching' });
    const p = poll(3, counts(1204, 5, 13, 880, 7), { evaluations: [ev] });
    expect(formatPollLine(p, T0, WINDOW)).toBe('[03:00/10:00] 1,204 sessions, 880 users · crash-free users 99.2% (97.9–99.7) · errors 1.1% · watching');
  });

  it('names failing checks and their project', () => {
    const p = poll(6, counts(1800, 3, 21, 1204, 27), {
      newIssues: 2,
      evaluations: [
        evaluation({ status: 'watching' }),
        evaluation({ project: 'shop-api', status: 'fail' }),
        evaluation({ id: 'error-rate', maxBadRate: 0.02, observedBadRate: 21 / 1800, interval: [0.007, 0.018], status: 'healthy' }),
      ],
    });
    expect(formatPollLine(p, T0, WINDOW)).toBe(
      '[06:00/10:00] 1,800 sessions, 1,204 users · crash-free users 97.8% (97.1–98.4) · errors 1.2% (0.7–1.8) · 2 new issues · FAIL: crash-free users in shop-api',
    );
  });

  it('says healthy when every check is', () => {
    const p = poll(4, counts(4000, 0, 10, 2400, 1), {
      evaluations: [evaluation({ observedBadRate: 1 / 2400, interval: [0.0001, 0.0023], status: 'healthy' })],
    });
    expect(formatPollLine(p, T0, WINDOW)).toMatch(/ · crash-free users 99\.958% \(99\.77–99\.99\) · errors 0\.25% · healthy$/);
  });

  it('shows a skipped poll on one line', () => {
    const p = poll(2.5, null, { error: 'HTTP 502\n::error::injected' });
    expect(formatPollLine(p, T0, WINDOW)).toBe('[02:30/10:00] poll skipped: HTTP 502 ::error::injected');
  });

  it('handles no traffic and long windows', () => {
    expect(formatPollLine(poll(75, counts(0, 0, 0, 0, 0)), T0, 2 * 60 * MIN)).toBe('[1:15:00/2:00:00] 0 sessions, 0 users · watching');
  });
});
