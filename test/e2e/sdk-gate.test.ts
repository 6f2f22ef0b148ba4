/**
 * The gate on real SDK data: the local tracker invents nothing (`sdk`), an app instrumented with
 * @sentry/node sends its sessions to the tracker's DSN while the bundled action watches the
 * release, and the verdict comes from what the app did.
 */
import { describe, expect, it } from 'vitest';
import { type LocalTracker, startLocalTracker } from '../../src/local-tracker';
import { runAction } from '../helpers/action';
import { SENTRY_TOKEN } from '../helpers/gate';
import { type Action, type PlanSession, runSdkApp } from '../local-tracker/sdk-app';

const RELEASE = 'shop-web@2.0.0';

async function deployed(t: LocalTracker): Promise<void> {
  // The window starts at the deploy the action records: sessions before it are not this deploy's.
  for (let i = 0; i < 300; i++) {
    if (t.requests.some((r) => r.method === 'POST' && r.path.endsWith('/deploys/') && r.status === 201)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the action never recorded its deploy');
}

async function gateOnSdk(users: number, crashing: number, opts: { mode?: 'sessions' | 'server'; inputs?: Record<string, string>; action?: Action } = {}) {
  const t = await startLocalTracker({ scenario: 'sdk', token: SENTRY_TOKEN });
  try {
    const action = runAction({
      inputs: {
        'sentry-url': t.url,
        'sentry-org': 'acme',
        'sentry-projects': 'shop-web',
        release: RELEASE,
        'set-commits': 'skip',
        window: '10s',
        interval: '2s',
        'initial-delay': '2s',
        // The SDK's data lands at once here (the test flushes before it ends); a
        // settle of whole minutes would outlast this 10 s window.
        settle: '0s',
        'min-sessions': '20',
        ...opts.inputs,
      },
      env: { SENTRY_AUTH_TOKEN: SENTRY_TOKEN },
    });
    await deployed(t);
    // Crashes spread evenly, so any prefix the gate decides on has about the final rate.
    const every = users / Math.max(crashing, 1);
    const sessions: PlanSession[] = Array.from({ length: users }, (_, i) => ({
      user: `user-${i}`,
      do: [crashing > 0 && i % every === 0 ? (opts.action ?? 'crash') : 'ok'],
    }));
    await runSdkApp(t.dsns[0]!.dsn, { release: RELEASE, mode: opts.mode ?? 'sessions', sessions });
    const run = await action;
    // What the tracker answers once the app is done is exactly what the app did.
    const res = await fetch(
      `${t.url}/api/0/organizations/acme/sessions/?field=crash_free_rate(user)&field=crash_free_rate(session)&field=sum(session)&query=release:"${RELEASE}"&statsPeriod=1h&interval=1h`,
      {
        headers: { Authorization: `Bearer ${SENTRY_TOKEN}` },
      },
    );
    const totals = ((await res.json()) as { groups: { totals: Record<string, number> }[] }).groups[0]!.totals;
    return { run, tracker: t, totals };
  } finally {
    await t.close();
  }
}

describe.concurrent('the gate on what @sentry/node sent to the local tracker', () => {
  it('fails a deploy whose users crash, with the crash-free users the app produced', async () => {
    const { run, tracker, totals } = await gateOnSdk(60, 15);
    expect(totals).toEqual({ 'crash_free_rate(user)': 0.75, 'crash_free_rate(session)': 0.75, 'sum(session)': 60 });
    expect(run.code, run.stdout).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.outputs.reason).toMatch(/^crash-free users \d+(\.\d+)?% .* below the 97% limit/);
    // It may decide before the app is done, on the users it had seen so far: how many that is depends
    // on how far the app got by the first polls (19 once under load), and min-sessions bounds only a pass.
    expect(Number(run.outputs['crash-free-users'])).toBeLessThan(0.97);
    expect(Number(run.outputs.sessions)).toBeGreaterThan(0);
    expect(Number(run.outputs.sessions)).toBeLessThanOrEqual(60);
    expect(tracker.ingest.stats.items.event).toBe(15);
  }, 60_000);

  it('passes a deploy whose 200 users had no crash', async () => {
    const { run, totals } = await gateOnSdk(200, 0);
    expect(totals).toEqual({ 'crash_free_rate(user)': 1, 'crash_free_rate(session)': 1, 'sum(session)': 200 });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
    expect(Number(run.outputs.sessions)).toBe(200);
    expect(Number(run.outputs['crash-free-users'])).toBe(1);
  }, 60_000);

  it('fails a server (request-mode sessions, no users) on crash-free sessions, as the README wires it', async () => {
    const { run, totals } = await gateOnSdk(100, 10, { mode: 'server', inputs: { 'min-crash-free-sessions': '99%', 'min-crash-free-users': 'off' } });
    // the SDK flushes its per-minute counts once, at the end: the gate sees them all at once
    expect(totals).toEqual({ 'crash_free_rate(user)': null, 'crash_free_rate(session)': 0.9, 'sum(session)': 100 });
    expect(run.code, run.stdout).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.outputs.reason).toMatch(/^crash-free sessions 90(\.0+)?% .* below the 99% limit/);
  }, 60_000);

  it('fails on a new issue the SDK reported for more users than allowed, naming it', async () => {
    const { run, tracker } = await gateOnSdk(60, 20, { action: 'error', inputs: { 'max-new-issue-users': '5', 'min-crash-free-users': 'off' } });
    expect(run.code, run.stdout).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.outputs.reason).toMatch(/TypeError: Cannot read properties of undefined \(reading 'map'\)/);
    expect(run.outputs['new-issues']).toBe('1');
    expect(run.summary).toContain("TypeError: Cannot read properties of undefined (reading 'map')");
    expect([...tracker.ingest.issues.all()].map((i) => [i.count, i.users.size, i.firstRelease])).toEqual([[20, 20, RELEASE]]);
  }, 60_000);
});
