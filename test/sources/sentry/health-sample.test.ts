import { describe, expect, it } from 'vitest';
import { decide } from '../../helpers/sentry-counts';
import { toHealthSample } from '../../../src/sources/sentry/sessions';

describe('toHealthSample', () => {
  it('lists every configured project from the first poll, with zeros until Sentry reports it, so the alpha split never changes', () => {
    const slugById = new Map([
      ['1001', 'web'],
      ['1002', 'api'],
    ]);
    const totals = {
      groups: [{ by: { project: 1001 }, totals: { 'sum(session)': 50, 'count_unique(user)': 40, 'crash_free_rate(user)': 1, 'crash_free_rate(session)': 1 } }],
    };
    const statuses = { groups: [{ by: { project: 1001, 'session.status': 'healthy' }, totals: { 'sum(session)': 50, 'count_unique(user)': 40 } }] };
    const sample = toHealthSample(totals, statuses, slugById, 0);
    expect(Object.keys(sample.projects).sort()).toEqual(['api', 'web']);
    expect(sample.projects.api).toEqual({ sessions: 0, crashedSessions: 0, erroredSessions: 0, users: 0, crashedUsers: 0, erroredUsers: 0 });
    const { evaluations } = decide(
      {
        limits: [{ id: 'crash-free-users', maxBadRate: 0.03, absoluteMaxBadRate: 0.03, source: 'absolute' }],
        confidence: 0.95,
        minSessions: 100,
        passEarly: false,
      },
      { counts: sample, projects: sample.projects, newIssues: [], at: 0, final: false },
    );
    // all projects, web and api: three tests from the very first poll
    expect(evaluations).toHaveLength(3);
  });
});
