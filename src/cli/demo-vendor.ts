import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/load';
import type { InputName } from '../config/schema';
import { simClock } from '../local-tracker';
import { type BugsnagStubRelease, startBugsnagStub } from '../local-tracker/vendors/bugsnag';
import { startRollbarStub } from '../local-tracker/vendors/rollbar';
import { connectSentry } from '../pipeline/sentry';
import { type GitHubPort, runPipeline } from '../pipeline/run';
import { buildAlert } from '../report/alert';
import { buildJsonReport } from '../report/json';
import { buildSummary } from '../report/summary';
import { errorMessage } from '../util/errors';
import { redact } from '../util/redact';
import { logLine } from '../util/text';
import { terminalLog } from './log';

/*
 * `demo --tracker bugsnag|rollbar`: the bundled gate against the local
 * tracker's Bugsnag or Rollbar server (src/local-tracker/vendors/), in
 * compressed time as the Sentry scenarios are. Each plays a healthy release
 * followed by a bad one, in the tracker's own terms.
 */

export const VENDOR_TRACKERS = ['bugsnag', 'rollbar'] as const;
export type VendorTracker = (typeof VENDOR_TRACKERS)[number];

/** One real second is one simulated minute, as in the Sentry scenarios. */
const TIME_SCALE = 60;
const MIN = 60_000;
const HOUR = 60 * MIN;
const RELEASE = 'shop-web@2.0.0';
const PREVIOUS = 'shop-web@1.4.0';
const ENVIRONMENT = 'production';
const BUGSNAG_API_KEY = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const BUGSNAG_TOKEN = 'demo-token-7b1e4c90';
const BUGSNAG_PROJECT = '5f1e2d3c4b5a69788796a5b4';
const ROLLBAR_TOKEN = 'demo-rb-token-3f9a2d';
const SECRETS = [BUGSNAG_API_KEY, BUGSNAG_TOKEN, ROLLBAR_TOKEN];

/** Bugsnag: 2.0.0's sessions arrive at 200 a minute; unhandled ones spike from its 5th minute (0.1% → 4%). */
const BUGSNAG_HEALTHY_MINUTES = 5;
function bugsnagHealth(r: BugsnagStubRelease, now: number): Partial<BugsnagStubRelease> {
  if (r.version !== RELEASE) return {};
  const minutes = Math.max(0, (now - r.releasedAt) / MIN);
  const healthy = Math.min(minutes, BUGSNAG_HEALTHY_MINUTES);
  const bad = minutes - healthy;
  const sessions = Math.floor(200 * minutes);
  const unhandledSessions = Math.floor(200 * healthy * 0.001 + 200 * bad * 0.04);
  return {
    sessions,
    unhandledSessions,
    users: Math.floor(sessions / 2),
    usersWithUnhandled: Math.floor(unhandledSessions * 0.8),
  };
}

/** Rollbar: about 10 occurrences a minute before the deploy, 4× that after it (a fixed jitter of ±2 a minute). */
function rollbarRate(deployedAt: () => number | null) {
  return (t: number) => {
    const jitter = ((Math.floor(t / MIN) * 7919) % 5) - 2;
    const at = deployedAt();
    return at !== null && t >= at ? 40 + 2 * jitter : 10 + jitter;
  };
}

/** The demo's GitHub: no commits to list, and a rollback printed instead of dispatched. */
function demoGitHub(print: (line: string) => void): GitHubPort {
  return {
    pushBefore: null,
    listCommits: async () => [],
    dispatchRollback: async (inputs) => {
      print(`(demo) POST /repos/acme/shop/actions/workflows/rollback.yml/dispatches {"ref":"main","inputs":${JSON.stringify(inputs)}}`);
      return { workflow: 'rollback.yml', ref: 'main' };
    },
  };
}

interface VendorServer {
  url: string;
  inputs: Partial<Record<InputName, string>>;
  description: string;
  /** The registration requests the server received, one line each. */
  registrations(): string[];
  requestCount(): number;
  close(): Promise<void>;
}

