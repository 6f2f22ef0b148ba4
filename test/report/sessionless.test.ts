import { describe, expect, it } from 'vitest';
import { formatPollLine } from '../../src/report/progress';
import { buildSummary } from '../../src/report/summary';
import { evaluation, MIN, passReport, T0 } from './fixtures';

/** A poll of a source that counts requests, not sessions: no session sample, but a judged check. */
const requestsPoll = {
  at: T0 + 3 * MIN,
  sample: null,
  evaluations: [
    evaluation({
      id: 'http-5xx',
      label: '5xx rate',
      units: { trials: 'requests', bad: '5xx' },
      display: 'bad',
      n: 12_000,
      k: 30,
      observedBadRate: 0.0025,
      interval: [0.0015, 0.004],
      status: 'watching',
    }),
  ],
  newIssues: 0,
};

describe('polls of sources without session counts', () => {
  it('the log line shows the check, not "poll skipped"', () => {
    expect(formatPollLine(requestsPoll, T0, 10 * MIN)).toBe('[03:00/10:00] 5xx rate 0.25% (0.15–0.40) · watching');
  });

  it('the timeline does not call the poll skipped', () => {
    const base = passReport();
    const summary = buildSummary({ ...base, polls: [requestsPoll] });
    expect(summary).not.toMatch(/skipped/);
  });
});
