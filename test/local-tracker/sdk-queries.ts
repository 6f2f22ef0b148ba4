/** A local tracker that takes SDK data, and what a test asks it afterwards: session totals and issues of shop-web. */
import { afterEach } from 'vitest';
import { type LocalTracker, startLocalTracker } from '../../src/local-tracker';
import { call } from './client';

/** Call at the top of a test file: returns a starter of `sdk` trackers that are closed after each test. */
export function sdkTrackers(): (options?: { projects?: string[] }) => Promise<LocalTracker> {
  const open: LocalTracker[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.close()));
  });
  return async (options = {}) => {
    const t = await startLocalTracker({ scenario: 'sdk', ...options });
    open.push(t);
    return t;
  };
}

export const totals = async (t: LocalTracker, release: string, fields: string[], extra: Record<string, string> = {}) =>
  (
    await call(t, 'GET', 'sessions/', {
      query: { field: fields, query: `release:"${release}"`, project: [t.projectId('shop-web')], statsPeriod: '1h', interval: '1m', ...extra },
    })
  ).body;

export const issues = async (t: LocalTracker, query = 'is:unresolved') =>
  (await call(t, 'GET', 'issues/', { query: { query, project: [t.projectId('shop-web')], environment: 'production' } })).body as {
    title: string;
    culprit: string;
    count: string;
    userCount: number;
    firstSeen: string;
    lastSeen: string;
  }[];
