import { describe, expect, it } from 'vitest';
import { decide, type GatePolicy, type PollInput, type RateLimit } from '../helpers/sentry-counts';
import type { HealthCounts, NewIssue } from '../../src/sources/sentry/types';

const users = (maxBadRate: number, source: RateLimit['source'] = 'absolute'): RateLimit => ({
  id: 'crash-free-users',
  maxBadRate,
  absoluteMaxBadRate: maxBadRate,
  source,
});

function policy(over: Partial<GatePolicy> = {}): GatePolicy {
  return { limits: [users(0.03)], confidence: 0.95, minSessions: 100, passEarly: false, ...over };
}

function counts(users: number, crashedUsers: number, over: Partial<HealthCounts> = {}): HealthCounts {
  return { sessions: users, crashedSessions: crashedUsers, erroredSessions: crashedUsers, users, crashedUsers, ...over };
}

function poll(c: HealthCounts, over: Partial<PollInput> = {}): PollInput {
  return { counts: c, projects: {}, newIssues: [], at: 1_780_000_000_000, final: false, ...over };
}

const issue = (over: Partial<NewIssue> = {}): NewIssue => ({
  id: '1',
  shortId: 'SHOP-WEB-1A',
  title: 'TypeError: x is undefined',
  culprit: null,
  permalink: null,
  project: 'shop-web',
  userCount: 5,
  count: 9,
  firstSeen: '2026-06-03T02:10:00Z',
  ...over,
});

