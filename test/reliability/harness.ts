import { readFileSync } from 'node:fs';
import { type LocalTracker, type LoggedRequest, startLocalTracker } from '../../src/local-tracker';
import type { JsonReportV1 } from '../../src/report/json';
import { type ActionRun, runAction } from '../helpers/action';

export const SENTRY_TOKEN = 'sntrys_reliability_secret_0123456789abcdef';
export const GITHUB_TOKEN = 'ghs_reliability_github_secret_ABCDEF987';

export interface Gate {
  run: ActionRun;
  tracker: LocalTracker;
  report: JsonReportV1 | null;
}

export interface GateOptions {
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  sigintAfterMs?: number;
  /** Set up faults (or state) on the tracker before the action starts. */
  before?: (tracker: LocalTracker) => void;
  /** Reuse a running tracker (re-runs); the caller closes it. */
  tracker?: LocalTracker;
  timeoutMs?: number;
}

/**
 * The bundled action against the local tracker on the real clock, one scenario
 * minute per real second: an 8 s window watches 8 scenario minutes of traffic.
 */
export async function gate(scenario: string, opts: GateOptions = {}): Promise<Gate> {
  const tracker = opts.tracker ?? (await startLocalTracker({ scenario, token: SENTRY_TOKEN, minuteMs: 1000 }));
  opts.before?.(tracker);
  try {
    const run = await runAction({
      inputs: {
        'sentry-url': tracker.url,
        'sentry-org': 'acme',
        'sentry-projects': tracker.scenario.projectSlugs.join(','),
        release: 'shop-web@2.0.0',
        'set-commits': 'skip',
        window: '8s',
        interval: '1s',
        'initial-delay': '1s',
        ...opts.inputs,
      },
      env: { SENTRY_AUTH_TOKEN: SENTRY_TOKEN, ...opts.env },
      timeoutMs: opts.timeoutMs ?? 45_000,
      ...(opts.sigintAfterMs === undefined ? {} : { sigintAfterMs: opts.sigintAfterMs }),
    });
    return { run, tracker, report: readReport(run) };
  } finally {
    if (!opts.tracker) await tracker.close();
  }
}

export function readReport(run: ActionRun): JsonReportV1 | null {
  const path = run.outputs['report-path'];
  if (!path) return null;
  return JSON.parse(readFileSync(path, 'utf8')) as JsonReportV1;
}

export const isSessions = (r: LoggedRequest) => r.path.endsWith('/sessions/');
export const isIssues = (r: LoggedRequest) => r.path.endsWith('/issues/');

/** Polls that reached the tracker: each sends two session requests. */
export const sessionRequests = (t: LocalTracker) => t.requests.filter(isSessions);

/** A line a user could mistake for a crash: a JS stack frame. */
export const STACK_FRAME = /^\s+at .+(\.js|\.ts|node:)[^\n]*$/m;
