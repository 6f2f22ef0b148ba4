/**
 * Named traffic scenarios for the local tracker. A scenario describes the watched release (any
 * release created through the API), the previous release seeded before it, and the issues first
 * seen in each; scenario-traffic.ts sends that traffic to the tracker's ingest as an SDK would.
 * Projects are by index: index 0 maps to the first project slug of the server.
 */
import type { InputName } from '../config/schema';
import type { RequestTraffic } from './metrics';
import type { ProjectTraffic } from './traffic';

export interface IssueSpec {
  title: string;
  culprit: string;
  /** Index of the project (see module comment). */
  project: number;
  /** Users affected once the issue has fully ramped up. */
  users: number;
  events: number;
  /** Minutes after the release's anchor when the issue is first seen. */
  firstSeenMinute: number;
  /** Minutes over which users/events grow linearly to their final values. */
  rampMinutes?: number;
  level?: 'error' | 'fatal' | 'warning';
  /** Which release first saw it. */
  release?: 'current' | 'previous';
}

export interface Scenario {
  name: string;
  description: string;
  seed: number;
  environment: string;
  /** Default project slugs (overridable per server). Traffic `projects[i]` belongs to slug i. */
  projectSlugs: string[];
  projects: ProjectTraffic[];
  /** The generator sends a session (an issue's event) to the ingest this long after it started: until then no query sees it. */
  ingestionDelaySec: number;
  /**
   * 'crash-first': as Sentry's server SDKs send them, a crashed session is
   * visible at once and every other one after its own lag, spread evenly up
   * to ingestionDelaySec (the SDK's flush period). Default: all after the delay.
   */
  lag?: 'crash-first';
  previousRelease: { version: string; deployedMinutesBeforeStart: number };
  issues: IssueSpec[];
  repos: string[];
  /** Every request answers 503. */
  outage?: boolean;
  /** HTTP requests of the app: the tracker then answers Prometheus instant queries about them at /api/v1/query. */
  requests?: RequestTraffic;
  /** Inputs `release-health-gate demo` sets for this scenario on top of its defaults, to show what it is about. */
  demoInputs?: Partial<Record<InputName, string>>;
}

const OLD_ISSUE: IssueSpec = {
  title: 'ChunkLoadError: Loading chunk 42 failed.',
  culprit: 'app/routes/checkout',
  project: 0,
  users: 40,
  events: 95,
  firstSeenMinute: 10,
  release: 'previous',
};

function base(name: string, description: string, over: Partial<Scenario>): Scenario {
  return {
    name,
    description,
    seed: 20260603,
    environment: 'production',
    projectSlugs: ['shop-web'],
    projects: [{ sessionsPerMinute: 120, phases: [{ fromMinute: 0, crash: 0.001, errored: 0.01 }] }],
    ingestionDelaySec: 30,
    previousRelease: { version: 'shop-web@1.4.0', deployedMinutesBeforeStart: 180 },
    issues: [OLD_ISSUE],
    repos: ['acme/shop'],
    ...over,
  };
}

const healthyWeb: ProjectTraffic = { sessionsPerMinute: 120, phases: [{ fromMinute: 0, crash: 0.001, errored: 0.01 }] };

