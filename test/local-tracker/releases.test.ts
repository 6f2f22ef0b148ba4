import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalTracker, startLocalTracker } from '../../src/local-tracker';
import { queryObject, validateRequest, validateResponse } from '../helpers/openapi';
import { MIN, call, manualClock } from './client';

describe('local tracker: releases, deploys, repos, projects', () => {
  const clock = manualClock();
  let t: LocalTracker;
  beforeAll(async () => {
    t = await startLocalTracker({ scenario: 'two-projects', clock: clock.now });
  });
  afterAll(() => t.close());

  const version = 'shop-web@2.0.0+build.7';

  it('creates a release (201), answers 208 on re-create, and 201 again when a project is added', async () => {
    const first = await call(t, 'POST', 'releases/', { body: { version, projects: ['shop-web'] } });
    expect(first.status).toBe(201);
    expect(first.body.version).toBe(version);
    expect(first.body.projects.map((p: { slug: string }) => p.slug)).toEqual(['shop-web']);
    expect(first.body.dateCreated).toBe('2026-06-03T02:00:00.000Z');

    const again = await call(t, 'POST', 'releases/', { body: { version, projects: ['shop-web'], dateReleased: '2026-06-03T03:00:00Z' } });
    expect(again.status).toBe(208);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.dateReleased).toBeNull(); // an existing release keeps its dateReleased

    const added = await call(t, 'POST', 'releases/', { body: { version, projects: ['shop-web', 'shop-api'] } });
    expect(added.status).toBe(201);
    expect(added.body.projects).toHaveLength(2);
  });

  it('rejects unknown projects (400) and versions with a slash (400)', async () => {
    const bad = await call(t, 'POST', 'releases/', { body: { version: 'x@1', projects: ['nope'] } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ projects: ['Invalid project ids or slugs'] });
    const slash = await call(t, 'POST', 'releases/', { body: { version: 'a/b', projects: ['shop-web'] } });
    expect(slash.status).toBe(400);
    expect(Object.keys(slash.body)).toEqual(['version']);
  });

  it('gets and updates a release by URL-encoded version', async () => {
    const path = `releases/${encodeURIComponent(version)}/`;
    expect(path).toContain('%40');
    const got = await call(t, 'GET', path);
    expect(got.status).toBe(200);
    expect(got.body.versionInfo.package).toBe('shop-web');

    const refs = await call(t, 'PUT', path, { body: { refs: [{ repository: 'acme/shop', commit: 'a'.repeat(40), previousCommit: 'b'.repeat(40) }] } });
    expect(refs.status).toBe(200);
    expect(refs.body.lastCommit.id).toBe('a'.repeat(40));
    expect(t.state.releases.get(version)!.refs).toHaveLength(1);

    const commits = await call(t, 'PUT', path, {
      body: {
        commits: [
          {
            id: 'c'.repeat(40),
            repository: 'acme/shop',
            message: 'fix cart',
            author_name: 'Ann',
            author_email: 'ann@example.com',
            timestamp: '2026-06-03T01:00:00Z',
          },
        ],
      },
    });
    expect(commits.body.commitCount).toBe(1);
    expect(commits.body.lastCommit.message).toBe('fix cart');

    const fin = await call(t, 'PUT', path, { body: { dateReleased: '2026-06-03T02:05:00Z' } });
    expect(fin.body.dateReleased).toBe('2026-06-03T02:05:00.000Z');

    const badRepo = await call(t, 'PUT', path, { body: { refs: [{ repository: 'acme/other', commit: 'd'.repeat(40) }] } });
    expect(badRepo.status).toBe(400);
    expect(badRepo.body).toEqual({ refs: ['Invalid repository names: acme/other'] });

    const missing = await call(t, 'GET', 'releases/nope%401/');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ detail: 'The requested resource does not exist' });
  });

  it('records deploys and shows the latest as lastDeploy in the list', async () => {
    const path = `releases/${encodeURIComponent(version)}/deploys/`;
    clock.advance(2 * MIN);
    const d = await call(t, 'POST', path, {
      body: {
        environment: 'production',
        name: 'deploy 7',
        url: 'https://ci.example/run/7',
        dateStarted: '2026-06-03T02:01:00Z',
        dateFinished: '2026-06-03T02:02:00Z',
        projects: ['shop-web'],
      },
    });
    expect(d.status).toBe(201);
    expect(d.body).toMatchObject({ environment: 'production', dateFinished: '2026-06-03T02:02:00.000Z', name: 'deploy 7' });
    const noName = await call(t, 'POST', path, { body: { environment: 'staging' } });
    expect(noName.body.dateFinished).toBe('2026-06-03T02:02:00.000Z'); // defaults to now
    // The schema requires environment: the validator must say so, and the server answers 400.
    expect(validateRequest('POST', `/api/0/organizations/acme/${path}`, {}, { name: 'x' })).toEqual([
      'body must have required property \'environment\' {"missingProperty":"environment"}',
    ]);
    expect((await call(t, 'POST', path, { body: { name: 'x' }, validate: false })).status).toBe(400);

    const listed = await call(t, 'GET', path);
    expect(listed.body.map((x: { environment: string }) => x.environment)).toEqual(['staging', 'production']);

    const list = await call(t, 'GET', 'releases/', { query: { project: t.projectId('shop-web'), environment: 'production', per_page: 10, sort: 'date' } });
    expect(list.status).toBe(200);
    expect(list.body.map((r: { version: string }) => r.version)).toEqual([version, 'shop-web@1.4.0']);
    expect(list.body[0].lastDeploy.environment).toBe('staging');
    expect(list.body[1].lastDeploy).toMatchObject({ environment: 'production', name: null });
    expect(list.headers.get('link')).toContain('rel="next"; results="false"');

    const page = await call(t, 'GET', 'releases/', { query: { per_page: 1 } });
    expect(page.body).toHaveLength(1);
    const next = /<([^>]+)>; rel="next"; results="true"; cursor="([^"]+)"/.exec(page.headers.get('link')!);
    expect(next).not.toBeNull();
    const second = await call(t, 'GET', 'releases/', { query: { per_page: 1, cursor: next![2]! } });
    expect(second.body[0].version).toBe('shop-web@1.4.0');

    expect((await call(t, 'GET', 'releases/', { query: { query: 'SHOP-WEB@1.4' } })).body).toHaveLength(1);
    expect((await call(t, 'GET', 'releases/', { query: { environment: 'staging-eu' } })).status).toBe(404);
    // staging is known once a deploy went there; the seeded previous release was never deployed to it.
    const staging = await call(t, 'GET', 'releases/', { query: { environment: 'staging' } });
    expect(staging.body.map((r: { version: string }) => r.version)).toEqual([version]);
    const crashSort = await call(t, 'GET', 'releases/', { query: { sort: 'crash_free_users' } });
    expect(crashSort.status).toBe(400);
  });

  it('serves repos and projects (ids map slugs for the sessions endpoint)', async () => {
    const repos = await call(t, 'GET', 'repos/');
    expect(repos.body.map((r: { name: string }) => r.name)).toEqual(['acme/shop']);
    const projects = await call(t, 'GET', 'projects/');
    expect(projects.body.map((p: { id: string; slug: string }) => [p.id, p.slug])).toEqual([
      ['1001', 'shop-web'],
      ['1002', 'shop-api'],
    ]);
  });

  it('answers 401 on a wrong or missing token, 404 on an unknown org, and logs without the token', async () => {
    const wrong = await call(t, 'GET', 'repos/', { token: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ detail: 'Invalid token' });
    const missing = await call(t, 'GET', 'repos/', { token: null });
    expect(missing.status).toBe(401);

    const res = await fetch(`${t.url}/api/0/organizations/globex/repos/`, { headers: { Authorization: `Bearer ${t.token}` } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: 'The requested resource does not exist' });

    const logged = JSON.stringify(t.requests);
    expect(logged).not.toContain(t.token);
    const last = t.requests.at(-1)!;
    expect(last).toMatchObject({ method: 'GET', path: '/api/0/organizations/globex/repos/', status: 404 });
    expect(last.headers.authorization).toBe('[redacted]');
    const post = t.requests.find((r) => r.method === 'POST')!;
    expect(post.body).toEqual({ version, projects: ['shop-web'] });
  });
});

