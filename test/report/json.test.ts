import { describe, expect, it } from 'vitest';
import { buildJsonReport } from '../../src/report/json';
import { counts, evaluation, failReport, issue, MIN, poll, T0 } from './fixtures';

describe('buildJsonReport', () => {
  it("carries the last poll's exact tests: since the deploy, and the second half with when it started", () => {
    const ev = evaluation({
      finalP: 0.2134567,
      finalAlpha: 0.01875,
      recent: { since: T0 + 5 * MIN, n: 150, k: 12, observedBadRate: 0.08, p: 0.00123456, alpha: 0.01875 },
    });
    const json = buildJsonReport(failReport({ verdict: { ...failReport().verdict, evaluations: [ev] } }));
    expect(json.verdict.evaluations[0]).toMatchObject({
      endOfWindow: { p: 0.2135, alpha: 0.01875 },
      secondHalf: { since: '2026-06-03T02:13:00.000Z', n: 150, k: 12, observedBadRate: 0.08, p: 0.001235, alpha: 0.01875 },
    });
  });

  it('has schema 1, ISO times and the decision', () => {
    const json = buildJsonReport(failReport());
    expect(json.schema).toBe(1);
    expect(json.deployFinishedAt).toBe('2026-06-03T02:08:00.000Z');
    expect(json.verdict).toMatchObject({
      outcome: 'fail',
      check: 'crash-free-users',
      project: null,
      decidedAt: '2026-06-03T02:14:00.000Z',
      decidedAfterMs: 6 * MIN,
      issue: null,
    });
    expect(json.verdict.evaluations[0]).toEqual({
      check: 'crash-free-users',
      project: null,
      maxBadRate: 0.005,
      n: 1204,
      k: 27,
      observedBadRate: 0.022425,
      interval: [0.016, 0.029],
      eFail: 41.3,
      ePass: 0.002,
      eThreshold: 20,
      endOfWindow: null,
      secondHalf: null,
      status: 'fail',
    });
    expect(json.settings).toEqual({ windowMs: 600_000, intervalMs: 60_000, confidence: 0.95, minSessions: 100, maxNewIssueUsers: null });
    expect(json.action).toEqual({ kind: 'dispatched', workflow: 'rollback.yml', ref: 'main', previousRelease: 'shop-web@9b07d3e' });
    expect(json.links.previousReleaseName).toBe('shop-web@9b07d3e');
  });

  it('keeps every poll, skipped ones with their error', () => {
    const json = buildJsonReport(failReport());
    expect(json.polls).toHaveLength(6);
    expect(json.polls[1]).toEqual({
      at: '2026-06-03T02:10:00.000Z',
      sinceDeployMs: 2 * MIN,
      sample: null,
      error: 'GET /sessions/: HTTP 503 after 3 attempts',
      newIssues: 0,
      evaluations: [],
    });
    expect(json.polls[5]?.sample).toEqual({
      sessions: 1800,
      crashedSessions: 3,
      erroredSessions: 21,
      users: 1204,
      crashedUsers: 27,
      crashFreeUsers: 0.977575,
      crashFreeSessions: 0.998333,
      errorRate: 0.011667,
      projects: {},
    });
  });

  it('writes null for numbers JSON cannot hold and survives a round trip unchanged', () => {
    const ev = evaluation({ eFail: Infinity, ePass: Number.NaN, observedBadRate: null, interval: null, n: 0, k: 0 });
    const polls = [{ ...poll(1, counts(0, 0, 0, 0, 0)), evaluations: [ev] }, poll(2, counts(10, 0, 1, 5, 0))];
    const first = polls[1];
    if (first?.sample)
      first.sample.projects = JSON.parse(`{"shop-web": ${JSON.stringify(counts(10, 0, 1, 5, 0))}, "__proto__": ${JSON.stringify(counts(1, 1, 1, 1, 1))}}`);
    const report = failReport({ polls, deployFinishedAt: Number.NaN, maxNewIssueUsers: 10, newIssues: [issue({ title: '<b>raw</b>\n"quoted"' })] });
    const json = buildJsonReport(report);
    expect(json.deployFinishedAt).toBeNull();
    expect(json.polls[0]?.sinceDeployMs).toBeNull();
    expect(json.polls[0]?.evaluations[0]).toMatchObject({ eFail: null, ePass: null, observedBadRate: null, interval: null });
    expect(json.polls[0]?.sample).toMatchObject({ crashFreeUsers: null, crashFreeSessions: null, errorRate: null });
    expect(Object.keys(json.polls[1]?.sample?.projects ?? {})).toEqual(['shop-web', '__proto__']);
    expect(json.settings.maxNewIssueUsers).toBe(10);
    // Tracker strings are data here, not markup: copied verbatim.
    expect(json.newIssues[0]?.title).toBe('<b>raw</b>\n"quoted"');
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it('rounds e-values to four significant digits and rates to six places', () => {
    const ev = evaluation({ eFail: 123456.789, ePass: 0.000123456, observedBadRate: 1 / 3, interval: [0.1234567891, 0.9] });
    const json = buildJsonReport(failReport({ verdict: { ...failReport().verdict, evaluations: [ev] } }));
    expect(json.verdict.evaluations[0]).toMatchObject({ eFail: 123500, ePass: 0.0001235, observedBadRate: 0.333333, interval: [0.123457, 0.9] });
  });

  it('includes the baseline and the deciding issue', () => {
    const bad = issue();
    const json = buildJsonReport(
      failReport({
        verdict: { ...failReport().verdict, check: 'new-issues', issue: bad },
        baseline: {
          release: 'shop-web@9b07d3e',
          from: T0 - 10 * MIN,
          to: T0,
          checks: [
            {
              id: 'crash-free-users',
              observedBadRate: 0.001,
              interval: [0.0004, 0.0021],
              n: 5200,
              k: 5,
              absoluteMaxBadRate: 0.03,
              effectiveMaxBadRate: 0.005,
              note: null,
            },
          ],
        },
      }),
    );
    expect(json.verdict.issue).toMatchObject({ shortId: 'SHOP-WEB-1A', userCount: 57, permalink: 'https://acme.sentry.io/issues/4711/' });
    expect(json.baseline).toEqual({
      release: 'shop-web@9b07d3e',
      from: '2026-06-03T01:58:00.000Z',
      to: '2026-06-03T02:08:00.000Z',
      checks: [
        {
          check: 'crash-free-users',
          observedBadRate: 0.001,
          interval: [0.0004, 0.0021],
          n: 5200,
          k: 5,
          absoluteMaxBadRate: 0.03,
          effectiveMaxBadRate: 0.005,
          note: null,
        },
      ],
    });
  });

  it("passes GitHub's run URL of an earlier rollback only when it is a plain http(s) URL", () => {
    const action = (runUrl: string) =>
      buildJsonReport(failReport({ action: { kind: 'already-dispatched', workflow: 'rollback.yml', runUrl, status: 'in_progress' } })).action;
    expect(action('javascript:alert(1)//https://github.com/acme/shop/actions/runs/7')).toMatchObject({ kind: 'already-dispatched', runUrl: null });
    expect(action('https://github.com@evil.example/acme/shop/actions/runs/7')).toMatchObject({ runUrl: null });
    expect(action('https://github.com/acme/shop/actions/runs/7')).toMatchObject({ runUrl: 'https://github.com/acme/shop/actions/runs/7' });
  });
});
