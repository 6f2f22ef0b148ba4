import { describe, expect, it } from 'vitest';
import { longestLeak } from '../reliability/leaks';
import { runGate as gate } from '../helpers/gate';

const ORG_TOKEN = 'sntrys_eyJpYXQiOjE3MDAwMDAwMDAsIm9yZyI6ImFjbWUifQ==_c2VjcmV0c2VjcmV0c2VjcmV0';

describe.concurrent('what real Sentry answers, through the bundled action', () => {
  it('an organization auth token with the gate on fails before any request, naming the token to create', async () => {
    const { run, tracker } = await gate('healthy', {}, { token: ORG_TOKEN });
    expect(run.code).toBe(1);
    const error = run.annotations.find((a) => a.level === 'error');
    expect(error?.message).toMatch(/organization auth token \(sntrys_…\).*user auth token.*internal integration/);
    expect(tracker.requests).toHaveLength(0);
    expect(longestLeak(run.everything, ORG_TOKEN)).toBeLessThan(8);
  });

  it('an organization auth token registers the release with gate: false (what Sentry lets it do)', async () => {
    const { run, tracker } = await gate('healthy', { gate: 'false' }, { token: ORG_TOKEN });
    expect(run.code, run.stdout).toBe(0);
    expect(tracker.state.releases.get('shop-web@2.0.0')?.deploys).toHaveLength(1);
  });

  it('an older Sentry that refuses the deploy its projects: recorded without them, with a warning', async () => {
    const { run, tracker } = await gate('healthy', { gate: 'false' }, { before: (t) => void (t.state.deployProjectsNeedAccess = true) });
    expect(run.code, run.stdout).toBe(0);
    expect(run.annotations.find((a) => a.level === 'warning')?.message).toMatch(/refused the deploy's projects.*recorded it without them/);
    expect(tracker.state.releases.get('shop-web@2.0.0')?.deploys).toHaveLength(1);
  });

  it('a poll answered with a negative count is skipped and recorded, and the gate still decides', async () => {
    const { run, tracker } = await gate(
      'healthy',
      {},
      {
        before: (t) =>
          t.faults.add({
            path: /\/sessions\/$/,
            status: 200,
            body: JSON.stringify({
              groups: [{ by: { project: t.projectId('shop-web') }, totals: { 'sum(session)': -5, 'count_unique(user)': 3 }, series: {} }],
            }),
          }),
      },
    );
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).not.toMatch(/need 0 <= k <= n/);
    expect(run.stdout).toMatch(/poll skipped: Sentry answered sum\(session\) = -5/);
    expect(run.outputs.verdict).toBe('pass');
    expect(run.summary).toContain('✅');
    expect(
      run.stdout.split('\n').filter((l) => l.includes('poll skipped')),
      run.stdout,
    ).toHaveLength(1);
    expect(tracker.requests.filter((r) => r.path.endsWith('/sessions/') && r.status === 200).length).toBeGreaterThan(3);
  });

  it('a self-hosted Sentry on the sessions dataset (no rate fields): crashes counted from the status query', async () => {
    const { run } = await gate('crash-spike', { window: '60s' }, { before: (t) => void (t.state.backend = 'sessions') });
    expect(run.code, run.stdout).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.outputs.reason).toMatch(/^crash-free users \d+(\.\d+)?% .* below the 97% limit/);
    expect(run.stdout).not.toMatch(/poll skipped/);
  });
});
