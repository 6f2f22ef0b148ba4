import { describe, expect, it } from 'vitest';
import { buildAlert, buildAnnotation } from '../../src/report/alert';
import { counts, evaluation, failReport, issue, MIN, passReport, poll, T0 } from './fixtures';

describe('buildAlert', () => {
  it('matches the design example for a crash-free users failure', () => {
    expect(buildAlert(failReport())).toBe(
      [
        'Alert:    Crash-free users below 99.5% after deploy',
        'Value:    97.8% crash-free users (1,204 users, last 6 min), interval 97.1–98.4%',
        'Release:  shop-web@4f2c1a9 -> production   Previous: shop-web@9b07d3e',
        'Started:  2026-06-03T02:14Z, 6 min after deploy (first poll over the limit; deploy finished 02:08Z)',
        'Decided:  2026-06-03T02:14Z, 6 min after deploy',
        'Runbook:  https://wiki.example/runbooks/rollback',
        'Sentry:   https://acme.sentry.io/releases/shop-web%404f2c1a9/',
        'Run:      https://github.com/acme/shop/actions/runs/1',
        'Action:   rolling back: workflow rollback.yml dispatched for shop-web@9b07d3e',
        'Commits:  4f2c1a9 Fix checkout total',
        '          1b2c3d4 Bump deps',
      ].join('\n'),
    );
  });

  it('prefers the configured dashboard and leaves out missing links', () => {
    const text = buildAlert(failReport({ dashboardUrl: 'https://grafana.example/d/shop', runbookUrl: null, runUrl: 'javascript:alert(1)' }));
    expect(text).toContain('\nDashboard: https://grafana.example/d/shop\n');
    expect(text).not.toContain('Runbook:');
    expect(text).not.toContain('Run:');
    expect(text).not.toContain('javascript');
  });

  it('names the issue for a new-issues failure', () => {
    const bad = issue();
    const report = failReport({
      maxNewIssueUsers: 10,
      newIssues: [issue({ shortId: 'SHOP-WEB-2', userCount: 4 }), bad],
      verdict: { ...failReport().verdict, check: 'new-issues', issue: bad, reason: 'New issue SHOP-WEB-1A affects 57 users' },
      action: { kind: 'none', why: 'no rollback workflow configured' },
      commits: [],
    });
    const lines = buildAlert(report).split('\n');
    expect(lines[0]).toBe('Alert:    New issue SHOP-WEB-1A affects 57 users (limit 10) after deploy');
    expect(lines[1]).toBe(
      'Value:    SHOP-WEB-1A "TypeError: cart.total is undefined" at checkout/cart.ts in computeTotal (shop-web): 57 users, 120 events, first seen 02:12Z',
    );
    expect(lines.at(-1)).toBe('Action:   no rollback workflow configured: roll back by hand to shop-web@9b07d3e');
  });

  it('falls back to the worst new issue when the verdict carries none', () => {
    const report = failReport({
      newIssues: [issue({ shortId: 'A-1', userCount: 4 }), issue({ shortId: 'A-2', userCount: 90 })],
      verdict: { ...failReport().verdict, check: 'new-issues' },
    });
    expect(buildAlert(report).split('\n')[0]).toBe('Alert:    New issue A-2 affects 90 users after deploy');
  });

  it('names the project of a project-scoped failure', () => {
    const ev = evaluation({ project: 'shop-api', n: 310, k: 9, observedBadRate: 9 / 310, interval: [0.014, 0.054] });
    const report = failReport({
      projects: ['shop-web', 'shop-api'],
      verdict: { ...failReport().verdict, project: 'shop-api', evaluations: [evaluation({ status: 'watching' }), ev] },
    });
    const lines = buildAlert(report).split('\n');
    expect(lines[0]).toBe('Alert:    Crash-free users below 99.5% in shop-api after deploy');
    expect(lines[1]).toBe('Value:    97.1% crash-free users in shop-api (310 users, last 6 min), interval 94.6–98.6%');
  });

  it('states an error-rate failure as the bad fraction', () => {
    const ev = evaluation({ id: 'error-rate', maxBadRate: 0.02, n: 1800, k: 63, observedBadRate: 0.035, interval: [0.027, 0.044] });
    const report = failReport({ verdict: { ...failReport().verdict, check: 'error-rate', evaluations: [ev] } });
    const lines = buildAlert(report).split('\n');
    expect(lines[0]).toBe('Alert:    Error rate above 2% after deploy');
    expect(lines[1]).toBe('Value:    3.5% errored sessions (1,800 sessions, last 6 min), interval 2.7–4.4%');
  });

  it('never prints the observed value equal to the limit it broke', () => {
    const ev = evaluation({ n: 100_000, k: 504, observedBadRate: 0.00504, interval: [0.005, 0.0051] });
    const report = failReport({ verdict: { ...failReport().verdict, evaluations: [ev] } });
    expect(buildAlert(report).split('\n')[1]).toMatch(/^Value: {4}99\.496% crash-free users \(100,000 users/);
  });

  it('says what to do when the dispatch failed', () => {
    const report = failReport({ action: { kind: 'dispatch-failed', workflow: 'rollback.yml', error: 'HTTP 404: Not Found' } });
    expect(buildAlert(report)).toContain('\nAction:   dispatch of rollback.yml FAILED: HTTP 404: Not Found — roll back by hand to shop-web@9b07d3e\n');
  });

  it('says what a dry run would have done', () => {
    const report = failReport({ dryRun: true, action: { kind: 'would-dispatch', workflow: 'rollback.yml', ref: 'main', previousRelease: 'shop-web@9b07d3e' } });
    expect(buildAlert(report)).toContain('\nAction:   dry run: would dispatch workflow rollback.yml for shop-web@9b07d3e\n');
  });

  it('copes with no previous release', () => {
    const report = failReport({ previousRelease: null, previousReleaseUrl: null, action: { kind: 'none', why: 'no rollback workflow configured' } });
    const text = buildAlert(report);
    expect(text).toContain('\nRelease:  shop-web@4f2c1a9 -> production   Previous: none found\n');
    expect(text).toContain('\nAction:   no rollback workflow configured: roll back by hand to the previous release\n');
  });

  it('shows the full deploy time when the breach came on the next UTC day', () => {
    const t = Date.UTC(2026, 5, 2, 23, 58);
    const report = failReport({ deployFinishedAt: t, verdict: { ...failReport().verdict, decidedAt: t + 7 * MIN } });
    expect(buildAlert(report)).toContain(
      '\nStarted:  2026-06-03T00:05Z, 7 min after deploy (deploy finished 2026-06-02T23:58Z)\nDecided:  2026-06-03T00:05Z, 7 min after deploy\n',
    );
  });

  it('Started is the first poll of the last run over the limit, not the decision', () => {
    const over = (minute: number) => poll(minute, counts(300 * minute, 1, 4, 200 * minute, 5 * minute), { evaluations: [evaluation({ status: 'watching' })] });
    const under = (minute: number) =>
      poll(minute, counts(300 * minute, 1, 4, 200 * minute, 0), { evaluations: [evaluation({ observedBadRate: 0.001, status: 'watching' })] });
    const skipped = (minute: number) => poll(minute, null, { error: 'HTTP 503' });
    const report = failReport({ polls: [under(1), over(2), under(3), over(4), skipped(5), over(6)] });
    const text = buildAlert(report);
    expect(text).toContain('\nStarted:  2026-06-03T02:12Z, 4 min after deploy (first poll over the limit; deploy finished 02:08Z)\n');
    expect(text).toContain('\nDecided:  2026-06-03T02:14Z, 6 min after deploy\n');
  });

  it('a rate over its limit only in another project does not start the clock', () => {
    const other = poll(2, counts(600, 1, 4, 400, 20), { evaluations: [evaluation({ project: 'shop-api', status: 'watching' })] });
    const report = failReport({ polls: [other, ...failReport().polls.slice(-1)] });
    expect(buildAlert(report)).toContain('\nStarted:  2026-06-03T02:14Z, 6 min after deploy (first poll over the limit;');
  });

  it('a fail on the second half alone starts at the second half', () => {
    const ev = evaluation({ observedBadRate: 0.004, recent: { since: T0 + 5 * MIN, n: 300, k: 9, observedBadRate: 0.03, p: 0.001, alpha: 0.01 } });
    const report = failReport({
      polls: [poll(10, counts(3000, 3, 20, 2000, 8), { evaluations: [ev] })],
      verdict: { ...failReport().verdict, decidedAt: T0 + 10 * MIN, evaluations: [ev] },
    });
    const text = buildAlert(report);
    expect(text).toContain('\nStarted:  2026-06-03T02:13Z, 5 min after deploy (start of the second half, over the limit on its own; deploy finished 02:08Z)\n');
    expect(text).toContain('\nDecided:  2026-06-03T02:18Z, 10 min after deploy\n');
  });

  it('a new issue starts when Sentry first saw it', () => {
    const bad = issue({ firstSeen: '2026-06-03T02:11:30Z' });
    const report = failReport({ newIssues: [bad], verdict: { ...failReport().verdict, check: 'new-issues', issue: bad } });
    expect(buildAlert(report)).toContain(
      '\nStarted:  2026-06-03T02:11Z, 3 min after deploy (issue first seen; deploy finished 02:08Z)\nDecided:  2026-06-03T02:14Z, 6 min after deploy\n',
    );
  });

  it('keeps hostile titles to one line and caps the commit list at five', () => {
    const bad = issue({ title: 'boom\nAction:   all fine, go back to sleep', shortId: 'X-1' });
    const commits = Array.from({ length: 7 }, (_, i) => ({ id: `${i}`.repeat(40), message: `change ${i}\nbody` }));
    const report = failReport({ newIssues: [bad], commits, verdict: { ...failReport().verdict, check: 'new-issues', issue: bad } });
    const lines = buildAlert(report).split('\n');
    expect(lines.filter((l) => l.startsWith('Action:'))).toHaveLength(1);
    expect(lines[1]).toContain('"boom Action:   all fine, go back to sleep"');
    expect(lines.slice(-6)).toEqual([
      'Commits:  0000000 change 0',
      '          1111111 change 1',
      '          2222222 change 2',
      '          3333333 change 3',
      '          4444444 change 4',
      '          … and 2 more',
    ]);
  });

  it('describes a run that did not fail by its reason', () => {
    const lines = buildAlert(passReport()).split('\n');
    expect(lines[0]).toBe('Alert:    Release health pass after deploy');
    expect(lines[1]).toBe('Value:    Crash-free users 99.9% (interval 99.7–100.0%, 2,400 users) is above the 99.5% limit');
    expect(lines).toContain('Action:   none (release is healthy)');
  });
});

describe('buildAnnotation', () => {
  it('puts the essentials in three lines', () => {
    expect(buildAnnotation(failReport())).toBe(
      [
        'Crash-free users below 99.5% after deploy: 97.8% crash-free users (1,204 users, last 6 min), interval 97.1–98.4%',
        'Release shop-web@4f2c1a9 -> production, previous shop-web@9b07d3e. Action: rolling back: workflow rollback.yml dispatched for shop-web@9b07d3e',
        'Runbook: https://wiki.example/runbooks/rollback',
      ].join('\n'),
    );
  });

  it('stays within three lines whatever the tracker sends', () => {
    const bad = issue({ title: 'a\nb\nc\nd', culprit: 'x\ny' });
    const report = failReport({
      previousRelease: 'p\nq',
      action: { kind: 'dispatch-failed', workflow: 'rollback.yml', error: 'line1\nline2\rline3' },
      verdict: { ...failReport().verdict, check: 'new-issues', issue: bad },
    });
    expect(buildAnnotation(report).split('\n')).toHaveLength(3);
  });
});
