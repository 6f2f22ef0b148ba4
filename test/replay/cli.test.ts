import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { replayCommand } from '../../src/cli/replay';

function collector(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

async function replay(argv: string[], stdinText?: string) {
  const out = collector();
  const err = collector();
  const code = await replayCommand(argv, { stdout: out.stream, stderr: err.stream, ...(stdinText === undefined ? {} : { stdin: Readable.from([stdinText]) }) });
  return {
    code,
    stdout: out.text(),
    stderr: err.text(),
    lines: out
      .text()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'rhg-replay-test-'));
function file(name: string, lines: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'));
  return path;
}

const s = (t: number, users: number, crashedUsers: number) => ({
  t,
  sessions: 3 * users,
  crashedSessions: crashedUsers,
  users,
  crashedUsers,
  erroredSessions: crashedUsers,
});
const minutes = (perMinute: number, share: number) =>
  Array.from({ length: 10 }, (_, i) => s(60 * (i + 1), perMinute * (i + 1), Math.round(perMinute * (i + 1) * share)));

const RELEASES = [
  { id: 'bad', samples: [s(90, 400, 80), s(150, 800, 160)] },
  { id: 'tiny', samples: minutes(2, 0) },
  { id: 'healthy', samples: minutes(200, 0.005) },
];

describe('replay command', () => {
  it('prints one verdict line per release, in order', async () => {
    const r = await replay([file('three.jsonl', RELEASES)]);
    expect(r.code).toBe(0);
    // said once, not per release
    expect(r.stderr).toBe(
      'replay: 3 of 3 releases carry no "secondHalf" ({"users": n, "crashedUsers": k} counted over the window\'s second half): their end-of-window crash-free users test on the second half is skipped (a difference of cumulative users misses users who come back)\n',
    );
    expect(r.lines.map(({ id, verdict, decidedAt }) => ({ id, verdict, decidedAt }))).toEqual([
      { id: 'bad', verdict: 'fail', decidedAt: 120 },
      { id: 'tiny', verdict: 'inconclusive', decidedAt: null },
      { id: 'healthy', verdict: 'pass', decidedAt: 600 },
    ]);
    expect(Object.keys(r.lines[0]!)).toEqual(['id', 'verdict', 'decidedAt', 'reason']);
  });

  it('reads stdin for -, skips blank lines, and applies the flags like the action', async () => {
    const text = `${RELEASES.map((x) => JSON.stringify(x)).join('\n\n')}\n`;
    // Polls at 30 s, 180 s and 300 s.
    const r = await replay(['-', '--window', '5m', '--interval', '150s', '--initial-delay', '30s', '--min-crash-free-users', '97%', '--pass-early'], text);
    expect(r.code).toBe(0);
    expect(r.lines.map((l) => [l.id, l.verdict, l.decidedAt])).toEqual([
      ['bad', 'fail', 180],
      ['tiny', 'inconclusive', null],
      ['healthy', 'pass', 300],
    ]);
    // pass-early is accepted and changes nothing: no rate check can pass early validly (#19.4).
    expect(r.lines[2]!.reason).toMatch(/^all checks within limits/);
  });

  it.each([
    ['not JSON', '{"id": "x", "samples": [', /^.*bad\.jsonl: line 2: not valid JSON/],
    ['a missing count', { id: 'x', samples: [{ t: 60, sessions: 5, crashedSessions: 0, crashedUsers: 0 }] }, /line 2: samples\[0\]\.users: /],
    ['more crashed users than users', { id: 'x', samples: [s(60, 10, 11)] }, /line 2: samples\[0\]: crashedUsers must not exceed users/],
    ['a negative time', { id: 'x', samples: [{ ...s(60, 10, 1), t: -1 }] }, /line 2: samples\[0\]\.t: /],
    [
      'shrinking counts',
      { id: 'x', samples: [s(60, 10, 1), s(120, 9, 1)] },
      /line 2: samples\[1\]\.sessions: counts are cumulative since the deploy and must not decrease \(27 after 30\)/,
    ],
    ['samples out of order', { id: 'x', samples: [s(120, 10, 1), s(60, 20, 1)] }, /line 2: samples\[1\]\.t: samples must be in time order/],
    ['no id', { samples: [] }, /line 2: id: /],
  ])('exits 2 on %s, naming the line, and prints nothing', async (_what, bad, message) => {
    const r = await replay([file('bad.jsonl', [RELEASES[0], bad, RELEASES[2]])]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('needs erroredSessions only when the error-rate check is on', async () => {
    const { erroredSessions: _, ...noErrors } = s(60, 500, 0);
    const path = file('no-errors.jsonl', [{ id: 'x', samples: [noErrors] }]);
    expect((await replay([path])).code).toBe(0);
    const r = await replay([path, '--max-error-rate', '0.05']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/line 1: samples\[0\]\.erroredSessions: required by --max-error-rate/);
  });

  it.each([
    [['--window', 'ten'], /^--window \("ten"\): expected a duration/],
    [['--confidence', '95'], /^--confidence \("95"\): expected the confidence of a fail as a fraction/],
    [['--interval', '20m'], /^--interval \("20m"\): must not be longer than window \(10m\)/],
    [['--sentry-org', 'acme'], /^--sentry-org does not apply to replay/],
    [['--max-new-issue-users', '3'], /^--max-new-issue-users does not apply to replay \(replay files hold health counts, not issues\)/],
    [['--nope'], /Unknown option '--nope'/],
  ])('exits 2 on bad flags %j, naming the flag', async (flags, message) => {
    const r = await replay([file('ok.jsonl', RELEASES), ...flags]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  it('exits 2 without a FILE, or when it cannot be read', async () => {
    expect((await replay([])).stderr).toMatch(/replay needs a FILE/);
    const missing = await replay([join(dir, 'missing.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^cannot read .*missing\.jsonl: ENOENT/);
  });
});