describe('decide: rate checks', () => {
  it('fails a clearly crashing release with the numbers in the reason', () => {
    const { verdict, evaluations } = decide(policy(), poll(counts(1204, 92, { sessions: 1500 })));
    expect(verdict?.outcome).toBe('fail');
    expect(verdict?.check).toBe('crash-free-users');
    expect(verdict?.project).toBeNull();
    expect(verdict?.decidedAt).toBe(1_780_000_000_000);
    expect(verdict?.reason).toMatch(
      /^crash-free users 92\.4% \(interval 89\.2–94\.8%, 1,204 users, 92 crashed\) is below the 97% limit \(e-value 7\.7e12 ≥ 80\)$/,
    );
    expect(evaluations).toHaveLength(1);
    const e = evaluations[0]!;
    expect(e).toMatchObject({ n: 1204, k: 92, eThreshold: 80, status: 'fail', maxBadRate: 0.03 });
    expect(e.observedBadRate).toBeCloseTo(92 / 1204, 12);
    expect(e.interval![0]).toBeGreaterThan(0.03); // failing means the whole interval is past the limit
  });

  it('keeps watching while the evidence is thin', () => {
    // 3 of 50 is 6% observed, twice the limit, but 50 users cannot show it yet.
    const { verdict, evaluations } = decide(policy(), poll(counts(50, 3)));
    expect(verdict).toBeNull();
    expect(evaluations[0]!.status).toBe('watching');
    expect(evaluations[0]!.interval![0]).toBeLessThan(0.03);
    expect(evaluations[0]!.interval![1]).toBeGreaterThan(0.03);
  });

  it('never passes early on a rate check, however strong the mirrored evidence (#19.4: users and sessions counted healthy can still crash)', () => {
    const c = counts(5000, 20);
    for (const passEarly of [false, true]) {
      const { evaluations, verdict } = decide(policy({ passEarly }), poll(c));
      expect(verdict).toBeNull();
      expect(evaluations[0]!.ePass).toBeGreaterThan(evaluations[0]!.eThreshold);
      expect(evaluations[0]!.status).toBe('watching');
      expect(evaluations[0]!.interval![1]).toBeLessThan(0.03);
    }
  });

  it('does not pass early below min-sessions', () => {
    expect(decide(policy({ passEarly: true, minSessions: 10_000 }), poll(counts(5000, 20))).verdict).toBeNull();
  });

  it('uses sessions for crash-free sessions and unhealthy sessions for the error rate', () => {
    const p = policy({
      limits: [
        { id: 'crash-free-sessions', maxBadRate: 0.01, absoluteMaxBadRate: 0.01, source: 'absolute' },
        { id: 'error-rate', maxBadRate: 0.05, absoluteMaxBadRate: 0.05, source: 'absolute' },
      ],
    });
    const c: HealthCounts = { sessions: 4000, crashedSessions: 10, erroredSessions: 400, users: 900, crashedUsers: 9 };
    const { verdict, evaluations } = decide(p, poll(c));
    expect(evaluations.map((e) => [e.id, e.n, e.k])).toEqual([
      ['crash-free-sessions', 4000, 10],
      ['error-rate', 4000, 400],
    ]);
    // two tests share alpha, half of which is kept for the end-of-window test
    expect(evaluations[0]!.eThreshold).toBe(160);
    expect(verdict?.check).toBe('error-rate');
    expect(verdict?.reason).toMatch(/^error rate 10% \(interval [\d.]+–[\d.]+%, 4,000 sessions, 400 errored\) is above the 5% limit \(e-value .* ≥ 160\)$/);
  });

  it('judges the session checks on bad users against sessions: 60 crashed sessions in 3 users is not 60 independent crashes (#19.1)', () => {
    const p = policy({ limits: [{ id: 'crash-free-sessions', maxBadRate: 0.01, absoluteMaxBadRate: 0.01, source: 'absolute' }] });
    // 1.5% crashed sessions, but one broken account per thousand sessions: no evidence the release is bad
    const clustered: HealthCounts = { sessions: 4000, crashedSessions: 60, erroredSessions: 60, users: 1500, crashedUsers: 3 };
    const { verdict, evaluations } = decide(p, poll(clustered, { final: true }));
    expect(evaluations[0]).toMatchObject({ n: 4000, k: 60, kTested: 3 });
    expect(verdict?.outcome).not.toBe('fail');
    // the same crashes spread over 60 users are evidence
    const spread = decide(p, poll({ ...clustered, crashedUsers: 60 }, { final: true }));
    expect(spread.verdict?.outcome).toBe('fail');
    expect(spread.verdict?.reason).toMatch(/^crash-free sessions 98\.5% .*4,000 sessions, 60 crashed\) is below the 99% limit/);
  });

  it("judges sessions with no users at all (a server's request-mode aggregates) on sessions: 10% crashed requests fail a 99% limit", () => {
    for (const id of ['crash-free-sessions', 'error-rate'] as const) {
      const p = policy({ limits: [{ id, maxBadRate: 0.01, absoluteMaxBadRate: 0.01, source: 'absolute' }] });
      const server: HealthCounts = { sessions: 1000, crashedSessions: 100, erroredSessions: 100, users: 0, crashedUsers: 0, erroredUsers: 0 };
      const { verdict, evaluations } = decide(p, poll(server, { final: true }));
      expect(evaluations[0]).toMatchObject({ n: 1000, k: 100 });
      expect(verdict?.outcome, id).toBe('fail');
    }
  });

  it('judges the error rate on users with an unhealthy session when the tracker counted them', () => {
    const p = policy({ limits: [{ id: 'error-rate', maxBadRate: 0.05, absoluteMaxBadRate: 0.05, source: 'absolute' }] });
    const c: HealthCounts = { sessions: 4000, crashedSessions: 0, erroredSessions: 400, users: 1500, crashedUsers: 0, erroredUsers: 150 };
    const { verdict, evaluations } = decide(p, poll(c, { final: true }));
    expect(evaluations[0]).toMatchObject({ k: 400, kTested: 150 });
    expect(verdict?.outcome).not.toBe('fail');
  });

  it('with pass-margin, passes only when the data rule out that multiple of the limit, else says what cannot be ruled out (#19.6)', () => {
    const few = counts(180, 6, { sessions: 400 });
    const margin = decide(policy({ passMargin: 2 }), poll(few, { final: true }));
    expect(margin.verdict?.outcome).toBe('inconclusive');
    expect(margin.verdict?.check).toBe('crash-free-users');
    expect(margin.verdict?.reason).toMatch(
      /^too little data to pass: with 180 users, a crashed-user rate up to (\d+(\.\d+)?)% cannot be ruled out, more than 2× the 3% the 97% limit allows \(pass-margin 2x\); observed 3\.3%; at the observed rate that takes about 260 users, a window about 1\.4× as long at this traffic$/,
    );
    const upper = Number(/up to ([\d.]+)%/.exec(margin.verdict!.reason)![1]);
    expect(upper).toBeGreaterThan(6);
    expect(decide(policy({ passMargin: null }), poll(few, { final: true })).verdict?.outcome).toBe('pass');
    expect(decide(policy({ passMargin: 2 }), poll(counts(3000, 30), { final: true })).verdict?.outcome).toBe('pass');
  });

  it('an inconclusive pass-margin says how much data would do, and that much at the same rate passes (#19 follow-up)', () => {
    // 99.5% limit at 100 sessions/min, 10 minutes (bench/RESULTS.md): 300 users, one crashed (0.33%, healthy) cannot pass.
    const p = policy({ limits: [users(0.005)], passMargin: 2 });
    const few = decide(p, poll(counts(300, 1, { sessions: 900 }), { final: true })).verdict!;
    expect(few.outcome).toBe('inconclusive');
    const [, needed, times] = /takes about ([\d,]+) users, a window about ([\d.]+)× as long at this traffic$/.exec(few.reason)!;
    const n = Number(needed!.replace(/,/g, ''));
    expect(n).toBeGreaterThan(300);
    expect(Number(times)).toBeCloseTo(n / 300, 1);
    expect(few.reason).toContain('observed 0.33%; at the observed rate that takes about 780 users, a window about 2.6× as long at this traffic');
    expect(decide(p, poll(counts(n, Math.floor(n / 300), { sessions: 3 * n }), { final: true })).verdict?.outcome).toBe('pass');
    // At or past margin × the limit, more data would not make a pass: nothing to promise.
    const bad = decide(p, poll(counts(300, 4, { sessions: 900 }), { final: true })).verdict!;
    expect(bad.outcome).toBe('inconclusive');
    expect(bad.reason).not.toContain('takes about');
  });

  it('says where a baseline limit came from', () => {
    const { verdict } = decide(policy({ limits: [users(0.012, 'baseline')] }), poll(counts(3000, 120)));
    expect(verdict?.reason).toContain('below the 98.8% limit (from the previous release)');
  });

  it('reports n = 0 as no data, not as a rate', () => {
    const { evaluations, verdict } = decide(policy(), poll(counts(0, 0)));
    expect(verdict).toBeNull();
    expect(evaluations[0]).toMatchObject({ n: 0, k: 0, observedBadRate: null, interval: null, eFail: 1, ePass: 1, status: 'watching' });
  });
});