describe('local tracker: what sentry-cli sends beyond the action', () => {
  const clock = manualClock();
  let t: LocalTracker;
  beforeAll(async () => {
    t = await startLocalTracker({ scenario: 'healthy', clock: clock.now });
  });
  afterAll(() => t.close());

  /** A request outside `call`'s organization prefix (or without a JSON answer), checked against the schema where it has the path. */
  async function raw(method: string, path: string, opts: { token?: string | null; inSchema?: boolean } = {}) {
    const url = new URL(`${t.url}${path}`);
    const inSchema = opts.inSchema ?? true;
    if (inSchema) expect(validateRequest(method, url.pathname, queryObject(url.searchParams))).toEqual([]);
    const token = opts.token === undefined ? t.token : opts.token;
    const res = await fetch(url, { method, headers: token === null ? {} : { Authorization: `Bearer ${token}` } });
    const text = await res.text();
    const body = text ? JSON.parse(text) : undefined;
    if (inSchema && res.status < 300) expect(validateResponse(method, url.pathname, res.status, body)).toEqual([]);
    return { status: res.status, body, headers: res.headers };
  }

  it('an empty cursor is the first page, as Sentry takes it; a malformed one is still a 400', async () => {
    const first = await call(t, 'GET', 'repos/', { query: { cursor: '' } });
    expect(first.status).toBe(200);
    expect(first.body.map((r: { name: string }) => r.name)).toEqual(['acme/shop']);
    expect((await call(t, 'GET', 'releases/', { query: { cursor: '' } })).status).toBe(200);
    expect((await call(t, 'GET', 'repos/', { query: { cursor: 'nope' } })).status).toBe(400);
  });

  it('the index endpoint says which scopes a token has, and answers without one', async () => {
    expect(await raw('GET', '/api/0/', { inSchema: false })).toMatchObject({
      status: 200,
      body: { version: '0', auth: { scopes: ['org:read', 'project:releases', 'event:read'] }, user: null },
    });
    expect(await raw('GET', '/api/0/', { token: null, inSchema: false })).toMatchObject({ status: 200, body: { version: '0', auth: null, user: null } });
    expect((await raw('GET', '/api/0/', { token: 'nope', inSchema: false })).status).toBe(401);
    // An organization auth token has the one scope org:ci.
    const orgToken = await startLocalTracker({ scenario: 'healthy', token: 'sntrys_org_token' });
    try {
      const res = await fetch(`${orgToken.url}/api/0/`, { headers: { Authorization: 'Bearer sntrys_org_token' } });
      expect(await res.json()).toEqual({ version: '0', auth: { scopes: ['org:ci'] }, user: null });
    } finally {
      await orgToken.close();
    }
  });

  it('dates in any precision Django parses (nanoseconds, offsets, a space) are stored as ISO UTC; others are a 400', async () => {
    const made = await call(t, 'POST', 'releases/', {
      body: { version: 'dates@1', projects: ['shop-web'], dateStarted: '2026-06-03T02:00:00.123456789Z', dateReleased: '2026-06-03T04:00:00.987654321+02:00' },
    });
    expect(made.status).toBe(201);
    expect(made.body.dateReleased).toBe('2026-06-03T02:00:00.987Z');
    // Not RFC 3339, so outside the published schema, but Django parses it.
    const put = await call(t, 'PUT', 'releases/dates@1/', { body: { dateReleased: '2026-06-03 02:05' }, validate: false });
    expect(put.body.dateReleased).toBe('2026-06-03T02:05:00.000Z');
    const bad = await call(t, 'PUT', 'releases/dates@1/', { body: { dateReleased: 'June 3, 2026' }, validate: false });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body)).toEqual(['dateReleased']);
    const deploy = await call(t, 'POST', 'releases/dates@1/deploys/', {
      body: { environment: 'production', dateStarted: '2026-06-03T02:01:00.000000001Z', dateFinished: '2026-06-03T02:02:00.999999999Z' },
    });
    expect(deploy.body).toMatchObject({ dateStarted: '2026-06-03T02:01:00.000Z', dateFinished: '2026-06-03T02:02:00.999Z' });
  });

  it('archive and restore (POST with the version, no projects and a status; or PUT) move a release between the open and archived lists', async () => {
    await call(t, 'POST', 'releases/', { body: { version: 'arch@1', projects: ['shop-web'] } });
    const archived = await call(t, 'POST', 'releases/', { body: { version: 'arch@1', projects: [], status: 'archived' } });
    expect(archived.status).toBe(208);
    expect(archived.body.status).toBe('archived');
    const versions = async (status?: string) =>
      (await call(t, 'GET', 'releases/', { query: status ? { status } : {} })).body.map((r: { version: string }) => r.version);
    expect(await versions()).not.toContain('arch@1');
    expect(await versions('archived')).toEqual(['arch@1']);
    const restored = await call(t, 'PUT', 'releases/arch@1/', { body: { status: 'open' }, validate: false });
    expect(restored.body.status).toBe('open');
    expect(await versions()).toContain('arch@1');
    const bad = await call(t, 'POST', 'releases/', { body: { version: 'arch@1', projects: [], status: 'closed' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ status: ['Invalid status closed'] });
  });

  it("lists a project's releases and a release's commits, in the published shapes", async () => {
    await call(t, 'POST', 'releases/', {
      body: {
        version: 'commits@1',
        projects: ['shop-web'],
        commits: [{ id: 'c'.repeat(40), repository: 'acme/shop', message: 'fix cart', author_name: 'Ann', author_email: 'ann@example.com' }],
      },
    });
    const mine = await raw('GET', '/api/0/projects/acme/shop-web/releases/?cursor=');
    expect(mine.status).toBe(200);
    expect(mine.body.map((r: { version: string }) => r.version)).toContain('commits@1');
    expect((await raw('GET', '/api/0/projects/acme/nope/releases/')).status).toBe(404);

    const commits = await call(t, 'GET', 'releases/commits@1/commits/');
    expect(commits.body).toMatchObject([{ id: 'c'.repeat(40), message: 'fix cart', repository: { name: 'acme/shop' }, author: { email: 'ann@example.com' } }]);
    const scoped = await raw('GET', '/api/0/projects/acme/shop-web/releases/commits@1/commits/');
    expect(scoped.body).toEqual(commits.body);

    // previous-with-commits is not in the published schema; sentry-cli reads lastCommit.id or `{}`.
    const prev = await raw('GET', '/api/0/organizations/acme/releases/commits@1/previous-with-commits/', { inSchema: false });
    expect(prev.body.version).toBe('shop-web@1.4.0');
    expect(prev.body.lastCommit.id).toMatch(/^9b07d3e4/);
  });

  it('refs replace the commits, and empty refs clear them (set-commits --clear)', async () => {
    await call(t, 'PUT', 'releases/commits@1/', { body: { refs: [{ repository: 'acme/shop', commit: 'd'.repeat(40) }] } });
    expect((await call(t, 'GET', 'releases/commits@1/commits/')).body.map((c: { id: string }) => c.id)).toEqual(['d'.repeat(40)]);
    const cleared = await call(t, 'PUT', 'releases/commits@1/', { body: { refs: [] } });
    expect(cleared.body.commitCount).toBe(0);
    expect((await call(t, 'GET', 'releases/commits@1/commits/')).body).toEqual([]);
  });

  it('DELETE answers 204 with no body, 404 when gone, and 400 while issues were first seen in the release', async () => {
    await call(t, 'POST', 'releases/', { body: { version: 'gone@1', projects: ['shop-web'] } });
    const gone = await raw('DELETE', '/api/0/organizations/acme/releases/gone@1/');
    expect(gone.status).toBe(204);
    expect(gone.body).toBeUndefined();
    expect(gone.headers.get('content-length')).toBeNull();
    expect((await raw('DELETE', '/api/0/organizations/acme/releases/gone@1/')).status).toBe(404);
    clock.advance(60 * MIN);
    const refused = await raw('DELETE', '/api/0/organizations/acme/releases/shop-web@1.4.0/');
    expect(refused).toMatchObject({ status: 400, body: { detail: 'This release is referenced by active issues and cannot be removed.' } });
    expect(t.state.releases.has('shop-web@1.4.0')).toBe(true);
  });
});
