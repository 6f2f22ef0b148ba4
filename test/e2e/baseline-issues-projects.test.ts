import { describe, expect, it } from 'vitest';
import { runGate, sessionRequestsByPoll } from '../helpers/gate';

describe.concurrent('previous release, baseline, new issues and several projects (bundled action)', () => {
  it('a new issue with 12 users fails early with max-new-issue-users 5, naming the issue', async () => {
    const { run } = await runGate('new-issue', { 'max-new-issue-users': '5', window: '20s' });
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.outputs.reason).toMatch(/TypeError: Cannot read properties of undefined/);
    expect(run.outputs.reason).toMatch(/\b(affects )?\d+ users\b.*\b5\b/);
    expect(Number(run.outputs['new-issues'])).toBeGreaterThanOrEqual(1);
    expect(run.durationMs).toBeLessThan(18_000);
    expect(run.outputs['previous-release']).toBe('shop-web@1.4.0');
    expect(run.summary).toContain('TypeError: Cannot read properties of undefined');
  });

  it('a new issue with 3 users passes', async () => {
    const { run } = await runGate('new-issue-small', { 'max-new-issue-users': '5' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
    expect(run.outputs['new-issues']).toBe('1');
    expect(run.summary).toContain('RangeError: Invalid time value');
  });

  it('previous 0.1% crashes, this one 2.5%: an absolute 95% limit passes', async () => {
    const { run } = await runGate('baseline-regression', { 'min-crash-free-users': '0.95' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
    expect(run.outputs['previous-release']).toBe('shop-web@1.4.0');
  });

  it('the same release fails against the previous release as baseline (+0.5 pp allowed), the summary naming the baseline', async () => {
    const { run } = await runGate('baseline-regression', { 'min-crash-free-users': '0.95', baseline: 'previous-release', 'max-crash-rate-increase': '0.005' });
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.outputs.reason).toMatch(/crash-free users/);
    expect(run.outputs.reason).toMatch(/previous release/);
    expect(run.summary).toMatch(/[Bb]aseline/);
    expect(run.summary).toContain('shop-web@1.4.0');
  });

  it('a two-project release where only shop-api regresses fails naming shop-api, with 1 session request per poll', async () => {
    const { run, tracker } = await runGate('two-projects', {}, { projects: ['shop-web', 'shop-api'] });
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.outputs.reason).toContain('shop-api');
    expect(run.outputs.reason).not.toContain('shop-web');
    // It fails before the window ends: no poll needed a second request.
    const byPoll = sessionRequestsByPoll(tracker);
    expect(byPoll.length).toBeGreaterThan(0);
    expect(byPoll.every((n) => n === 1)).toBe(true);
  });
});
