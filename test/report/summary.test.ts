import { describe, expect, it } from 'vitest';
import { buildSummary, SUMMARY_MAX_BYTES } from '../../src/report/summary';
import type { RunReport } from '../../src/report/types';
import { counts, evaluation, failReport, issue, MIN, passReport, poll, T0 } from './fixtures';

const Z = '\u200b';

function lineStarting(text: string, prefix: string): string {
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  if (line === undefined) throw new Error(`no line starting with ${JSON.stringify(prefix)}`);
  return line;
}

/** Cells of a GFM table row, splitting on pipes that are not escaped. */
function cells(row: string): string[] {
  return row
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((c) => c.trim());
}

function mermaid(text: string): string[] {
  const match = /```mermaid\n([\s\S]*?)\n```/.exec(text);
  if (!match?.[1]) throw new Error('no mermaid block');
  return match[1].split('\n');
}

describe("buildSummary: the last poll's exact tests", () => {
  it('shows both p-values and the level in the evidence cell of a check decided at the last poll', () => {
    const ev = evaluation({
      finalP: 0.2134567,
      finalAlpha: 0.01875,
      recent: { since: T0 + 5 * MIN, n: 150, k: 12, observedBadRate: 0.08, p: 0.00123456, alpha: 0.01875 },
    });
    const md = buildSummary(failReport({ verdict: { ...failReport().verdict, evaluations: [ev] } }));
    expect(md).toContain('; end of window p 0.21, second half p 0.0012 (needs ≤ 0.019)');
    expect(buildSummary(failReport())).not.toContain('end of window p');
  });
});

describe('buildSummary: verdict', () => {
  it('leads a failure with the verdict line and the alert', () => {
    const text = buildSummary(failReport());
    expect(text.startsWith('## Release health gate\n\n')).toBe(true);
    expect(lineStarting(text, '❌')).toBe(
      `❌ **Fail** · release \`shop-web@4f2c1a9\` → \`production\` · Crash-free users 97.8% \\(interval 97.1–98.4%, 1,204 users\\) is below the 99.5% limit`,
    );
    const alert = text.indexOf('```text\nAlert:    Crash-free users below 99.5% after deploy\n');
    expect(alert).toBeGreaterThan(0);
    expect(alert).toBeLessThan(text.indexOf('### Checks'));
    expect(text).toContain('Deploy finished 2026-06-03T02:08Z; decided 02:14Z (6 min after deploy). Window 10 min, a poll every 1 min');
  });

  it('shows a pass without an alert', () => {
    const text = buildSummary(passReport());
    expect(lineStarting(text, '✅')).toMatch(/^✅ \*\*Pass\*\* · release /);
    expect(text).not.toContain('```text');
    expect(text).not.toContain('dry run');
  });

  it('shows an inconclusive run with a warning sign', () => {
    const report = passReport({
      verdict: { ...passReport().verdict, outcome: 'inconclusive', reason: 'Only 40 sessions in the window; 100 needed' },
    });
    expect(lineStarting(buildSummary(report), '⚠️')).toBe(
      `⚠️ **Inconclusive** · release \`shop-web@4f2c1a9\` → \`production\` · Only 40 sessions in the window; 100 needed`,
    );
  });

  it('says a dry run would have failed the job', () => {
    const report = failReport({ dryRun: true, action: { kind: 'would-dispatch', workflow: 'rollback.yml', ref: 'main', previousRelease: 'shop-web@9b07d3e' } });
    const text = buildSummary(report);
    expect(lineStarting(text, '❌')).toMatch(/^❌ \*\*Fail\*\* \(dry run: would have failed the job\) · release /);
    expect(text).toContain('Action:   dry run: would dispatch workflow rollback.yml for shop-web@9b07d3e');
    expect(lineStarting(buildSummary(passReport({ dryRun: true })), '✅')).toMatch(/^✅ \*\*Pass\*\* \(dry run\) · /);
  });

  it('carries a failed dispatch into the alert block', () => {
    const text = buildSummary(
      failReport({ action: { kind: 'dispatch-failed', workflow: 'rollback.yml', error: 'HTTP 403: Resource not accessible by integration' } }),
    );
    expect(text).toContain(
      'Action:   dispatch of rollback.yml FAILED: HTTP 403: Resource not accessible by integration — roll back by hand to shop-web@9b07d3e',
    );
  });
});

