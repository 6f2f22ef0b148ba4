import { afterAll, describe, expect, it } from 'vitest';
import { startGitHubStub } from '../helpers/github-stub';
import { printTable, record } from './faults';
import { GITHUB_TOKEN, gate, isSessions } from './harness';

/**
 * Choice: a cancelled watch exits 1 with a warning (not an error), verdict
 * inconclusive, reason "cancelled…", and no rollback. GitHub shows the step as
 * cancelled whatever the exit code; non-zero keeps anything that reads only the
 * exit status (other CI systems, wrappers) from taking an unfinished watch for
 * a pass, and the missing error annotation and the verdict keep it from
 * looking like a health failure.
 */
const EXIT_WITHIN_MS = 2_000;
/**
 * Early SIGINTs come 3 s after the spawn: a signal that arrives while node is
 * still loading the bundle (slow on a loaded machine) kills it before the
 * handler exists, which tests nothing of ours.
 */
const EARLY_MS = 3_000;

afterAll(() => printTable('Cancellation (RELIABILITY_TABLE=1)'));

const rollback = async () => {
  const stub = await startGitHubStub({
    token: GITHUB_TOKEN,
    workflows: ['rollback.yml'],
    workflowInputs: { 'rollback.yml': ['release', 'previous-release', 'environment', 'reason'] },
  });
  return {
    stub,
    inputs: { 'rollback-workflow': 'rollback.yml', 'github-token': GITHUB_TOKEN },
    env: { GITHUB_API_URL: stub.url },
  };
};

describe.concurrent('cancellation: SIGINT from the runner', () => {
  it('mid-window: polling stops at once, the summary has what was seen, inconclusive "cancelled", exit 1 within 2 s', async () => {
    const sigintAfterMs = 4_000;
    const started = Date.now();
    const g = await gate('healthy', { inputs: { window: '12s' }, sigintAfterMs });
    record('SIGINT at 4 s of a 12 s window', 'healthy', g);
    const { run, tracker, report } = g;
    const sigintAt = started + sigintAfterMs;
    expect(run.durationMs - sigintAfterMs).toBeLessThan(EXIT_WITHIN_MS);
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('inconclusive');
    expect(run.outputs.reason).toMatch(/cancelled/);
    // what was seen so far: the polls before the cancel, with their numbers
    expect(report!.polls.length).toBeGreaterThanOrEqual(1);
    expect(Number(run.outputs.sessions)).toBeGreaterThan(0);
    expect(run.summary).toMatch(/Inconclusive/);
    expect(run.summary).toMatch(/cancelled/);
    // no poll after the signal (allowing for the spawn time before the timer started)
    expect(tracker.requests.filter((r) => isSessions(r) && r.receivedAt > sigintAt + 300)).toEqual([]);
    expect(run.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(run.annotations.some((a) => a.level === 'warning' && /cancelled/.test(a.message))).toBe(true);
  });

  it('before a crashing release is decided: no rollback is dispatched', async () => {
    const gh = await rollback();
    try {
      const g = await gate('crash-spike', { inputs: { ...gh.inputs, window: '12s', 'initial-delay': '6s' }, env: gh.env, sigintAfterMs: EARLY_MS });
      record('SIGINT before the first poll', 'crash-spike', g);
      const { run, report } = g;
      expect(run.durationMs - EARLY_MS).toBeLessThan(EXIT_WITHIN_MS);
      expect(run.code).toBe(1);
      expect(run.outputs.verdict).toBe('inconclusive');
      expect(run.outputs.healthy).toBe('true');
      expect(report!.action).toEqual({ kind: 'none', why: 'cancelled' });
      expect(gh.stub.requests.filter((r) => r.method === 'POST')).toEqual([]);
      expect(run.annotations.filter((a) => a.level === 'error')).toEqual([]);
    } finally {
      await gh.stub.close();
    }
  });

  it('during registration retries against a down tracker: stops waiting, still writes the summary', async () => {
    const g = await gate('outage', { sigintAfterMs: EARLY_MS });
    record('SIGINT during registration retries', 'outage', g);
    const { run } = g;
    expect(run.durationMs - EARLY_MS).toBeLessThan(EXIT_WITHIN_MS);
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('inconclusive');
    expect(run.outputs.reason).toMatch(/cancelled/);
    expect(run.summary).toMatch(/cancelled/);
  });

  it('while a request hangs: the request is abandoned and the job exits', async () => {
    const g = await gate('healthy', { sigintAfterMs: EARLY_MS, before: (t) => t.faults.add({ hang: true, times: Infinity }) });
    record('SIGINT while every request hangs', 'healthy', g);
    const { run } = g;
    expect(run.durationMs - EARLY_MS).toBeLessThan(EXIT_WITHIN_MS);
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('inconclusive');
  });
});