describe('decide: projects and multiple testing', () => {
  const projects = { web: counts(2000, 30), api: counts(2000, 130) };
  const total = counts(4000, 160);

  it('tests the total and each project, splitting alpha over all of them', () => {
    const p = policy({ limits: [users(0.03), { id: 'error-rate', maxBadRate: 0.5, absoluteMaxBadRate: 0.5, source: 'absolute' }] });
    const { evaluations } = decide(p, poll(total, { projects }));
    expect(evaluations).toHaveLength(6);
    expect(evaluations.map((e) => e.project)).toEqual([null, 'web', 'api', null, 'web', 'api']);
    for (const e of evaluations) expect(e.eThreshold).toBeCloseTo(480, 9);
  });

  it('names the failing project when the total is still within the limit', () => {
    const { verdict, evaluations } = decide(policy(), poll(total, { projects }));
    expect(evaluations.find((e) => e.project === null)!.status).not.toBe('fail');
    expect(verdict).toMatchObject({ outcome: 'fail', check: 'crash-free-users', project: 'api' });
    expect(verdict?.reason).toMatch(/^crash-free users in api 93\.5% .*2,000 users, 130 crashed\) is below the 97% limit \(e-value .* ≥ 240\)$/);
  });

  it('prefers the overall scope when it fails too', () => {
    const bad = { web: counts(2000, 150), api: counts(2000, 160) };
    expect(decide(policy(), poll(counts(4000, 310), { projects: bad })).verdict?.project).toBeNull();
  });

  it('does not repeat a lone project as a scope', () => {
    expect(decide(policy(), poll(total, { projects: { web: total } })).evaluations).toHaveLength(1);
  });
});

