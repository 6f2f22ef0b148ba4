import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli';

// The demo runs the real pipeline against the embedded tracker in compressed time (1 s = 1 minute).
// Both scenarios: 30,000 sessions a minute, 1% of them crash, judged against a 99% crash-free sessions
// limit over 10 minutes; crashes arrive at once, healthy sessions up to a minute later, as Sentry's
// server SDKs send them. They differ only in the settle time the demo sets.
describe.concurrent('settle through the CLI: a release exactly at its limit with crash-first lag', () => {
  it('judged as it arrives (settle 0s), it is failed at the first poll on the unsettled newest minute', async () => {
    const run = await runCli(['demo', 'crash-first-unsettled'], {}, 60_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/--settle 0s/);
    expect(run.stdout).toMatch(/^Verdict: FAIL: crash-free sessions [\d.]+% .* is below the 99% limit \(e-value/m);
    expect(run.durationMs).toBeLessThan(8_000);
  });

  it('judged on settled data (the default settle, 60s), it passes after the whole window', async () => {
    const run = await runCli(['demo', 'crash-first-at-limit'], {}, 60_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/--settle/);
    expect(run.stdout).toMatch(/^Verdict: PASS: .*crash-free sessions [\d.]+% \(interval/m);
    // ten polls, the last a minute after the 10-minute window
    expect(run.stdout.match(/^\[\d\d:\d\d\/10:00\]/gm)).toHaveLength(10);
    expect(run.durationMs).toBeGreaterThan(11_000);
  });
});
