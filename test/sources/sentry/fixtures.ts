import { createHttpClient } from '../../../src/http/client';
import { type LocalTracker, type LocalTrackerOptions, startLocalTracker } from '../../../src/local-tracker';
import { createSentryTracker } from '../../../src/sources/sentry/adapter';
import { apiBase } from '../../../src/sources/sentry/urls';
import { recordingDispatcher } from './recording';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const TOKEN = 'sntryu_adapter_test_token_0123456789';

/** Time the test moves by hand: the tracker's sessions and issues follow it. */
export function manualClock(start = Date.parse('2026-06-03T02:20:00Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms), set: (ms: number) => void (now = ms) };
}

/** The Sentry adapter, its HTTP client (recording every response) and the local tracker it talks to. */
export async function adapterSetup(opts: Omit<LocalTrackerOptions, 'token' | 'clock'> & { clientToken?: string } = {}) {
  const { clientToken, ...trackerOptions } = opts;
  const clock = manualClock();
  const tracker = await startLocalTracker({ token: TOKEN, clock: clock.now, ...trackerOptions });
  const recording = recordingDispatcher();
  const http = createHttpClient({
    baseUrl: apiBase(tracker.url),
    token: clientToken ?? TOKEN,
    userAgent: 'release-health-gate-test',
    dispatcher: recording.dispatcher,
    retries: 0,
    maxRetryTimeMs: 5_000,
  });
  const projects = opts.projects ?? tracker.scenario.projectSlugs;
  const adapter = createSentryTracker({ http, sentryUrl: tracker.url, org: opts.org ?? tracker.org, projects });
  return {
    tracker,
    adapter,
    http,
    clock,
    projects,
    responses: recording.responses,
    async close() {
      await http.close();
      await recording.close();
      await tracker.close();
    },
  };
}

export type AdapterSetup = Awaited<ReturnType<typeof adapterSetup>>;

/** Creates the release for the setup's projects and records its deploy at the clock's now. */
export async function deployRelease(s: AdapterSetup, version = 'shop-web@2.0.0'): Promise<number> {
  await s.adapter.createRelease(version, s.projects);
  const at = new Date(s.clock.now()).toISOString();
  const deploy = await s.adapter.createDeploy(version, { environment: 'production', dateStarted: at, dateFinished: at, url: null, projects: s.projects });
  return Date.parse(deploy.dateFinished);
}

export type { LocalTracker };

/** Runs `body` against a fresh adapter setup and closes it whatever happens. */
export async function withAdapter<T>(opts: Parameters<typeof adapterSetup>[0], body: (s: AdapterSetup) => Promise<T>): Promise<T> {
  const s = await adapterSetup(opts);
  try {
    return await body(s);
  } finally {
    await s.close();
  }
}
