/**
 * The JSON report is read by other programs (dashboards, bots), so server text reaches it only
 * checked: an issue's first sighting is reprinted as ISO 8601 UTC, and its permalink is passed on
 * only when it is a plain http(s) URL, as the summary and the log already do.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { runGate } from '../helpers/gate';

it('reprints firstSeen and drops unsafe permalinks from a hostile issues answer', async () => {
  // A sighting inside the window, written with an offset: valid ISO, but not the report's form.
  const seenAt = Math.ceil((Date.now() + 30_000) / 1000) * 1000;
  const withOffset = `${new Date(seenAt + 5 * 3_600_000).toISOString().slice(0, 19)}+05:00`;
  const issue = (id: string, permalink: string) => ({
    id,
    shortId: `SHOP-WEB-${id}`,
    title: 'TypeError: x is undefined',
    culprit: 'app/cart',
    permalink,
    firstSeen: withOffset,
    count: '3',
    userCount: 1,
    project: { slug: 'shop-web' },
  });
  const body = JSON.stringify([
    issue('1', 'javascript:alert(document.domain)//https://sentry.io/'),
    issue('2', 'https://sentry.io@evil.example/issues/2/'),
    issue('3', 'https://sentry.example/issues/3/'),
  ]);
  const { run } = await runGate(
    'healthy',
    { 'max-new-issue-users': '50' },
    { before: (t) => t.faults.add({ path: '/issues/', status: 200, body, times: Infinity }) },
  );
  expect(run.code, run.stdout).toBe(0);
  const report = JSON.parse(readFileSync(run.outputs['report-path']!, 'utf8')) as {
    newIssues: { id: string; permalink: string | null; firstSeen: string | null }[];
  };
  expect(report.newIssues.map((i) => [i.id, i.permalink, i.firstSeen])).toEqual([
    ['1', null, new Date(seenAt).toISOString()],
    ['2', null, new Date(seenAt).toISOString()],
    ['3', 'https://sentry.example/issues/3/', new Date(seenAt).toISOString()],
  ]);
}, 60_000);
