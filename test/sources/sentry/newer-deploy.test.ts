import { describe, expect, it } from 'vitest';
import { findNewerDeploy, type NewerDeployDeps } from '../../../src/sources/sentry/newer-deploy';
import type { SentryRelease } from '../../../src/sources/sentry/schemas';
import type { Deploy } from '../../../src/sources/sentry/types';

const T0 = Date.parse('2026-11-26T12:00:00Z');
const iso = (min: number) => new Date(T0 + min * 60_000).toISOString();
const deploy = (environment: string, min: number): Deploy => ({ environment, dateStarted: null, dateFinished: iso(min), url: null });

type Rel = SentryRelease & { deploys: Deploy[] };
function release(version: string, deploys: Deploy[]): Rel {
  return {
    version,
    dateCreated: iso(-60),
    dateReleased: null,
    lastCommit: null,
    lastDeploy: deploys.at(-1) ?? null,
    projects: [{ id: '1', slug: 'web' }],
    deploys,
  } as unknown as Rel;
}

function deps(releases: Rel[]) {
  const asked: string[] = [];
  const d: NewerDeployDeps = {
    projectIds: async () => new Map([['web', '1']]),
    listReleases: async (query) => {
      asked.push(`releases ${JSON.stringify(query)}`);
      return releases;
    },
    listDeploys: async (version) => {
      asked.push(`deploys ${version}`);
      return releases.find((r) => r.version === version)?.deploys ?? [];
    },
  };
  return { d, asked };
}

// Now is 10 minutes after the deploy.
const q = { version: '2.0.0', projects: ['web'], environment: 'production', after: T0, now: T0 + 10 * 60_000 };

describe('findNewerDeploy', () => {
  it('null while the watched release is the newest deploy to the environment', async () => {
    const { d, asked } = deps([release('2.0.0', [deploy('production', 0)]), release('1.4.0', [deploy('production', -180)])]);
    expect(await findNewerDeploy(d, q)).toBeNull();
    expect(asked).toEqual(['deploys 2.0.0', 'releases {"project":["1"],"environment":"production","per_page":100}']);
  });

  it('a later deploy of another release to the environment replaces it', async () => {
    const { d } = deps([release('2.0.1', [deploy('production', 5)]), release('2.0.0', [deploy('production', 0)])]);
    expect(await findNewerDeploy(d, q)).toEqual({ version: '2.0.1', dateFinished: iso(5) });
  });

  it('a rollback deploy of the previous release counts too', async () => {
    const { d } = deps([release('2.0.0', [deploy('production', 0)]), release('1.4.0', [deploy('production', -180), deploy('production', 3)])]);
    expect(await findNewerDeploy(d, q)).toEqual({ version: '1.4.0', dateFinished: iso(3) });
  });

  it('the watched release deployed again after that is live again', async () => {
    const { d } = deps([release('2.0.0', [deploy('production', 0), deploy('production', 8)]), release('1.4.0', [deploy('production', 3)])]);
    expect(await findNewerDeploy(d, q)).toBeNull();
  });

  it('reads the deploys of a release last deployed elsewhere: it may have reached this environment first', async () => {
    const { d, asked } = deps([release('2.0.1', [deploy('production', 4), deploy('staging', 6)]), release('2.0.2', [deploy('staging', 7)])]);
    expect(await findNewerDeploy(d, q)).toEqual({ version: '2.0.1', dateFinished: iso(4) });
    expect(asked).toContain('deploys 2.0.1');
    expect(asked).toContain('deploys 2.0.2');
  });

  it('deploys to other environments do not count', async () => {
    const { d } = deps([release('2.0.1', [deploy('staging', 5)])]);
    expect(await findNewerDeploy(d, q)).toBeNull();
  });

  it('a deploy Sentry dates in the future is no newer deploy: a broken answer never calls off a rollback', async () => {
    const { d } = deps([release('2.0.1', [deploy('production', 60 * 24 * 365 * 973)]), release('2.0.0', [deploy('production', 0)])]);
    expect(await findNewerDeploy(d, q)).toBeNull();
    // within the clock skew it is believed
    const near = deps([release('2.0.1', [deploy('production', 14)]), release('2.0.0', [deploy('production', 0)])]);
    expect(await findNewerDeploy(near.d, q)).toEqual({ version: '2.0.1', dateFinished: iso(14) });
  });
});