describe('buildSummary: checks', () => {
  it('lists each check of the deciding poll with its numbers', () => {
    const text = buildSummary(failReport());
    expect(lineStarting(text, '| Check |')).toBe('| Check | Scope | Limit | Observed | Interval | n | k | E-value vs threshold | Decision |');
    expect(lineStarting(text, '| Crash-free users |')).toBe(
      '| Crash-free users | all projects | ≥ 99.5% | 97.8% | 97.1–98.4% | 1,204 | 27 | fail 41 / pass 0.002 (needs 20) | ❌ fail |',
    );
    expect(lineStarting(text, '| Crash-free sessions |')).toBe(
      '| Crash-free sessions | all projects | ≥ 99.8% | 99.83% | 99.51–99.95% | 1,800 | 3 | fail 0.8 / pass 3.2 (needs 20) | ⏳ watching |',
    );
    expect(lineStarting(buildSummary(passReport()), '| Crash-free users |')).toContain('| fail 0.05 / pass 35 (needs 20) | ✅ healthy |');
  });

  it('shows the scope of a project-scoped failure', () => {
    const ev = evaluation({ project: 'shop-api', n: 310, k: 9, observedBadRate: 9 / 310, interval: [0.014, 0.054], eFail: 1.2e7 });
    const report = failReport({ verdict: { ...failReport().verdict, project: 'shop-api', evaluations: [evaluation({ status: 'watching' }), ev] } });
    expect(lineStarting(buildSummary(report), '| Crash-free users | shop-api |')).toBe(
      '| Crash-free users | shop-api | ≥ 99.5% | 97.1% | 94.6–98.6% | 310 | 9 | fail 1.2e7 / pass 0.002 (needs 20) | ❌ fail |',
    );
  });

  it('shows an error-rate limit as a maximum', () => {
    const ev = evaluation({ id: 'error-rate', maxBadRate: 0.02, observedBadRate: 0.035, interval: [0.027, 0.044], n: 1800, k: 63 });
    const report = failReport({ verdict: { ...failReport().verdict, check: 'error-rate', evaluations: [ev] } });
    expect(lineStarting(buildSummary(report), '| Error rate |')).toBe(
      '| Error rate | all projects | ≤ 2% | 3.5% | 2.7–4.4% | 1,800 | 63 | fail 41 / pass 0.002 (needs 20) | ❌ fail |',
    );
  });

  it('adds the new-issue check when it is on', () => {
    const bad = issue();
    const report = failReport({ maxNewIssueUsers: 10, newIssues: [bad], verdict: { ...failReport().verdict, check: 'new-issues', issue: bad } });
    expect(lineStarting(buildSummary(report), '| New issues |')).toBe(
      '| New issues | all projects | ≤ 10 users per issue | 57 users (SHOP-WEB-1A) | – | 1 issues | – | – | ❌ fail |',
    );
    expect(lineStarting(buildSummary(passReport({ maxNewIssueUsers: 10 })), '| New issues |')).toContain('| none | – | 0 issues | – | – | ✅ within limit |');
  });
});

