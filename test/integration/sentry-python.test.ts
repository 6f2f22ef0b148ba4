import { beforeAll, describe, expect, it } from 'vitest';
import { PYTHON_WITH_SDK, type PlanSession, runPythonSdkApp } from '../local-tracker/sdk-app';
import { issues, sdkTrackers, totals } from '../local-tracker/sdk-queries';

// sentry-python comes from Debian (python3-sentry-sdk), not from the npm registry:
// `npm run test:integration` installs it, and this file fails, never skips, without it.
beforeAll(() => {
  if (!PYTHON_WITH_SDK)
    throw new Error('sentry-python is not installed: apt-get install python3-sentry-sdk (npm run test:integration does this when run as root)');
});

const tracker = sdkTrackers();

describe('local tracker: ingest from sentry-python', () => {
  it('counts its sessions and groups its events the same way', async () => {
    const t = await tracker();
    const sessions: PlanSession[] = [
      { user: 'p1', do: ['crash'] },
      { user: 'p2', do: ['error'] },
      { user: 'p2', do: ['db'] },
      { user: 'p3', do: ['db'] },
      { user: 'p4', do: ['ok'] },
    ];
    await runPythonSdkApp(PYTHON_WITH_SDK!, t.dsns[0]!.dsn, { release: 'shop-py@1.0.0', sessions });
    const body = await totals(t, 'shop-py@1.0.0', [
      'sum(session)',
      'count_unique(user)',
      'crash_free_rate(user)',
      'crash_free_rate(session)',
      'unhealthy_rate(session)',
    ]);
    expect(body.groups[0].totals).toEqual({
      'sum(session)': 5,
      'count_unique(user)': 4,
      'crash_free_rate(user)': 0.75,
      'crash_free_rate(session)': 0.8,
      'unhealthy_rate(session)': 0.8,
    });
    const list = await issues(t);
    // KeyError ({} cart) and TypeError (None cart) are two issues; the two database errors are one
    const db = list.find((i) => i.title.startsWith('DatabaseError'));
    expect(db).toMatchObject({ count: '2', userCount: 2 });
    expect(list).toHaveLength(3);
  }, 60_000);
});