const SCENARIOS: Scenario[] = [
  base('healthy', 'Steady traffic, 0.1% of sessions crash, 1% errored.', {}),
  base('crash-spike', '8% of sessions crash from the first minute (crash-free users far below 97%).', {
    projects: [{ sessionsPerMinute: 120, phases: [{ fromMinute: 0, crash: 0.08, errored: 0.02 }] }],
  }),
  base('slow-burn', 'Healthy for 8 minutes, then 5% of sessions crash.', {
    projects: [
      {
        sessionsPerMinute: 120,
        phases: [
          { fromMinute: 0, crash: 0.001, errored: 0.01 },
          { fromMinute: 8, crash: 0.05, errored: 0.02 },
        ],
      },
    ],
  }),
  base('low-traffic', 'Only 2 sessions in the window, one of them crashed.', {
    projects: [
      {
        sessionsPerMinute: 0,
        phases: [{ fromMinute: 0, crash: 0 }],
        script: [
          { atSec: 150, user: 1, status: 'healthy' },
          { atSec: 400, user: 2, status: 'crashed' },
        ],
      },
    ],
  }),
  base('error-rate', 'Crash-free is fine (0.1% crashes) but 20% of sessions have handled errors.', {
    projects: [{ sessionsPerMinute: 120, phases: [{ fromMinute: 0, crash: 0.001, errored: 0.2 }] }],
  }),
  base('new-issue', 'Healthy sessions, but an issue first seen in this release reaches 12 users (plus a hostile-titled one).', {
    issues: [
      OLD_ISSUE,
      {
        title: "TypeError: Cannot read properties of undefined (reading 'total')",
        culprit: 'app/cart/summary.tsx in CartSummary',
        project: 0,
        users: 12,
        events: 31,
        firstSeenMinute: 2,
        rampMinutes: 4,
        level: 'error',
      },
      {
        title: 'Error: <script>alert(1)</script> | **bold** [x](javascript:alert(1)) @here',
        culprit: '<img src=x onerror=alert(1)>',
        project: 0,
        users: 2,
        events: 2,
        firstSeenMinute: 3,
      },
    ],
  }),
  base('new-issue-small', 'Healthy sessions; one new issue affecting 3 users.', {
    issues: [
      OLD_ISSUE,
      {
        title: 'RangeError: Invalid time value',
        culprit: 'app/utils/date.ts in formatDate',
        project: 0,
        users: 3,
        events: 4,
        firstSeenMinute: 3,
        rampMinutes: 2,
      },
    ],
  }),
  base(
    'baseline-regression',
    'Previous release crashes 0.1% of sessions, this one 2.5%: above an absolute 95% crash-free users limit, caught against the previous release.',
    {
      demoInputs: { 'min-crash-free-users': '0.95', baseline: 'previous-release', 'max-crash-rate-increase': '0.005' },
      projects: [
        {
          sessionsPerMinute: 300,
          sessionsPerUser: 4,
          previous: { crash: 0.001, errored: 0.01 },
          phases: [{ fromMinute: 0, crash: 0.025, errored: 0.01 }],
        },
      ],
    },
  ),
  base('two-projects', 'shop-web healthy, shop-api crashing 5% of sessions.', {
    projectSlugs: ['shop-web', 'shop-api'],
    projects: [healthyWeb, { sessionsPerMinute: 80, phases: [{ fromMinute: 0, crash: 0.05, errored: 0.02 }] }],
  }),
  base('noisy-user', 'Healthy, except one user who opens 5% of sessions and crashes in half of them.', {
    projects: [{ ...healthyWeb, noisyUser: { share: 0.05, crash: 0.5 } }],
  }),
  base('ingestion-delay', 'Healthy traffic that shows up 3 minutes late.', { ingestionDelaySec: 180 }),
  base('outage', 'Every request answers 503.', { outage: true }),
  base('5xx-spike', 'Sessions are healthy, but 8% of HTTP requests answer 5xx after the deploy (0.5% before): the 5xx rate check from Prometheus fails it.', {
    requests: { job: 'shop', perMinute: 600, previous: 0.005, phases: [{ fromMinute: 0, errorRatio: 0.08 }] },
  }),
  crashFirstAtLimit('crash-first-at-limit', 'judged on settled data (settle 60s): it passes.', {}),
  crashFirstAtLimit('crash-first-unsettled', 'judged as it arrives (settle 0s): the newest minute fails it.', { settle: '0s' }),
];

/** 30,000 sessions a minute, exactly at a 99% crash-free sessions limit, with crash-first ingestion lag. */
function crashFirstAtLimit(name: string, verdict: string, inputs: Scenario['demoInputs']): Scenario {
  return base(
    name,
    `30,000 sessions a minute, 1% crash, at a 99% crash-free sessions limit; crashes arrive at once, healthy sessions up to a minute later; ${verdict}`,
    {
      projects: [{ sessionsPerMinute: 30_000, phases: [{ fromMinute: 0, crash: 0.01 }] }],
      ingestionDelaySec: 60,
      lag: 'crash-first',
      // With this seed its first 10 minutes crash 0.996% of sessions: at the limit, not past it by chance.
      seed: 2,
      demoInputs: { window: '10m', 'min-crash-free-users': 'off', 'min-crash-free-sessions': '99%', 'max-error-rate': 'off', ...inputs },
    },
  );
}

export function listScenarios(): { name: string; description: string }[] {
  return SCENARIOS.map(({ name, description }) => ({ name, description }));
}

/** A copy of the named scenario; throws with the known names when it does not exist. */
export function getScenario(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`unknown scenario "${name}"; known: ${SCENARIOS.map((x) => x.name).join(', ')}`);
  return structuredClone(s);
}