describe('decide: new issues', () => {
  it('fails when one new issue affects more users than allowed', () => {
    const title = `Error: ${'very long message '.repeat(10)}\n  at handler`;
    const worst = issue({ shortId: 'SHOP-WEB-2B', title, userCount: 57 });
    const { verdict } = decide(
      policy({ maxNewIssueUsers: 10 }),
      poll(counts(50, 0), { newIssues: [issue({ userCount: 12 }), worst, issue({ userCount: 3 })] }),
    );
    expect(verdict).toMatchObject({ outcome: 'fail', check: 'new-issues', project: 'shop-web', issue: worst });
    expect(verdict?.reason).toMatch(
      /^new issue SHOP-WEB-2B "Error: very long message .{40,}…" affects 57 users, more than the 10 allowed \(max-new-issue-users\)$/,
    );
    const quoted = /"(.*)"/.exec(verdict!.reason)![1]!;
    expect(quoted.length).toBeLessThanOrEqual(80);
    expect(verdict?.reason).not.toContain('\n');
  });

  it('allows exactly the limit, and ignores new issues when the check is off', () => {
    expect(decide(policy({ maxNewIssueUsers: 10 }), poll(counts(50, 0), { newIssues: [issue({ userCount: 10 })] })).verdict).toBeNull();
    expect(decide(policy(), poll(counts(50, 0), { newIssues: [issue({ userCount: 1000 })] })).verdict).toBeNull();
  });
});

describe('decide: end of window', () => {
  it('passes with the main check in the reason', () => {
    const { verdict } = decide(policy(), poll(counts(300, 6, { sessions: 420 }), { final: true }));
    expect(verdict?.outcome).toBe('pass');
    expect(verdict?.check).toBe('crash-free-users');
    expect(verdict?.reason).toMatch(
      /^all checks within limits: crash-free users 98% \(interval [\d.]+–[\d.]+%, 300 users, 6 crashed\) against the 97% limit; 420 sessions$/,
    );
  });

  it('is inconclusive below min-sessions', () => {
    const { verdict } = decide(policy(), poll(counts(40, 0), { final: true }));
    expect(verdict).toMatchObject({ outcome: 'inconclusive', check: null, reason: 'only 40 sessions, fewer than the 100 needed (min-sessions)' });
  });

  it('still fails at the last poll', () => {
    expect(decide(policy(), poll(counts(1000, 100), { final: true })).verdict?.outcome).toBe('fail');
  });

  it('is pure: the same input gives the same output', () => {
    const input = poll(counts(700, 30), { projects: { a: counts(300, 10), b: counts(400, 20) } });
    expect(decide(policy(), input)).toEqual(decide(policy(), structuredClone(input)));
  });
});