async function startVendor(tracker: VendorTracker, now: () => number): Promise<VendorServer> {
  if (tracker === 'bugsnag') {
    const server = await startBugsnagStub({
      apiKey: BUGSNAG_API_KEY,
      token: BUGSNAG_TOKEN,
      projectId: BUGSNAG_PROJECT,
      now,
      releases: [
        {
          version: PREVIOUS,
          releasedAt: now() - 48 * HOUR,
          sessions: 90_000,
          unhandledSessions: 90,
          users: 9_000,
          usersWithUnhandled: 40,
        },
      ],
      newReleaseHealth: {
        sessions: 0,
        unhandledSessions: 0,
        users: 0,
        usersWithUnhandled: 0,
      },
      healthAt: bugsnagHealth,
      errors: [
        {
          id: 'demo-error-1',
          errorClass: 'TypeError',
          message: 'cart.items is undefined',
          users: 2,
          events: 3,
          introducedIn: RELEASE,
        },
      ],
    });
    return {
      url: server.url,
      description: `${PREVIOUS} held 99.9% crash-free sessions; ${RELEASE} starts as healthy, then from its ${BUGSNAG_HEALTHY_MINUTES}th minute 4% of its sessions end in an unhandled error.`,
      inputs: {
        tracker: 'bugsnag',
        'bugsnag-api-key': BUGSNAG_API_KEY,
        'bugsnag-token': BUGSNAG_TOKEN,
        'bugsnag-project-id': BUGSNAG_PROJECT,
        'bugsnag-url': server.url,
        'bugsnag-build-url': server.url,
        'min-crash-free-sessions': '0.99',
        'max-new-issue-users': '5',
      },
      registrations: () =>
        server.requests
          .filter((r) => r.method === 'POST')
          .map((r) => `${r.method} ${r.path} (Build API) ${JSON.stringify({ ...(r.body as Record<string, unknown>), apiKey: '(the demo key)' })}`),
      requestCount: () => server.requests.length,
      close: () => server.close(),
    };
  }
  const server = await startRollbarStub({
    tokens: { [ROLLBAR_TOKEN]: ['read', 'write'] },
    now,
    deploys: [
      {
        id: 1,
        environment: ENVIRONMENT,
        revision: PREVIOUS,
        status: 'succeeded',
        start_time: Math.floor((now() - 5 * HOUR) / 1000),
        finish_time: Math.floor((now() - 5 * HOUR) / 1000),
      },
    ],
    errorsPerMinute: rollbarRate(() => {
      const deploy = server.deploys.find((d) => d.revision === RELEASE);
      return deploy ? deploy.start_time * 1000 : null;
    }),
  });
  return {
    url: server.url,
    description: `${PREVIOUS} logged about 10 errors a minute; once ${RELEASE} is deployed, about 40 (4×).`,
    inputs: {
      tracker: 'rollbar',
      'rollbar-token': ROLLBAR_TOKEN,
      'rollbar-url': server.url,
      'max-error-rate-increase': '2x',
      'max-new-issue-users': '5',
    },
    registrations: () => server.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path} (Deploy API) ${JSON.stringify(r.body)}`),
    requestCount: () => server.requests.length,
    close: () => server.close(),
  };
}

const NAMES: Record<VendorTracker, string> = {
  bugsnag: 'Bugsnag',
  rollbar: 'Rollbar',
};

/** Runs the gate against the local tracker's Bugsnag or Rollbar server; the exit code of the demo. */
export async function vendorDemo(tracker: VendorTracker, signal?: AbortSignal): Promise<number> {
  const clock = simClock({ timeScale: TIME_SCALE });
  const vendor = await startVendor(tracker, clock.now);
  const log = terminalLog({ stream: process.stdout, secrets: SECRETS });
  const raw: Partial<Record<InputName, string>> = {
    release: RELEASE,
    environment: ENVIRONMENT,
    window: '30m',
    interval: '1m',
    'initial-delay': '2m',
    'rollback-workflow': 'rollback.yml',
    'runbook-url': 'https://wiki.example/runbooks/rollback',
    'dashboard-url': 'https://grafana.example/d/shop',
    ...vendor.inputs,
  };
  let sentry: ReturnType<typeof connectSentry> | undefined;
  try {
    const config = loadConfig((name) => raw[name], {
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SHA: '4f2c1a9e0b7d6c5a4f3e2d1c0b9a8f7e6d5c4b3a',
      GITHUB_SERVER_URL: 'https://github.example',
      GITHUB_RUN_ID: '1',
    });
    // The pipeline's Sentry port is built as the gate command builds it; with another tracker it stays unused.
    sentry = connectSentry(config.inputs, signal ? { signal } : {});
    log.info(`Demo: tracker "${tracker}": ${vendor.description}`);
    log.info(`Embedded ${NAMES[tracker]}-compatible server at ${vendor.url}; 1 s of real time = 1 simulated minute, 30-minute window.\n`);
    const result = await runPipeline(config, {
      tracker: sentry.tracker,
      github: demoGitHub(log.info),
      clock,
      log,
      signal,
    });
    const report = result.report;
    if (!report) return 0;
    const out = mkdtempSync(join(tmpdir(), 'release-health-gate-demo-'));
    mkdirSync(out, { recursive: true });
    const summaryPath = join(out, 'summary.md');
    const reportPath = join(out, 'report.json');
    writeFileSync(summaryPath, buildSummary(report));
    writeFileSync(reportPath, `${JSON.stringify(buildJsonReport(report), null, 2)}\n`);
    log.info(`\nVerdict: ${report.verdict.outcome.toUpperCase()}: ${report.verdict.reason}`);
    if (report.verdict.outcome === 'fail') log.info(`\n${buildAlert(report)}`);
    log.info(`\nJob summary (markdown): ${summaryPath}\nJSON report:            ${reportPath}`);
    log.info(`Requests the gate sent to ${NAMES[tracker]}: ${vendor.requestCount()}; the release was registered with:`);
    for (const line of vendor.registrations()) log.info(`  ${line}`);
    return 0;
  } catch (error) {
    process.stderr.write(`${logLine(redact(`demo failed: ${errorMessage(error)}`, SECRETS))}\n`);
    return 1;
  } finally {
    await sentry?.close();
    await vendor.close();
  }
}
