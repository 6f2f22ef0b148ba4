import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, burst, goodPolls, record, sessionsNeverFallBack, skippedPolls, spell } from './faults';
import { gate, isIssues, isSessions } from './harness';

const WATCH_ISSUES = { 'max-new-issue-users': '50' };

describe.concurrent('transient faults during the window (bundled action, local tracker)', () => {
  const bursts = FAULT_KINDS.filter((k) => !['500', '503'].includes(k.kind));

  it.each(bursts)('a burst of $kind on sessions and issues is retried: healthy still passes, no poll skipped', async (k) => {
    const g = await gate('healthy', { inputs: WATCH_ISSUES, before: (t) => burst(t, k, 2, 1) });
    record(`burst: ${k.kind}`, 'healthy', g);
    const { run, tracker, report } = g;
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
    // every injected fault was served, and retried
    expect(tracker.faults.list).toHaveLength(0);
    expect(tracker.requests.filter((r) => r.fault && isSessions(r))).toHaveLength(2);
    expect(tracker.requests.filter((r) => r.fault && isIssues(r))).toHaveLength(1);
    expect(skippedPolls(report!)).toHaveLength(0);
    expect(sessionsNeverFallBack(report!)).toBe(true);
    // bounded: a clean 8 s run polls ~8 times (2 session requests + 1 issues request each)
    expect(tracker.requests.length).toBeLessThan(45);
    if (k.kind.startsWith('429')) {
      // the retry came no earlier than the reset the 429 announced (epoch seconds)
      const limited = tracker.requests.find((r) => r.status === 429)!;
      const resetMs = (Math.ceil(limited.receivedAt / 1000) + 1) * 1000;
      const next = tracker.requests.find((r) => isSessions(r) && !r.fault && r.receivedAt > limited.receivedAt);
      expect(next!.receivedAt).toBeGreaterThanOrEqual(resetMs);
    }
  });

  it('a burst of 500, 502 and 503 across the health queries is retried: healthy still passes', async () => {
    const g = await gate('healthy', {
      inputs: WATCH_ISSUES,
      before: (t) => {
        t.faults.add({ path: '/sessions/', status: 500 });
        t.faults.add({ path: '/sessions/', status: 502 });
        t.faults.add({ path: '/issues/', status: 503 });
      },
    });
    record('burst: 500, 502 on sessions, 503 on issues', 'healthy', g);
    const { run, tracker, report } = g;
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
    expect(
      tracker.requests
        .filter((r) => r.fault)
        .map((r) => r.status)
        .sort(),
    ).toEqual([500, 502, 503]);
    expect(skippedPolls(report!)).toHaveLength(0);
  });

  it('a burst of mixed faults does not stop a crashing release from failing', async () => {
    const kind = (name: string) => FAULT_KINDS.find((k) => k.kind === name)!;
    const g = await gate('crash-spike', {
      inputs: WATCH_ISSUES,
      before: (t) => {
        for (const name of ['500', '200 with truncated JSON']) t.faults.add({ path: '/sessions/', ...kind(name).sessions });
        for (const name of ['502 with an HTML page', '200 missing expected fields']) t.faults.add({ path: '/issues/', ...kind(name).issues });
      },
    });
    record('burst: 500, truncated on sessions; 502 HTML, missing fields on issues', 'crash-spike', g);
    const { run, tracker } = g;
    expect(run.outputs.verdict, run.stdout).toBe('fail');
    expect(run.code).toBe(1);
    expect(run.outputs.reason).toMatch(/^crash-free users .* below the 97% limit/);
    expect(tracker.faults.list).toHaveLength(0);
  });
});

describe.concurrent('a fault that outlasts a poll’s retry budget: the poll is skipped and recorded, never counted', () => {
  const persistent = FAULT_KINDS.filter((k) => ['200 with an HTML page', '200 missing expected fields', 'connection reset'].includes(k.kind));

  it.each(persistent)('$kind for 7 s mid-window: skipped polls in the report and summary, healthy still passes', async (k) => {
    const g = await gate('healthy', { inputs: { ...WATCH_ISSUES, window: '12s' }, before: (t) => spell(t, k, 500, 7_000) });
    record(`7 s spell: ${k.kind}`, 'healthy', g);
    const { run, report } = g;
    const skipped = skippedPolls(report!);
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
    expect(skipped.length).toBeGreaterThanOrEqual(1);
    // A skipped poll names the fault, or the timeout of its last attempt: that attempt gets only what is
    // left of the retry budget, so on a loaded machine it can time out (the spell over, the tracker slow
    // to answer). Either way it is an error, never data. Seen under full-suite load on 2 cores for the
    // reset spell, where the one skipped poll named the timeout.
    for (const poll of skipped) {
      expect(poll.error).toMatch(new RegExp(`${k.error.source}|failed: TimeoutError: .*timeout`, k.error.flags));
      expect(poll.evaluations).toEqual([]);
    }
    // the broken answers never became data: cumulative counts never fall back, and
    // the verdict rests on the last good poll's numbers
    expect(sessionsNeverFallBack(report!)).toBe(true);
    const last = goodPolls(report!).at(-1)!;
    expect(last.sample!.sessions).toBeGreaterThan(500);
    expect(run.outputs.sessions).toBe(String(last.sample!.sessions));
    expect(report!.verdict.evaluations.find((e) => e.check === 'crash-free-users' && e.project === null)?.n).toBe(last.sample!.users);
    expect(run.summary).toMatch(/skipped: /);
    expect(run.stdout).toMatch(/poll skipped: /);
  });

  it('a crashing release that the tracker cannot report on for the first polls still fails once it can', async () => {
    const k = FAULT_KINDS.find((f) => f.kind === '503')!;
    const g = await gate('crash-spike', { inputs: { window: '12s' }, before: (t) => spell(t, k, 0, 6_000) });
    record('6 s spell from the start: 503', 'crash-spike', g);
    const { run, report } = g;
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(skippedPolls(report!).length).toBeGreaterThanOrEqual(1);
    expect(report!.polls[0]!.sample).toBeNull();
  });
});
