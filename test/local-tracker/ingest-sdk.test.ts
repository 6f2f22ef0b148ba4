import { describe, expect, it } from 'vitest';
import { call } from './client';
import { type PlanSession, runSdkApp } from './sdk-app';
import { issues, sdkTrackers, totals } from './sdk-queries';

const tracker = sdkTrackers();

describe('local tracker: ingest from the real @sentry/node SDK', () => {
  it('prints one DSN per project, with the key the envelope endpoint checks', async () => {
    const t = await tracker({ projects: ['shop-web', 'shop-api'] });
    expect(t.dsns.map((d) => d.project)).toEqual(['shop-web', 'shop-api']);
    for (const d of t.dsns) expect(d.dsn).toMatch(new RegExp(`^http://[0-9a-f]{32}@127\\.0\\.0\\.1:\\d+/${d.id}$`));
    expect(new Set(t.dsns.map((d) => new URL(d.dsn).username)).size).toBe(2);
  });

  it('counts SDK sessions: crash-free users and sessions are what the app did', async () => {
    const t = await tracker();
    // 10 users, 12 sessions: u1 and u2 crash, u3 has a handled error in one of its two sessions.
    const sessions: PlanSession[] = [
      { user: 'u1', do: ['crash'] },
      { user: 'u2', do: ['ok', 'crash'] },
      { user: 'u3', do: ['error'] },
      { user: 'u3', do: ['ok'] },
      { user: 'u4', do: ['ok'] },
      { user: 'u4', do: ['ok'] },
      ...['u5', 'u6', 'u7', 'u8', 'u9', 'u10'].map((user) => ({ user, do: ['ok' as const] })),
    ];
    await runSdkApp(t.dsns[0]!.dsn, { release: 'shop-web@2.0.0', mode: 'sessions', sessions });

    const body = await totals(t, 'shop-web@2.0.0', [
      'sum(session)',
      'count_unique(user)',
      'crash_free_rate(user)',
      'crash_free_rate(session)',
      'unhealthy_rate(session)',
    ]);
    expect(body.groups).toHaveLength(1);
    expect(body.groups[0].totals).toEqual({
      'sum(session)': 12,
      'count_unique(user)': 10,
      'crash_free_rate(user)': 0.8,
      'crash_free_rate(session)': 1 - 2 / 12,
      'unhealthy_rate(session)': 3 / 12,
    });
    // by status: 2 crashed, 1 errored, 9 healthy
    const byStatus = (
      await call(t, 'GET', 'sessions/', {
        query: { field: 'sum(session)', groupBy: 'session.status', query: 'release:"shop-web@2.0.0"', statsPeriod: '1h', interval: '1h' },
      })
    ).body;
    const counts = Object.fromEntries(
      byStatus.groups.map((g: { by: Record<string, string>; totals: Record<string, number> }) => [g.by['session.status'], g.totals['sum(session)']]),
    );
    expect(counts).toEqual({ abnormal: 0, crashed: 2, errored: 1, healthy: 9, unhandled: 0 });
    // other releases and environments see none of it
    expect((await totals(t, 'shop-web@1.4.0', ['sum(session)'])).groups[0].totals['sum(session)']).toBe(0);
    expect(t.ingest.stats.items).toMatchObject({ session: expect.any(Number), event: 3 });
  }, 60_000);

  it('counts server-mode request sessions (aggregates): crash-free sessions, and no users (the SDK sends none)', async () => {
    const t = await tracker();
    const sessions: PlanSession[] = [{ user: 'a', do: ['ok', 'ok', 'ok', 'error'] }, { user: 'b', do: ['ok', 'crash', 'ok'] }, { do: ['ok', 'ok', 'ok'] }];
    await runSdkApp(t.dsns[0]!.dsn, { release: 'shop-web@3.0.0', mode: 'server', sessions });
    expect(t.ingest.stats.items.sessions).toBeGreaterThanOrEqual(1);
    const body = await totals(t, 'shop-web@3.0.0', ['sum(session)', 'count_unique(user)', 'crash_free_rate(session)', 'crash_free_rate(user)']);
    expect(body.groups[0].totals).toEqual({
      'sum(session)': 10,
      'count_unique(user)': 0,
      'crash_free_rate(session)': 0.9,
      'crash_free_rate(user)': null,
    });
  }, 60_000);

  it('groups events into issues: a custom fingerprint is one issue whatever the message; userCount counts distinct users', async () => {
    const t = await tracker();
    await runSdkApp(t.dsns[0]!.dsn, {
      release: 'shop-web@2.0.0',
      mode: 'sessions',
      sessions: [{ user: 'u1', do: ['db', 'db'] }, { user: 'u2', do: ['db'] }, { do: ['db'] }],
    });
    const list = await issues(t);
    expect(list).toHaveLength(1);
    expect(list[0]!.count).toBe('4');
    expect(list[0]!.userCount).toBe(2);
    expect(list[0]!.title).toMatch(/^DatabaseError: deadlock detected on order \d+$/);
    expect(t.ingest.issues.events).toBe(4);
  }, 60_000);

  it('groups the same error from two deploys with shifted line numbers into one issue, first seen in the first release', async () => {
    const t = await tracker();
    await runSdkApp(t.dsns[0]!.dsn, { release: 'shop-web@1.0.0', mode: 'sessions', sessions: [{ user: 'u1', do: ['error'] }] });
    await runSdkApp(t.dsns[0]!.dsn, { release: 'shop-web@2.0.0', mode: 'sessions', sessions: [{ user: 'u2', do: ['error'] }], shiftLines: 7 });
    const lines = t.ingest.issues.recentEvents().map((e) => {
      const frames = (e.event.exception as { values: { stacktrace: { frames: { lineno: number; module: string; function: string }[] } }[] }).values[0]!
        .stacktrace.frames;
      return frames.find((f) => f.function.endsWith('renderCart'))!.lineno;
    });
    expect(lines[1]! - lines[0]!).toBe(7);
    const list = await issues(t);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      title: "TypeError: Cannot read properties of undefined (reading 'map')",
      culprit: 'checkout in Object.renderCart',
      count: '2',
      userCount: 2,
    });
    expect(await issues(t, 'firstRelease:"shop-web@1.0.0"')).toHaveLength(1);
    expect(await issues(t, 'firstRelease:"shop-web@2.0.0"')).toHaveLength(0);
  }, 60_000);
});
