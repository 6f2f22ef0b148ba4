import { describe, expect, it } from 'vitest';
import { runGate as gate, sessionPolls, sessionRequestsByPoll } from '../helpers/gate';

describe.concurrent('the health gate, bundled action against the local tracker', () => {
  it('passes a healthy release at the end of the window', async () => {
    const { run, tracker } = await gate('healthy');
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
    expect(run.outputs.healthy).toBe('true');
    expect(Number(run.outputs.sessions)).toBeGreaterThan(1000);
    expect(Number(run.outputs['crash-free-users'])).toBeGreaterThan(0.99);
    expect(run.outputs.reason).toMatch(/crash-free users/);
    expect(run.durationMs).toBeGreaterThanOrEqual(12_000);
    // one poll at 2 s, then every 2 s until 12 s: 6 polls of 1 session request (no error-rate
    // check), and the last one also counts the users of the window's second half
    expect(sessionRequestsByPoll(tracker)).toEqual([1, 1, 1, 1, 1, 2]);
    // without the error-rate check unhealthy sessions are not counted, and not reported as 0
    expect(run.outputs['error-rate']).toBe('');
    expect(run.summary).toContain('✅');
    expect(run.summary).toContain('```mermaid');
    expect(run.annotations.some((a) => a.level === 'error')).toBe(false);
  });

  it('fails a release crashing far past the limit within a few polls of a 60 s window', async () => {
    const { run, tracker } = await gate('crash-spike', { window: '60s' });
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.outputs.healthy).toBe('false');
    expect(run.outputs.reason).toMatch(/^crash-free users \d+(\.\d+)?% .* below the 97% limit/);
    expect(sessionPolls(tracker)).toBeLessThanOrEqual(3);
    expect(run.durationMs).toBeLessThan(20_000);
    const error = run.annotations.find((a) => a.level === 'error');
    expect(error?.message).toMatch(/Crash-free users below 97%/);
    expect(run.summary).toContain('❌');
  });

  it('fails a release that turns bad mid-window, before the window ends', async () => {
    const { run } = await gate('slow-burn', { window: '30s' });
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.durationMs).toBeLessThan(28_000);
    // healthy for 8 scenario minutes: no failure before then
    expect(run.durationMs).toBeGreaterThan(8_000);
  });

  it("at the last poll, judges the window's second half on its own, with its users counted by the tracker", async () => {
    // slow-burn turns bad at scenario minute 8: by minute 14 the counts since the deploy are
    // still near the limit, and the second half alone is well past it.
    const { run, tracker } = await gate('slow-burn', { window: '14s', interval: '2s' });
    expect(run.code, run.stdout).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    const evidence = /end of window p ([\d.e-]+), second half p ([\d.e-]+) \(needs ≤ ([\d.]+)\)/.exec(run.summary);
    expect(evidence, run.summary).not.toBeNull();
    expect(Number(evidence![2])).toBeLessThanOrEqual(Number(evidence![3]));
    expect(run.outputs.reason).toMatch(/below the 97% limit/);
    // one sessions query starts mid-window: the users of the second half
    const sessions = tracker.requests.filter((r) => r.path.endsWith('/sessions/'));
    const starts = new Set(sessions.map((r) => r.query.start));
    expect(starts.size).toBe(2);
    expect(sessionRequestsByPoll(tracker).at(-1)).toBe(2);
  });

  it('fails on the error rate and names it', async () => {
    const { run, tracker } = await gate('error-rate', { 'max-error-rate': '0.05' });
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.outputs.reason).toMatch(/^error rate \d+(\.\d+)?% .* above the 5% limit/);
    expect(Number(run.outputs['error-rate'])).toBeGreaterThan(0.1);
    // the totals, and the status query that counts users with an unhealthy session (#19.1)
    expect(sessionRequestsByPoll(tracker).every((n) => n === 2)).toBe(true);
  });

  it('with the error-rate check on, a healthy release costs 2 session requests a poll (users with an unhealthy session need the status query), 3 at the last', async () => {
    const { run, tracker } = await gate('healthy', { 'max-error-rate': '0.5' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
    expect(Number(run.outputs['error-rate'])).toBeGreaterThan(0);
    expect(sessionRequestsByPoll(tracker)).toEqual([2, 2, 2, 2, 2, 3]);
  });

  it('2 sessions with 1 crash is inconclusive and does not fail the job', async () => {
    const { run } = await gate('low-traffic', { window: '8s' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.verdict).toBe('inconclusive');
    expect(run.outputs.sessions).toBe('2');
    expect(run.outputs.reason).toMatch(/only 2 sessions, fewer than the 100 needed/);
    expect(run.annotations.some((a) => a.level === 'warning' && /inconclusive/.test(a.message))).toBe(true);
  });

  it('a healthy release at a strict limit ends inconclusive saying how much more data would let it pass (#19 follow-up)', async () => {
    const { run } = await gate('healthy', { window: '8s', 'min-sessions': '0', 'min-crash-free-users': '0.999' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.verdict).toBe('inconclusive');
    expect(run.outputs.reason).toMatch(
      /cannot be ruled out, .*; at the observed rate that takes about [\d,]+ users, a window about [\d.,]+× as long at this traffic$/,
    );
  });

  it('a release with too few sessions to rule out a 2× regression ends inconclusive, naming the rate that cannot be ruled out (pass-margin, #19.6)', async () => {
    const { run } = await gate('low-traffic', { window: '8s', 'min-sessions': '0' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.verdict).toBe('inconclusive');
    expect(run.outputs.reason).toMatch(
      /^too little data to pass: with 2 users, a crashed-user rate up to \d+(\.\d+)?% cannot be ruled out, more than 2× the 3% the 97% limit allows \(pass-margin 2x\)/,
    );
    expect(run.annotations.some((a) => a.level === 'warning' && /cannot be ruled out/.test(a.message))).toBe(true);
    // pass-margin off: the same data pass, as they did before
    const off = await gate('low-traffic', { window: '8s', 'min-sessions': '0', 'pass-margin': 'off' });
    expect(off.run.outputs.verdict).toBe('pass');
  });

  it('with on-inconclusive: fail, the same release fails the job', async () => {
    const { run } = await gate('low-traffic', { window: '8s', 'on-inconclusive': 'fail' });
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('inconclusive');
  });

  it('dry-run reports fail but exits 0', async () => {
    const { run } = await gate('crash-spike', { 'dry-run': 'true' });
    expect(run.code).toBe(0);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.outputs.healthy).toBe('false');
    expect(run.annotations.some((a) => a.level === 'error')).toBe(false);
    expect(run.annotations.some((a) => a.level === 'warning' && /would have failed/.test(a.message))).toBe(true);
    expect(run.summary).toMatch(/dry run/i);
  });

  it('writes a JSON report with every poll and the decision', async () => {
    const { run } = await gate('crash-spike');
    const report = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(run.outputs['report-path'] as string, 'utf8')));
    expect(report.schema).toBe(1);
    expect(report.verdict.outcome).toBe('fail');
    expect(report.polls.length).toBeGreaterThan(0);
    expect(run.outputs['report-path']).toMatch(/release-health-gate-shop-web_2\.0\.0-4242-1\.json$/);
  });
});
