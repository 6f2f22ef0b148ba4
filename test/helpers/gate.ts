import { type LocalTracker, sessionRequestsByPoll as requestsByPoll, startLocalTracker } from '../../src/local-tracker';
import { type ActionRun, runAction } from './action';

export const SENTRY_TOKEN = 'sntryu_gate_e2e_token_0123456789';

export interface GateRun {
  run: ActionRun;
  tracker: LocalTracker;
}

/**
 * The bundled action against a fresh local tracker, on the real clock: one
 * scenario minute lasts one real second (minuteMs 1000), so a 12 s window
 * watches 12 scenario minutes of traffic.
 */
export async function runGate(
  scenario: string,
  inputs: Record<string, string> = {},
  opts: {
    projects?: string[];
    env?: Record<string, string>;
    sigintAfterMs?: number;
    sigintWhen?: Promise<unknown>;
    before?: (t: LocalTracker) => void;
    token?: string;
    /** Reuse a running tracker (re-runs); the caller closes it. */
    tracker?: LocalTracker;
    timeoutMs?: number;
  } = {},
): Promise<GateRun> {
  const token = opts.token ?? SENTRY_TOKEN;
  const tracker = opts.tracker ?? (await startLocalTracker({ scenario, token, minuteMs: 1000, ...(opts.projects ? { projects: opts.projects } : {}) }));
  opts.before?.(tracker);
  try {
    const run = await runAction({
      inputs: {
        'sentry-url': tracker.url,
        'sentry-org': 'acme',
        'sentry-projects': (opts.projects ?? tracker.scenario.projectSlugs).join(','),
        release: 'shop-web@2.0.0',
        'set-commits': 'skip',
        window: '12s',
        interval: '2s',
        'initial-delay': '2s',
        // Scenario minutes last a real second here; a settle time cuts queries at whole real minutes.
        settle: '0s',
        ...inputs,
      },
      env: { SENTRY_AUTH_TOKEN: token, ...opts.env },
      ...(opts.sigintAfterMs === undefined ? {} : { sigintAfterMs: opts.sigintAfterMs }),
      ...(opts.sigintWhen ? { sigintWhen: opts.sigintWhen } : {}),
      ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
    });
    return { run, tracker };
  } finally {
    if (!opts.tracker) await tracker.close();
  }
}

/** Session requests per poll, in order. */
export const sessionRequestsByPoll = (tracker: LocalTracker) => requestsByPoll(tracker.requests);

/** Session polls the tracker saw. */
export const sessionPolls = (tracker: LocalTracker) => sessionRequestsByPoll(tracker).length;
