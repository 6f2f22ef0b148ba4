import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateRequest, validateResponse } from '../../helpers/openapi';
import { type AdapterSetup, MIN, adapterSetup } from './fixtures';

const VERSION = 'shop-web@2.0.0';
const HEAD = 'f00dfacecafebeef0000000000000000000000aa';
const PREVIOUS = '9b07d3e4c1f2a3b4c5d6e7f8091a2b3c4d5e6f70';

/**
 * The whole registration and a watch through the adapter, then every request
 * the tracker logged and every response the adapter received is checked
 * against Sentry's published OpenAPI document.
 */
describe('Sentry adapter traffic against the published schema', () => {
  let s: AdapterSetup;
  const calls: string[] = [];
  beforeAll(async () => {
    s = await adapterSetup({ scenario: 'new-issue', projects: ['shop-web', 'shop-api'] });
    const { adapter, clock } = s;
    const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      const before = s.tracker.requests.length;
      const result = await fn();
      for (const r of s.tracker.requests.slice(before)) calls.push(`${name}: ${r.method} ${r.status}`);
      return result;
    };
    expect(await step('createRelease', () => adapter.createRelease(VERSION, s.projects))).toEqual({ created: true });
    expect(await step('createRelease again', () => adapter.createRelease(VERSION, s.projects))).toEqual({ created: false });
    expect(await step('listRepos', () => adapter.listRepos())).toEqual(['acme/shop']);
    await step('setRefs', () => adapter.setRefs(VERSION, [{ repository: 'acme/shop', commit: HEAD, previousCommit: PREVIOUS }]));
    await step('setCommits', () =>
      adapter.setCommits(VERSION, [
        {
          id: HEAD,
          repository: 'acme/shop',
          message: 'Bump version',
          author_name: 'Dana',
          author_email: 'dana@example.com',
          timestamp: '2026-06-03T02:00:00Z',
        },
        { id: 'aaaa000000000000000000000000000000000001', repository: 'acme/shop', message: 'Fix checkout total' },
      ]),
    );
    const at = new Date(clock.now()).toISOString();
    await step('createDeploy', () =>
      adapter.createDeploy(VERSION, {
        environment: 'production',
        name: 'run 4242',
        url: 'https://github.example/acme/shop/actions/runs/4242/attempts/1',
        dateStarted: at,
        dateFinished: at,
        projects: s.projects,
      }),
    );
    await step('finalize', () => adapter.finalize(VERSION, at));
    expect(await step('listDeploys', () => adapter.listDeploys(VERSION))).toHaveLength(1);
    expect((await step('getRelease', () => adapter.getRelease(VERSION)))?.dateReleased).toBeTruthy();
    expect((await step('previousRelease', () => adapter.previousRelease(VERSION, s.projects, 'production')))?.version).toBe('shop-web@1.4.0');
    clock.advance(10 * MIN);
    const deployedAt = Date.parse(at);
    const sample = await step('sample', () =>
      adapter.sample({ version: VERSION, projects: s.projects, environment: 'production', since: deployedAt, until: clock.now(), unhealthy: true }),
    );
    expect(sample.sessions).toBeGreaterThan(1000);
    const span = await step('usersBetween', () =>
      adapter.usersBetween({ version: VERSION, projects: s.projects, environment: 'production', since: deployedAt + 5 * MIN, until: clock.now() }),
    );
    expect(span.users).toBeGreaterThan(0);
    expect(await step('newIssues', () => adapter.newIssues({ version: VERSION, projects: s.projects, environment: 'production' }))).toHaveLength(2);
  });
  afterAll(() => s?.close());

  it('sent what each step needs, and every answer was a success', () => {
    expect(calls).toEqual([
      // GET first: Sentry answers 201 also to an existing release that gained a project
      'createRelease: GET 404',
      'createRelease: POST 201',
      'createRelease again: GET 200',
      'createRelease again: POST 208',
      'listRepos: GET 200',
      'setRefs: PUT 200',
      'setCommits: PUT 200',
      'createDeploy: POST 201',
      'finalize: PUT 200',
      'listDeploys: GET 200',
      'getRelease: GET 200',
      'previousRelease: GET 200',
      // totals, and the status query for users with an unhealthy session (the error-rate check)
      'sample: GET 200',
      'sample: GET 200',
      'usersBetween: GET 200',
      'newIssues: GET 200',
    ]);
    expect(s.responses).toHaveLength(s.tracker.requests.length);
  });

  it('every request (path, query, body) is valid', () => {
    const invalid = s.tracker.requests
      .map((r) => ({ call: `${r.method} ${r.path}`, errors: validateRequest(r.method, r.path, r.query, r.body) }))
      .filter((r) => r.errors.length > 0);
    expect(invalid).toEqual([]);
  });

  it('every response body is valid for its status', () => {
    const invalid = s.responses
      .map((r) => ({ call: `${r.method} ${r.path.split('?')[0]} ${r.status}`, errors: validateResponse(r.method, r.path, r.status, r.body) }))
      .filter((r) => r.errors.length > 0);
    expect(invalid).toEqual([]);
    expect(s.responses.map((r) => r.status)).toEqual([404, 201, 200, 208, 200, 200, 200, 201, 200, 200, 200, 200, 200, 200, 200, 200]);
  });

  it('the sessions requests ask for the fields and groupings the adapter reads, by numeric project id', () => {
    const sessions = s.tracker.requests.filter((r) => r.path.endsWith('/sessions/'));
    expect(sessions).toHaveLength(3);
    const ids = ['shop-web', 'shop-api'].map((slug) => String(s.tracker.projectId(slug)));
    for (const r of sessions) {
      expect(r.query.project).toEqual(ids);
      expect(r.query.environment).toBe('production');
      expect(r.query.query).toBe(`release:"${VERSION}"`);
      expect(r.query.includeSeries).toBe('0');
    }
    expect(sessions.map((r) => [r.query.field, r.query.groupBy])).toEqual(
      expect.arrayContaining([
        [['sum(session)', 'count_unique(user)', 'crash_free_rate(user)', 'crash_free_rate(session)'], 'project'],
        [
          ['sum(session)', 'count_unique(user)'],
          ['project', 'session.status'],
        ],
      ]),
    );
  });
});
