import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load';
import type { InputName } from '../../src/config/schema';
import { createHttpClient } from '../../src/http/client';
import { simClock, startLocalTracker } from '../../src/local-tracker';
import type { Clock } from '../../src/pipeline/clock';
import { silentLog } from '../../src/pipeline/log';
import { fakeClock } from './fake-clock';
import { type GitHubPort, runPipeline } from '../../src/pipeline/run';
import { createSentryTracker } from '../../src/sources/sentry/adapter';
import { apiBase } from '../../src/sources/sentry/urls';
import type { CommitInput } from '../../src/sources/sentry/types';

const TOKEN = 'sntryu_pipeline_test_token_0123456789';
const HEAD = 'f00dfacecafebeef0000000000000000000000aa';
/** The last commit of the release the local tracker seeds before the watched one. */
const PREVIOUS_LAST_COMMIT = '9b07d3e4c1f2a3b4c5d6e7f8091a2b3c4d5e6f70';
const COMMITS: CommitInput[] = [
  { id: HEAD, repository: 'acme/shop', message: 'Bump version\n\nwith a body', author_name: 'Dana' },
  { id: 'aaaa000000000000000000000000000000000001', repository: 'acme/shop', message: 'Fix checkout total' },
];

function fakeGitHub(): GitHubPort & { listCommits: ReturnType<typeof vi.fn>; dispatchRollback: ReturnType<typeof vi.fn> } {
  return {
    pushBefore: null,
    listCommits: vi.fn(async () => COMMITS),
    dispatchRollback: vi.fn(async () => ({ workflow: 'rollback.yml', ref: 'main' })),
  };
}

/**
 * register → watch → act in-process against the local tracker, tracker and
 * pipeline sharing one simulated clock (600x: the 10-minute window takes 1 s).
 */
async function pipeline(
  scenario: string,
  inputs: Partial<Record<InputName, string>> = {},
  before?: (t: Awaited<ReturnType<typeof startLocalTracker>>) => void,
  clock: Clock = simClock({ timeScale: 600 }),
) {
  // No repository connected in Sentry: set-commits auto lists commits through GitHub.
  const tracker = await startLocalTracker({ scenario, token: TOKEN, clock: clock.now, repos: [] });
  before?.(tracker);
  const http = createHttpClient({ baseUrl: apiBase(tracker.url), token: TOKEN, userAgent: 'release-health-gate-test', retries: 0 });
  const github = fakeGitHub();
  const raw: Partial<Record<InputName, string>> = {
    'sentry-url': tracker.url,
    'sentry-auth-token': TOKEN,
    'sentry-org': 'acme',
    'sentry-projects': 'shop-web',
    release: 'shop-web@2.0.0',
    window: '10m',
    interval: '1m',
    'initial-delay': '1m',
    // These tests count polls from minute 1; test/pipeline/settle.test.ts covers the settle time.
    settle: '0s',
    'rollback-workflow': 'rollback.yml',
    ...inputs,
  };
  const config = loadConfig((name) => raw[name], {
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SHA: HEAD,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
  });
  try {
    const tracked = createSentryTracker({ http, sentryUrl: tracker.url, org: 'acme', projects: ['shop-web'] });
    const result = await runPipeline(config, { tracker: tracked, github, clock, log: silentLog });
    return { result, github, tracker };
  } finally {
    await http.close();
    await tracker.close();
  }
}

