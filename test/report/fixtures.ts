import type { CheckEvaluation } from '../../src/gate/types';
import { CHECK_LABELS, DISPLAY, UNIT_LABELS, type SessionCheckId } from '../../src/sources/sentry/checks';
import type { PollRecord, RunReport } from '../../src/report/types';
import type { HealthCounts, HealthSample, NewIssue } from '../../src/sources/sentry/types';

export const MIN = 60_000;
/** 2026-06-03T02:08Z, the deploy in design.md's alert example. */
export const T0 = Date.UTC(2026, 5, 3, 2, 8);

export function counts(sessions: number, crashedSessions: number, erroredSessions: number, users: number, crashedUsers: number): HealthCounts {
  return { sessions, crashedSessions, erroredSessions, users, crashedUsers };
}

export function sample(at: number, c: HealthCounts, projects: Record<string, HealthCounts> = {}): HealthSample {
  return { ...c, at, projects };
}

export function evaluation(over: Partial<CheckEvaluation> = {}): CheckEvaluation {
  const id = (over.id ?? 'crash-free-users') as SessionCheckId;
  return {
    id,
    label: CHECK_LABELS[id],
    units: UNIT_LABELS[id],
    display: DISPLAY[id],
    project: null,
    maxBadRate: 0.005,
    n: 1204,
    k: 27,
    observedBadRate: 27 / 1204,
    interval: [0.016, 0.029],
    eFail: 41.3,
    ePass: 0.002,
    eThreshold: 20,
    status: 'fail',
    ...over,
  };
}

export function poll(minute: number, c: HealthCounts | null, over: Partial<PollRecord> = {}): PollRecord {
  const at = T0 + minute * MIN;
  return {
    at,
    sample: c ? sample(at, c) : null,
    evaluations: [],
    newIssues: 0,
    ...over,
  };
}

export function issue(over: Partial<NewIssue> = {}): NewIssue {
  return {
    id: '4711',
    shortId: 'SHOP-WEB-1A',
    title: 'TypeError: cart.total is undefined',
    culprit: 'checkout/cart.ts in computeTotal',
    permalink: 'https://acme.sentry.io/issues/4711/',
    project: 'shop-web',
    userCount: 57,
    count: 120,
    firstSeen: '2026-06-03T02:12:30Z',
    ...over,
  };
}

/** A crash-free-users failure at 6 min: 27 of 1,204 users crashed against a 99.5% limit. */
export function failReport(over: Partial<RunReport> = {}): RunReport {
  const ev = evaluation();
  const sessionsEv = evaluation({
    id: 'crash-free-sessions',
    maxBadRate: 0.002,
    n: 1800,
    k: 3,
    observedBadRate: 3 / 1800,
    interval: [0.0005, 0.0049],
    eFail: 0.8,
    ePass: 3.2,
    status: 'watching',
  });
  const polls = [
    poll(1, counts(300, 1, 4, 200, 1)),
    poll(2, null, { error: 'GET /sessions/: HTTP 503 after 3 attempts' }),
    poll(3, counts(900, 2, 11, 610, 9)),
    poll(4, counts(1200, 2, 15, 800, 14)),
    poll(5, counts(1500, 3, 18, 1000, 20), { newIssues: 1 }),
    poll(6, counts(1800, 3, 21, 1204, 27), { evaluations: [ev, sessionsEv], newIssues: 1 }),
  ];
  return {
    org: 'acme',
    projects: ['shop-web'],
    release: 'shop-web@4f2c1a9',
    environment: 'production',
    releaseUrl: 'https://acme.sentry.io/releases/shop-web%404f2c1a9/',
    previousRelease: 'shop-web@9b07d3e',
    previousReleaseUrl: 'https://acme.sentry.io/releases/shop-web%409b07d3e/',
    deployFinishedAt: T0,
    windowMs: 10 * MIN,
    intervalMs: MIN,
    confidence: 0.95,
    minSessions: 100,
    verdict: {
      outcome: 'fail',
      reason: 'Crash-free users 97.8% (interval 97.1–98.4%, 1,204 users) is below the 99.5% limit',
      decidedAt: T0 + 6 * MIN,
      check: 'crash-free-users',
      project: null,
      evaluations: [ev, sessionsEv],
    },
    dryRun: false,
    polls,
    newIssues: [issue({ userCount: 3, count: 5 })],
    baseline: null,
    commits: [
      { id: '4f2c1a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a', message: 'Fix checkout total\n\nLonger body.', author: 'Ada' },
      { id: '1b2c3d4e5f60718293a4b5c6d7e8f9011223344', message: 'Bump deps' },
    ],
    registration: { created: true, commitMode: 'refs', commitCount: 2, deployCreated: true, finalized: true },
    runbookUrl: 'https://wiki.example/runbooks/rollback',
    dashboardUrl: null,
    runUrl: 'https://github.com/acme/shop/actions/runs/1',
    action: { kind: 'dispatched', workflow: 'rollback.yml', ref: 'main', previousRelease: 'shop-web@9b07d3e' },
    ...over,
  };
}

/** A healthy run that reached the end of its 10-minute window. */
export function passReport(over: Partial<RunReport> = {}): RunReport {
  const base = failReport();
  const ev = evaluation({ n: 2400, k: 2, observedBadRate: 2 / 2400, interval: [0.0001, 0.003], eFail: 0.05, ePass: 35, status: 'healthy' });
  const polls = Array.from({ length: 10 }, (_, i) => poll(i + 1, counts(400 * (i + 1), 0, 3 * (i + 1), 240 * (i + 1), i < 2 ? 0 : 2)));
  const last = polls[9];
  if (last) last.evaluations = [ev];
  return {
    ...base,
    verdict: {
      outcome: 'pass',
      reason: 'Crash-free users 99.9% (interval 99.7–100.0%, 2,400 users) is above the 99.5% limit',
      decidedAt: T0 + 10 * MIN,
      check: null,
      project: null,
      evaluations: [ev],
    },
    polls,
    newIssues: [],
    action: { kind: 'none', why: 'release is healthy' },
    ...over,
  };
}
