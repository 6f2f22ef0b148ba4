import { afterEach, describe, expect, it } from 'vitest';
import { type LocalTracker, startLocalTracker } from '../../src/local-tracker';
import { MIN, call, manualClock } from './client';

const VERSION = 'shop-web@2.0.0';
const T0 = Date.parse('2026-06-03T02:00:00Z');
const open: LocalTracker[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

async function deployed(scenario: string) {
  const clock = manualClock(T0);
  const t = await startLocalTracker({ scenario, clock: clock.now });
  open.push(t);
  await call(t, 'POST', 'releases/', { body: { version: VERSION, projects: ['shop-web'] } });
  await call(t, 'POST', `releases/${encodeURIComponent(VERSION)}/deploys/`, { body: { environment: 'production' } });
  return { t, clock };
}

const newIssues = (t: LocalTracker, extra: Record<string, string | number | number[]> = {}) =>
  call(t, 'GET', 'issues/', { query: { query: `firstRelease:"${VERSION}"`, environment: 'production', project: [t.projectId('shop-web')], ...extra } });

describe('local tracker: issues', () => {
  it('shows issues first seen in the release once ingested, ramping to 12 users', async () => {
    const { t, clock } = await deployed('new-issue');
    clock.advance(1 * MIN);
    expect((await newIssues(t)).body).toEqual([]);

    clock.advance(3 * MIN);
    const early = (await newIssues(t, { sort: 'user' })).body;
    expect(early.length).toBeGreaterThan(0);
    expect(early[0].userCount).toBeLessThan(12);

    clock.advance(10 * MIN);
    const res = await newIssues(t, { sort: 'user', limit: 25 });
    const [big, hostile] = res.body;
    expect(big).toMatchObject({ userCount: 12, count: '31', culprit: 'app/cart/summary.tsx in CartSummary', project: { slug: 'shop-web' } });
    expect(typeof big.count).toBe('string');
    expect(big.permalink).toBe(`${t.url}/organizations/acme/issues/${big.id}/`);
    expect(big.firstSeen).toBe('2026-06-03T02:02:00.000Z');
    expect(hostile.title).toContain('<script>alert(1)</script>');
    expect(res.body).toHaveLength(2); // the previous release's issue is not "first seen" here

    // The unquoted form and the older release's own issues.
    expect((await call(t, 'GET', 'issues/', { query: { query: `firstRelease:${VERSION}` } })).body).toHaveLength(2);
    const old = await call(t, 'GET', 'issues/', { query: { query: 'firstRelease:shop-web@1.4.0 is:unresolved' } });
    expect(old.body.map((i: { title: string }) => i.title)).toEqual(['ChunkLoadError: Loading chunk 42 failed.']);
    // An environment the org has never seen is a 404 in Sentry (get_environments), not an empty list.
    expect((await newIssues(t, { environment: 'staging' })).status).toBe(404);
  });

  it('paginates with a Link header and cursor, like Sentry', async () => {
    const { t, clock } = await deployed('new-issue');
    clock.advance(20 * MIN);
    const first = await newIssues(t, { limit: 1, sort: 'user' });
    expect(first.body).toHaveLength(1);
    const link = first.headers.get('link')!;
    expect(link).toMatch(/rel="previous"; results="false"/);
    const next = /<([^>]+)>; rel="next"; results="true"; cursor="([^"]+)"/.exec(link);
    expect(next).not.toBeNull();
    const second = await newIssues(t, { limit: 1, sort: 'user', cursor: next![2]! } as never);
    expect(second.body).toHaveLength(1);
    expect(second.body[0].id).not.toBe(first.body[0].id);
    expect(second.headers.get('link')).toMatch(/rel="next"; results="false"/);
    // Following the URL in the header as-is works too.
    const followed = await fetch(next![1]!, { headers: { Authorization: `Bearer ${t.token}` } });
    expect(((await followed.json()) as { id: string }[])[0]!.id).toBe(second.body[0].id);
  });

  it('counts new issues on the release (newGroups)', async () => {
    const { t, clock } = await deployed('new-issue-small');
    clock.advance(10 * MIN);
    const [issue] = (await newIssues(t)).body;
    expect(issue.userCount).toBe(3);
    const rel = await call(t, 'GET', `releases/${encodeURIComponent(VERSION)}/`);
    expect(rel.body.newGroups).toBe(1);
  });
});
