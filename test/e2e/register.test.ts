import { afterEach, describe, expect, it } from 'vitest';
import { type LocalTracker, startLocalTracker } from '../../src/local-tracker';
import { runAction } from '../helpers/action';
import { type GitHubStub, startGitHubStub } from '../helpers/github-stub';

const SENTRY_TOKEN = 'sntryu_e2e_secret_token_0123456789';
const GITHUB_TOKEN = 'ghs_e2e_github_token_abcdef';
const PREVIOUS_SHA = '9b07d3e4c1f2a3b4c5d6e7f8091a2b3c4d5e6f70';
const HEAD_SHA = 'f00dfacecafebeef0000000000000000000000aa';

const commits = [
  { sha: 'aaaa000000000000000000000000000000000001', message: 'Fix checkout total\n\nlong body' },
  { sha: 'aaaa000000000000000000000000000000000002', message: 'Add coupon field' },
  { sha: HEAD_SHA, message: 'Bump version' },
];

let tracker: LocalTracker;
let github: GitHubStub;
afterEach(async () => {
  await tracker?.close();
  await github?.close();
});

async function start(repos: string[]) {
  tracker = await startLocalTracker({ scenario: 'healthy', token: SENTRY_TOKEN, projects: ['shop-web', 'shop-api'], repos });
  github = await startGitHubStub({ token: GITHUB_TOKEN, repository: 'acme/shop', commits: [{ sha: PREVIOUS_SHA, message: 'Previous release' }, ...commits] });
}

const inputs = () => ({
  'sentry-url': tracker.url,
  'sentry-org': 'acme',
  'sentry-projects': 'shop-web, shop-api',
  release: 'shop@2.0.0',
  gate: 'false',
  'github-token': GITHUB_TOKEN,
});

describe('release registration (gate: false), bundled action against the local tracker', () => {
  it('creates the release for all projects, lists exactly the commits since the previous release, records the deploy, finalizes; a re-run changes nothing', async () => {
    await start([]);
    const env = { SENTRY_AUTH_TOKEN: SENTRY_TOKEN, GITHUB_API_URL: github.url };
    const first = await runAction({ inputs: inputs(), env });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.outputs.verdict).toBe('skipped');
    expect(first.outputs.release).toBe('shop@2.0.0');
    expect(first.outputs['previous-release']).toBe('shop-web@1.4.0');
    expect(first.outputs['release-url']).toBe(`${tracker.url}/organizations/acme/releases/shop%402.0.0/?project=${tracker.projectId('shop-web')}`);

    const release = tracker.state.releases.get('shop@2.0.0');
    expect(release?.projectIds.sort()).toEqual([tracker.projectId('shop-web'), tracker.projectId('shop-api')].sort());
    // Not connected in Sentry: set-commits auto falls back to the GitHub compare API from the previous release's last commit.
    expect(release?.commits.map((c) => c.id)).toEqual([...commits].reverse().map((c) => c.sha));
    expect(github.requests.some((r) => r.path === `/repos/acme/shop/compare/${PREVIOUS_SHA}...${HEAD_SHA}`)).toBe(true);
    expect(release?.deploys).toHaveLength(1);
    expect(release?.deploys[0]?.environment).toBe('production');
    expect(release?.deploys[0]?.url).toBe('https://github.example/acme/shop/actions/runs/4242/attempts/1');
    expect(release?.dateReleased).toBeTruthy();

    const posts = () => tracker.requests.filter((r) => r.method === 'POST').map((r) => `${r.status} ${r.path}`);
    expect(posts()).toEqual(['201 /api/0/organizations/acme/releases/', '201 /api/0/organizations/acme/releases/shop%402.0.0/deploys/']);

    const again = await runAction({ inputs: inputs(), env: { ...env, GITHUB_RUN_ATTEMPT: '2' } });
    expect(again.code, again.stdout).toBe(0);
    expect(tracker.state.releases.size).toBe(2);
    expect(tracker.state.releases.get('shop@2.0.0')?.deploys).toHaveLength(1);
    expect(posts()).toEqual([
      '201 /api/0/organizations/acme/releases/',
      '201 /api/0/organizations/acme/releases/shop%402.0.0/deploys/',
      '208 /api/0/organizations/acme/releases/',
    ]);
    expect(first.masked).toEqual([SENTRY_TOKEN, GITHUB_TOKEN]);
    expect(first.everything + again.everything).not.toContain(SENTRY_TOKEN);
    expect(first.everything + again.everything).not.toContain(GITHUB_TOKEN);
  });

  it('sends refs when the repository is connected to Sentry', async () => {
    await start(['acme/shop']);
    const run = await runAction({ inputs: inputs(), env: { SENTRY_AUTH_TOKEN: SENTRY_TOKEN, GITHUB_API_URL: github.url } });
    expect(run.code, run.stdout).toBe(0);
    expect(tracker.state.releases.get('shop@2.0.0')?.refs).toEqual([{ repository: 'acme/shop', commit: HEAD_SHA, previousCommit: PREVIOUS_SHA }]);
    expect(github.requests.filter((r) => r.path.includes('/compare/'))).toHaveLength(0);
  });

  it('a wrong token fails with one clear line, is not retried, and is never shown', async () => {
    await start([]);
    const wrong = 'sntryu_wrong_token_value_987654321';
    const run = await runAction({ inputs: inputs(), env: { SENTRY_AUTH_TOKEN: wrong, GITHUB_API_URL: github.url } });
    expect(run.code).toBe(1);
    const errors = run.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(
      /^Sentry rejected the auth token while creating release shop@2\.0\.0 \(HTTP 401\).*project:releases, org:read and event:read/,
    );
    expect(errors[0]?.message).not.toContain('\n');
    expect(tracker.requests.filter((r) => r.status === 401)).toHaveLength(1);
    expect(run.everything).not.toContain(wrong);
    expect(run.stdout + run.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  it('when GitHub cannot list the commits, the deploy is still recorded and the release finalized, with a warning', async () => {
    await start([]);
    const run = await runAction({
      inputs: { ...inputs(), 'set-commits': 'github' },
      env: { SENTRY_AUTH_TOKEN: SENTRY_TOKEN, GITHUB_API_URL: 'http://127.0.0.1:9' },
    });
    expect(run.code, run.stdout).toBe(0);
    const release = tracker.state.releases.get('shop@2.0.0');
    expect(release?.deploys).toHaveLength(1);
    expect(release?.dateReleased).toBeTruthy();
    expect(run.annotations.some((a) => a.level === 'warning' && /No commits associated/.test(a.message))).toBe(true);
  });

  it('a project Sentry does not know, found only while watching, fails loudly at the first poll and is not a health verdict', async () => {
    await start([]);
    const run = await runAction({
      inputs: {
        ...inputs(),
        register: 'false',
        gate: 'true',
        release: 'shop-web@1.4.0',
        'sentry-projects': 'shop-wbe',
        window: '20s',
        interval: '2s',
        'initial-delay': '1s',
      },
      env: { SENTRY_AUTH_TOKEN: SENTRY_TOKEN, GITHUB_API_URL: github.url },
    });
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBeUndefined();
    expect(run.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([expect.stringContaining('shop-wbe')]);
    expect(run.durationMs).toBeLessThan(10_000);
  });
});
