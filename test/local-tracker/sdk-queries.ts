/** What a test asks the local tracker after an SDK app sent it data: session totals and issues of shop-web. */
import type { LocalTracker } from '../../src/local-tracker';
import { call } from './client';

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