describe('decide: the end-of-window test', () => {
  it('fails at the last poll a release the sequential test has not yet caught, naming the exact test', () => {
    // 300 users, 19 crashed (6.3%) against a 3% limit: short of the e-value threshold, clear for one exact test.
    const mid = decide(policy(), poll(counts(300, 19, { sessions: 900 })));
    expect(mid.verdict).toBeNull();
    expect(mid.evaluations[0]!.eFail).toBeLessThan(mid.evaluations[0]!.eThreshold);
    const last = decide(policy(), { ...poll(counts(300, 19, { sessions: 900 })), final: true });
    expect(last.verdict?.outcome).toBe('fail');
    expect(last.verdict?.reason).toMatch(/is below the 97% limit \(end-of-window test p = 0\.00\d+ ≤ 0\.019\)$/);
    expect(last.evaluations[0]!.finalP).toBeLessThan(0.01875);
  });

  it('passes at the last poll a release at its limit whose excess is within chance', () => {
    // 300 users, 13 crashed (4.3%): P(X >= 13 | 300, 0.03) is about 0.1, above 0.01875.
    const last = decide(policy(), { ...poll(counts(300, 13, { sessions: 900 })), final: true });
    expect(last.verdict?.outcome).toBe('pass');
    expect(last.evaluations[0]!.finalP).toBeGreaterThan(0.01875);
  });

  describe('the second half of the window', () => {
    // 300 users, 14 crashed (4.7%) since the deploy: within chance of a 3% limit at the final level.
    // The second half alone: 150 users, 12 crashed (8%): a release that turned bad mid-window.
    const at = 1_780_000_000_000;
    const since = at - 5 * 60_000;
    const slowBurn = (recent?: PollInput['recent']) =>
      decide(policy(), { ...poll(counts(300, 14, { sessions: 900 })), final: true, ...(recent ? { recent } : {}) });

    it('fails a release that turned bad mid-window, naming the span and both sets of numbers', () => {
      const { verdict, evaluations } = slowBurn({ since, counts: counts(150, 12, { sessions: 450 }), projects: {} });
      expect(evaluations[0]!.finalP).toBeGreaterThan(0.01875);
      expect(evaluations[0]!.recent).toMatchObject({ since, n: 150, k: 12 });
      expect(evaluations[0]!.recent!.alpha).toBeCloseTo(0.01875, 12);
      expect(evaluations[0]!.recent!.p).toBeLessThan(0.01);
      expect(verdict?.outcome).toBe('fail');
      expect(verdict?.reason).toMatch(
        /^crash-free users over the last 5 min 92% \(150 users, 12 crashed\) is below the 97% limit \(end-of-window test of the window's second half p = 0\.00\d+ ≤ 0\.019\); since the deploy: 95\.3% \(interval [\d.]+–[\d.]+%, 300 users, 14 crashed\)$/,
      );
    });

    it('passes the same release when the second half is as healthy as the whole', () => {
      const { verdict, evaluations } = slowBurn({ since, counts: counts(150, 7, { sessions: 450 }), projects: {} });
      expect(evaluations[0]!.recent!.p).toBeGreaterThan(0.01875);
      expect(verdict?.outcome).toBe('pass');
    });

    it('without second-half counts (the query failed) keeps the since-deploy test at the same level', () => {
      const { verdict, evaluations } = slowBurn();
      expect(verdict?.outcome).toBe('pass');
      expect(evaluations[0]!.finalAlpha).toBeCloseTo(0.01875, 12);
      expect(evaluations[0]!.recent).toBeUndefined();
    });

    it('tests each project on its own second half and names the one that burns', () => {
      // Since the deploy api is at 5% of 200 users, within chance; its second half is 9 crashed of 40.
      const projects = { web: counts(600, 10, { sessions: 1800 }), api: counts(200, 10, { sessions: 600 }) };
      const recent = { since, counts: counts(340, 11), projects: { web: counts(300, 2), api: counts(40, 9) } };
      const { verdict } = decide(policy(), { ...poll(counts(800, 20, { sessions: 2400 }), { projects }), final: true, recent });
      expect(verdict).toMatchObject({ outcome: 'fail', project: 'api' });
      expect(verdict?.reason).toMatch(
        /^crash-free users in api over the last 5 min 77\.5% \(40 users, 9 crashed\) is below the 97% limit .*; since the deploy: 95% \(interval [\d.]+–[\d.]+%, 200 users, 10 crashed\)$/,
      );
    });
  });
});