describe('buildSummary: new issues', () => {
  it('links the short id and shows the counts', () => {
    const text = buildSummary(failReport({ newIssues: [issue()] }));
    expect(text).toContain('### New issues (1)');
    expect(lineStarting(text, '| [SHOP-WEB-1A]')).toBe(
      '| [SHOP-WEB-1A](https://acme.sentry.io/issues/4711/) | TypeError: cart.total is undefined — checkout/cart.ts in computeTotal | shop-web | 57 | 120 | 02:12Z (+04:30) |',
    );
  });

  it('omits the section when there are none', () => {
    expect(buildSummary(passReport())).not.toContain('### New issues');
  });

  it('renders hostile titles inert', () => {
    const hostile = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '[click](javascript:alert(1))', 'a|b\nc', '@here deploy is fine'];
    const newIssues = hostile.map((title, i) => issue({ id: `${i}`, shortId: `EVIL-${i}`, title, culprit: '@octocat | <b>', userCount: 100 - i }));
    const report = failReport({
      newIssues,
      release: 'evil@<img src=x>',
      verdict: { ...failReport().verdict, reason: 'New issue "<script>alert(1)</script>" cc @here #1' },
      commits: [{ id: 'f'.repeat(40), message: '[x](javascript:alert(1)) @here' }],
    });
    const text = buildSummary(report);
    // Raw HTML only inside the fenced alert block, where it is inert.
    const outsideFences = text.replace(/(`{3,})[a-z]*\n[\s\S]*?\n\1/g, '');
    expect(outsideFences).not.toMatch(/<script|<img|<b>/i);
    expect(outsideFences).not.toContain('](javascript:');
    expect(outsideFences).not.toMatch(/@(here|octocat)/);
    expect(outsideFences).not.toMatch(/#1\b/);
    expect(outsideFences).toContain(`\\[click\\]\\(javascript:alert\\(1\\)\\)`);
    expect(outsideFences).toContain(`@${Z}here`);

    const rows = text.split('\n').filter((l) => l.startsWith('| [EVIL-'));
    expect(rows).toHaveLength(5);
    for (const row of rows) expect(cells(row)).toHaveLength(6);
    expect(cells(rows[3] ?? '')[1]).toBe(`a\\|b c — @${Z}octocat \\| &lt;b&gt;`);
    expect(cells(rows[0] ?? '')[1]).toBe('&lt;script&gt;alert\\(1\\)&lt;/script&gt; — ' + `@${Z}octocat \\| &lt;b&gt;`);
  });

  it('keeps the alert fence closed against backticks in a title, and a backslash-pipe in one cell', () => {
    const bad = issue({ title: '```\n<script>x</script>', culprit: 'a\\|b' });
    const report = failReport({ newIssues: [bad], verdict: { ...failReport().verdict, check: 'new-issues', issue: bad } });
    const text = buildSummary(report);
    expect(text).toContain(
      '````text\nAlert:    New issue SHOP-WEB-1A affects 57 users after deploy\nValue:    SHOP-WEB-1A "``` <script>x</script>" at a\\|b (shop-web)',
    );
    expect(text.match(/^````$/gm)).toHaveLength(1);
    const row = lineStarting(text, '| [SHOP-WEB-1A]');
    expect(cells(row)).toHaveLength(6);
    expect(cells(row)[1]).toBe('\\`\\`\\` &lt;script&gt;x&lt;/script&gt; — a\\\\\\|b');
  });

  it('does not link an unsafe permalink', () => {
    const text = buildSummary(failReport({ newIssues: [issue({ permalink: 'javascript:alert(1)' })] }));
    expect(lineStarting(text, '| SHOP-WEB-1A |')).toContain('| TypeError: cart.total is undefined');
    expect(text).not.toContain('javascript');
  });

  it('links a permalink only on the host of the release page (the one sentry-url names)', () => {
    const text = buildSummary(failReport({ newIssues: [issue({ permalink: 'https://acme.sentry.io.evil.example/issues/4711/' })] }));
    expect(lineStarting(text, '| SHOP-WEB-1A |')).toContain('| TypeError: cart.total is undefined');
    expect(text).not.toContain('evil');
    expect(buildSummary(failReport())).toContain('[SHOP-WEB-1A](https://acme.sentry.io/issues/4711/)');
  });

  it('caps a long issue list and says so', () => {
    const many = Array.from({ length: 500 }, (_, i) => issue({ id: `${i}`, shortId: `S-${i}`, userCount: i }));
    const text = buildSummary(failReport({ newIssues: many }));
    expect(text.split('\n').filter((l) => l.startsWith('| [S-'))).toHaveLength(50);
    expect(lineStarting(text, '| [S-')).toContain('[S-499]');
    expect(text).toContain('_Showing the 50 issues with the most users; 450 more not shown._');
  });
});

describe('buildSummary: baseline', () => {
  it('shows the previous release, its numbers and the limits', () => {
    const report = failReport({
      baseline: {
        release: 'shop-web@9b07d3e',
        from: T0 - 15 * MIN,
        to: T0,
        checks: [
          {
            id: 'crash-free-users',
            observedBadRate: 0.001,
            interval: [0.0004, 0.0021],
            n: 5200,
            k: 5,
            absoluteMaxBadRate: 0.03,
            effectiveMaxBadRate: 0.005,
            note: null,
          },
          {
            id: 'crash-free-sessions',
            observedBadRate: null,
            interval: null,
            n: 0,
            k: 0,
            absoluteMaxBadRate: 0.002,
            effectiveMaxBadRate: 0.002,
            note: 'kept the absolute limit: no sessions for shop-web@9b07d3e in the window',
          },
        ],
      },
    });
    const text = buildSummary(report);
    expect(text).toContain('### Baseline: previous release `shop-web@9b07d3e`');
    expect(text).toContain('Measured from 2026-06-03T01:53Z to 02:08Z.');
    expect(lineStarting(text, '| Crash-free users | 99.9% |')).toBe('| Crash-free users | 99.9% | 99.79–99.96% | 5,200 | 5 | ≥ 97% | ≥ 99.5% | – |');
    expect(lineStarting(text, '| Crash-free sessions | – |')).toBe(
      `| Crash-free sessions | – | – | 0 | 0 | ≥ 99.8% | ≥ 99.8% | kept the absolute limit: no sessions for shop-web@${Z}9b07d3e in the window |`,
    );
    expect(lineStarting(text, '| Crash-free users | all projects |')).toContain('| ≥ 99.5% (baseline) |');
  });

  it('is left out without a baseline', () => {
    expect(buildSummary(failReport())).not.toContain('### Baseline');
  });
});

describe('buildSummary: timeline', () => {
  it('charts crash-free users and sessions with the limits, in a well-formed xychart', () => {
    const lines = mermaid(buildSummary(failReport()));
    expect(lines.slice(0, 4)).toEqual([
      'xychart-beta',
      '    title "Crash-free % since deploy (all projects)"',
      '    x-axis "Minutes since deploy" ["1", "3", "4", "5", "6"]',
      '    y-axis "Crash-free %" 97.5 --> 100',
    ]);
    expect(lines.slice(4)).toEqual([
      '    line [99.5, 98.525, 98.25, 98, 97.757]',
      '    line [99.667, 99.778, 99.833, 99.8, 99.833]',
      '    line [99.5, 99.5, 99.5, 99.5, 99.5]',
      '    line [99.8, 99.8, 99.8, 99.8, 99.8]',
    ]);
    expect(buildSummary(failReport())).toContain(
      '_Lines, in order: crash-free users, crash-free sessions, limit 99.5% (crash-free users), limit 99.8% (crash-free sessions)._',
    );
  });

  it('tabulates every poll and notes the skipped one', () => {
    const text = buildSummary(failReport());
    expect(lineStarting(text, '| 02:00 |')).toBe('| 02:00 | – | – | – | – | – | skipped: GET /sessions/: HTTP 503 after 3 attempts |');
    expect(lineStarting(text, '| 06:00 |')).toBe('| 06:00 | 1,800 | 1,204 | 97.8% | 99.83% | 1.2% | **verdict: fail**; 1 new issue |');
  });

  it('escapes a hostile poll error', () => {
    const polls = [poll(1, null, { error: 'HTTP 500: <img src=x onerror=alert(1)>\n| x | y |' }), poll(2, counts(100, 0, 0, 50, 0))];
    const row = lineStarting(buildSummary(passReport({ polls })), '| 01:00 |');
    expect(cells(row)).toHaveLength(7);
    expect(cells(row)[6]).toBe('skipped: HTTP 500: &lt;img src=x onerror=alert\\(1\\)&gt; \\| x \\| y \\|');
  });

  it('drops the users series when users are not tracked, keeping every series as long as the axis', () => {
    const polls = [poll(1, counts(100, 1, 2, 0, 0)), poll(2, counts(250, 1, 3, 0, 0))];
    const lines = mermaid(buildSummary(passReport({ polls })));
    const axis = lines.find((l) => l.includes('x-axis')) ?? '';
    const n = (axis.match(/"\d/g) ?? []).length;
    const series = lines.filter((l) => l.trim().startsWith('line ['));
    expect(series).toEqual(['    line [99, 99.6]', '    line [99.5, 99.5]']);
    for (const s of series) expect(s.split(',').length).toBe(n);
  });

  it('says there is nothing to chart when no poll returned sessions', () => {
    const text = buildSummary(passReport({ polls: [poll(1, null, { error: 'timeout' })] }));
    expect(text).not.toContain('```mermaid');
    expect(text).toContain('_No poll returned sessions yet, so there is nothing to chart._');
  });
});

describe('buildSummary: registration and links', () => {
  it('describes what was registered', () => {
    const text = buildSummary(failReport());
    expect(text).toContain(
      [
        '### Release registration',
        '',
        '- Release `shop-web@4f2c1a9`: created',
        '- Commits: associated by Sentry from the connected repository (refs: it walks the commits since the previous release itself)',
        '- Deploy to `production`: recorded',
        '- Finalized: yes',
      ].join('\n'),
    );
    expect(text).toContain('- `4f2c1a9` Fix checkout total (Ada)\n- `1b2c3d4` Bump deps');
  });

  it('covers an existing release, a commit list and a capped commit list', () => {
    const commits = Array.from({ length: 12 }, (_, i) => ({ id: `${i % 10}`.repeat(40), message: `change ${i}` }));
    const text = buildSummary(
      failReport({ commits, registration: { created: false, commitMode: 'commits', commitCount: 12, deployCreated: false, finalized: false } }),
    );
    expect(text).toContain('- Release `shop-web@4f2c1a9`: already existed');
    expect(text).toContain('- Commits: 12 sent from the GitHub compare (commit list)');
    expect(text).toContain('- Deploy to `production`: already recorded');
    expect(text).toContain('- Finalized: no');
    expect(text).toContain('#### Commits (12)');
    expect(text).toContain('- `9999999` change 9\n- … and 2 more');
  });

  it('lists the links, leaving out unsafe ones', () => {
    const text = buildSummary(failReport({ dashboardUrl: 'https://grafana.example/d/x', runUrl: 'javascript:alert(1)' }));
    expect(text).toContain(
      [
        '### Links',
        '',
        '- Release [`shop-web@4f2c1a9`](https://acme.sentry.io/releases/shop-web%404f2c1a9/) in Sentry',
        '- Previous release: [`shop-web@9b07d3e`](https://acme.sentry.io/releases/shop-web%409b07d3e/)',
        '- [Runbook](https://wiki.example/runbooks/rollback)',
        '- [Dashboard](https://grafana.example/d/x)',
      ].join('\n'),
    );
    expect(buildSummary(failReport({ previousRelease: null, previousReleaseUrl: null }))).toContain('- Previous release: none found');
  });
});

describe('buildSummary: size', () => {
  function longRun(n: number): RunReport {
    const polls = Array.from({ length: n }, (_, i) =>
      i % 97 === 5 ? poll(i + 1, null, { error: 'x'.repeat(5000) }) : poll(i + 1, counts(100 * (i + 1), i, 2 * i, 60 * (i + 1), i)),
    );
    return passReport({ polls, windowMs: n * MIN });
  }

  it('stays under the cap with 10,000 polls and says what it left out', () => {
    const started = performance.now();
    const text = buildSummary(longRun(10_000));
    const elapsed = performance.now() - started;
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThan(SUMMARY_MAX_BYTES);
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThan(64 * 1024);
    expect(text).toContain('### Timeline (10,000 polls)');
    expect(text).toContain('| … 9,900 polls omitted … |');
    expect(text).toContain('_Showing the first 20 and last 80 of 10,000 polls; the JSON report has them all._');
    expect(text.split('\n').filter((l) => /^\| \d/.test(l))).toHaveLength(100);
    expect(lineStarting(text, '| 166:40:00 |')).toContain('| 1,000,000 | 600,000 |');
    const lines = mermaid(text);
    expect((lines[2]?.match(/"[\d.]+"/g) ?? []).length).toBe(60);
    expect(text).toContain('_The chart shows 60 of 9,896 polls, evenly spaced._');
    expect(text).toContain('### Links');
    expect(elapsed).toBeLessThan(1000);
  });

  it('caps every part of a pathological report', () => {
    const huge = Array.from({ length: 2000 }, (_, i) => evaluation({ project: `p-${i}-${'x'.repeat(90)}` }));
    const many = Array.from({ length: 5000 }, (_, i) => issue({ id: `${i}`, title: 'y'.repeat(5000) }));
    const projects = Array.from({ length: 100_000 }, (_, i) => `project-${i}`);
    const report = failReport({ projects, newIssues: many, verdict: { ...failReport().verdict, reason: 'r'.repeat(1_000_000), evaluations: huge } });
    const text = buildSummary(report);
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThan(SUMMARY_MAX_BYTES);
    expect(lineStarting(text, '❌')).toMatch(/ r{999}…$/);
    expect(text).toContain(
      'projects project-0, project-1, project-2, project-3, project-4, project-5, project-6, project-7, project-8, project-9 and 99,990 more.',
    );
    expect(text).toContain('_Showing 60 of 2,000 checks._');
    expect(text).not.toContain('omitted: the summary would exceed');
  });
});
