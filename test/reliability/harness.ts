import { readFileSync } from 'node:fs';
import type { LocalTracker, LoggedRequest } from '../../src/local-tracker';
import type { JsonReportV1 } from '../../src/report/json';
import type { ActionRun } from '../helpers/action';
import { runGate } from '../helpers/gate';

export const SENTRY_TOKEN = 'sntryu_reliability_secret_0123456789abcdef';
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
 * runGate (test/helpers/gate.ts) with this directory's token and a faster
 * schedule: an 8 s window polled every second, and the JSON report read back.
 */
export async function gate(scenario: string, opts: GateOptions = {}): Promise<Gate> {
  const { run, tracker } = await runGate(
    scenario,
    { window: '8s', interval: '1s', 'initial-delay': '1s', ...opts.inputs },
    {
      token: SENTRY_TOKEN,
      timeoutMs: opts.timeoutMs ?? 45_000,
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.sigintAfterMs === undefined ? {} : { sigintAfterMs: opts.sigintAfterMs }),
      ...(opts.before ? { before: opts.before } : {}),
      ...(opts.tracker ? { tracker: opts.tracker } : {}),
    },
  );
  return { run, tracker, report: readReport(run) };
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