describe.concurrent('runPipeline against the local tracker on a shared simulated clock', () => {
  it('fail: registers with the commits since the previous release, dispatches the rollback once with its 4 inputs', async () => {
    const { result, github, tracker } = await pipeline('crash-spike');
    const report = result.report!;
    expect(report.verdict.outcome).toBe('fail');

    expect(github.listCommits).toHaveBeenCalledTimes(1);
    expect(github.listCommits).toHaveBeenCalledWith(PREVIOUS_LAST_COMMIT, HEAD);
    const release = tracker.state.releases.get('shop-web@2.0.0');
    expect(release?.commits.map((c) => c.id)).toEqual(COMMITS.map((c) => c.id));
    expect(release?.deploys).toHaveLength(1);
    expect(release?.deploys[0]?.url).toBe('https://github.example/acme/shop/actions/runs/4242/attempts/1');
    expect(release?.dateReleased).toBeTruthy();
    expect(report.registration).toEqual({ created: true, commitMode: 'commits', commitCount: 2, deployCreated: true, finalized: true });
    expect(report.commits).toEqual([
      { id: HEAD, message: 'Bump version', author: 'Dana' },
      { id: 'aaaa000000000000000000000000000000000001', message: 'Fix checkout total' },
    ]);
    // the window starts at the recorded deploy
    expect(report.deployFinishedAt).toBe(Date.parse(release?.deploys[0]?.dateFinished as string));

    expect(github.dispatchRollback).toHaveBeenCalledTimes(1);
    expect(github.dispatchRollback).toHaveBeenCalledWith({
      release: 'shop-web@2.0.0',
      'previous-release': 'shop-web@1.4.0',
      environment: 'production',
      reason: report.verdict.reason,
    });
    expect(report.action).toEqual({ kind: 'dispatched', workflow: 'rollback.yml', ref: 'main', previousRelease: 'shop-web@1.4.0' });
    expect(result.previousRelease?.version).toBe('shop-web@1.4.0');
    // a crash spike fails within the first polls, long before the window ends
    expect(report.polls.length).toBeLessThanOrEqual(3);
  });

  it('pass: the whole window is watched, nothing is dispatched', async () => {
    const { result, github } = await pipeline('healthy');
    const report = result.report!;
    expect(report.verdict.outcome).toBe('pass');
    expect(github.dispatchRollback).not.toHaveBeenCalled();
    expect(report.action).toEqual({ kind: 'none', why: 'verdict pass' });
    // polls at 1..10 simulated minutes after the deploy (the simulated clock keeps running during requests)
    const minutes = report.polls.map((p) => (p.at - report.deployFinishedAt) / 60_000);
    expect(minutes.length).toBeGreaterThanOrEqual(5);
    expect(minutes[0]).toBeGreaterThanOrEqual(1);
    expect(minutes.at(-1)).toBeGreaterThanOrEqual(10);
    expect(report.polls.at(-1)?.sample?.sessions).toBeGreaterThan(1000);
  });

  it('dry run: reports the fail, and only says what it would dispatch', async () => {
    const { result, github } = await pipeline('crash-spike', { 'dry-run': 'true' });
    expect(result.report?.verdict.outcome).toBe('fail');
    expect(github.dispatchRollback).not.toHaveBeenCalled();
    expect(result.report?.action).toEqual({ kind: 'would-dispatch', workflow: 'rollback.yml', ref: 'the default branch', previousRelease: 'shop-web@1.4.0' });
  });

  it('inconclusive: too little traffic dispatches nothing', async () => {
    const { result, github } = await pipeline('low-traffic');
    expect(result.report?.verdict.outcome).toBe('inconclusive');
    expect(result.report?.verdict.reason).toMatch(/only 2 sessions, fewer than the 100 needed/);
    expect(github.dispatchRollback).not.toHaveBeenCalled();
    expect(result.report?.action).toEqual({ kind: 'none', why: 'verdict inconclusive' });
  });

  it('gate: false registers only: no report, no health requests', async () => {
    const { result, github, tracker } = await pipeline('crash-spike', { gate: 'false' });
    expect(result.report).toBeNull();
    expect(result.registration?.commitMode).toBe('commits');
    expect(github.dispatchRollback).not.toHaveBeenCalled();
    expect(tracker.requests.filter((r) => r.path.endsWith('/sessions/'))).toEqual([]);
  });
});

describe('runPipeline when the tracker half-fails', () => {
  it('a new-issues query that keeps failing does not throw away the health samples: a crashing release still fails on crash-free users', async () => {
    // Virtual time: on the 600x clock a busy machine let simulated minutes pass during a request, so the
    // crash spike could be judged on other minutes than intended (it failed under load, passed alone).
    const { result } = await pipeline(
      'crash-spike',
      { 'max-new-issue-users': '5' },
      (t) => t.faults.add({ path: '/issues/', status: 500, times: Infinity }),
      fakeClock(Date.now()),
    );
    const report = result.report!;
    expect(report.verdict.outcome).toBe('fail');
    expect(report.verdict.check).toBe('crash-free-users');
    expect(report.polls.every((p) => p.sample !== null)).toBe(true);
  });
});

// Not concurrent: it runs its whole window at once on virtual time, and the burst of
// CPU would shift the polls of the simulated-clock tests above by simulated minutes.
describe('runPipeline on virtual time: the second half of the window', () => {
  it('a release that turns bad mid-window fails at the last poll on the second half, which the counts since the deploy would pass', async () => {
    // slow-burn: healthy for 8 minutes, then 5% of sessions crash; a 14-minute window sees 6 bad minutes
    // Virtual time (requests take none of it), so the polls land on the same minutes however busy the machine is.
    const { result, github, tracker } = await pipeline('slow-burn', { window: '14m' }, undefined, fakeClock(Date.now()));
    const report = result.report!;
    expect(report.verdict.outcome).toBe('fail');
    expect(report.verdict.decidedAt - report.deployFinishedAt).toBeGreaterThanOrEqual(14 * 60_000);
    const ev = report.verdict.evaluations[0]!;
    // the test since the deploy alone would have passed it
    expect(ev.finalP).toBeGreaterThan(ev.finalAlpha!);
    expect(ev.recent!.p).toBeLessThanOrEqual(ev.recent!.alpha);
    expect(report.verdict.reason).toMatch(
      /^crash-free users over the last (7|8) min [\d.]+% \([\d,]+ users, \d+ crashed\) is below the 97% limit \(end-of-window test of the window's second half p = [\d.e-]+ ≤ 0\.019\); since the deploy: /,
    );
    // The users of the second half were counted over it: the one sessions query that does not start before the deploy.
    const spans = tracker.requests.filter((r) => r.path.endsWith('/sessions/') && Date.parse(String(r.query.start)) > report.deployFinishedAt);
    expect(spans).toHaveLength(1);
    expect(ev.recent!.n).toBeLessThan(ev.n);
    expect(github.dispatchRollback).toHaveBeenCalledTimes(1);
  });
});
