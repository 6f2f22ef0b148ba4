import { describe, expect, it } from 'vitest';
import { getScenario, startLocalTracker } from '../../src/local-tracker';
import { SENTRY_TOKEN, gate } from './harness';

/**
 * The markdown GitHub interprets: fenced code blocks and code spans show their
 * content as it is, so only text outside them can become HTML, links or pings.
 */
export function interpreted(markdown: string): string {
  const withoutBlocks = markdown.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');
  return withoutBlocks.replace(/(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g, '');
}

/** What a hostile string must never become in rendered markdown. */
function expectInert(markdown: string) {
  const live = interpreted(markdown);
  expect(live).not.toMatch(/<script/i);
  expect(live).not.toMatch(/<img/i);
  expect(live).not.toMatch(/<[a-z][^>]*\son\w+=/i);
  expect(live).not.toMatch(/\]\(javascript:/i);
  // a mention pings unless something breaks the @ from the name
  expect(live).not.toMatch(/(^|[^\w`])@here\b/m);
}

describe.concurrent('hostile text from the tracker is escaped in the job summary', () => {
  it('an issue titled with <script>, markdown links and @here, culprit <img onerror>', async () => {
    const { run } = await gate('new-issue', { inputs: { 'max-new-issue-users': '5', window: '6s' } });
    expect(run.outputs.verdict).toBe('fail');
    // the hostile issue is listed (escaped), not dropped
    expect(run.summary).toMatch(/alert\\?\(1\\?\)/);
    expect(run.summary).toMatch(/&lt;script&gt;|`[^`\n]*<script>[^`\n]*`/);
    expectInert(run.summary);
  });

  it('a hostile previous release name is refused as a release input would be: not used, warned about', async () => {
    const scenario = getScenario('crash-spike');
    scenario.previousRelease.version = '`x` <img src=x onerror=alert(1)> **b** [y](javascript:alert(1)) @here <script>alert(2)</script>';
    const tracker = await startLocalTracker({ scenario, token: SENTRY_TOKEN, minuteMs: 1000 });
    try {
      const { run } = await gate('crash-spike', { tracker, inputs: { 'dry-run': 'true', window: '6s' } });
      expect(run.outputs['previous-release']).toBe('');
      expect(run.annotations.some((a) => a.level === 'warning' && a.message.startsWith('Ignoring the previous release Sentry reports'))).toBe(true);
      expectInert(run.summary);
    } finally {
      await tracker.close();
    }
  });
});
