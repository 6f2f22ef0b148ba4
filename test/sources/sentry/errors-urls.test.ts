import { describe, expect, it } from 'vitest';
import type { HttpClient } from '../../../src/http/client';
import { TrackerSetupError } from '../../../src/sources/errors';
import { createSentryTracker } from '../../../src/sources/sentry/adapter';
import { TOKEN, adapterSetup, deployRelease } from './fixtures';

const noHttp: HttpClient = {
  call: () => Promise.reject(new Error('no request expected')),
  requestCount: 0,
  close: async () => {},
};
const urlOf = (sentryUrl: string, version = 'shop-web@2.0.0') =>
  createSentryTracker({ http: noHttp, sentryUrl, org: 'acme', projects: ['shop-web'] }).releaseUrl(version);

describe('releaseUrl', () => {
  it('sentry.io and its regions link to the organization subdomain', () => {
    expect(urlOf('https://sentry.io')).toBe('https://acme.sentry.io/releases/shop-web%402.0.0/');
    expect(urlOf('https://sentry.io/')).toBe('https://acme.sentry.io/releases/shop-web%402.0.0/');
    expect(urlOf('https://de.sentry.io')).toBe('https://acme.sentry.io/releases/shop-web%402.0.0/');
    expect(urlOf('https://us.sentry.io')).toBe('https://acme.sentry.io/releases/shop-web%402.0.0/');
  });

  it('self-hosted keeps the organization in the path, under any path prefix', () => {
    expect(urlOf('https://sentry.example.com')).toBe('https://sentry.example.com/organizations/acme/releases/shop-web%402.0.0/');
    expect(urlOf('https://example.com/sentry/')).toBe('https://example.com/sentry/organizations/acme/releases/shop-web%402.0.0/');
    // a look-alike host is not SaaS
    expect(urlOf('https://sentry.io.example.com')).toBe('https://sentry.io.example.com/organizations/acme/releases/shop-web%402.0.0/');
  });

  it('encodes the version as one path segment', () => {
    expect(urlOf('https://sentry.io', 'web@1.0.0+build 7#a?b')).toBe('https://acme.sentry.io/releases/web%401.0.0%2Bbuild%207%23a%3Fb/');
  });

  it('adds the project id once the release was read from Sentry', async () => {
    const s = await adapterSetup({ scenario: 'healthy' });
    try {
      await s.adapter.createRelease('shop-web@2.0.0', s.projects);
      expect(s.adapter.releaseUrl('shop-web@2.0.0', 'shop-web')).toBe(
        `${s.tracker.url}/organizations/acme/releases/shop-web%402.0.0/?project=${s.tracker.projectId('shop-web')}`,
      );
    } finally {
      await s.close();
    }
  });
});

async function refusal(fn: () => Promise<unknown>): Promise<TrackerSetupError> {
  const error = await fn().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TrackerSetupError);
  return error as TrackerSetupError;
}

describe('tracker refusals become one line a user can act on', () => {
  it('401: a wrong token', async () => {
    const s = await adapterSetup({ scenario: 'healthy', clientToken: 'sntryu_wrong_token_0000' });
    try {
      const error = await refusal(() => s.adapter.createRelease('shop-web@2.0.0', s.projects));
      expect(error.message).toBe(
        'Sentry rejected the auth token while creating release shop-web@2.0.0 (HTTP 401): check sentry-auth-token; it needs the scopes project:releases, org:read and event:read.',
      );
      expect(s.tracker.requests).toHaveLength(1); // not retried
    } finally {
      await s.close();
    }
  });

  it('403: a token without access', async () => {
    const s = await adapterSetup({ scenario: 'healthy' });
    try {
      s.tracker.faults.add({ path: '/repos/', status: 403 });
      const error = await refusal(() => s.adapter.listRepos());
      expect(error.message).toBe(
        'Sentry refused listing repositories (HTTP 403): the token lacks a scope or access to organization "acme"; it needs project:releases, org:read and event:read.',
      );
    } finally {
      await s.close();
    }
  });

  it('403 from the tracker itself: sessions of a project the token cannot see', async () => {
    const s = await adapterSetup({ scenario: 'healthy' });
    try {
      const since = await deployRelease(s);
      // The release knows the project, but the tracker has lost it: Sentry answers 403 for an id it will not show.
      s.tracker.state.projects.splice(0, 1);
      const error = await refusal(() =>
        s.adapter.sample({ version: 'shop-web@2.0.0', projects: s.projects, environment: 'production', since, until: s.clock.now() }),
      );
      expect(error.message).toMatch(/^Sentry refused reading release health \(HTTP 403\): the token lacks a scope or access to organization "acme"/);
    } finally {
      await s.close();
    }
  });

  it('404: an unknown organization names the org and the URL', async () => {
    const s = await adapterSetup({ scenario: 'healthy', org: 'acme' });
    const wrong = createSentryTracker({ http: s.http, sentryUrl: s.tracker.url, org: 'acme-typo', projects: ['shop-web'] });
    try {
      const error = await refusal(() => wrong.createRelease('shop-web@2.0.0', ['shop-web']));
      expect(error.message).toBe(
        `Sentry answered 404 while creating release shop-web@2.0.0: organization "acme-typo" or the resource was not found at ${s.tracker.url}. Check sentry-org and sentry-url (sentry.io, a region such as https://de.sentry.io, or your self-hosted URL).`,
      );
    } finally {
      await s.close();
    }
  });

  it('an unknown release is null for getRelease, and a setup error for sample', async () => {
    const s = await adapterSetup({ scenario: 'healthy' });
    try {
      expect(await s.adapter.getRelease('shop-web@9.9.9')).toBeNull();
      const error = await refusal(() =>
        s.adapter.sample({ version: 'shop-web@9.9.9', projects: s.projects, environment: 'production', since: 0, until: s.clock.now() }),
      );
      expect(error.message).toMatch(/^Sentry has no release "shop-web@9\.9\.9" in organization "acme"/);
    } finally {
      await s.close();
    }
  });

  it('an unknown project on create is a 400 naming the projects', async () => {
    const s = await adapterSetup({ scenario: 'healthy' });
    try {
      const error = await refusal(() => s.adapter.createRelease('shop-web@2.0.0', ['shop-wbe']));
      expect(error.message).toMatch(/^Sentry refused creating release shop-web@2\.0\.0 \(HTTP 400\): it does not know one of the projects shop-web/);
    } finally {
      await s.close();
    }
  });

  it('a token echoed back in an error body never reaches the message', async () => {
    const s = await adapterSetup({ scenario: 'healthy' });
    try {
      s.tracker.faults.add({ path: '/releases/', status: 403, echoToken: true });
      const error = await refusal(() => s.adapter.createRelease('shop-web@2.0.0', s.projects));
      expect(error.message).not.toContain(TOKEN);
      expect(String((error as Error & { cause?: unknown }).cause ?? '')).not.toContain(TOKEN);
    } finally {
      await s.close();
    }
  });
});
